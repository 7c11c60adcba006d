"""Pulling field submissions from KoboToolbox and ODK Central, over real HTTP from local
servers that speak their JSON (paging, credentials, the servers' own filters), on SQLite
and PostgreSQL: each submission becomes one report however often it is pulled, its
identities ciphertext in the database; a submission that does not map is named with its
field and stores nothing, while the others are imported."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import text

from tocsin.bootstrap import country_from_record
from tocsin.countries import get_crosswalk
from tocsin.incidents import (
    Identities,
    IntakeError,
    PullResult,
    ReportVisibility,
    fetch_kobo_submissions,
    form_field_names,
    get_incident_report,
    get_intake_cursor,
    import_submissions,
    incident_xlsform,
    pull_kobo,
    pull_odk,
    report_context,
)
from tocsin.store import Database, KeyRing, save_key_ring, upsert_countries
from tocsin.web import Principal, create_user

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
KOBO_TOKEN = "kobo-secret-token-0123456789"
ODK_USER, ODK_PASSWORD = "monitor@example.org", "odk-secret-password"
SERVER_PAGE = 2  # the servers answer at most two submissions a page, to make them page


@dataclass
class FakeServer:
    """Submissions a fake server holds, and the query strings it was asked."""

    kind: str  # "kobo" | "odk"
    submissions: list[dict[str, Any]] = field(default_factory=list)
    asked: list[dict[str, list[str]]] = field(default_factory=list)
    base_url: str = ""


def _page_kobo(server: FakeServer, path: str, query: dict[str, list[str]]) -> dict[str, Any]:
    items = server.submissions
    if "query" in query:
        after = json.loads(query["query"][0])["_submission_time"]["$gt"]
        items = [s for s in items if s["_submission_time"] > after]
    start = int(query.get("start", ["0"])[0])
    limit = min(int(query.get("limit", ["100"])[0]), SERVER_PAGE)
    page = items[start : start + limit]
    more = {k: v[0] for k, v in query.items()} | {"start": start + limit}
    next_url = f"{server.base_url}{path}?{urlencode(more)}" if start + limit < len(items) else None
    return {"count": len(items), "next": next_url, "previous": None, "results": page}


def _page_odk(server: FakeServer, path: str, query: dict[str, list[str]]) -> dict[str, Any]:
    items = server.submissions
    if "$filter" in query:
        prefix = "__system/submissionDate gt "
        condition = query["$filter"][0]
        assert condition.startswith(prefix), condition
        after = condition.removeprefix(prefix)
        items = [s for s in items if s["__system"]["submissionDate"] > after]
    skip = int(query.get("$skip", ["0"])[0])
    top = min(int(query.get("$top", ["100"])[0]), SERVER_PAGE)
    page: dict[str, Any] = {"@odata.context": "x", "value": items[skip : skip + top]}
    if skip + top < len(items):
        more = {k: v[0] for k, v in query.items()} | {"$skip": skip + top}
        page["@odata.nextLink"] = f"{server.base_url}{path}?{urlencode(more)}"
    return page


def _handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            auth = self.headers.get("Authorization", "")
            if server.kind == "kobo":
                allowed = auth == f"Token {KOBO_TOKEN}"
                found = parts.path == "/api/v2/assets/aXform/data/"
            else:
                basic = base64.b64encode(f"{ODK_USER}:{ODK_PASSWORD}".encode()).decode()
                allowed = auth == f"Basic {basic}"
                found = parts.path == "/v1/projects/3/forms/tocsin_incident_report.svc/Submissions"
            if not allowed:
                self._send(401, {"detail": "Invalid token."})
            elif not found:
                self._send(404, {"detail": "Not found."})
            else:
                server.asked.append(query)
                page = (_page_kobo if server.kind == "kobo" else _page_odk)(
                    server, parts.path, query
                )
                self._send(200, page)

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: Any) -> None:
            pass  # quiet tests

    return Handler


@contextmanager
def fake_server(kind: str) -> Iterator[FakeServer]:
    server = FakeServer(kind)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    server.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    # a short poll: shutdown() waits for it
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass(frozen=True)
class Field:
    """A migrated database with the country reports name, two accounts, and a key ring."""

    db: Database
    key_ring: KeyRing
    monitor: Principal
    home: Path


@pytest.fixture
def field_env(db: Database, tmp_path: Path) -> Field:
    with db.session() as session:
        upsert_countries(
            session,
            (
                (country_from_record(r), r.variants)
                for r in get_crosswalk().records()
                if r.iso3 in {"CAF", "SDN"}
            ),
        )
        users = {
            role: create_user(
                session,
                username=role,
                display_name=role,
                role=role,
                password_hash="not a real hash",
                now=NOW,
            )
            for role in ("monitor", "viewer")
        }
    key_ring = KeyRing.generate("k1")
    save_key_ring(key_ring, tmp_path / "keys" / "identity-keys.json")
    return Field(db, key_ring, Principal(user=users["monitor"], via="cli"), tmp_path)


def kobo_submission(second: int, **answers: Any) -> dict[str, Any]:
    """A submission as Kobo's API v2 lists it: its metadata, then the form's answers."""
    instance = str(uuid.uuid4())
    return {
        "_id": 1000 + second,
        "_uuid": instance,
        "meta/instanceID": f"uuid:{instance}",
        "formhub/uuid": "f1",
        "__version__": "vA",
        "start": "2026-12-01T09:00:00.000+01:00",
        "end": "2026-12-01T09:10:00.000+01:00",
        "_submission_time": f"2026-12-01T10:00:{second:02d}",
        "_attachments": [],
        "_status": "submitted_via_web",
        "_geolocation": [None, None],
        "_submitted_by": None,
        "iso3": "CAF",
        "start_date": "2026-11-30",
        "event_type": "killing",
        "sensitivity": "restricted",
        **answers,
    }


def odk_submission(second: int, **answers: Any) -> dict[str, Any]:
    """A submission as ODK Central's OData lists it: groups are nested objects."""
    instance = f"uuid:{uuid.uuid4()}"
    return {
        "__id": instance,
        "__system": {
            "submissionDate": f"2026-12-01T10:00:{second:02d}.000Z",
            "submitterId": "5",
            "reviewState": None,
        },
        "meta": {"instanceID": instance},
        "iso3": "CAF",
        "start_date": "2026-11-30",
        "event_type": "attack_on_civilians",
        "fatalities_best": 3,
        "sensitivity": "internal",
        **answers,
    }


