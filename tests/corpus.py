"""The external cXML corpus: real-world documents and the cXML DTD, kept outside the repository.

The project's own tests never need it (they use the documents in tests/documents/). When
OPSPORTAL_CXML_CORPUS names the corpus folder, the conformance run is on: the corpus documents
go through the route (tests/test_cxml_samples.py), seed the fuzzer, and every cXML document the
server builds is also validated against the cXML DTD. CI sets it (.ci/run).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from lxml import etree

ENV = "OPSPORTAL_CXML_CORPUS"
REPOSITORY = Path(__file__).resolve().parents[1]
DTD_NAME = "cXML-1.2.069.dtd"


class CorpusMissing(Exception):
    """OPSPORTAL_CXML_CORPUS is set, and what it names is not the corpus."""


@cache
def corpus() -> Path | None:
    """The corpus folder; None when the conformance run is not configured. A relative path is
    taken from the repository's root, where `.ci/run` runs."""
    given = os.environ.get(ENV, "").strip()
    if not given:
        return None
    path = Path(given).expanduser()
    path = path if path.is_absolute() else REPOSITORY / path
    if not (path / "dtd" / DTD_NAME).is_file():
        raise CorpusMissing(
            f"{ENV}={given}: {path} is not the cXML corpus (no dtd/{DTD_NAME} there)"
        )
    return path.resolve()


def configured() -> bool:
    return corpus() is not None


def documents() -> list[Path]:
    """Every XML document of the corpus, sorted; none when not configured."""
    folder = corpus()
    return sorted(folder.rglob("*.xml")) if folder else []


@cache
def dtd() -> etree.DTD:
    folder = corpus()
    if folder is None:
        raise CorpusMissing(f"{ENV} is not set: the cXML DTD is part of the conformance run")
    return etree.DTD(str(folder / "dtd" / DTD_NAME))


def assert_dtd_valid(root: etree._Element) -> None:
    """The document is cXML as the DTD defines it (conformance run only)."""
    valid = dtd().validate(root)
    assert valid, dtd().error_log.filter_from_errors()


def header_line() -> str:
    """What the test run's header says about the conformance run."""
    folder = corpus()
    if folder is None:
        return (
            f"cXML conformance run: off (set {ENV}=path/to/cxml-samples to check the "
            "real-world corpus and the cXML DTD too)"
        )
    return f"cXML conformance run: on, corpus {folder} ({len(documents())} documents)"
