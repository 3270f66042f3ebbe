"""The buyer's endpoint of testkit (what the storefront's tests and the README's walkthrough hand
carts to): it records what is posted, in either form field, and its command line prints it."""

from __future__ import annotations

import base64
import subprocess
import sys
import time
from pathlib import Path

import httpx

from testkit.buyer_endpoint import BuyerEndpoint
from testkit.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
MESSAGE = """<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="1@supplier" timestamp="2026-11-28T10:00:00+00:00">
  <Header><From/><To/><Sender/></Header>
  <Message deploymentMode="test"><PunchOutOrderMessage>
    <BuyerCookie>cookie &amp; more</BuyerCookie>
    <PunchOutOrderMessageHeader operationAllowed="edit">
      <Total><Money currency="EUR">12.50</Money></Total></PunchOutOrderMessageHeader>
    <ItemIn quantity="5" lineNumber="1"><ItemID><SupplierPartID>P-1</SupplierPartID></ItemID>
      <ItemDetail><UnitPrice><Money currency="EUR">2.50</Money></UnitPrice>
        <Description xml:lang="en">Copy paper</Description></ItemDetail></ItemIn>
  </PunchOutOrderMessage></Message>
</cXML>"""


def test_it_records_either_form_field() -> None:
    with BuyerEndpoint() as buyer:
        assert buyer.url.startswith("http://127.0.0.1:") and buyer.url.endswith("/punchout/return")
        plain = httpx.post(buyer.url, data={"cxml-urlencoded": MESSAGE})
        assert plain.status_code == 200 and "Cart received" in plain.text
        assert plain.headers["content-security-policy"] == "default-src 'none'"
        encoded = base64.b64encode(MESSAGE.encode()).decode()
        assert httpx.post(buyer.url, data={"cxml-base64": encoded}).status_code == 200
        assert httpx.post(buyer.url, data={"cxml-base64": "not base64!"}).status_code == 400
        assert httpx.post(buyer.url, data={"other": "x"}).status_code == 400
        first, second = buyer.wait_for(1), buyer.wait_for(2)
    assert (first.form_field, second.form_field) == ("cxml-urlencoded", "cxml-base64")
    assert first.document == second.document == MESSAGE.encode()
    assert first.buyer_cookie == "cookie & more" and first.total == ("12.50", "EUR")
    [line] = first.lines
    assert (line.quantity, line.supplier_part_id, line.unit_price) == ("5", "P-1", "2.50")
    assert "5 x P-1 at 2.50 EUR: Copy paper" in first.summary()
    assert [r.document for r in buyer.received[2:]] == [None, None]


def test_its_command_line_prints_each_cart() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "testkit.buyer_endpoint", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/punchout/return"
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.post(url, data={"cxml-urlencoded": MESSAGE})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the endpoint did not start"
                time.sleep(0.1)
        assert answer.status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert out.startswith(f"Buyer endpoint: BrowserFormPost URL {url}"), out + err
    assert "BuyerCookie 'cookie & more'" in out and "total 12.50 EUR" in out
    assert "<PunchOutOrderMessage>" in out  # the document itself, pretty-printed
