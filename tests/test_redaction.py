"""Secrets never reach the connection log, whatever shape the body is in: here, bodies that do
not parse, redacted by their text (those that parse are redacted by their tree:
tests/test_secret_markup.py)."""

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
        # Nested ones counted: the outer secret ends at its own closing tag, or never.
        (
            "<SharedSecret>k1 <SharedSecret>k2</SharedSecret> after",
            "<SharedSecret>***",
        ),
        (
            "<SharedSecret>W<SharedSecret>t</SharedSecret>rest</SharedSecret> then <x>",
            "<SharedSecret>***</SharedSecret> then <x>",
        ),
        # Inside a secret, a CDATA section or a comment hides no closing tag.
        (
            "<SharedSecret><![CDATA[a</SharedSecret>b]]>c</SharedSecret><x>",
            "<SharedSecret>***</SharedSecret><x>",
        ),
        (
            "<SharedSecret>a<!-- </SharedSecret> -->b</SharedSecret><x>",
            "<SharedSecret>***</SharedSecret><x>",
        ),
        ("<SharedSecret>a<!-- </SharedSecret> b", "<SharedSecret>***"),
        (
            "</SharedSecret> stray <SharedSecret >k</SharedSecret>",
            "</SharedSecret> stray <SharedSecret >***</SharedSecret>",
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
