"""Every SharedSecret of a parsed document, for the connection log to hide.

A pattern over the text cannot know where a secret ends: a CDATA section or a comment may hold
`</SharedSecret>`, and a SharedSecret may hold another. The parsed tree knows which elements
are secrets and what they hold. The log shows the document as it was sent, so each is then
found in the text: expat, reading the same document, reports where each element starts and
ends, and everything between a SharedSecret's start tag and its end tag (text, CDATA, entity
and character references, comments, elements) becomes ***.

Only for documents the request's own parser (cxml/parse.py) accepted, which declare no
entities; the log redacts any other body by its text (domain/cxml_log.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.parsers import expat

from lxml import etree

from domain.cxml_log import REDACTED

# Read this much of the document at a time: the secrets are in the Header, near its start, and
# the rest need not be read once they are all found.
_CHUNK = 16 * 1024


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


def _spellings(data: bytes) -> set[str]:
    """How the name SharedSecret is spelt in the document, in any case: every element so named
    is hidden, in any namespace (more than the parser reads as a secret, which is
    Credential/SharedSecret exactly: a buyer who wrote <sharedSecret> sent a secret all the
    same). Element names are never escaped, so the text shows every one."""
    lowered, found, at = data.lower(), set(), 0  # bytes: ASCII only, the length kept
    while (at := lowered.find(b"sharedsecret", at)) >= 0:
        found.add(data[at : at + 12].decode("ascii"))
        at += 12
    return found


def _is_secret(name: str) -> bool:
    return name.rpartition(":")[2].lower() == "sharedsecret"


def without_secrets(text: str, root: etree._Element) -> Redacted | None:
    """The text of the document parsed as `root`, with the content of every SharedSecret
    element replaced by ***; None where the text cannot be read so (the log's textual
    redaction then takes over)."""
    data = text.encode("utf-8")
    spellings = [f"{{*}}{name}" for name in _spellings(data)]
    found = list(root.iter(*spellings)) if spellings else []
    if not found:
        return Redacted(text, ())
    values = tuple("".join(e.itertext()) for e in found)
    spans = _spans(data, len(found))
    if spans is None:
        return None
    pieces, at = [], 0
    for begin, finish in spans:
        pieces += [data[at:begin].decode("utf-8"), REDACTED]
        at = finish
    pieces.append(data[at:].decode("utf-8"))
    return Redacted("".join(pieces), values)


def _spans(data: bytes, count: int) -> list[tuple[int, int]] | None:
    """Where the content of each outermost SharedSecret lies in `data`, in bytes; None unless
    the `count` secrets the tree holds are all found."""
    parser = expat.ParserCreate("UTF-8")  # the text is decoded already, whatever it declares
    parser.ordered_attributes = True  # a list: cheaper than a dict, and never read
    spans: list[tuple[int, int]] = []
    names: dict[str, bool] = {}  # each element name, once: is it a SharedSecret?
    seen = depth = content = 0

    # Called for every element read: kept to a dictionary lookup. The end tags' handler is set
    # only inside a secret.
    def start(name: str, attributes: object) -> None:
        nonlocal seen, depth, content
        secret = names.get(name)
        if secret is None:
            secret = names[name] = _is_secret(name)
        if not secret:
            return
        seen += 1
        depth += 1
        if depth == 1:
            content = _tag_end(data, parser.CurrentByteIndex)
            if data[content - 2 : content] == b"/>":
                content = -1  # an empty-element tag: nothing to hide
            parser.EndElementHandler = end

    def end(name: str) -> None:
        nonlocal depth
        if names[name]:
            depth -= 1
            if not depth:
                parser.EndElementHandler = None
                if content >= 0:
                    spans.append((content, parser.CurrentByteIndex))

    def entity(*_: object) -> None:
        raise _Refused

    parser.StartElementHandler = start
    parser.EntityDeclHandler = entity
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        for at in range(0, len(data), _CHUNK):
            parser.Parse(data[at : at + _CHUNK], False)
            if seen >= count and not depth:
                break
        else:
            parser.Parse(b"", True)
    except (expat.ExpatError, _Refused):
        return None
    return spans if seen == count and not depth else None
