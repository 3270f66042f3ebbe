"""The one rule for a URL the server writes where a browser follows it: the buyer's
BrowserFormPost URL (the action of the form that hands the cart back), and the server's own
addresses (the StartPage redirect to the storefront; the StartPage, setup, ProfileResponse and
download URLs made from the public URL).

A URL passes when it is absolute, `https` (or `http` where the caller allows it), names a host,
carries no user name or password, and holds no space, control or invisible formatting
character. Everything else (`javascript:`, `data:`, `vbscript:`, a scheme-relative `//host`, a
path...) is refused: a form's action or a redirect to such a URL runs script in a page, or goes
somewhere the page's own address decides.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

# Longer than any return URL seen; a form's action beyond this is not a buyer's address.
MAX_URL_LENGTH = 2048
# Controls, invisible formatting (a right-to-left override shows a URL backwards), surrogates,
# private use and unassigned code points, and every kind of space and line break.
_NOT_IN_A_URL = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})


class UrlRefused(ValueError):
    """Why a URL may not be written into a page, a form or a redirect: the end of a sentence
    that begins with what the URL is ('BrowserFormPost URL "..." ' + reason)."""


def checked_url(url: str, *, allow_http: bool) -> str:
    """The URL, if a browser may be sent there; UrlRefused saying why not."""
    if len(url) > MAX_URL_LENGTH:
        raise UrlRefused(f"is longer than {MAX_URL_LENGTH:,} characters")
    if any(unicodedata.category(c) in _NOT_IN_A_URL for c in url):
        raise UrlRefused("holds a space, a control or an invisible character")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it checks it (a number below 65536)
    except ValueError:
        raise UrlRefused("is not a URL") from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (allow_http and scheme == "http"):
        if scheme == "http":
            raise UrlRefused("is http: only https URLs are allowed here")
        allowed = "an https or http URL" if allow_http else "an https URL"
        raise UrlRefused(f"is not {allowed}")
    if not parts.hostname:
        raise UrlRefused("names no host")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused("carries a user name or password")
    return url


def shown(url: str, limit: int = 80) -> str:
    """A URL as a refusal quotes it: shortened, its invisible characters made visible."""
    text = url if len(url) <= limit else url[:limit] + "..."
    return "".join(
        c if unicodedata.category(c) not in _NOT_IN_A_URL else f"\\u{ord(c):04x}" for c in text
    )
