"""Signals told truthfully on the watchlist and country pages (issue 18, item 3): the
latest Signals are the most recently observed, not those whose period ends last; each
says when its data end and is marked "stale data" past 90 days; the drivers say their
unit. On SQLite and PostgreSQL (the fixtures of tests/web/fixtures.py)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tocsin.domain import Provenance, Signal, SignalKind
from tocsin.store import Database, record_signals

# When these tests run: staleness is judged against the present, as the pages do.
TODAY = datetime.now(UTC)
FRESH_END = (TODAY - timedelta(days=1)).date()
STALE_END = date(2022, 12, 30)

FORECAST = "SOM forecast for the next two years"
ESCALATION = "CAF surge resting on old data"
TRIGGER = "CAF trigger event observed yesterday"


def _signals() -> list[Signal]:
    """A forecast observed a month ago whose period ends in two years (what the store's
    order put first), an escalation observed two days ago on data that ended in 2022, and
    a trigger event observed yesterday on yesterday's data."""
    year = TODAY.year
    return [
        Signal(
            iso3="SOM",
            kind=SignalKind.FORECAST,
            start_date=date(year + 1, 1, 1),
            end_date=date(year + 2, 12, 31),
            framework_codes=["RF1"],
            strength=0.01,
            summary=FORECAST,
            provenance=Provenance(
                capability="forecast", producer="tocsin-0.2", details={"data_year": year - 1}
            ),
            observed_at=TODAY - timedelta(days=30),
        ),
        Signal(
            iso3="CAF",
            area="Ouaka",
            kind=SignalKind.ESCALATION,
            start_date=TODAY.date() + timedelta(days=1),
            end_date=TODAY.date() + timedelta(days=28),
            framework_codes=["RF11"],
            strength=0.8,
            summary=ESCALATION,
            provenance=Provenance(
                capability="events",
                producer="tocsin.events.monitor@1",
                details={"data_end": STALE_END.isoformat()},
            ),
            observed_at=TODAY - timedelta(days=2),
        ),
        Signal(
            iso3="CAF",
            area="Bangui",
            kind=SignalKind.TRIGGER_EVENT,
            start_date=FRESH_END,
            end_date=FRESH_END,
            framework_codes=["RF1"],
            strength=0.5,
            summary=TRIGGER,
            provenance=Provenance(capability="events", producer="tests"),
            observed_at=TODAY - timedelta(days=1),
        ),
    ]


@pytest.fixture(scope="module")
def recorded(web_database_url: str) -> None:
    """The three Signals, stored before any page of this module is asked for (the pages
    are cached for a few seconds)."""
    db = Database(web_database_url)
    try:
        with db.session() as session:
            record_signals(session, _signals(), now=TODAY)
    finally:
        db.dispose()


def _by_summary(signals: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["summary"]: s for s in signals}


def test_latest_signals_are_the_most_recently_observed_first(
    recorded: None, clients: dict[str, TestClient]
) -> None:
    data = clients["viewer"].get("/watchlist.json").json()
    summaries = [s["summary"] for s in data["signals"]]
    # yesterday's event first, though the forecast's period ends two years from now
    assert summaries[:3] == [TRIGGER, ESCALATION, FORECAST]
    observed = [s["observed_at"] for s in data["signals"]]
    assert observed == sorted(observed, reverse=True)
    page = clients["viewer"].get("/watchlist").text
    latest = page[page.index("Latest Signals") :]
    assert latest.index(TRIGGER) < latest.index(ESCALATION) < latest.index(FORECAST)


def test_the_api_lists_signals_by_when_they_were_observed(
    recorded: None, clients: dict[str, TestClient]
) -> None:
    found = clients["viewer"].get("/api/v1/signals?limit=500").json()["items"]
    ours = [s["summary"] for s in found if s["summary"] in {TRIGGER, ESCALATION, FORECAST}]
    assert ours == [TRIGGER, ESCALATION, FORECAST]
    first = clients["viewer"].get("/api/v1/signals?limit=1").json()["items"]
    assert first[0]["summary"] == found[0]["summary"]  # pages cut the same order


def test_each_signal_says_when_its_data_end_and_whether_they_are_stale(
    recorded: None, clients: dict[str, TestClient]
) -> None:
    viewer = clients["viewer"]
    shown = _by_summary(viewer.get("/api/v1/watchlist").json()["signals"])
    assert shown[ESCALATION]["data_end"] == "2022-12-30" and shown[ESCALATION]["stale"] is True
    assert shown[TRIGGER]["data_end"] == FRESH_END.isoformat()
    assert shown[TRIGGER]["stale"] is False
    # a forecast rests on data to the end of its data year, not on its future period
    assert shown[FORECAST]["data_end"] == f"{TODAY.year - 1}-12-31"
    assert shown[FORECAST]["end_date"] == f"{TODAY.year + 2}-12-31"

    page = viewer.get("/watchlist").text
    escalation = re.search(re.escape(ESCALATION) + r"(.*?)</li>", page, re.S)
    trigger = re.search(re.escape(TRIGGER) + r"(.*?)</li>", page, re.S)
    assert escalation and trigger
    assert "data to 2022-12-30" in escalation.group(1) and "stale data" in escalation.group(1)
    assert f"data to {FRESH_END}" in trigger.group(1) and "stale data" not in trigger.group(1)

    country = viewer.get("/countries/CAF.json").json()
    (surge,) = [s for s in country["escalation"] if s["summary"] == ESCALATION]
    assert surge["data_end"] == "2022-12-30" and surge["stale"] is True
    assert [s["summary"] for s in country["signals"]][:2] == [TRIGGER, ESCALATION]
    html = viewer.get("/countries/CAF").text
    area = html[html.index("Escalation risk by area") :]
    area = area[: area.index("</ul>")]
    assert "data to 2022-12-30" in area and 'class="stale"' in area


def test_the_drivers_say_they_are_changes_in_probability(
    clients: dict[str, TestClient],
) -> None:
    viewer = clients["viewer"]
    data = viewer.get("/watchlist.json").json()
    # the fixture's runs are of Tocsin's model, whose contributions are probability changes
    assert data["drivers_unit"] == "probability"
    assert data["rows"][0]["drivers"][0]["contribution"] == 0.4  # the number is unchanged
    page = viewer.get("/watchlist").text
    assert "Main drivers <small>(change in probability)</small>" in page
    assert "+40.0 percentage points" in page and "log-odds" not in page
    country = viewer.get("/countries/CAF.json").json()
    assert country["forecast"]["drivers_unit"] == "probability"
    html = viewer.get("/countries/CAF").text
    assert "Contribution (change in probability, percentage points)" in html
    assert "+40.0 pp" in html and "log-odds" not in html
    schema = viewer.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "probability" in schema["Watchlist"]["properties"]["drivers_unit"]["description"]
