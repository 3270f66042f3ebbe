"""Folding text for search: case- and accent-insensitive on every database alike."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+")
MAX_WORD = 64


def fold(text: str) -> str:
    """Lower-case, strip accents, keep letters' base forms: "Zürich" -> "zurich"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.casefold()


def words(text: str) -> list[str]:
    """The folded words of a text, in order, each cut to the indexed length."""
    return [w[:MAX_WORD] for w in _WORD.findall(fold(text))]


def name_key(name: str) -> str:
    """A name's words joined by single spaces: sorts alphabetically, serves name-prefix search."""
    return " ".join(words(name))[:255]


def code_key(code: str) -> str:
    return fold(code.strip())


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
