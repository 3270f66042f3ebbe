"""Hostile cXML bodies, twenty at a time, among real PunchOutSetupRequests.

    python -m bench.faults.hostile_cxml [--rounds 5] [--hostile 20] [--real 20]
                                        [--max-growth-mib 256] [--database-url URL | --postgres]

Starts `opsportal serve` (one worker) and sends, per round, `hostile` hostile bodies and `real`
real setup requests, shuffled, all at once. The hostile kinds: an entity bomb (billion laughs),
a quadratic blowup, an external entity, a parameter entity, nesting 100,000 deep, an entity
bomb inside a cxml-base64 form field, a body over the document limit (declared, and streamed
without a length), a well-formed document of exactly that size with 100,000+ elements, and
multipart bodies (cXML with attachments) nested thousands deep, of thousands of parts, and with
a header of contrived parameters. The real ones: the shared corpus's setup requests
(../shared/cxml-samples), each for a customer named by its Sender, and a generated one.
Expected: every hostile body refused with a cXML 4xx Status, every real one answered with a
StartPage URL, no HTTP 500, and the server's memory bounded: its peak in each round (VmHWM,
reset before each) at most `max-growth-mib` above its size before the attack, and no growth of
that peak over the second half of the rounds beyond noise (16 MiB).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import random
import secrets
import sys
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from opsportal.config import Settings
from testkit.documents import SAMPLES, request_type, sender_identity, setup_document, with_secret
from testkit.faults.common import (
    Bed,
    Report,
    Staff,
    add_database_arguments,
    add_outcome,
    database,
    memory_kib,
    mib,
    post_cxml,
    reset_peak,
)

XML = {"Content-Type": "text/xml"}
MULTIPART = {"Content-Type": 'multipart/related; boundary="b0"; type="text/xml"'}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE cXML [\n  <!ENTITY l0 "lol">\n'
    + "".join(f'  <!ENTITY l{i} "{f"&l{i - 1};" * 10}">\n' for i in range(1, 10))
    + "]>\n<cXML><Header/><Request><ProfileRequest>&l9;</ProfileRequest></Request></cXML>"
).encode()
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE cXML [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<cXML><Header/><Request><ProfileRequest>&secret;</ProfileRequest></Request></cXML>"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE cXML [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]><cXML/>"""


@dataclass(frozen=True)
class Body:
    kind: str
    make: Callable[[], Any]  # bytes, or a fresh async iterator of chunks
    headers: dict[str, str]