def _stored_row(env: Field, public_id: str) -> dict[str, Any]:
    with env.db.session() as session:
        row = session.execute(
            text("SELECT * FROM incident_reports WHERE public_id = :p"), {"p": public_id}
        ).one()
    return dict(row._mapping)


def _identities(env: Field, public_id: str) -> Identities:
    row = _stored_row(env, public_id)
    opened = env.key_ring.decrypt(
        row["identities_key_id"], row["identities_ciphertext"], context=report_context(public_id)
    )
    return Identities(**opened)


def _pull_kobo(field_env: Field, server: FakeServer, token: str = KOBO_TOKEN):  # type: ignore[no-untyped-def]
    return pull_kobo(
        field_env.db,
        field_env.key_ring,
        field_env.monitor,
        server=server.base_url,
        asset_uid="aXform",
        token=token,
        now=NOW,
    )


def test_kobo_pages_are_followed_and_a_second_pull_asks_only_for_newer(field_env: Field) -> None:
    witness = f"Witness {uuid.uuid4().hex[:6]}"
    with fake_server("kobo") as server:
        server.submissions = [
            kobo_submission(1, **{"identities/witnesses": f"{witness}\nA second witness"}),
            kobo_submission(2, **{"group_place/location": "Bossangoa", "fatalities_best": "12"}),
            kobo_submission(3, narrative="Houses burnt", end_date=""),
        ]
        first = _pull_kobo(field_env, server)
        assert (first.n_fetched, first.n_created, first.problems) == (3, 3, [])
        assert len(server.asked) == 2  # two pages of two
        assert "query" not in server.asked[0]
        assert first.cursor == "2026-12-01T10:00:03"

        second = _pull_kobo(field_env, server)
        assert (second.n_fetched, second.n_created) == (0, 0)
        assert json.loads(server.asked[-1]["query"][0]) == {
            "_submission_time": {"$gt": "2026-12-01T10:00:03"}
        }
        server.submissions.append(kobo_submission(4, location="Kaga-Bandoro"))
        third = _pull_kobo(field_env, server)
        assert (third.n_fetched, third.n_created) == (1, 1)
        with field_env.db.session() as session:
            form_key = f"{server.base_url}/aXform"
            assert get_intake_cursor(session, "kobo", form_key) == "2026-12-01T10:00:04"
            stored = [
                get_incident_report(session, public_id, visibility=ReportVisibility())
                for public_id in first.created + third.created
            ]
    assert [r.location for r in stored if r] == [None, "Bossangoa", None, "Kaga-Bandoro"]
    assert stored[1] is not None and stored[1].fatalities_best == 12
    assert stored[2] is not None and stored[2].end_date == date(2026, 11, 30)
    # the witness is sealed on arrival: the row holds ciphertext, which opens to the names
    row = _stored_row(field_env, first.created[0])
    assert witness not in json.dumps(row, default=str)
    assert row["identities_ciphertext"] and row["event_uid"] is None  # restricted: no event
    assert _identities(field_env, first.created[0]).witnesses == [witness, "A second witness"]


