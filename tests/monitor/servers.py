"""A real HTTP server on 127.0.0.1 for the connector tests, and the sources it stands for.

:class:`SourceServer` is a ``ThreadingHTTPServer`` on a free port; each path is answered
by a handler (a function of the :class:`Seen` request) or by a queue of canned
:class:`Reply` objects (the last one repeats), and every request is recorded with its
query, headers, body and arrival time. The ``*_api`` functions below answer as the real
services do (paging, filters), from the files under tests/data/monitor/.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tocsin.countries import get_crosswalk
from tocsin.domain import Country
from tocsin.monitor import Batch, SourceClient, get_connector
from tocsin.settings import Settings
from tocsin.store import Database, upsert_countries

DATA = Path(__file__).resolve().parents[1] / "data" / "monitor"
NOW = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_json(cls, value: Any, status: int = 200) -> Reply:
        return cls(status, json.dumps(value).encode(), {"Content-Type": "application/json"})


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() on arrival

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        return json.loads(self.body)


Handler = Callable[[Seen], Reply]


class SourceServer:
    """Routes by path; records what it was asked. Use :func:`serving`."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler | list[Reply]] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self.base = ""

    def route(self, path: str, answer: Handler | list[Reply]) -> None:
        self.routes[path] = answer

    def url(self, path: str) -> str:
        return self.base + path

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def answer(self, seen: Seen) -> Reply:
        with self._lock:
            self.seen.append(seen)
            answer = self.routes.get(seen.path)
            if answer is None:
                return Reply(404, b"not found")
            if isinstance(answer, list):
                return answer.pop(0) if len(answer) > 1 else answer[0]
        return answer(seen)


def _handler_class(server: SourceServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
                at=time.monotonic(),
            )
            reply = server.answer(seen)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
            return

    return _Handler


@contextmanager
def serving() -> Iterator[SourceServer]:
    """A :class:`SourceServer` listening on 127.0.0.1 (a free port) while in the block."""
    source = SourceServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(source))
    source.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield source
    finally:
        httpd.shutdown()
        httpd.server_close()


def load_countries(db: Database, iso3s: tuple[str, ...] = ("CAF", "SDN")) -> Database:
    """Load ``iso3s`` from the crosswalk into the store (events and speech items refer to
    countries)."""
    crosswalk = get_crosswalk()
    with db.session() as session:
        countries: list[tuple[Country, list[str]]] = []
        for code in iso3s:
            record = crosswalk.country(code)
            countries.append((Country(iso3=record.iso3, name=record.name, iso2=record.iso2), []))
        upsert_countries(session, countries)
    return db


# --- the sources, answering as the real services do -------------------------------------