def fixed(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def hostile_kinds(limit: int) -> list[Body]:
    """One body of each hostile kind, for a server that reads a cXML document of at most `limit`
    bytes (OPSPORTAL_CXML_MAX_DOCUMENT_BYTES)."""
    quadratic_entity = "x" * 50_000
    references = (limit - len(quadratic_entity) - 200) // len("&a;")
    quadratic = (
        f'<?xml version="1.0"?>\n<!DOCTYPE cXML [<!ENTITY a "{quadratic_entity}">]>\n'
        f"<cXML>{'&a;' * references}</cXML>"
    ).encode()
    depth = min(100_000, (limit - 20) // len("<a></a>"))
    deep = b"<cXML>" + b"<a>" * depth + b"</a>" * depth + b"</cXML>"
    form_bomb = ("cxml-base64=" + quote(base64.b64encode(BOMB).decode())).encode()
    over = b"<cXML>" + b" " * (limit - 12) + b"</cXML>"  # limit + 1 bytes
    head, tail = b'<cXML payloadID="x"><Header/><Items>', b"</Items></cXML>"
    count = (limit - len(head) - len(tail)) // len(b'<i n="1"/>')
    filler = b" " * (limit - len(head) - len(tail) - count * len(b'<i n="1"/>'))
    wide = head + b'<i n="1"/>' * count + filler + tail
    assert len(over) == limit + 1 and len(wide) == limit

    async def streamed() -> AsyncIterator[bytes]:
        # No Content-Length: chunked, so the limit is found while reading.
        chunk = b" " * 65536
        yield b"<cXML>"
        for _ in range(limit // len(chunk) + 2):
            yield chunk

    return [
        Body("entity bomb (billion laughs)", fixed(BOMB), XML),
        Body(f"quadratic blowup ({references:,} references)", fixed(quadratic), XML),
        Body("external entity (file:///etc/passwd)", fixed(XXE), XML),
        Body("parameter entity (remote DTD)", fixed(PARAMETER_ENTITY), XML),
        Body(f"nesting {depth:,} deep", fixed(deep), XML),
        Body("entity bomb in a cxml-base64 form field", fixed(form_bomb), FORM),
        Body("over the limit, Content-Length declared", fixed(over), XML),
        Body("over the limit, streamed without a length", streamed, XML),
        Body(f"exactly the limit, {count:,} elements", fixed(wide), XML),
        *multipart_kinds(),
    ]


def multipart_kinds() -> list[Body]:
    """Bodies email's parser would spend seconds or all its stack on, unbounded."""
    nested = b"".join(
        b'--b%d\r\nContent-Type: multipart/related; boundary="b%d"\r\n\r\n' % (i, i + 1)
        for i in range(5_000)
    )
    parts = b"".join(b"--b0\r\nContent-ID: <%d@x>\r\n\r\n.\r\n" % i for i in range(20_000))
    contrived = b"--b0\r\nContent-ID: <x>\r\nContent-Type: text/plain" + b";" * 200_000
    return [
        Body("multipart nested 5,000 deep", fixed(nested), MULTIPART),
        Body("multipart of 20,000 parts", fixed(parts + b"--b0--\r\n"), MULTIPART),
        Body("multipart header of 200,000 parameters", fixed(contrived + b"\r\n\r\n"), MULTIPART),
    ]


async def real_bodies(staff: Staff, company_id: str, tag: str, report: Report) -> list[Body]:
    """Setup requests for customers added here: the corpus's, each for the customer its
    Sender names, and a generated one."""
    documents: list[tuple[str, bytes]] = []
    if SAMPLES.is_dir():
        for path in sorted(SAMPLES.rglob("*.xml")):
            if request_type(path) == "PunchOutSetupRequest":
                documents.append((path.name, path.read_bytes()))
    else:
        report.say(f"(no cXML corpus at {SAMPLES}: generated setup requests only)")
    generated = f"hostile-{tag}@buyer.example"
    keys: dict[str, str | None] = {}
    for name in {sender_identity(doc) for _, doc in documents} | {generated}:
        keys[name] = None
        if add_outcome(await staff.add_customer(company_id, name)) != "created":
            report.say(f"(the customer {name!r} exists from an earlier run: its samples skipped)")
    for customer in await staff.customers(company_id):
        keys[customer.username] = customer.key
    bodies = [
        Body(f"sample {file}", fixed(with_secret(doc, key)), XML)
        for file, doc in documents
        if (key := keys.get(sender_identity(doc)))
    ]
    key = keys[generated] or ""
    bodies.append(
        Body(
            "generated setup request",
            lambda: setup_document(
                generated, key, payload=f"{secrets.token_hex(8)}@buyer.example"
            ).encode(),
            XML,
        )
    )
    return bodies


@dataclass
class Outcome:
    kind: str
    hostile: bool
    http: int | None
    code: int | None
    started_url: bool
    seconds: float
    error: str | None = None


async def _send(http: httpx.AsyncClient, body: Body, hostile: bool) -> Outcome:
    started = time.perf_counter()
    try:
        status, code, root = await post_cxml(http, body.make(), body.headers)
    except httpx.TransportError as exc:
        return Outcome(body.kind, hostile, None, None, False, 0.0, type(exc).__name__)
    url = None
    if root is not None:
        url = root.findtext("Response/PunchOutSetupResponse/StartPage/URL")
    return Outcome(body.kind, hostile, status, code, bool(url), time.perf_counter() - started)


def _acceptable(outcome: Outcome) -> bool:
    if outcome.hostile:  # refused, in cXML, and not as a server failure
        return outcome.http == 200 and outcome.code is not None and 400 <= outcome.code < 500
    return outcome.http == 200 and outcome.code == 200 and outcome.started_url


async def _run(
    bed: Bed, rounds: int, hostile: int, real: int, max_growth_mib: float, report: Report
) -> None:
    limit = Settings.from_env(bed.env).cxml_document_limit
    server = bed.start()
    try:
        limits = httpx.Limits(max_connections=hostile + real, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=server.base, limits=limits, timeout=120) as http:
            staff = Staff(http)
            await staff.login(bed.email, bed.password)
            company_id = await staff.create_company(f"Hostile {bed.tag} Ltd", f"HOST-{bed.tag}")
            kinds = hostile_kinds(limit)
            reals = await real_bodies(staff, company_id, bed.tag, report)
            report.say(
                f"cXML document limit: {limit:,}; {len(kinds)} hostile kinds; real "
                f"setup requests: {len(reals) - 1} corpus samples and a generated one"
            )
            # Warm up: every path once, so that the baseline holds what any request loads.
            for body in [*kinds, *reals]:
                await _send(http, body, False)
            before = memory_kib(server.pid)["VmRSS"]
            rng = random.Random()
            outcomes: list[Outcome] = []
            peaks: list[int] = []  # VmHWM over each round (reset before it, where allowed)
            resettable = True
            for number in range(1, rounds + 1):
                batch = [(kinds[i % len(kinds)], True) for i in range(hostile)]
                batch += [(reals[i % len(reals)], False) for i in range(real)]
                rng.shuffle(batch)
                resettable = reset_peak(server.pid) and resettable
                started = time.perf_counter()
                outcomes += await asyncio.gather(*(_send(http, b, h) for b, h in batch))
                seconds = time.perf_counter() - started
                figures = memory_kib(server.pid)
                peaks.append(figures["VmHWM"])
                report.say(
                    f"round {number}: {hostile} hostile and {real} real at once, {seconds:.2f} s; "
                    f"server peak {mib(peaks[-1])}, VmRSS after {mib(figures['VmRSS'])}"
                )
    finally:
        server.process.terminate()
        await asyncio.to_thread(server.process.wait, 60)

    def shown(seen: list[Outcome]) -> str:
        answers = Counter(
            o.error
            or (f"cXML {o.code}" + ("" if o.http == 200 else f" (HTTP {o.http})"))
            + (" with a StartPage URL" if o.started_url else "")
            for o in seen
        )
        listed = ", ".join(f"{n} {a}" for a, n in answers.most_common())
        return f"{listed}; slowest {max(o.seconds for o in seen):.2f} s"

    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_kind[outcome.kind].append(outcome)
    for body in kinds:
        report.say(f"  hostile: {body.kind}: {shown(by_kind[body.kind])}")
    real_ones = [o for o in outcomes if not o.hostile]
    report.say(f"  real: {len(reals)} documents: {shown(real_ones)}")
    refused = sum(_acceptable(o) for o in outcomes if o.hostile)
    served = sum(_acceptable(o) for o in outcomes if not o.hostile)
    report.say(
        f"hostile refused: {refused}/{rounds * hostile}; real served: {served}/{rounds * real}"
    )
    report.expect(refused == rounds * hostile, "some hostile bodies were not refused")
    report.expect(served == rounds * real, "some real setup requests were not served")

    growth = (max(peaks) - before) / 1024
    half = (rounds + 1) // 2  # a leak would raise the later rounds' peaks; noise would not
    drift = (peaks[-1] - peaks[half - 1]) / 1024
    report.say(
        f"server memory: VmRSS {mib(before)} before the attack, {mib(figures['VmRSS'])} after; "
        f"highest peak (VmHWM, {'per round' if resettable else 'since start'}) "
        f"{mib(max(peaks))}, {growth:+.1f} MiB"
        + (f"; peak of round {rounds} against round {half}: {drift:+.1f} MiB" if resettable else "")
    )
    report.expect(growth <= max_growth_mib, f"peak memory grew {growth:.0f} MiB during the attack")
    report.expect(
        not resettable or rounds < 4 or drift <= 16,
        f"the peaks kept growing from round {half} to round {rounds}: {drift:+.1f} MiB",
    )


def run(
    database_url: str,
    rounds: int = 5,
    hostile: int = 20,
    real: int = 20,
    max_growth_mib: float = 256,
) -> Report:
    report = Report()
    bed = Bed(database_url)
    # Some real-world samples return carts to http URLs: served as by a supplier that allows it.
    bed.env["OPSPORTAL_ALLOW_HTTP_BUYER_URLS"] = "1"
    report.say(
        f"database: {bed.dialect}; one uvicorn worker; {rounds} round(s) of {hostile} hostile "
        f"cXML bodies and {real} real setup requests, all at once"
    )
    bed.add_staff()
    asyncio.run(_run(bed, rounds, hostile, real, max_growth_mib, report))
    return bed.check_servers(report, access_log=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--hostile", type=int, default=20)
    parser.add_argument("--real", type=int, default=20)
    parser.add_argument("--max-growth-mib", type=float, default=256)
    add_database_arguments(parser)
    args = parser.parse_args()
    with database(args) as url:
        return run(url, args.rounds, args.hostile, args.real, args.max_growth_mib).finish()


if __name__ == "__main__":
    sys.exit(main())
