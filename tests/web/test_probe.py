"""The leak probe: every GET route of the app (its OpenAPI document and its pages), asked
by every role through a session and through API tokens of several scopes, and by nobody,
after planting identities and content of every sensitivity. It fails on any planted
string shown to a caller the access rules (docs/web.md, "Access control") keep it from,
and on any 500. On SQLite and PostgreSQL, one application each.

Path parameters are filled from the planted objects (each report, the draft and the
approved assessment, the alert, the country); a route with a parameter nothing planted
fills is asked with ``1``, which must answer without a 500.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import product
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tocsin.alerts import (
    RecipientCreate,
    RuleCreate,
    SpeechSurge,
    add_recipient,
    add_rule,
    run_alert_pass,
)
from tocsin.domain import Provenance, Sensitivity, Signal, SignalKind
from tocsin.framework import load_catalogue
from tocsin.store import record_signals
from tocsin.web import PERMISSIONS, SCOPES, route_permissions

from .fixtures import NOW, USERS, csrf_of, response_text

TOKEN_SCOPES: dict[str, list[str]] = {
    "read": ["read"],
    "read+reports": ["read", "reports:read"],
    "all": sorted(SCOPES),
}


@dataclass(frozen=True)
class Caller:
    """Who asks: a user by session or token (with scopes), or nobody."""

    name: str
    username: str | None
    via: str  # "session", "token", "anonymous"
    scopes: tuple[str, ...] = ()

    @property
    def role(self) -> str | None:
        return USERS.get(self.username or "")

    def can(self, permission: str) -> bool:
        """The permission table and the scopes, as docs/web.md states them."""
        if self.role is None or self.role not in PERMISSIONS[permission]:
            return False
        return self.via == "session" or any(permission in SCOPES[s] for s in self.scopes)


def _reads_report(roles: set[str]) -> Callable[[Caller], bool]:
    """Who reads a report the first monitor filed: ``roles`` (who read every report of
    its sensitivity) and that monitor, with ``report:read``."""
    return lambda c: c.can("report:read") and (c.role in roles or c.username == "monitor")


RULES: dict[str, Callable[[Caller], bool]] = {
    "identity": lambda c: c.can("identity:read") and c.can("report:read"),
    "restricted report": _reads_report({"admin", "analyst"}),
    "internal report": _reads_report({"admin", "analyst", "reviewer"}),
    # Signals: restricted to admins and analysts (a token: with identity:read), internal
    # to every staff role
    "restricted signal": lambda c: c.can("identity:read"),
    "internal signal": lambda c: c.role is not None and c.role != "viewer",
    "draft": lambda c: c.can("assessment:draft:read"),
}


@dataclass
class Planted:
    strings: dict[str, str] = field(default_factory=dict)  # text -> rule
    params: dict[str, list[str]] = field(default_factory=dict)  # path parameter -> values
    extra_paths: list[str] = field(default_factory=list)

    def plant(self, rule: str, label: str) -> str:
        text = f"{label}-{uuid.uuid4().hex[:10]}"
        self.strings[text] = rule
        return text


def _report(post_form: Any, clients: dict[str, TestClient], p: Planted, sensitivity: str) -> str:
    rule = "identity"
    content = f"{sensitivity} report" if sensitivity != "public" else None
    fields: dict[str, object] = {
        "iso3": "CAF",
        "start_date": "2025-01-20",
        "event_type": "killing",
        "perpetrator_kind": "militia",
        "victim_kind": "civilians",
        "fatalities_best": "3",
        "sensitivity": sensitivity,
        "idempotency_key": uuid.uuid4().hex,
        "victims": p.plant(rule, "Victim"),
        "witnesses": p.plant(rule, "Witness"),
        "sources": p.plant(rule, "SourceName"),
    }
    files = None
    if content is not None:
        fields["location"] = p.plant(content, "Place")
        fields["narrative"] = p.plant(content, "Narrative")
        fields["perpetrator"] = p.plant(content, "Perpetrator")
        note = p.plant(content, "FileText")
        files = [
            ("attachments", (f"{p.plant(content, 'FileName')}.txt", note.encode(), "text/plain"))
        ]
    response = post_form("monitor", "/reports", fields, files=files, follow_redirects=False)
    assert response.status_code == 303, response.text
    public_id = str(response.headers["location"]).rsplit("/", 1)[1]
    shown = clients["admin"].get(f"/api/v1/reports/{public_id}").json()
    p.extra_paths += [a["url"] for a in shown["attachments"]]
    p.extra_paths += [f"/reports/{public_id}?identities=true"]
    p.extra_paths += [f"/api/v1/reports/{public_id}?identities=true"]
    return public_id


def _signal(summary: str, sensitivity: Sensitivity, kind: SignalKind) -> Signal:
    return Signal(
        iso3="CAF",
        kind=kind,
        start_date=date(2025, 1, 20),
        end_date=date(2025, 1, 20),
        framework_codes=["RF1"],
        strength=0.9,
        summary=summary,
        provenance=Provenance(capability="tests", producer=f"probe-{sensitivity.value}"),
        sensitivity=sensitivity,
    )


def _assessments(clients: dict[str, TestClient], p: Planted) -> list[str]:
    analyst, reviewer = clients["analyst"], clients["reviewer"]
    headers = {"x-csrf-token": csrf_of(analyst)}
    review = {"x-csrf-token": csrf_of(reviewer)}

    def create(title: str) -> int:
        period = {"period_start": "2025-01-01", "period_end": "2025-12-31"}
        body = {"iso3": "CAF", "title": title, **period}
        response = analyst.post("/api/v1/assessments", json=body, headers=headers)
        assert response.status_code == 201, response.text
        ident = int(response.json()["id"])
        rated = analyst.put(
            f"/api/v1/assessments/{ident}/indicators/1.1",
            json={"rating": "high", "rationale": f"{title} rationale"},
            headers=headers,
        )
        assert rated.status_code == 200, rated.text
        return ident

    draft = create(p.plant("draft", "DraftTitle"))
    comment = {"target": "general", "text": p.plant("draft", "DraftComment")}
    assert analyst.post(
        f"/api/v1/assessments/{draft}/comments", json=comment, headers=headers
    ).is_success
    approved = create("Approved CAR assessment")
    comment = {"target": "general", "text": p.plant("draft", "ReviewComment")}
    assert reviewer.post(
        f"/api/v1/assessments/{approved}/comments", json=comment, headers=review
    ).is_success
    assert analyst.post(f"/api/v1/assessments/{approved}/submit", headers=headers).is_success
    assert reviewer.post(f"/api/v1/assessments/{approved}/approve", headers=review).is_success
    return [str(draft), str(approved)]


@pytest.fixture(scope="module")
def planted(app: FastAPI, clients: dict[str, TestClient], post_form: Any) -> Planted:
    p = Planted()
    reports = [_report(post_form, clients, p, s) for s in ("restricted", "internal", "public")]
    internal = p.plant("internal signal", "InternalSignal")
    restricted = p.plant("restricted signal", "RestrictedSignal")
    with app.state.tocsin.db.session() as session:
        record_signals(
            session,
            [
                _signal(internal, Sensitivity.INTERNAL, SignalKind.SPEECH_SURGE),
                _signal(restricted, Sensitivity.RESTRICTED, SignalKind.TRIGGER_EVENT),
            ],
            now=NOW,
        )
        add_rule(session, RuleCreate(name="Probe", condition=SpeechSurge()), now=NOW)
        for username in USERS:
            recipient = RecipientCreate(name=username, username=username, channels=["inbox"])
            add_recipient(session, recipient, now=NOW)
        created = run_alert_pass(
            session, now=NOW, catalogue=load_catalogue(), base_url="https://testserver"
        ).created
    assert created, "the probe's alert was not raised"
    p.params = {
        "iso3": ["CAF"],
        "public_id": reports,
        "report_id": reports,
        "ident": _assessments(clients, p),
        "alert_id": [str(i) for i in created],
    }
    return p


@pytest.fixture(scope="module")
def callers(
    app: FastAPI, clients: dict[str, TestClient], post_form: Any
) -> dict[str, tuple[Caller, TestClient]]:
    out: dict[str, tuple[Caller, TestClient]] = {
        "anonymous": (
            Caller("anonymous", None, "anonymous"),
            TestClient(app, base_url="https://testserver"),
        )
    }
    for username in USERS:
        out[f"{username} (session)"] = (Caller(username, username, "session"), clients[username])
    # every role with a few sets of scopes, and the admin (who holds every permission)
    # with each scope alone
    tokens = list(product([u for u in USERS if u != "monitor2"], TOKEN_SCOPES.items()))
    tokens += [("admin", (f"only {scope}", [scope])) for scope in sorted(SCOPES)]
    for username, (label, scopes) in tokens:
        held = {p for p, roles in PERMISSIONS.items() if USERS[username] in roles}
        allowed = [s for s in scopes if SCOPES[s] & held]  # the scopes the role can use
        page = post_form(username, "/account/tokens", {"name": f"probe {label}", "scopes": allowed})
        found = re.search(r"tct_[A-Za-z0-9_\-]+", page.text)
        assert found, (username, label, page.status_code)
        client = TestClient(app, base_url="https://testserver")
        client.headers["Authorization"] = f"Bearer {found.group(0)}"
        name = f"{username} (token {label})"
        out[name] = (Caller(name, username, "token", tuple(allowed)), client)
    return out


def _paths(app: FastAPI, planted: Planted) -> list[str]:
    """Every GET route, its parameters filled from the planted objects."""
    templates = {path for (method, path) in route_permissions(app) if method == "GET"}
    templates |= {p for p, ops in app.openapi()["paths"].items() if "get" in ops}
    paths: list[str] = []
    for template in sorted(templates):
        names = re.findall(r"{(\w+)(?::\w+)?}", template)
        choices = [planted.params.get(n, ["1"]) for n in names]
        for values in product(*choices):
            path = template
            for name, value in zip(names, values, strict=True):
                path = re.sub(r"{" + name + r"(?::\w+)?}", value, path)
            paths.append(path)
    return paths + planted.extra_paths


def _slow(path: str) -> bool:
    """The assessment report pages and PDFs, which take a tenth of a second or more each
    to build: half of the walk's time when every caller asked for them."""
    return path.endswith((".pdf", "/report", "/brief"))


