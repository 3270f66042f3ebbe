"""Secrets never reach the connection log, whatever shape the body is in."""

from __future__ import annotations

import pytest

from domain.cxml_log import redact


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<SharedSecret>k3y</SharedSecret>", "<SharedSecret>***</SharedSecret>"),
        ("<SharedSecret><![CDATA[k3y]]></SharedSecret>", "<SharedSecret>***</SharedSecret>"),
        ("<sharedsecret >k3y</SHAREDSECRET >", "<sharedsecret >***</SHAREDSECRET >"),
        ("<SharedSecret\n>k3y\n</SharedSecret>", "<SharedSecret\n>***</SharedSecret>"),
        ("<SharedSecret/><x>k</x>", "<SharedSecret/><x>k</x>"),
        (
            "<a><SharedSecret>k1</SharedSecret><SharedSecret>k2 and the rest",
            "<a><SharedSecret>***</SharedSecret><SharedSecret>***",
        ),
        (
            "<SharedSecret>k1 <SharedSecret>k2</SharedSecret> after",
            "<SharedSecret>***</SharedSecret> after",
        ),
    ],
)
def test_shared_secrets_are_replaced(body: str, expected: str) -> None:
    assert redact(body) == expected


def test_known_secrets_are_replaced_anywhere() -> None:
    key = "Zq3-long-enough-api-key"
    body = f'<Extrinsic name="note">{key}</Extrinsic><Request deploymentMode="test">'
    assert redact(body, [key, "test"]) == (
        '<Extrinsic name="note">***</Extrinsic><Request deploymentMode="test">'
    )
