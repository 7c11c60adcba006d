"""The names of the event file formats: light, so that help texts can list them."""

from __future__ import annotations

from typing import Literal, get_args

EventFormat = Literal["ucdp", "acled", "gdelt", "csv"]
EVENT_FORMATS: tuple[str, ...] = get_args(EventFormat)
