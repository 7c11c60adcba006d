"""Speech items: one statement, post or broadcast excerpt, with who said it, where and to whom.

The raw text is sensitive (it may be hateful, and it may identify people): it never appears
in a ``repr`` and so never in logs, and :func:`redact_item` gives the view shown to roles that
may not read it.
"""

from __future__ import annotations

import hashlib
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["TEXT_READER_ROLES", "SpeakerRole", "SpeechItem", "item_key", "redact_item"]

# Roles that may read raw texts; everyone else sees the redacted view. Reviewers are in:
# they decide on items (the Rabat worksheet), which cannot be done without reading them.
TEXT_READER_ROLES = frozenset({"analyst", "admin", "reviewer"})


class SpeakerRole(StrEnum):
    """Who the speaker is: the Rabat test weighs a speaker's standing and influence."""

    OFFICIAL = "official"
    POLITICIAN = "politician"
    RELIGIOUS_LEADER = "religious_leader"
    MEDIA = "media"
    UNKNOWN = "unknown"


class SpeechItem(BaseModel):
    """One speech act to monitor.

    Examples
    --------
    >>> item = SpeechItem(text="a statement", iso3="KEN", speaker_role="politician")
    >>> item.speaker_role
    <SpeakerRole.POLITICIAN: 'politician'>
    >>> "a statement" in repr(item)
    False
    """

    model_config = ConfigDict(frozen=True)

    text: str = Field(min_length=1, repr=False)
    language: str | None = Field(default=None, max_length=12, description="ISO 639-1 code.")
    published_date: date | None = None
    iso3: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    outlet: str | None = Field(default=None, max_length=300)
    platform: str | None = Field(default=None, max_length=100)
    speaker: str | None = Field(default=None, max_length=300)
    speaker_role: SpeakerRole = SpeakerRole.UNKNOWN
    reach: int | None = Field(default=None, ge=0, description="Audience reached (followers, …).")
    url: str | None = None
    external_id: str | None = Field(default=None, max_length=300)
    import_id: int | None = None


def item_key(item: SpeechItem) -> str:
    """A stable identity for de-duplication: the source's id or URL, else the content.

    Examples
    --------
    >>> a = SpeechItem(text="x", url="https://example.org/1")
    >>> item_key(a) == item_key(SpeechItem(text="edited", url="https://example.org/1"))
    True
    """
    if item.external_id:
        basis = f"id|{item.platform or ''}|{item.outlet or ''}|{item.external_id}"
    elif item.url:
        basis = f"url|{item.url}"
    else:
        basis = "|".join(
            [
                "text",
                item.text.strip(),
                str(item.published_date or ""),
                item.speaker or "",
                item.outlet or "",
                item.iso3 or "",
            ]
        )
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def redact_item(item: SpeechItem, *, role: str | None) -> SpeechItem:
    """The item as ``role`` may see it: the text (and the URL, which leads to it) withheld
    unless the role may read texts.

    Examples
    --------
    >>> redact_item(SpeechItem(text="raw words"), role="viewer").text
    '[text withheld: 9 characters]'
    >>> redact_item(SpeechItem(text="raw words"), role="analyst").text
    'raw words'
    """
    if role in TEXT_READER_ROLES:
        return item
    withheld = f"[text withheld: {len(item.text)} characters]"
    return item.model_copy(update={"text": withheld, "url": None})
