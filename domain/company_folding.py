"""Checking and folding many companies' codes and names (a bulk import): the results of
clean_code, clean_name, code_key and search_keys (domain.companies, domain.text), the same
rule, with each distinct word folded once and each distinct name put together once.

Names repeat their words a lot (a million Faker names: 2.8 million words, 161,000 distinct;
565,000 distinct names), and folding a word costs far more than looking it up: folded name
by name, checking and folding was the largest part of an import's CPU time
(docs/performance.md#company-import).

Why folding word by word gives what folding the whole name gives: a clean name's words are
separated by single spaces, and every step of domain.text works character by character
(anyascii, lower-casing, symbols made spaces) or never across a space (`\\w+`; NFC composes
no character with a space), so the whole name's words are its words' words, in order. The
German reading is the exception to look out for: a name has one only if some word has an
umlaut, and then every word takes part in it, the others as their composed (NFC) selves.
tests/test_company_folding.py checks that the results are identical, over generated text and
many names.
"""

from __future__ import annotations

import unicodedata
from typing import Final, NamedTuple

from domain.companies import CODE_PATTERN, NOT_IN_NAMES, clean_code, clean_name
from domain.text import code_key, german_words, words

MAX_KEY = 255  # name_key and german_name_key, as domain.companies.search_keys cuts them


class Folded(NamedTuple):
    """One company as the company table stores it (domain.company_import's order)."""

    name: str
    code: str
    code_key: str
    name_key: str
    german_name_key: str | None
    search_text: str


# A folded company as the import holds it, read by position (Folded is one).
Row = tuple[str, str, str, str, str | None, str]
NAME: Final = 0
CODE: Final = 1
CODE_KEY: Final = 2
NAME_KEY: Final = 3
GERMAN_NAME_KEY: Final = 4
SEARCH_TEXT: Final = 5


class _Word(NamedTuple):
    plain: list[str]  # words(word)
    german: list[str]  # its part of a German reading: german_words(word) or its NFC's words
    umlaut: bool  # whether it makes the name have a German reading


class _Name(NamedTuple):
    key: str
    german_key: str | None
    words: list[str]  # the name's words of both readings, each once, in order
    text: str  # those joined by spaces


class CompanyFolder:
    """`fold(code, name)` gives clean_code(code), clean_name(name), code_key and search_keys
    of the two, or raises what those raise. It remembers every distinct word and name it has
    folded: one folder per import, dropped with it."""

    def __init__(self) -> None:
        self._words: dict[str, _Word] = {}
        self._names: dict[str, _Name] = {}

    def fold(self, raw_code: str, raw_name: str) -> Folded:
        code = raw_code.strip()
        if not CODE_PATTERN.fullmatch(code):
            code = clean_code(raw_code)  # raises, with its own message
        name = " ".join(raw_name.split())
        known = self._names.get(name)
        if known is None:
            known = self._names[name] = self._name(name)
        key = code_key(code)
        # A code is ASCII letters, digits and . _ - /: one word when it has only the first two.
        code_words = [key] if key.isalnum() else words(key)
        if len(code_words) == 1:
            word = code_words[0]
            text = known.text if word in known.words else f"{known.text} {word}"
        else:
            text = " ".join(dict.fromkeys([*known.words, *code_words]))
        return Folded(name, code, key, known.key, known.german_key, text)

    def _name(self, name: str) -> _Name:
        if not name or len(name) > MAX_KEY or NOT_IN_NAMES.search(name):
            clean_name(name)  # raises, with its own message
        plain: list[str] = []
        german: list[str] = []
        umlaut = False
        for token in name.split(" "):
            word = self._words.get(token) or self._word(token)
            plain += word.plain
            german += word.german
            umlaut = umlaut or word.umlaut
        if not plain:
            clean_name(name)  # raises: a name needs a word
        key = " ".join(plain)[:MAX_KEY]
        if not umlaut:
            german = []
        german_key = " ".join(german)[:MAX_KEY]
        both = list(dict.fromkeys([*plain, *german]))
        return _Name(
            key, german_key if german_key and german_key != key else None, both, " ".join(both)
        )

    def _word(self, token: str) -> _Word:
        plain = words(token)
        german = german_words(token)
        if german:
            word = _Word(plain, german, True)
        elif token.isascii():
            word = _Word(plain, plain, False)
        else:
            word = _Word(plain, words(unicodedata.normalize("NFC", token)), False)
        self._words[token] = word
        return word
