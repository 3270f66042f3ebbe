"""Benchmark: the console in Chromium, from a keystroke in "Search companies" to the results
painted, and the console's first load.

    python -m bench.console_typeahead [--companies 1000000] [--keystrokes 500]
                                      [--dataset faker|small-vocabulary] [--database-url URL]

Fills the database as bench.typeahead does (the named dataset; a database that has it already
is reused), starts `opsportal serve` with one worker, and drives Debian's chromium through
Playwright on loopback:
- first load of the console: by the server's first visitor, by a new visitor (empty cache)
  once the server has served others, and that visitor's second visit: bytes transferred
  (bodies and headers, as the browser counts them), the time from navigation to the sign-in
  form painted, and to the last file received;
- real typing: texts of 2-12 characters and 1-3 words from real company names, typed key by
  key 80-200 ms apart (seeded), into the search box after signing in through the form. For
  each keystroke: the time from keydown to the results for the text typed so far painted
  (the request, its answer, rendering, the paint; the console sends on every keystroke, with
  no debounce timer, and aborts the request before). Keystrokes whose results were overtaken
  by the next keystroke's are counted apart.
- the floor beside it: from the same keydowns to the page's next paint, with no answer
  awaited; and `{ __typename }` fetched from the page and painted, one at a time.
Prints p50/p95/p99 for each, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.typeahead import prepare
from testkit.chromium import CHROMIUM_ARGS, chromium_executable
from testkit.datasets import DATASETS
from testkit.servers import serving
from testkit.stats import percentile

PROBE = (Path(__file__).parent / "console_probe.js").read_text()
EMAIL, PASSWORD = "bench@supplier.example", "bench-password"
TRIVIAL_PAINTED = """async (count) => {
  const times = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const response = await fetch("/graphql", {method: "POST", body: '{"query": "{ __typename }"}',
      headers: {"Content-Type": "application/json"}});
    await response.json();
    document.getElementById("main").dataset.tick = String(i);
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
    times.push(performance.now() - start);
  }
  return times;
}"""
LOADED = """() => {
  const entries = [...performance.getEntriesByType("navigation"),
                   ...performance.getEntriesByType("resource")];
  return {received: Math.max(...entries.map((e) => e.responseEnd)),
          bytes: entries.reduce((sum, e) => sum + e.transferSize, 0),
          decoded: entries.reduce((sum, e) => sum + e.decodedBodySize, 0),
          files: entries.length, painted: window.__probe.shellPainted};
}"""


def row(name: str, samples: list[float]) -> str:
    return (
        f"{name:<52} {len(samples):>6} {percentile(samples, 0.5):>8.1f} "
        f"{percentile(samples, 0.95):>8.1f} {percentile(samples, 0.99):>8.1f}"
    )


def visit(browser: Any, base: str, name: str, context: Any = None) -> Any:
    """Open the console in `context` (a new one: an empty cache) and print what it took."""
    context = context or browser.new_context()
    context.add_init_script(PROBE)
    page = context.new_page()
    page.goto(f"{base}/")
    page.wait_for_function("window.__probe.shellPainted > 0")
    page.wait_for_load_state("networkidle")
    got = page.evaluate(LOADED)
    name = f"{name} ({got['decoded']:,} B decoded)"
    print(
        f"{name:<52} {got['bytes']:>9,} {got['files']:>6} {got['painted']:>8.1f} "
        f"{got['received']:>24.1f}"
    )
    page.close()
    return context


def first_load(browser: Any, base: str) -> None:
    """The server's very first visitor (its files not yet compressed), then a first visit with
    an empty cache to a server that has served before, then that visitor's second visit."""
    title = "first load of the console (sign-in form painted)"
    print(f"{title:<52} {'bytes':>9} {'files':>6} {'ms':>8} {'last file received, ms':>24}")
    visit(browser, base, "the server's first visitor").close()
    context = visit(browser, base, "first visit, empty cache")
    visit(browser, base, "second visit, cached", context).close()


def typing(browser: Any, base: str, texts: list[str], keystrokes: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    context = browser.new_context()
    context.add_init_script(PROBE)
    page = context.new_page()
    page.goto(f"{base}/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").wait_for()
    page.goto(f"{base}/companies")
    box = page.get_by_role("combobox", name="Search companies")
    box.wait_for()
    for text in texts[:20]:  # warm up: caches, the JIT
        box.fill(text)
    box.fill("")
    page.evaluate("window.__probe.keys = []")
    typed = 0
    for text in texts:
        if typed >= keystrokes:
            break
        box.fill("")
        time.sleep(0.25)
        previous = ""
        for char in text:
            current = (previous + char).strip()
            page.keyboard.type(char)
            if current and current != previous.strip():
                typed += 1
            previous += char
            time.sleep(rng.uniform(0.08, 0.2))
        time.sleep(0.4)  # let the last answer paint
    keys = page.evaluate("window.__probe.keys")
    measured: list[dict[str, Any]] = []
    last: str | None = None
    for key in keys:  # a keystroke that changes the search (not a trailing space)
        if key["query"] and key["query"] != last:
            measured.append(key)
        last = key["query"] if key["query"] is not None else last
    painted = [k["painted"] - k["at"] for k in measured if k["painted"] is not None]
    overtaken = sum(1 for k in measured if k["painted"] is None)
    floor = [k["framed"] - k["at"] for k in measured if k["framed"] is not None]
    trivial = page.evaluate(TRIVIAL_PAINTED, 300)
    context.close()
    print(f"\n{'':<52} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    print(row("keystroke -> results painted", painted))
    print(row("floor: keystroke -> the page's next paint", floor))
    print(row("floor: { __typename } fetched and painted", trivial))
    print(f"keystrokes typed: {len(measured)}; overtaken by the next keystroke: {overtaken}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=1_000_000)
    parser.add_argument("--keystrokes", type=int, default=500)
    parser.add_argument("--dataset", choices=DATASETS, default="faker")
    parser.add_argument(
        "--database-url",
        help="default: a SQLite file in the system's temporary folder, kept for the next run",
    )
    args = parser.parse_args()
    suffix = "" if args.dataset == "faker" else f"-{args.dataset}"
    database_url = args.database_url or (
        f"sqlite://{tempfile.gettempdir()}/opsportal-console-bench-{args.companies}{suffix}.sqlite3"
    )
    _, texts = asyncio.run(prepare(database_url, args.companies, args.keystrokes, args.dataset))
    from playwright.sync_api import sync_playwright

    with serving(database_url, tempfile.gettempdir()) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(), args=CHROMIUM_ARGS
        )
        print(
            f"\n{args.companies:,} companies ({args.dataset}) on {database_url.split('://')[0]}, "
            f"one uvicorn worker, Chromium {browser.version}, loopback\n"
        )
        first_load(browser, base)
        typing(browser, base, texts, args.keystrokes)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
