"""Reading a CSV as spreadsheets write them (the companies import's, the catalog's and the
prices'): the encoding (a BOM, --encoding, UTF-8, or else a guess among the Windows code
pages), the delimiter (--delimiter, or sniffed), the columns (`required` ones, by default
code and name), and each row with its line number; a row that cannot be read is handed on as a
problem, never raised, so that the import skips it and goes on."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from domain.company_import import SourceRow
from domain.errors import CompanyCode, CompanyRefused

REQUIRED = ("code", "name")
DELIMITERS = (",", ";", "\t", "|")
# A field past this is not a company's: the row is skipped (csv's own default is 131,072).
FIELD_LIMIT = 1 << 20
HEAD_BYTES = 64 * 1024
CHUNK = 1 << 20
# Single-byte code pages that spreadsheets write, for files that are not UTF-8.
GUESSES = ["cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257"]
SAMPLE_BYTES = 256 * 1024
_UNDECODED = re.compile("[\udc80-\udcff]")  # what surrogateescape makes of undecodable bytes
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose BOM it begins with
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
NAMES = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}


@dataclass(frozen=True)
class CsvLayout:
    encoding: str
    encoding_source: str  # "BOM", "--encoding", "valid UTF-8", "guessed"
    delimiter: str
    delimiter_source: str  # "--delimiter", "sniffed", "from the header"
    columns: tuple[str, ...]

    def describe(self) -> str:
        name = codecs.lookup(self.encoding).name
        shown = NAMES.get(self.delimiter, repr(self.delimiter))
        text = f"read as {name} ({self.encoding_source}), "
        text += f"delimiter {shown} ({self.delimiter_source})"
        return text + (f", columns: {', '.join(self.columns)}" if self.columns else "")


def parse_delimiter(text: str) -> str:
    """--delimiter: one character, or `tab` / `\\t`."""
    if text.lower() in ("tab", "\\t"):
        return "\t"
    if len(text) != 1 or text in ('"', "\n", "\r"):
        raise CompanyRefused(
            CompanyCode.INVALID, f"--delimiter {text!r}: give one character, e.g. ';' or tab."
        )
    return text


def _check_encoding(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise CompanyRefused(
            CompanyCode.INVALID,
            f"--encoding {name!r}: unknown; e.g. utf-8, cp1252, latin-1, utf-16.",
        ) from None


def _bom(head: bytes) -> str | None:
    return next((name for bom, name in _BOMS if head.startswith(bom)), None)


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text of mostly Latin letters has a NUL in every other byte."""
    even, odd = head[0:2000:2], head[1:2000:2]
    if len(odd) < 8:
        return None
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _is_utf8(path: Path) -> tuple[bool, bytes]:
    """Whether the whole file is UTF-8; if not, a sample of its lines that are not ASCII."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return True, b""
        except UnicodeDecodeError:
            pass
        handle.seek(0)
        sample = bytearray()
        for line in handle:
            if not line.isascii():
                sample += line
                if len(sample) >= SAMPLE_BYTES:
                    break
    return False, bytes(sample)


def guess_code_page(sample: bytes) -> str:
    """The Windows code page the sample reads best in: Windows-1252 wherever it reads as well
    as any (Western names), else charset-normalizer's choice (Polish, Czech, Cyrillic...)."""
    from charset_normalizer import from_bytes

    matches = from_bytes(sample, cp_isolation=GUESSES)
    best = matches.best()
    if best is None:
        return "latin-1"  # reads any bytes; control characters then fail the row, not the file
    equal = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    if any("cp1252" in m.could_be_from_charset for m in equal):
        return "cp1252"
    return best.encoding


def _encoding(path: Path, head: bytes, given: str | None) -> tuple[str, str]:
    bom = _bom(head)
    if given is not None:
        name = _check_encoding(given)
        if name == "utf-8" and bom == "utf-8-sig":
            return "utf-8-sig", "--encoding"
        return name, "--encoding"
    if bom:
        return bom, "BOM"
    utf16 = _utf16_without_bom(head)
    if utf16:
        return utf16, "guessed"
    valid, sample = _is_utf8(path)
    if valid:
        return "utf-8", "valid UTF-8"
    return guess_code_page(sample), "guessed: not UTF-8"


def _header(text: str, delimiter: str) -> tuple[str, ...]:
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        if any(cell.strip() for cell in row):
            return tuple(cell.strip().lstrip("\ufeff").strip().lower() for cell in row)
    return ()


def _sniff(text: str) -> str | None:
    try:
        return csv.Sniffer().sniff(text, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return None


def layout(
    path: Path,
    encoding: str | None = None,
    delimiter: str | None = None,
    required: tuple[str, ...] = REQUIRED,
) -> CsvLayout:
    """How to read the file; INVALID (naming the columns found) without the required ones."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    chosen, source = _encoding(path, head, encoding)
    text = head.decode(chosen, errors="surrogateescape")
    if len(head) == HEAD_BYTES and "\n" in text:
        text = text[: text.rindex("\n")]  # whole lines only; a cut character is no trouble
    if delimiter is not None:
        tried = [(delimiter, "--delimiter")]
    else:
        sniffed = _sniff(text)
        tried = [(sniffed, "sniffed")] if sniffed else []
        tried += [(d, "from the header") for d in DELIMITERS if d != sniffed]
    for candidate, how in tried:
        columns = _header(text, candidate)
        if set(required) <= set(columns):
            return CsvLayout(chosen, source, candidate, how, columns)
    first, how = tried[0]
    found = ", ".join(repr(c) for c in _header(text, first)) or "none"
    described = CsvLayout(chosen, source, first, how, ()).describe()
    raise CompanyRefused(
        CompanyCode.INVALID,
        f"{path}: the CSV needs the columns {','.join(required)}; found {found} ({described}). "
        "Give --delimiter or --encoding if that is wrong.",
    )


def rows(path: Path, shape: CsvLayout) -> Iterator[SourceRow]:
    """The data rows, each with the line it starts on (the header is line 1 or later)."""
    csv.field_size_limit(FIELD_LIMIT)
    with path.open(encoding=shape.encoding, errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle, delimiter=shape.delimiter)
        columns: tuple[str, ...] | None = None
        end = 0
        while True:
            start = end + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                end = reader.line_num
                if columns is not None:
                    yield SourceRow(start, {}, f"unreadable: {exc}")
                continue
            end = reader.line_num
            joined = "".join(fields)  # one string to look through, not one a field
            if not joined.strip():
                continue  # blank lines, and rows of empty cells that spreadsheets leave
            if columns is None:
                columns = tuple(f.strip().lstrip("\ufeff").strip().lower() for f in fields)
                continue
            if _UNDECODED.search(joined):
                shown = [_UNDECODED.sub("\ufffd", f) for f in fields]
                name = codecs.lookup(shape.encoding).name
                yield SourceRow(start, dict(zip(columns, shown, strict=False)), f"bytes not {name}")
                continue
            yield SourceRow(start, dict(zip(columns, fields, strict=False)))
