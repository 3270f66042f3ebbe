"""The domain: the portal's rules, once, for every surface (graph/, cxml/, the CLI).

Public functions take and return typed records (records.py) or table objects, and refuse
with the one error hierarchy (errors.py). Imports only persistence/ below it; never strawberry
or lxml.
"""
