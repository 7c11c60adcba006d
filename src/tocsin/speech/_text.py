"""Text normalisation shared by training and scoring (so both see the same tokens)."""

from __future__ import annotations

import html
import re

__all__ = ["normalise_text"]

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_RETWEET = re.compile(r"\bRT\b:?")
_REPEAT = re.compile(r"(.)\1{2,}")
_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Unescape HTML, mask URLs and @handles, drop retweet marks, shorten repeats, lower-case.

    Examples
    --------
    >>> normalise_text("RT @someone: Sooooo &amp; http://t.co/x")
    '@user : so & url'
    """
    value = html.unescape(text)
    value = _URL.sub(" url ", value)
    value = _MENTION.sub(" @user ", value)
    value = _RETWEET.sub(" ", value)
    value = _REPEAT.sub(r"\1", value)
    return _SPACE.sub(" ", value).strip().lower()
