"""The events capability in the web app (the web plug-in ``events``): event files on the
data page's uploads.

The watchlist package draws the country pages and serves ``/api/v1/events`` from what
this capability stores; this plug-in lets analysts import event files from the browser.
"""

from __future__ import annotations

from fastapi import FastAPI

from tocsin.events._uploads import EVENT_UPLOADS
from tocsin.web import register_upload_kind

__all__ = ["include_events"]


def include_events(app: FastAPI) -> None:
    """Let the data page import event files (UCDP, ACLED, GDELT, or CSV with a mapping)."""
    register_upload_kind(app, EVENT_UPLOADS)
    from tocsin.events._search import include_event_search  # the /search page's part

    include_event_search(app)
