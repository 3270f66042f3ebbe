"""The README and the pages under docs/ hold together: the README links to docs/ pages that
exist, every relative link of a page resolves (to its heading too, when it names one), and every
file of this repository that they name in backticks is where they say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
# Backticked names that are paths in this repository start with one of its folders (or with
# models/, the package that became domain/ and persistence/).
FOLDERS = ("opsportal", "graph", "cxml", "domain", "persistence", "pages", "tests", "testkit")
FOLDERS += ("bench", "docs", ".ci", "models")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def prose(page: Path) -> str:
    """The page without its fenced code blocks (shell, GraphQL, configuration files)."""
    return re.sub(r"^```.*?^```", "", page.read_text(), flags=re.S | re.M)


def anchors(page: Path) -> set[str]:
    """GitHub's anchors for the page's headings: lower case, punctuation dropped, spaces as
    hyphens; a repeated heading gets -1, -2..."""
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6} (.+)$", prose(page), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found


def links(page: Path) -> list[str]:
    return LINK.findall(prose(page))


def files_named(page: Path) -> set[str]:
    return {
        name.rstrip(".,:")
        for name in re.findall(r"`([^`\s]+)`", prose(page))
        if "/" in name and name.split("/", 1)[0] in FOLDERS
    }


def test_the_slugs_are_githubs() -> None:
    assert anchors(README) >= {
        "quick-start",
        "connecting-a-buyer-cxml",
        "the-walkthrough-as-the-frontend-sends-it",
        "the-punchout-round-trip-and-the-storefront",
    }
    assert "pages" in anchors(ROOT / "docs" / "architecture.md")  # from "### `pages/`"


def test_the_scanner_finds_the_files_a_page_names() -> None:
    assert {"domain/access.py", "tests/documents/", "bench/faults/*.py"} <= files_named(
        ROOT / "docs" / "architecture.md"
    ) | files_named(README) | files_named(ROOT / "docs" / "faults.md")


def test_the_readme_links_to_docs_pages_that_exist() -> None:
    targets = [t for t in links(README) if not t.startswith(("#", "http://", "https://"))]
    assert targets, "the README links to no page under docs/"
    for target in targets:
        path = target.split("#", 1)[0]
        page = path.endswith(".md")
        picture = path.startswith("docs/screenshots/") and path.endswith(".png")
        assert path.startswith("docs/") and (page or picture), target
        assert (ROOT / path).is_file(), target
    linked = {t.split("#", 1)[0] for t in targets}
    unlinked = {f"docs/{p.name}" for p in PAGES[1:]} - linked
    assert unlinked == set(), "pages under docs/ that the README never links to"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for target in links(page):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.is_file():
            broken.append(f"{target}: no such file")
        elif anchor and anchor not in anchors(file):
            broken.append(f"{target}: no such heading in {file.relative_to(ROOT)}")
    assert broken == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_file_named_exists(page: Path) -> None:
    """A module that moved (models/ became domain/ and persistence/) leaves no stale name."""
    missing = sorted(
        name
        for name in files_named(page)
        if "<" not in name  # a pattern such as graph/<domain>.py
        and not (list(ROOT.glob(name)) if "*" in name else (ROOT / name).exists())
    )
    assert missing == []
