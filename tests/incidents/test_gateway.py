"""The SMS gateway's webhook through the real application, on SQLite and PostgreSQL: only
signed deliveries are taken (RapidPro's body HMAC, Twilio's URL-and-parameters HMAC);
a message in the grammar becomes one draft per message id, its sender sealed and never
logged, seen only by verifiers until one makes it a report; others get the format."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.web.fixtures import csrf_of
from tocsin.incidents import (
    GatewaySettings,
    SmsNotUnderstood,
    body_signature,
    parse_sms,
    twilio_signature,
)
from tocsin.settings import Settings
from tocsin.store import KeyRing
from tocsin.web import WebSettings, rotate_identity_key

SECRET = "rapidpro-shared-secret-for-tests"
TWILIO_TOKEN = "twilio-auth-token-for-tests"
URL = "https://testserver/api/v1/intake/sms"


@pytest.fixture(autouse=True)
def gateway(app: FastAPI) -> None:
    app.state.intake_gateway = GatewaySettings(twilio_auth_token=TWILIO_TOKEN, shared_secret=SECRET)


@pytest.fixture
def gateway_client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="https://testserver")


def phone() -> str:
    return f"+23672{uuid.uuid4().int % 10**6:06d}"


def send_rapidpro(
    client: TestClient, payload: dict[str, Any], *, secret: str | None = SECRET, form: bool = False
) -> Any:
    body = urlencode(payload).encode() if form else json.dumps(payload).encode()
    headers = {"content-type": "application/x-www-form-urlencoded" if form else "application/json"}
    if secret is not None:
        headers["X-Tocsin-Signature"] = body_signature(secret, body)
    return client.post("/api/v1/intake/sms", content=body, headers=headers)


def send_twilio(client: TestClient, params: dict[str, str], *, token: str = TWILIO_TOKEN) -> Any:
    return client.post(
        "/api/v1/intake/sms",
        content=urlencode(params).encode(),
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": twilio_signature(token, URL, list(params.items())),
        },
    )


def _rows(app: FastAPI, sql: str, **params: Any) -> list[dict[str, Any]]:
    with app.state.tocsin.db.session() as session:
        return [dict(r._mapping) for r in session.execute(text(sql), params)]


def _drafts_of(app: FastAPI, message_id: str) -> list[dict[str, Any]]:
    return _rows(app, "SELECT * FROM incident_drafts WHERE message_id = :m", m=message_id)


def test_a_signed_message_becomes_one_draft_with_its_sender_sealed(
    app: FastAPI,
    gateway_client: TestClient,
    clients: dict[str, TestClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    number, message_id = phone(), str(uuid.uuid4())
    marker = uuid.uuid4().hex[:8]
    payload = {
        "id": message_id,
        "urn": f"tel:{number}",
        "text": f"REPORT CAF 2026-11-30 Bossangoa attack on village {marker}, 12 killed",
        "date": "2026-12-01T08:00:00Z",
    }
    n_field_events = len(_rows(app, "SELECT uid FROM events WHERE dataset = 'field'"))
    with caplog.at_level(logging.DEBUG):
        first = send_rapidpro(gateway_client, payload)
        again = send_rapidpro(gateway_client, payload)  # the gateway's retry
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "queued" and "received" in first.json()["reply"]
    assert again.json()["status"] == "duplicate"
    assert again.json()["draft"] == first.json()["draft"]
    assert number not in caplog.text
    [draft] = _drafts_of(app, message_id)
    assert draft["status"] == "pending" and draft["iso3"] == "CAF"
    assert draft["start_date"] in (date(2026, 11, 30), "2026-11-30")
    assert number not in json.dumps(draft, default=str)  # the number is ciphertext
    opened = app.state.tocsin.key_ring.decrypt(
        draft["sender_key_id"],
        draft["sender_ciphertext"],
        context=f"incident-draft:{draft['public_id']}",
    )
    assert opened == {"sender": number}
    # a draft is no report: no list of reports, no event shows it
    for username in ("admin", "monitor"):
        listed = clients[username].get("/api/v1/reports", params={"q": marker}).json()
        assert listed["total"] == 0
    assert len(_rows(app, "SELECT uid FROM events WHERE dataset = 'field'")) == n_field_events
    # verifiers see it in the queue, without the sender; nobody else does
    queue = clients["analyst"].get("/api/v1/intake/drafts")
    assert queue.status_code == 200
    [shown] = [d for d in queue.json()["items"] if d["id"] == draft["public_id"]]
    assert marker in shown["text"] and number not in queue.text
    for username in ("reviewer", "monitor", "viewer"):
        assert clients[username].get("/api/v1/intake/drafts").status_code == 403


def test_unsigned_and_badly_signed_deliveries_are_refused_and_audited(
    app: FastAPI, gateway_client: TestClient
) -> None:
    message_id = str(uuid.uuid4())
    payload = {"id": message_id, "from": phone(), "text": "REPORT CAF 2026-11-30 Attack"}
    before = len(_rows(app, "SELECT id FROM audit_log WHERE action = 'intake.sms.refused'"))
    unsigned = send_rapidpro(gateway_client, payload, secret=None)
    forged = send_rapidpro(gateway_client, payload, secret="not the secret")
    twilio_forged = send_twilio(
        gateway_client,
        {"MessageSid": "SM" + uuid.uuid4().hex, "From": phone(), "Body": "REPORT CAF 2026-11-30 x"},
        token="not the token",
    )
    with_a_token = gateway_client.post(
        "/api/v1/intake/sms", json=payload, headers={"Authorization": "Bearer tct_nothing"}
    )
    assert [r.status_code for r in (unsigned, forged, twilio_forged, with_a_token)] == [403] * 4
    assert "unsigned" in unsigned.json()["detail"]
    assert "bad signature" in forged.json()["detail"]
    assert not _drafts_of(app, message_id)
    refusals = _rows(app, "SELECT * FROM audit_log WHERE action = 'intake.sms.refused'")
    assert len(refusals) == before + 4
    # a tampered body fails the signature made for the original
    body = json.dumps(payload).encode()
    tampered = gateway_client.post(
        "/api/v1/intake/sms",
        content=body.replace(b"CAF", b"SDN"),
        headers={
            "content-type": "application/json",
            "X-Tocsin-Signature": body_signature(SECRET, body),
        },
    )
    assert tampered.status_code == 403


def test_twilio_deliveries_are_answered_in_twiml(app: FastAPI, gateway_client: TestClient) -> None:
    sid, number = "SM" + uuid.uuid4().hex, phone()
    params = {
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": number,
        "To": "+15005550006",
        "Body": "rapport caf 29/11/2026 Paoua: village pillé",
        "NumMedia": "0",
    }
    answer = send_twilio(gateway_client, params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    assert answer.text.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    assert "received" in answer.text
    assert send_twilio(gateway_client, params).status_code == 200  # a retry
    [draft] = _drafts_of(app, sid)
    assert draft["channel"] == "twilio" and draft["text"] == "Paoua: village pillé"
    assert number not in json.dumps(draft, default=str)


def test_a_message_out_of_the_grammar_is_told_the_format(
    app: FastAPI, gateway_client: TestClient
) -> None:
    for text_sent, problem in (
        ("Help, there was an attack", "must start with REPORT"),
        ("REPORT CAF", "missing"),
        ("REPORT XYZ 2026-11-30 attack", "Unknown country code 'XYZ'"),
        ("REPORT CAF 31/02/2026 attack", "is not a date"),
        ("REPORT CAF 2099-01-01 attack", "in the future"),
    ):
        message_id = str(uuid.uuid4())
        answer = send_rapidpro(
            gateway_client,
            {"uuid": message_id, "from": phone(), "text": text_sent},
            form=True,
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "not_understood"
        assert problem in answer.json()["reply"], text_sent
        assert "REPORT <country code> <date YYYY-MM-DD> <what happened>" in answer.json()["reply"]
        assert not _drafts_of(app, message_id)
    missing_id = send_rapidpro(gateway_client, {"from": phone(), "text": "REPORT CAF"})
    assert missing_id.status_code == 400
    with_nul = send_rapidpro(
        gateway_client, {"id": "m\x00", "from": phone(), "text": "REPORT CAF 2026-11-30 x\x00"}
    )
    assert with_nul.status_code == 400 and "NUL" in with_nul.json()["detail"]


def test_a_verifier_makes_a_draft_a_report_with_the_sender_among_the_sources(
    app: FastAPI, gateway_client: TestClient, clients: dict[str, TestClient]
) -> None:
    number, message_id, marker = phone(), str(uuid.uuid4()), uuid.uuid4().hex[:8]
    queued = send_rapidpro(
        gateway_client,
        {"id": message_id, "from": number, "text": f"REPORT CAF 2026-11-30 Attack {marker}"},
    ).json()
    analyst = clients["analyst"]
    headers = {"X-CSRF-Token": csrf_of(analyst)}
    report = {
        "iso3": "CAF",
        "start_date": "2026-11-30",
        "event_type": "attack_on_civilians",
        "location": "Bossangoa",
        "narrative": f"Attack {marker}",
        "fatalities_best": 12,
    }
    path = f"/api/v1/intake/drafts/{queued['draft']}"
    made = analyst.post(f"{path}/verify", json=report, headers=headers)
    assert made.status_code == 201, made.text
    assert made.json()["sensitivity"] == "restricted" and made.json()["has_identities"]
    assert number not in made.text
    shown = analyst.get(f"/api/v1/reports/{made.json()['id']}", params={"identities": True})
    assert shown.json()["identities"]["sources"] == [number]
    assert analyst.post(f"{path}/verify", json=report, headers=headers).status_code == 409
    [draft] = _drafts_of(app, message_id)
    assert draft["status"] == "verified" and draft["report_id"] is not None
    # a monitor may not verify; a draft can also be turned down
    other = send_rapidpro(
        gateway_client,
        {"id": str(uuid.uuid4()), "from": phone(), "text": "REPORT CAF 2026-11-30 Rumour"},
    ).json()
    monitor = clients["monitor"]
    refused = monitor.post(
        f"/api/v1/intake/drafts/{other['draft']}/reject",
        headers={"X-CSRF-Token": csrf_of(monitor)},
    )
    assert refused.status_code == 403
    rejected = analyst.post(f"/api/v1/intake/drafts/{other['draft']}/reject", headers=headers)
    assert rejected.status_code == 204
    pending = analyst.get("/api/v1/intake/drafts").json()["items"]
    assert other["draft"] not in {d["id"] for d in pending}


def test_the_grammar_reads_both_date_forms_and_refuses_the_rest() -> None:
    known = {"CAF", "SDN"}.__contains__
    found = parse_sms(
        "REPORT sdn 2026-12-01  El Fasher shelling", is_country=known, today=date(2026, 12, 1)
    )
    assert (found.iso3, found.start_date, found.text) == (
        "SDN",
        date(2026, 12, 1),
        "El Fasher shelling",
    )
    with pytest.raises(SmsNotUnderstood, match="Say what happened"):
        parse_sms("REPORT CAF 2026-11-30 ..", is_country=known, today=date(2026, 12, 1))


def test_rotating_the_key_reseals_the_senders_of_queued_drafts(
    app: FastAPI, gateway_client: TestClient, settings: Settings, web_settings: WebSettings
) -> None:
    number, message_id = phone(), str(uuid.uuid4())
    send_rapidpro(
        gateway_client, {"id": message_id, "from": number, "text": "REPORT CAF 2026-11-30 Raid"}
    )
    result = rotate_identity_key(settings, web_settings, now=datetime.now(UTC), settle_seconds=0)
    after = KeyRing.from_json(web_settings.key_file(settings).read_text(), origin="test")
    assert set(after.keys) == {result.new_key_id}
    app.state.tocsin.key_ring = after  # a running server reloads the ring on restart
    [draft] = _drafts_of(app, message_id)
    assert draft["sender_key_id"] == result.new_key_id
    opened = after.decrypt(
        draft["sender_key_id"],
        draft["sender_ciphertext"],
        context=f"incident-draft:{draft['public_id']}",
    )
    assert opened == {"sender": number}
