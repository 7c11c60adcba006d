"""Attachments of incident reports, on SQLite and PostgreSQL: encrypted at rest, seen and
downloaded only by those who may see the report (audited), refused with clear errors."""

from __future__ import annotations

import struct
import uuid
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.incidents.test_access import report_data
from tests.web.fixtures import csrf_of, sign_in
from tocsin.incidents import _attachments
from tocsin.settings import Settings
from tocsin.store import KeyRing, list_audit
from tocsin.web import WebSettings, rotate_identity_key


def png(width: int = 3, height: int = 2) -> bytes:
    """A real PNG image (grey pixels), as a phone would send a photo."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PHOTO = png()
NOTE = b"Statement taken at the market, 10 January.\nThe witness asked not to be named.\n"


def send(
    clients: dict[str, TestClient],
    username: str,
    sensitivity: str,
    files: list[tuple[str, bytes, str]],
    **extra: str,
) -> Any:
    client = clients[username]
    return client.post(
        "/reports",
        data=report_data(sensitivity, **extra) | {"csrf_token": csrf_of(client)},
        files=[("attachments", f) for f in files],
        follow_redirects=False,
    )


def report_with_files(
    clients: dict[str, TestClient], username: str, sensitivity: str
) -> tuple[str, dict[str, Any]]:
    response = send(
        clients,
        username,
        sensitivity,
        [("market photo.png", PHOTO, "image/png"), ("statement.txt", NOTE, "text/plain")],
    )
    assert response.status_code == 303, response.text
    report_id = str(response.headers["location"]).rsplit("/", 1)[1]
    shown = clients[username].get(f"/reports/{report_id}.json").json()
    return report_id, {a["name"]: a for a in shown["attachments"]}


def test_the_monitor_attaches_photos_and_documents_and_downloads_them(
    app: FastAPI, clients: dict[str, TestClient]
) -> None:
    report_id, files = report_with_files(clients, "monitor", "restricted")
    assert set(files) == {"market photo.png", "statement.txt"}
    assert files["market photo.png"]["content_type"] == "image/png"
    assert files["market photo.png"]["n_bytes"] == len(PHOTO)
    page = clients["monitor"].get(f"/reports/{report_id}").text
    assert "market photo.png" in page and files["statement.txt"]["url"] in page
    for client in (clients["monitor"], clients["analyst"], clients["admin"]):
        photo = client.get(files["market photo.png"]["url"])
        assert photo.status_code == 200 and photo.content == PHOTO
        assert photo.headers["content-type"] == "image/png"
        assert photo.headers["content-disposition"].startswith("attachment;")
        assert photo.headers["x-content-type-options"] == "nosniff"
    assert clients["analyst"].get(files["statement.txt"]["url"]).content == NOTE
    with app.state.tocsin.db.session() as session:
        downloads = [
            (e.actor, e.target)
            for e in list_audit(session, limit=200)
            if e.action == "report.attachment.download"
        ]
    photo_id = files["market photo.png"]["id"]
    for actor in ("user:monitor", "user:analyst", "user:admin"):
        assert (actor, f"{report_id}/{photo_id}") in downloads


@pytest.mark.parametrize("username", ["monitor2", "viewer", "reviewer"])
def test_those_who_may_not_see_the_report_cannot_see_or_guess_its_files(
    clients: dict[str, TestClient], username: str
) -> None:
    report_id, files = report_with_files(clients, "monitor", "restricted")
    other = clients[username]
    assert other.get(f"/reports/{report_id}.json").status_code == 404
    for item in files.values():
        response = other.get(item["url"])
        assert response.status_code == 404 and PHOTO not in response.content
    # Their own (or a visible) report's path with the other report's attachment id: 404 too.
    if username == "monitor2":
        own = send(clients, "monitor2", "restricted", []).headers["location"].rsplit("/", 1)[1]
        stolen = f"/reports/{own}/attachments/{files['market photo.png']['id']}"
        assert other.get(stolen).status_code == 404


def test_a_viewer_may_download_the_files_of_a_public_report_but_not_an_internal_one(
    clients: dict[str, TestClient],
) -> None:
    public_id, public_files = report_with_files(clients, "monitor", "public")
    internal_id, internal_files = report_with_files(clients, "monitor", "internal")
    viewer = clients["viewer"]
    assert viewer.get(public_files["market photo.png"]["url"]).content == PHOTO
    assert viewer.get(internal_files["market photo.png"]["url"]).status_code == 404
    assert clients["reviewer"].get(internal_files["statement.txt"]["url"]).content == NOTE
    listing = viewer.get("/reports.json").json()["items"]
    assert all(item["attachments"] == [] for item in listing)  # lists carry no files


def test_files_and_their_names_are_ciphertext_in_the_database(
    app: FastAPI, clients: dict[str, TestClient]
) -> None:
    report_id, files = report_with_files(clients, "monitor", "internal")
    with app.state.tocsin.db.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT a.* FROM incident_attachments a JOIN incident_reports r "
                "ON r.id = a.report_id WHERE r.public_id = :id"
            ),
            {"id": report_id},
        ).mappings()
        stored = [dict(row) for row in rows]
    assert len(stored) == 2
    for row in stored:
        content = bytes(row["content"])
        assert PHOTO not in content and NOTE not in content and b"IHDR" not in content
        assert "market photo" not in str(row["sealed"]) and "statement" not in str(row["sealed"])
        assert row["key_id"] == app.state.tocsin.key_ring.active


def test_refused_files_say_why_and_store_nothing(
    clients: dict[str, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = uuid.uuid4().hex
    exe = send(
        clients,
        "monitor",
        "restricted",
        [("tool.exe", b"MZ\x90\x00" * 10, "image/png")],
        idempotency_key=key,
    )
    assert exe.status_code == 422
    assert "attachment &#39;tool.exe&#39;: not an accepted type" in exe.text
    six = send(
        clients,
        "monitor",
        "restricted",
        [(f"p{i}.png", PHOTO, "image/png") for i in range(6)],
        idempotency_key=key,
    )
    assert six.status_code == 422 and "6 files attached: at most 5 per report" in six.text
    monkeypatch.setattr(_attachments, "MAX_ATTACHMENT_BYTES", len(PHOTO) - 1)
    big = send(
        clients, "monitor", "restricted", [("big.png", PHOTO, "image/png")], idempotency_key=key
    )
    assert big.status_code == 422 and "larger than" in big.text
    # Nothing was stored under that key: sending it again without files makes the report.
    monkeypatch.undo()
    made = send(clients, "monitor", "restricted", [], idempotency_key=key)
    assert made.status_code == 303
    report_id = made.headers["location"].rsplit("/", 1)[1]
    assert clients["monitor"].get(f"/reports/{report_id}.json").json()["attachments"] == []
    # JSON callers get 422 with the problem.
    client = clients["monitor"]
    refused = client.post(
        "/reports",
        data=report_data("restricted") | {"csrf_token": csrf_of(client)},
        files=[("attachments", ("x.html", b"<script>alert(1)</script>", "text/html"))],
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 422 and "x.html" in refused.text


def test_a_retried_submission_stores_its_files_once(clients: dict[str, TestClient]) -> None:
    key = uuid.uuid4().hex
    files = [("photo.png", PHOTO, "image/png")]
    first = send(clients, "monitor", "restricted", files, idempotency_key=key)
    again = send(clients, "monitor", "restricted", files, idempotency_key=key)
    assert first.headers["location"] == again.headers["location"]
    report = clients["monitor"].get(f"{first.headers['location']}.json").json()
    assert [a["name"] for a in report["attachments"]] == ["photo.png"]


def test_files_can_be_added_later_by_the_author_and_analysts_only(
    clients: dict[str, TestClient],
) -> None:
    report_id, _ = report_with_files(clients, "monitor", "internal")

    def attach(username: str, name: str) -> Any:
        client = clients[username]
        return client.post(
            f"/reports/{report_id}/attachments",
            data={"csrf_token": csrf_of(client)},
            files=[("attachments", (name, PHOTO, "image/png"))],
            follow_redirects=False,
        )

    assert 'id="attach-form"' in clients["monitor"].get(f"/reports/{report_id}").text
    assert attach("monitor", "later.png").status_code == 303
    assert attach("analyst", "analyst.png").status_code == 303
    assert attach("monitor2", "x.png").status_code == 404  # cannot see it
    assert attach("reviewer", "x.png").status_code == 403  # may not add reports or files
    assert attach("viewer", "x.png").status_code == 403
    assert 'id="attach-form"' not in clients["reviewer"].get(f"/reports/{report_id}").text
    names = [
        a["name"]
        for a in clients["monitor"].get(f"/reports/{report_id}.json").json()["attachments"]
    ]
    assert sorted(names) == ["analyst.png", "later.png", "market photo.png", "statement.txt"]
    full = attach("monitor", "sixth.png")
    assert full.status_code == 303  # the fifth file
    refused = attach("monitor", "sixth.png")
    assert refused.status_code == 422 and "the report holds 5" in refused.text


def test_key_rotation_re_encrypts_attachment_keys_and_files_stay_readable(
    app: FastAPI, settings: Settings, web_settings: WebSettings, clients: dict[str, TestClient]
) -> None:
    report_id, files = report_with_files(clients, "monitor", "restricted")
    result = rotate_identity_key(settings, web_settings, now=datetime.now(UTC))
    after = KeyRing.from_json(web_settings.key_file(settings).read_text(), origin="test")
    assert set(after.keys) == {result.new_key_id}
    app.state.tocsin.key_ring = after  # a running server reloads the ring on restart
    with app.state.tocsin.db.engine.connect() as connection:
        key_ids = set(
            connection.execute(text("SELECT DISTINCT key_id FROM incident_attachments")).scalars()
        )
    assert key_ids == {result.new_key_id}
    analyst = sign_in(app, "analyst")
    assert analyst.get(files["market photo.png"]["url"]).content == PHOTO
    assert analyst.get(files["statement.txt"]["url"]).content == NOTE