def ucdp_ged_api(server: SourceServer, rows: list[dict[str, Any]], token: str) -> Handler:
    """The UCDP GED API: rows on or after ``StartDate``, of the ``Country`` GW codes, paged
    (``page`` from 0, ``pagesize``) with ``TotalPages`` and ``NextPageUrl``; 401 without
    the token."""

    def answer(seen: Seen) -> Reply:
        if seen.headers.get("x-ucdp-access-token") != token:
            return Reply.of_json({"error": "access token required"}, status=401)
        start = seen.param("StartDate") or "0000-00-00"
        countries = (seen.param("Country") or "").split(",")
        chosen = [
            r
            for r in rows
            if r["date_start"][:10] >= start
            and (countries == [""] or str(r["country_id"]) in countries)
        ]
        size = int(seen.param("pagesize") or 100)
        page = int(seen.param("page") or 0)
        n_pages = max(1, -(-len(chosen) // size))
        following = ""
        if page + 1 < n_pages:
            query = "&".join(f"{k}={v[0]}" for k, v in seen.query.items() if k not in {"page"})
            following = f"{server.base}{seen.path}?{query}&page={page + 1}"
        return Reply.of_json(
            {
                "TotalCount": len(chosen),
                "TotalPages": n_pages,
                "PreviousPageUrl": "",
                "NextPageUrl": following,
                "Result": chosen[page * size : (page + 1) * size],
            }
        )

    return answer


def acled_api(rows: list[dict[str, Any]], key: str, email: str) -> Handler:
    """The ACLED API: ``key`` and ``email`` checked, ``iso`` and ``event_date`` (with
    ``event_date_where``) filters, paged with ``limit`` and ``page`` (from 1)."""

    def answer(seen: Seen) -> Reply:
        if seen.param("key") != key or seen.param("email") != email:
            return Reply.of_json({"status": 403, "success": False, "error": "bad key"}, 403)
        start = seen.param("event_date") or "0000-00-00"
        assert seen.param("event_date_where") == ">="
        iso = seen.param("iso")
        chosen = [r for r in rows if r["event_date"] >= start and (iso is None or r["iso"] == iso)]
        limit = int(seen.param("limit") or 5000)
        page = int(seen.param("page") or 1)
        data = chosen[(page - 1) * limit : page * limit]
        return Reply.of_json({"status": 200, "success": True, "count": len(data), "data": data})

    return answer


def reliefweb_api(reports: list[dict[str, Any]], appname: str) -> Handler:
    """The ReliefWeb reports API (POST with a JSON query): ``date.created`` from, country
    iso3s, oldest first, ``offset``/``limit``."""

    def answer(seen: Seen) -> Reply:
        if seen.param("appname") != appname:
            return Reply.of_json({"error": {"type": "Unauthorized"}}, 403)
        query = seen.json()
        since = ""
        countries: list[str] | None = None
        for condition in query["filter"]["conditions"]:
            if condition["field"] == "date.created":
                since = condition["value"]["from"]
            if condition["field"] == "country.iso3":
                countries = condition["value"]
        chosen = [
            r
            for r in reports
            if _utc(r["fields"]["date"]["created"]) >= _utc(since)
            and (countries is None or r["fields"]["primary_country"]["iso3"] in countries)
        ]
        chosen.sort(key=lambda r: r["fields"]["date"]["created"])
        offset, limit = int(query["offset"]), int(query["limit"])
        data = chosen[offset : offset + limit]
        return Reply.of_json({"totalCount": len(chosen), "count": len(data), "data": data})

    return answer


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def zipped(name: str, data: bytes) -> bytes:
    """``data`` as GDELT ships it: one file ``name`` in a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def gdelt_site(server: SourceServer, stamps: list[str], newest: str) -> dict[str, bytes]:
    """Publish GDELT export files ``stamps`` (from tests/data/monitor/gdelt/) and a
    ``lastupdate.txt`` naming ``newest``; returns the zips by stamp."""
    zips: dict[str, bytes] = {}
    for stamp in stamps:
        name = f"{stamp}.export.CSV"
        zips[stamp] = zipped(name, (DATA / "gdelt" / name).read_bytes())
        server.route(f"/gdeltv2/{name}.zip", [Reply(200, zips[stamp])])
    data = zips[newest]
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    lines = [
        f"{len(data)} {md5} {server.base}/gdeltv2/{newest}.export.CSV.zip",
        f"5001 0a1b2c3d4e5f60718293a4b5c6d7e8f9 {server.base}/gdeltv2/{newest}.mentions.CSV.zip",
        f"9002 1a1b2c3d4e5f60718293a4b5c6d7e8f9 {server.base}/gdeltv2/{newest}.gkg.csv.zip",
    ]
    server.route("/gdeltv2/lastupdate.txt", [Reply(200, ("\n".join(lines) + "\n").encode())])
    return zips


@contextmanager
def open_client() -> Iterator[httpx.Client]:
    """One httpx client for a module's tests: making one costs a TLS context (0.2 s)."""
    with httpx.Client(follow_redirects=True) as client:
        yield client


def fetch(
    name: str,
    settings: Settings,
    cursor: dict[str, Any] | None,
    *,
    client: httpx.Client,
    now: datetime = NOW,
) -> Batch:
    """What connector ``name`` fetches from ``cursor``, without storing anything."""
    with SourceClient(name, settings.monitor, client=client, sleep=lambda _s: None) as http:
        return get_connector(name).fetch(http, cursor, settings=settings.monitor, now=now)
