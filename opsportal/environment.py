"""The environment variables opsportal reads (opsportal/config.py), for `opsportal --help`.

tests/test_cli_help.py checks that every variable config.py reads is listed here."""

from __future__ import annotations

VARIABLES: tuple[tuple[str, str, str], ...] = (
    # (name, default, meaning)
    (
        "DATABASE_URL",
        "sqlite://opsportal.sqlite3",
        "sqlite://PATH or postgres://USER:PASS@HOST:PORT/DB",
    ),
    (
        "OPSPORTAL_PUBLIC_URL",
        "serve's http://HOST:PORT",
        "the public base URL in setupUrl and StartPage URLs",
    ),
    (
        "OPSPORTAL_SUPPLIER_IDENTITY",
        "opsportal-supplier",
        "the supplier's cXML To identity (NetworkID)",
    ),
    ("OPSPORTAL_SUPPLIER_DUNS", "none", "the supplier's DUNS number; To uses it when set"),
    ("OPSPORTAL_TOKEN_TTL_MINUTES", "720", "how long a staff sign-in token lasts"),
    ("OPSPORTAL_CORS_ORIGINS", "none", "comma-separated origins of a frontend elsewhere"),
    ("OPSPORTAL_PUNCHOUT_START_TTL_SECONDS", "300", "how long a StartPage URL stays usable"),
    (
        "OPSPORTAL_CXML_MAX_BYTES",
        "20971520",
        "the largest cXML request body accepted (multipart, with attachments: 20 MiB)",
    ),
    (
        "OPSPORTAL_CXML_MAX_DOCUMENT_BYTES",
        "1048576",
        "the largest cXML document: a plain or form body, or a multipart's cXML part",
    ),
    ("OPSPORTAL_HEADER_TIMEOUT_SECONDS", "10", "time for a request's line and headers"),
    ("OPSPORTAL_BODY_TIMEOUT_SECONDS", "60", "time for a request's body, else 408"),
    (
        "OPSPORTAL_GRAPHQL_MAX_RESPONSE_BYTES",
        "5242880",
        "the largest GraphQL answer (JSON bytes; at least 4 MiB): more is TOO_COSTLY",
    ),
    ("OPSPORTAL_STOREFRONT_URL", "PUBLIC_URL/storefront", "where a StartPage URL sends the buyer"),
    (
        "OPSPORTAL_STOREFRONT_FREE_FORM_LINES",
        "allow if STOREFRONT_URL is elsewhere",
        "allow or refuse: addCartLine lines priced by a headless shop, not from the catalog",
    ),
    (
        "OPSPORTAL_ALLOW_HTTP_BUYER_URLS",
        "0",
        "1: a buyer's BrowserFormPost URL may be http (test buyers on a LAN); else https only",
    ),
    ("OPSPORTAL_PUNCHOUT_SESSION_TTL_MINUTES", "120", "how long a storefront session lasts"),
    ("OPSPORTAL_CURRENCY", "USD", "the currency of an empty cart's total"),
    (
        "OPSPORTAL_ORDER_PRICE_CHECK",
        "flag",
        "an order line off the catalog's price: flag (store, mark) or reject (cXML 400)",
    ),
    (
        "OPSPORTAL_KEY_ENCRYPTION_KEY",
        "SQLite: file DB.kek",
        "KEK(s) sealing PUNCHOUT API Keys (keygen)",
    ),
    ("OPSPORTAL_KEY_ENCRYPTION_KEY_FILE", "none", "a file holding the same, instead"),
    (
        "OPSPORTAL_UNMATCHED_LOG_DAYS",
        "30",
        "how long cXML requests no customer was matched to are kept",
    ),
    (
        "OPSPORTAL_UNMATCHED_LOG_MAX_ROWS",
        "100000",
        "the most of those kept; the oldest go first",
    ),
    ("OPSPORTAL_CXML_LOG_DAYS", "90", "how long every cXML exchange is kept in the log"),
    (
        "OPSPORTAL_CXML_LOG_MAX_BYTES",
        "1073741824",
        "the most bytes of bodies the cXML log keeps (1 GiB); the oldest go first",
    ),
    (
        "OPSPORTAL_PUNCHOUT_SESSION_KEEP_DAYS",
        "7",
        "how long a punchout session and its cart are kept once ended or expired",
    ),
    ("OPSPORTAL_RETENTION_INTERVAL_SECONDS", "300", "how often what is no longer kept is dropped"),
    (
        "OPSPORTAL_TRUSTED_PROXIES",
        "none",
        "reverse proxies (addresses, networks) whose X-Forwarded-For is believed",
    ),
)


def epilog() -> str:
    """The environment section of `opsportal --help`."""
    lines = ["environment variables (each has a default; a bad value stops with its name):"]
    for name, default, meaning in VARIABLES:
        lines += [f"  {name}  (default: {default})", f"      {meaning}"]
    return "\n".join(lines)
