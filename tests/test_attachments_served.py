"""An order with a drawing near the body limit, through a real `opsportal serve` on a real
socket, on SQLite and on PostgreSQL: sent, listed, downloaded byte for byte."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import httpx
import pytest

from testkit.faults.common import Bed, Report, Staff
from testkit.multipart import Part, cid, order_with_attachments, related
from testkit.postgres import fresh_database

ORDER_FILES = """query($id: ID!) { company(id: $id) { orders(first: 5) { edges { node {
  orderId attachments { contentId fileName size sha256 downloadUrl } } } } } }"""


@pytest.fixture(params=["sqlite", "postgres"])
def server_database(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path}/served.sqlite3"
    url = fresh_database(request.getfixturevalue("postgres_url"), "opsportal_attachments")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return url


async def test_a_nineteen_mebibyte_order_over_a_real_socket(server_database: str) -> None:
    bed = Bed(server_database)
    bed.add_staff()
    server = bed.start()
    try:
        async with httpx.AsyncClient(base_url=server.base, timeout=120) as http:
            staff = Staff(http)
            token = await staff.login(bed.email, bed.password)
            company = await staff.create_company("Drawings Ltd", f"DRAW-{bed.tag}")
            assert (await staff.add_customer(company, "cad-buyer")).status_code == 200
            [customer] = await staff.customers(company)
            data = os.urandom(19 * 1024 * 1024)
            drawing = Part("plan@cad", data, "image/vnd.dwg", "plan.dwg", "binary")
            document = order_with_attachments(
                customer.username, customer.key, header=[cid("plan@cad")]
            )
            body, content_type = related(document, [drawing])
            assert len(body) < 20 * 1024 * 1024  # the default OPSPORTAL_CXML_MAX_BYTES
            headers = {"Content-Type": content_type}
            response = await http.post("/cxml", content=body, headers=headers)
            assert response.status_code == 200 and b'code="200"' in response.content
            orders = (await staff.data(ORDER_FILES, {"id": company}))["company"]["orders"]
            [file] = orders["edges"][0]["node"]["attachments"]
            assert file["size"] == len(drawing.data)
            assert file["sha256"] == hashlib.sha256(drawing.data).hexdigest()
            assert file["downloadUrl"].startswith(server.base + "/orders/attachments/")
            got = await http.get(file["downloadUrl"], headers={"Authorization": f"Bearer {token}"})
            assert got.status_code == 200 and got.content == drawing.data
            assert got.headers["content-disposition"].startswith('attachment; filename="plan.dwg"')
            assert (await http.get(file["downloadUrl"])).status_code == 404
    finally:
        server.stop()
    report = bed.check_servers(Report(), access_log=True)
    assert report.problems == []
