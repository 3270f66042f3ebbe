"""What a new staff password must be: at least 12 characters, not only whitespace, and not
easy to guess as zxcvbn judges it (common passwords, words and names, keyboard patterns,
repeats, sequences, dates, the account's own email).

Checked wherever a password is set (the command line, the demo, the overwriting add of tests
and benchmarks), never at sign-in: an account whose password predates these rules keeps
signing in with it until it is changed.
"""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

MIN_LENGTH = 12
# zxcvbn's 0-4 scale; 3 is "safely unguessable: moderate protection from an offline
# slow-hash scenario" (at least 10^8 guesses), its own recommendation for a password to keep.
MIN_SCORE = 3
# zxcvbn refuses longer input (its matching grows fast with length); a password whose first
# 72 characters are strong is strong.
CHECKED_LENGTH = 72

RULES = f"at least {MIN_LENGTH} characters and not easy to guess, e.g. a few unrelated words"


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Why `password` may not be set, in one sentence for the person choosing it; None if it
    may. `user_inputs` (the account's email...) count as easy to guess."""
    if not password.strip():
        return "A password cannot be empty or only spaces."
    if len(password) < MIN_LENGTH:
        return f"Passwords have at least {MIN_LENGTH} characters (this one has {len(password)})."
    judged = zxcvbn(password[:CHECKED_LENGTH], user_inputs=_inputs(user_inputs))
    if judged["score"] >= MIN_SCORE:
        return None
    feedback = judged["feedback"]
    why = feedback["warning"] or "It follows a pattern that is tried early."
    return f"This password is too easy to guess. {why} Choose another: {RULES}."


def _inputs(user_inputs: Iterable[str]) -> list[str]:
    found: list[str] = []
    for text in user_inputs:
        text = text.strip().lower()
        found += [text, *text.replace("@", " ").replace(".", " ").split()]
    return [text for text in dict.fromkeys(found) if text]