def test_a_retried_pull_never_makes_a_second_report(field_env: Field) -> None:
    with fake_server("kobo") as server:
        server.submissions = [kobo_submission(s, location=f"Place {s}") for s in (1, 2, 3)]
        first = _pull_kobo(field_env, server)
        # the same submissions again, as a pull whose cursor was lost would fetch them
        with httpx.Client(headers={"Authorization": f"Token {KOBO_TOKEN}"}) as client:
            again = fetch_kobo_submissions(client, server.base_url, "aXform", since=None)
    retried = import_submissions(
        field_env.db,
        field_env.key_ring,
        field_env.monitor,
        again,
        source="kobo",
        form_key="retry",
        since=None,
        now=NOW,
    )
    assert first.n_created == 3
    assert (retried.n_fetched, retried.n_created, retried.n_repeated) == (3, 0, 3)


def test_a_bad_submission_is_named_and_the_others_are_imported(field_env: Field) -> None:
    with fake_server("kobo") as server:
        bad_date = kobo_submission(2, start_date="30.11.2026")
        unknown_country = kobo_submission(3, iso3="XYZ")
        server.submissions = [
            kobo_submission(1, location="Good one"),
            bad_date,
            unknown_country,
            kobo_submission(4, location="Good two"),
        ]
        result = _pull_kobo(field_env, server)
        assert (result.n_fetched, result.n_created) == (4, 2)
        assert {(p.submission_id, p.field) for p in result.problems} == {
            (bad_date["_uuid"], "start_date"),
            (unknown_country["_uuid"], "iso3"),
        }
        assert str(result.problems[0]).startswith(f"submission {bad_date['_uuid']}: start_date:")
        # the cursor stops before the first failure, so the next pull tries it again
        assert result.cursor == "2026-12-01T10:00:01"
        bad_date["start_date"] = "2026-11-29"  # fixed on the server
        again = _pull_kobo(field_env, server)
    assert (again.n_fetched, again.n_created, again.n_repeated) == (3, 1, 1)
    assert [p.field for p in again.problems] == ["iso3"]
    with field_env.db.session() as session:
        n_reports = session.scalar(
            text("SELECT COUNT(*) FROM incident_reports WHERE idempotency_key = :k"),
            {"k": f"field:{unknown_country['_uuid']}"},
        )
    assert n_reports == 0  # nothing of it is stored


def test_kobo_credentials_are_checked_and_never_shown(field_env: Field) -> None:
    with fake_server("kobo") as server:
        with pytest.raises(IntakeError) as refused:
            _pull_kobo(field_env, server, token="wrong-token-secret")
    assert "refused the credentials (401)" in str(refused.value)
    assert "wrong-token-secret" not in str(refused.value)


def test_odk_central_is_pulled_by_odata_pages_and_filter(field_env: Field) -> None:
    victim = f"Victim {uuid.uuid4().hex[:6]}"
    with fake_server("odk") as server:
        server.submissions = [
            odk_submission(1, identities={"victims": victim, "witnesses": None}),
            odk_submission(2, place={"admin1": "Ouham"}),
            odk_submission(3, latitude=6.49, longitude=17.45),
        ]

        def pull(password: str = ODK_PASSWORD) -> PullResult:
            return pull_odk(
                field_env.db,
                field_env.key_ring,
                field_env.monitor,
                server=server.base_url,
                project=3,
                form_id="tocsin_incident_report",
                user=ODK_USER,
                password=password,
                now=NOW,
            )

        with pytest.raises(IntakeError):
            pull("not the password")
        first = pull()
        assert (first.n_fetched, first.n_created, first.problems) == (3, 3, [])
        assert len(server.asked) == 2 and "$filter" not in server.asked[0]
        second = pull()
        assert (second.n_fetched, second.n_created) == (0, 0)
        assert server.asked[-1]["$filter"] == [
            "__system/submissionDate gt 2026-12-01T10:00:03.000Z"
        ]
    with field_env.db.session() as session:
        stored = [
            get_incident_report(session, p, visibility=ReportVisibility()) for p in first.created
        ]
    assert [r.admin1 for r in stored if r] == [None, "Ouham", None]
    assert stored[2] is not None and stored[2].latitude == 6.49
    assert all(r is not None and r.event_uid for r in stored)  # internal: events
    assert victim not in json.dumps(_stored_row(field_env, first.created[0]), default=str)
    assert _identities(field_env, first.created[0]).victims == [victim]


