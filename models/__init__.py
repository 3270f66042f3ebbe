"""Tortoise models and the domain rules that the GraphQL and cXML surfaces share.

Nothing in this package imports strawberry or lxml.
"""

# The tortoise app: every module that declares tables.
MODEL_MODULES = ["models.tables"]
