"""Lengths and counts the domain's rules share with the columns and API fields holding them."""

from __future__ import annotations

import re

# An email address (a staff login, a customer username, a buyer identity): RFC 5321's limit
# on a path, and the width of the columns that hold them.
NAME_MAX = 254

# The most a list may hold: what a client may ask for is counted at these bounds before
# anything runs (graph/cost.py), so each is both a rule where the list is written and the
# bound of the GraphQL field that reads it (declared with graph.bounds.at_most).
#
# What one cXML document may carry (refused where cXML is read, cxml/): a setup request's or
# an order's Extrinsics, an OrderRequest's lines, a setup request's Contacts and each one's
# Email and Phone elements, the DeliverTo and Street lines of an address, and per line its
# Classifications, Extrinsics and Attachments.
MAX_EXTRINSICS = 200
MAX_ORDER_LINES = 1_000
MAX_CONTACTS = 20
MAX_CONTACT_ENTRIES = 10  # Email elements of one Contact; Phone elements likewise
MAX_ADDRESS_LINES = 10  # DeliverTo lines of one address; Street lines likewise
MAX_CLASSIFICATIONS = 10  # of one line
MAX_LINE_EXTRINSICS = 20  # of one line
# The MIME parts of one multipart/related cXML body: the document and up to 99 attachments.
MAX_PARTS = 100
MAX_ATTACHMENTS = 100  # kept with one order, over all its requests (a new one and updates)
# What the storefront may store: a cart line's description, in characters (cXML's DTD sets
# none; procurement systems show a few hundred).
MAX_DESCRIPTION = 2_000
# What staff set: the staff assigned to one company, and a customer's working PUNCHOUT API
# Keys (the current one and those still in a grace period after `rotatePunchoutKey`).
MAX_ASSIGNED_STAFF = 100
MAX_WORKING_KEYS = 10

# An ISO 4217 currency code, in whatever case it was typed or sent.
CURRENCY_CODE = re.compile(r"[A-Za-z]{3}")


def currency_code(value: str) -> str | None:
    """The upper-case ISO 4217 code a value names, or None when it is not one."""
    value = value.strip(" \t\r\n")
    return value.upper() if CURRENCY_CODE.fullmatch(value) else None