def test_a_submission_of_the_generated_form_round_trips(field_env: Field) -> None:
    """The form's own field names, filled as Kobo sends them, make the report they say."""
    names = form_field_names(incident_xlsform())
    witness = f"Witness {uuid.uuid4().hex[:6]}"
    answers = {
        "iso3": "CAF",
        "start_date": "2026-11-28",
        "end_date": "2026-11-29",
        "event_type": "forced_displacement",
        "location": "Batangafo",
        "admin1": "Ouham",
        "latitude": "7.30",
        "longitude": "18.28",
        "perpetrator": "Armed group",
        "perpetrator_kind": "militia",
        "victim_group": "Villagers",
        "victim_kind": "civilians",
        "fatalities_best": "2",
        "civilian_deaths": "2",
        "narrative": "Villages emptied",
        "sensitivity": "restricted",
        "identities/victims": "A victim",
        "identities/witnesses": witness,
        "identities/sources": "A source",
    }
    assert sorted(answers) == sorted(names)  # every question of the form is answered
    with fake_server("kobo") as server:
        server.submissions = [kobo_submission(1) | answers]
        result = _pull_kobo(field_env, server)
    assert result.n_created == 1 and not result.problems
    with field_env.db.session() as session:
        stored = get_incident_report(session, result.created[0], visibility=ReportVisibility())
    assert stored is not None
    for name in names:
        if name.startswith("identities/"):
            continue
        value = getattr(stored, name)
        expected = float(answers[name]) if isinstance(value, float) else answers[name]
        assert (value if isinstance(value, float) else str(value)) == expected, name
    assert _identities(field_env, stored.public_id) == Identities(
        victims=["A victim"], witnesses=[witness], sources=["A source"]
    )
    row = _stored_row(field_env, stored.public_id)
    assert witness not in json.dumps(row, default=str) and "A victim" not in json.dumps(
        row, default=str
    )


def test_the_pull_command_reads_its_token_from_the_environment_and_never_prints_it(
    field_env: Field, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from tocsin.cli import _new_root
    from tocsin.cli._incidents import register

    root = _new_root()
    register(root)
    monkeypatch.setenv("TOCSIN_HOME", str(field_env.home))
    monkeypatch.setenv("TOCSIN_DATABASE_URL", field_env.db.url)
    monkeypatch.setenv(
        "TOCSIN_WEB_IDENTITY_KEY_FILE", str(field_env.home / "keys" / "identity-keys.json")
    )
    monkeypatch.delenv("TOCSIN_KOBO_TOKEN", raising=False)
    runner = CliRunner()
    with fake_server("kobo") as server:
        server.submissions = [kobo_submission(1), kobo_submission(2, start_date="yesterday")]
        args = ["incidents", "pull", "kobo", "--server", server.base_url, "--asset", "aXform"]
        no_token = runner.invoke(root, [*args, "--as", "monitor"])
        assert "set TOCSIN_KOBO_TOKEN" in str(no_token.exception)
        monkeypatch.setenv("TOCSIN_KOBO_TOKEN", KOBO_TOKEN)
        viewer = runner.invoke(root, [*args, "--as", "viewer"])
        assert "may not submit reports" in str(viewer.exception)
        pulled = runner.invoke(root, [*args, "--as", "monitor", "--json"])
    assert pulled.exit_code == 1  # one submission did not map
    result = json.loads(pulled.stdout)
    assert (result["n_fetched"], result["n_created"]) == (2, 1)
    [problem] = result["problems"]
    assert problem["field"] == "start_date"
    assert problem["submission_id"] == server.submissions[1]["_uuid"]
    for answer in (no_token, viewer, pulled):
        assert KOBO_TOKEN not in answer.output
