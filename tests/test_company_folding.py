"""The import's folding word by word (domain.company_folding) gives exactly what folding each
name whole gives (clean_code, clean_name, code_key, search_keys: createCompany's rule), refusals
included, over generated text and many real-looking names."""

from __future__ import annotations

import itertools
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.companies import clean_code, clean_name, search_keys
from domain.company_folding import CompanyFolder, Folded
from domain.errors import CompanyRefused
from domain.text import code_key
from opsportal.demo import demo_companies

# Letters that fold in every way domain.text knows: umlauts (composed and not), letters that
# do not decompose, other scripts, marks, symbols that become spaces, and the separators.
PIECES = (
    "aAzZ09_ äöüÄÖÜ u\u0308 o\u0308 A\u0308 ßŁłØøÆæĐđÞþ ÅÉèçñ e\u0301 İı ǅ Ǆ ﬁ ½ ² "
    "Москва Київ Αθήνα 北京 東京 서울 Ελλάδα עברית عربي हिंदी ไทย "
    "-–—.,;:&'\"/()[]!?@#%*+= ™©®€$£ 😀 \u200b\u00a0\u2003\t\n\x00\x07\x85\ud800\ufffe"
)
ALPHABET = st.sampled_from(sorted(set(PIECES)))
# One folder for every example: what it remembers from earlier names is exercised too.
FOLDER = CompanyFolder()


def whole(code: str, name: str) -> Folded | tuple[str, str, str]:
    """createCompany's rule, one name at a time."""
    try:
        clean, cleaned = clean_code(code), clean_name(name)
    except CompanyRefused as exc:
        return (exc.field, exc.code, exc.message)
    keys = search_keys(cleaned, clean)
    return Folded(
        cleaned, clean, code_key(clean), keys.name_key, keys.german_name_key, keys.search_text
    )


def by_words(folder: CompanyFolder, code: str, name: str) -> Folded | tuple[str, str, str]:
    try:
        return folder.fold(code, name)
    except CompanyRefused as exc:
        return (exc.field, exc.code, exc.message)


@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.text(ALPHABET, min_size=0, max_size=12) | st.sampled_from(["Müller", "Mueller", "Öl"]),
        max_size=8,
    ),
    st.sampled_from([" ", "  ", "-", " - ", "\t"]),
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._\-/]{0,8}", fullmatch=True)
    | st.sampled_from(["", " C1 ", "müller", "a b", "x" * 65, "Mueller", "oel-1"]),
)
def test_generated_names_fold_word_by_word_as_whole(parts: list[str], glue: str, code: str) -> None:
    name = glue.join(parts)
    assert by_words(FOLDER, code, name) == whole(code, name)
    # The same name again (remembered now), and its decomposed form (NFD: "u" + "\u0308").
    assert by_words(FOLDER, code, name) == whole(code, name)
    decomposed = unicodedata.normalize("NFD", name)
    assert by_words(FOLDER, code, decomposed) == whole(code, decomposed)


def test_many_names_fold_word_by_word_as_whole() -> None:
    """Faker's names of every demo locale, a small vocabulary's (names and words repeat), and
    long names cut at 255 characters and at 64 a word."""
    folder = CompanyFolder()
    names = [row["name"] for row in demo_companies(30_000)]
    vocabulary = ["Müller", "Zürich", "Łódź", "Öl-Handel", "Acme", "Straße", "Ærø", "Café"]
    names += [" ".join(words) for words in itertools.product(vocabulary, repeat=3)]
    # Too long; 255 characters whose readings are longer (cut at 255); a word over 64.
    names += ["Müller " * 40, "Zürich-" * 50, ("Müller " * 36).strip(), "北京 東京 " * 40]
    names += ["Ünïcödé " + "x" * 240, "a" * 70 + " Öl", "Øresund Ærø " * 20]
    folded = 0
    for number, name in enumerate(names):
        for code in (f"C{number:06d}", f"c-{number}.Öl"[:9], "Mueller", "A_b/c"):
            expected = whole(code, name)
            assert by_words(folder, code, name) == expected, (code, name)
            folded += isinstance(expected, Folded)
    assert folded > 80_000  # most are good ones: what was compared is mostly the folding
    german = [f for f in (whole("C1", n) for n in names) if isinstance(f, Folded)]
    assert sum(f.german_name_key is not None for f in german) > 1_000
