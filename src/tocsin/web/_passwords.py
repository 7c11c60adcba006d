"""How strong a new password must be: long, not a repeat or a run, not a common password.

A hand-written check with a short bundled list rather than a library: zxcvbn, the usual
estimator, is not a dependency, and its word lists (megabytes) would be loaded into every
server process for the rare password change. Argon2id and the sign-in lock already make
guessing slow; what is left to stop is the handful of passwords tried first, which is what
the list holds (``common-passwords.txt``).
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

MIN_PASSWORD = 12
MIN_DISTINCT = 6  # characters: `aaaaaaaaaaab` is 12 long and has 2
MIN_SURPRISING = 8  # characters that neither repeat nor continue a run (`abcd`, `qwer`, `4321`)
_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", string.ascii_lowercase)
_AROUND = string.digits + string.punctuation + " "


@cache
def common_passwords() -> frozenset[str]:
    text = (Path(__file__).parent / "common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _continues(previous: str, char: str) -> bool:
    """Whether ``char`` repeats ``previous`` or is its neighbour on a keyboard row or in the
    alphabet (either direction)."""
    if previous == char:
        return True
    for row in _ROWS:
        i, j = row.find(previous), row.find(char)
        if i >= 0 and j >= 0 and abs(i - j) == 1:
            return True
    return False


def surprising_characters(password: str) -> int:
    """How many characters do not follow from the one before (a repeat, a run).

    Examples
    --------
    >>> surprising_characters("aaaaaaaaaaaa"), surprising_characters("abcdefghijkl")
    (1, 1)
    >>> surprising_characters("qwertyuiop12"), surprising_characters("a long test password 1")
    (2, 18)
    """
    lowered = password.lower()
    return sum(
        1 for i, char in enumerate(lowered) if i == 0 or not _continues(lowered[i - 1], char)
    )


def password_problem(password: str, *, username: str = "") -> str | None:
    """Why ``password`` is too weak, in words for the person choosing it; None if it will do.

    Examples
    --------
    >>> password_problem("aaaaaaaaaaaa")
    'Use at least 6 different characters.'
    >>> password_problem("Password2024!")
    'That is one of the most common passwords; choose another.'
    >>> password_problem("a long test password 1") is None
    True
    """
    lowered = password.lower()
    core = lowered.strip(_AROUND)
    if len(password) < MIN_PASSWORD:
        return f"Choose a password of at least {MIN_PASSWORD} characters."
    if len(set(lowered)) < MIN_DISTINCT:
        return f"Use at least {MIN_DISTINCT} different characters."
    if any(lowered == lowered[:n] * (len(lowered) // n) for n in range(1, len(lowered) // 2 + 1)):
        return "Do not repeat one short piece."
    if surprising_characters(password) < MIN_SURPRISING:
        return "Avoid runs of neighbouring keys or letters (abcd, qwerty, 1234)."
    if lowered in common_passwords() or core in common_passwords():
        return "That is one of the most common passwords; choose another."
    if username and username.lower() in lowered:
        return "Do not put your user name in your password."
    return None
