"""Company datasets the benchmarks fill their databases with, by name.

- `faker`: the demo's companies (opsportal.demo): Faker's names in eight locales, most
  words rare, codes C000001...
- `small-vocabulary`: three-word names from a small vocabulary, so that words repeat as in
  real customer lists ("Harris Jensen Logistics"): 200 surnames for the first two words, 20
  trades for the third; each surname is in about 1% of the names, each trade in 5%. Codes
  V000001...

Both are deterministic for a count; a database filled with one is recognised by its first
code (`first_code`), so a benchmark never reuses a database filled with the other.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from faker import Faker

from opsportal.demo import demo_companies

DATASETS = ("faker", "small-vocabulary")
SURNAMES = 200
TRADES = (
    "Supplies Logistics Medical Foods Energy Systems Engineering Office Construction Pharma "
    "Automotive Retail Facilities Textiles Chemicals Plumbing Electrical Printing Packaging "
    "Catering"
).split()


def _surnames(count: int, seed: int) -> list[str]:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    found: dict[str, None] = {}
    while len(found) < count:
        name = fake.last_name()
        if name.isalpha():
            found[name] = None
    return list(found)


def small_vocabulary(count: int, seed: int = 20261128) -> Iterator[dict[str, str]]:
    rng = random.Random(seed)
    surnames = _surnames(SURNAMES, seed)
    for i in range(count):
        name = f"{rng.choice(surnames)} {rng.choice(surnames)} {rng.choice(TRADES)}"
        yield {"code": f"V{i + 1:06d}", "name": name}


def companies(dataset: str, count: int) -> Iterator[dict[str, str]]:
    """`count` rows of {"code", "name"} of the named dataset."""
    if dataset == "faker":
        return demo_companies(count)
    if dataset == "small-vocabulary":
        return small_vocabulary(count)
    raise ValueError(f"unknown dataset {dataset!r}; known: {', '.join(DATASETS)}")


def first_code(dataset: str) -> str:
    return next(companies(dataset, 1))["code"]
