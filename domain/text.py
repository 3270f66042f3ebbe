"""Folding text for search: case- and accent-insensitive on every database alike.

Letters are transliterated to ASCII by anyascii, so that letters that do not decompose
("Ł", "Ø", "Æ", "Đ", "Þ") and other scripts fold too: "Łódź" -> "lodz", "Москва" -> "moskva".
A name with a German umlaut has a second reading, ä/ö/ü -> ae/oe/ue ("Müller" -> "mueller"),
indexed beside the plain one (domain.companies, domain.search).
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_WORD = re.compile(r"\w+")
MAX_WORD = 64
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


class _Separators(dict[int, int]):
    """str.translate table: letters, digits and marks stay; any other character (a symbol, an
    emoji, punctuation) becomes a space, so that it never turns into a word ("™" -> "TM")."""

    def __missing__(self, code: int) -> int:
        char = chr(code)
        keep = char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")
        self[code] = code if keep else 32
        return self[code]


_SEPARATORS = _Separators()


def fold(text: str) -> str:
    """Lower-case ASCII: "Zürich" -> "zurich", "Łódź" -> "lodz"; symbols become spaces."""
    if text.isascii():
        return text.lower()  # the common case, and what anyascii would give
    return anyascii(text.translate(_SEPARATORS)).lower()


def words(text: str) -> list[str]:
    """The folded words of a text, in order, each cut to the indexed length."""
    return [w[:MAX_WORD] for w in _WORD.findall(fold(text))]


def german_words(text: str) -> list[str]:
    """The words of the text's German reading (ä -> ae, ö -> oe, ü -> ue), or [] when it has
    no umlaut (then its only reading is the plain one)."""
    if text.isascii():
        return []
    composed = unicodedata.normalize("NFC", text)  # "u" + combining diaeresis -> "ü"
    german = composed.translate(_GERMAN)
    return words(german) if german != composed else []


def name_key(name: str) -> str:
    """A name's words joined by single spaces: sorts alphabetically, serves name-prefix search."""
    return " ".join(words(name))[:255]


def has_german_spelling(phrase: str) -> bool:
    """Whether a folded phrase could start a German reading but not the plain one: only an
    "ae", "oe" or "ue" tells them apart (the German reading only inserts an "e")."""
    return "ae" in phrase or "oe" in phrase or "ue" in phrase


def code_key(code: str) -> str:
    return fold(code.strip())


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
