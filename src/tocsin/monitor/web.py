"""The monitor in the web app (the web plug-in ``monitor``): how current the data is.

It adds the ``monitor`` section to the data page: the watch's last cycle (or that none has
run) and each source's freshness, stale ones first, in the JSON twin too
(``/data?format=json``, ``sections.monitor``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy.orm import Session

from tocsin.monitor._status import session_status
from tocsin.web import CountrySection, Principal, SectionTable, register_data_section

__all__ = ["include_monitor", "monitor_section"]


def monitor_section(session: Session, principal: Principal) -> CountrySection:
    """The data page's section: the watch and its sources."""
    now = datetime.now(UTC)
    status = session_status(session, now=now)
    watch = status["watch"]
    items: list[str] = []
    if watch is None:
        summary = (
            "No watch has run on this database: the data changes only when someone imports "
            "a file. Start one with `tocsin monitor watch` (see docs/deployment.md)."
        )
    else:
        summary = (
            f"The watch's last cycle ran from {watch['last_started_at']} to "
            f"{watch['last_finished_at'] or '(unfinished)'} UTC"
            + ("; a cycle is running now." if watch["running"] else ".")
        )
        if watch["last_error"]:
            items.append(f"Last cycle's errors: {watch['last_error']}")
    sources = sorted(status["sources"], key=lambda s: (not s["stale"], s["source"]))
    tables = []
    if sources:
        tables.append(
            SectionTable(
                caption="Sources the watch fetches",
                columns=[
                    "Source",
                    "Status",
                    "Last new data",
                    "Data up to",
                    "Expected every",
                    "Items",
                    "Last error",
                ],
                rows=[
                    [
                        s["source"],
                        "stale" if s["stale"] else "current",
                        s["last_new_data_at"] or "never",
                        s["data_end"],
                        s["expected_every"],
                        s["n_items"],
                        s["last_error"],
                    ]
                    for s in sources
                ],
            )
        )
    return CountrySection(title="Live monitoring", summary=summary, items=items, tables=tables)


def include_monitor(app: FastAPI) -> None:
    """Add the watch's state to the data page."""
    register_data_section(app, "monitor", "Live monitoring", monitor_section, order=10)