def _asks_slow_paths(name: str, caller: Caller) -> bool:
    """The callers who ask for the slow paths: anonymous, each role by session and by its
    least token (scope ``read``) — every other token's scopes lie between those two —
    except those who may read drafts too, of whom one (the admin's session) asks."""
    if RULES["draft"](caller):
        return name == "admin (session)"
    return name == "anonymous" or name.endswith(("(session)", "(token read)"))


def test_no_route_shows_a_caller_what_they_may_not_see(
    app: FastAPI, planted: Planted, callers: dict[str, tuple[Caller, TestClient]]
) -> None:
    paths = _paths(app, planted)
    assert len(paths) > 40  # the walk found the app's routes and the plug-ins'
    leaks: list[str] = []
    errors: list[str] = []
    for name, (caller, client) in callers.items():
        for path in paths:
            if _slow(path) and not _asks_slow_paths(name, caller):
                continue
            response = client.get(path, follow_redirects=False)
            if response.status_code >= 500:
                errors.append(f"{name} GET {path}: {response.status_code}")
                continue
            text = response_text(response)
            for planted_text, rule in planted.strings.items():
                if planted_text in text and not RULES[rule](caller):
                    leaks.append(f"{name} GET {path}: {rule} ({planted_text})")
    assert not errors, "\n".join(errors)
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(leaks)


def test_the_probe_sees_what_each_rule_allows(
    planted: Planted, callers: dict[str, tuple[Caller, TestClient]]
) -> None:
    """The planted strings are there to be found: who may see them does (so an empty
    list of leaks above means the rules held, not that nothing was shown)."""
    admin = callers["admin (session)"][1]
    restricted, internal, _public = planted.params["public_id"]
    found = admin.get(f"/api/v1/reports/{restricted}?identities=true").text
    found += admin.get(f"/api/v1/reports/{internal}").text
    found += admin.get("/api/v1/signals?limit=500").text
    found += admin.get(f"/api/v1/assessments/{planted.params['ident'][0]}").text
    found += admin.get(f"/api/v1/assessments/{planted.params['ident'][1]}").text
    for rule in RULES:
        texts = [t for t, r in planted.strings.items() if r == rule]
        assert texts and any(t in found for t in texts), rule
