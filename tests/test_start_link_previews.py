"""Link previewers and mail scanners send HEAD for a link they see: the one-time StartPage
link must still open for the buyer afterwards (issue 15, item 12)."""

from __future__ import annotations

from urllib.parse import urlsplit

from persistence.punchout_tables import PunchoutSession
from testkit.documents import setup_document
from tests.conftest import Api, Buyer
from tests.cxml_helpers import post_cxml


async def test_head_does_not_consume_the_start_link(api: Api, buyer: Buyer) -> None:
    answer = await post_cxml(api.http, setup_document(buyer.username, buyer.key))
    path = urlsplit(answer.start_url).path
    for _ in range(3):
        preview = await api.http.head(path)
        assert preview.status_code == 200
        assert "location" not in preview.headers
        assert preview.headers["cache-control"] == "no-store"
    assert await PunchoutSession.filter(started_at__isnull=False).count() == 0
    opened = await api.http.get(path)
    assert opened.status_code == 303
    assert "#session=" in opened.headers["location"]
    assert (await api.http.get(path)).status_code == 410
