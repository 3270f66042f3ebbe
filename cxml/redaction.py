"""Every SharedSecret of a document, found by parsing it, for the connection log to hide.

A pattern over the text cannot know where a secret ends: a CDATA section or a comment may hold
`</SharedSecret>`, and a SharedSecret may hold another. A parser does. The log shows the
document as it was sent, so the secrets are found by their places in the text: expat reports
where each element starts and ends, and everything between a SharedSecret's start tag and its
end tag (text, CDATA, entity and character references, comments, elements) becomes ***.

Only for documents the request's own parser (cxml/parse.py) accepted, which declare no
entities; the log redacts any other body by its text (domain/cxml_log.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.parsers import expat

from domain.cxml_log import REDACTED


@dataclass(frozen=True)
class Redacted:
    """The document with every SharedSecret's content replaced, and the secrets it held (as
    parsed: references resolved), to be replaced wherever else they appear."""

    text: str
    secrets: tuple[str, ...]


class _Refused(Exception):
    pass


def _tag_end(data: bytes, start: int) -> int:
    """Where the tag starting at `start` ends (just past its `>`): a `>` inside a quoted
    attribute value does not end it."""
    quote = 0
    for index in range(start, len(data)):
        byte = data[index]
        if quote:
            if byte == quote:
                quote = 0
        elif byte in b"\"'":
            quote = byte
        elif byte == ord(">"):
            return index + 1
    return len(data)


def _is_secret(name: str) -> bool:
    return name.rpartition(":")[2].lower() == "sharedsecret"


def without_secrets(text: str) -> Redacted | None:
    """The text with the content of every SharedSecret element replaced by ***; None when it
    does not parse (or declares entities), for the log's textual redaction to take over."""
    if "sharedsecret" not in text.lower():  # element names are never escaped
        return Redacted(text, ())
    data = text.encode("utf-8")
    parser = expat.ParserCreate("UTF-8")  # the text is decoded already, whatever it declares
    parser.buffer_text = True
    spans: list[tuple[int, int]] = []  # content of each outermost SharedSecret, in bytes
    values: list[str] = []
    depth = 0
    content = 0

    def collect(chunk: str) -> None:
        values[-1] += chunk

    def start(name: str, attributes: object) -> None:
        nonlocal depth, content
        if depth:
            depth += _is_secret(name)
        elif _is_secret(name):
            depth, content = 1, _tag_end(data, parser.CurrentByteIndex)
            if data[content - 2 : content] == b"/>":
                content = -1  # an empty-element tag: nothing to hide
            values.append("")
            parser.CharacterDataHandler = collect

    def end(name: str) -> None:
        nonlocal depth
        if depth and _is_secret(name):
            depth -= 1
            if not depth:
                parser.CharacterDataHandler = None
                if content >= 0:
                    spans.append((content, parser.CurrentByteIndex))

    def entity(*_: object) -> None:
        raise _Refused

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = entity
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, _Refused):
        return None
    pieces, at = [], 0
    for begin, finish in spans:
        pieces += [data[at:begin].decode("utf-8"), REDACTED]
        at = finish
    pieces.append(data[at:].decode("utf-8"))
    return Redacted("".join(pieces), tuple(values))
