"""Drafts and comments of assessments are the team's work: read only by the roles that
edit, review or comment (``assessment:draft:read``), by session and by API token, on
every route that shows an assessment, on SQLite and PostgreSQL. Everyone else reads
approved versions, without comments, and no Signal they may not see."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.fixtures import csrf_of, response_text

#: The restricted Signal of the web fixtures (CAF, tagged RF1, January 2025).
RESTRICTED = "Kaga-Bandoro"


@dataclass(frozen=True)
class Planted:
    draft: int  # an assessment of SDN still in draft
    approved: int  # one of CAF, approved, commented on while it was a draft
    draft_text: str  # its title, a rating's rationale and a comment carry this
    comment_text: str  # the approved one's comment


def _api(client: TestClient) -> TestClient:
    client.headers["x-csrf-token"] = csrf_of(client)
    return client


@pytest.fixture(scope="module")
def planted(clients: dict[str, TestClient]) -> Planted:
    analyst, reviewer = _api(clients["analyst"]), _api(clients["reviewer"])
    draft_text = f"DraftWork-{uuid.uuid4().hex[:8]}"
    comment_text = f"TeamComment-{uuid.uuid4().hex[:8]}"

    def create(title: str, iso3: str) -> int:
        body = {
            "iso3": iso3,
            "title": title,
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        }
        response = analyst.post("/api/v1/assessments", json=body)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    draft = create(f"{draft_text} title", "SDN")
    rated = analyst.put(
        f"/api/v1/assessments/{draft}/indicators/1.1",
        json={"rating": "high", "rationale": f"{draft_text} rationale"},
    )
    assert rated.status_code == 200, rated.text
    said = analyst.post(
        f"/api/v1/assessments/{draft}/comments",
        json={"target": "general", "text": f"{draft_text} comment"},
    )
    assert said.status_code == 201, said.text
    approved = create("CAR approved", "CAF")
    assert analyst.put(
        f"/api/v1/assessments/{approved}/indicators/1.1",
        json={"rating": "moderate", "rationale": "reported attacks"},
    ).is_success
    said = reviewer.post(
        f"/api/v1/assessments/{approved}/comments",
        json={"target": "general", "text": comment_text},
    )
    assert said.status_code == 201, said.text
    assert analyst.post(f"/api/v1/assessments/{approved}/submit").is_success
    assert reviewer.post(f"/api/v1/assessments/{approved}/approve").is_success
    return Planted(draft, approved, draft_text, comment_text)


def _token(client: TestClient, scopes: list[str]) -> str:
    page = client.post(
        "/account/tokens",
        data={"name": "t", "scopes": scopes, "csrf_token": csrf_of(client)},
    ).text
    start = page.index("tct_")
    return page[start : page.index("<", start)]


@pytest.fixture(scope="module")
def callers(app: FastAPI, clients: dict[str, TestClient]) -> Iterator[dict[str, Any]]:
    """Each role by session, and by a token of scope ``read`` (and an analyst's token that
    may only write assessments)."""
    out: dict[str, Any] = {}
    for username in ("admin", "analyst", "reviewer", "monitor", "viewer"):
        out[f"{username} (session)"] = clients[username]
        token = TestClient(app, base_url="https://testserver")
        token.headers["Authorization"] = f"Bearer {_token(clients[username], ['read'])}"
        out[f"{username} (token)"] = token
    writer = TestClient(app, base_url="https://testserver")
    scopes = ["read", "assessments:write"]
    writer.headers["Authorization"] = f"Bearer {_token(clients['analyst'], scopes)}"
    out["analyst (write token)"] = writer
    yield out


def _routes(p: Planted) -> dict[str, list[str]]:
    """The routes that show an assessment: those of the draft, and the lists."""
    draft, ok = p.draft, p.approved
    return {
        "draft": [
            f"/api/v1/assessments/{draft}",
            f"/api/v1/assessments/{draft}?version=1",
            f"/api/v1/assessments/{draft}/versions",
            f"/api/v1/assessments/{draft}/compare?from=1",
            f"/api/v1/assessments/{draft}/suggestions",
            f"/api/v1/assessments/{draft}/export",
            f"/assessments/{draft}/report",
            f"/assessments/{draft}/report.pdf",
            f"/assessments/{draft}/brief.pdf",
            f"/api/v1/assessments/{ok}/compare?other={draft}",
            f"/api/v1/assessments/{ok}?version=1",  # the approved one's own draft version
            f"/api/v1/assessments/{ok}/compare?from=1",
        ],
        "lists": [
            "/api/v1/assessments",
            "/api/v1/assessments?country=SDN",
            "/assessments",
            "/assessments.json",
        ],
        "approved": [
            f"/api/v1/assessments/{ok}",
            f"/api/v1/assessments/{ok}/versions",
            f"/api/v1/assessments/{ok}/suggestions",
            f"/api/v1/assessments/{ok}/export",
            f"/assessments/{ok}/report",
            f"/assessments/{ok}/report.pdf",
            f"/assessments/{ok}/brief.pdf",
        ],
    }


def _may_read_drafts(caller: str) -> bool:
    return caller.split()[0] in {"admin", "analyst", "reviewer"}


def _asks(caller: str, path: str) -> bool:
    """Whether ``caller`` asks for ``path``: the PDFs (half a second each to build and
    read back) by each role's session and one token; their HTML twin, built from the same
    report and behind the same permission, by every caller."""
    return not path.endswith(".pdf") or caller.endswith("(session)") or caller == "viewer (token)"


def test_drafts_and_comments_are_read_only_by_who_edits_reviews_or_comments(
    planted: Planted, callers: dict[str, TestClient]
) -> None:
    routes = _routes(planted)
    for caller, client in callers.items():
        drafts = _may_read_drafts(caller)
        for path in (p for p in routes["draft"] if _asks(caller, p)):
            response = client.get(path)
            assert response.status_code == (200 if drafts else 404), (caller, path)
        for path in routes["lists"]:  # the draft is listed to those who may read it
            response = client.get(path)
            assert response.status_code == 200, (caller, path)
            assert (planted.draft_text in response.text) == drafts, (caller, path)
        for path in (p for p in routes["approved"] if _asks(caller, p)):
            response = client.get(path)
            assert response.status_code == 200, (caller, path)
            assert planted.draft_text not in response_text(response), (caller, path)
        for path in (f"/api/v1/assessments/{planted.approved}", routes["approved"][3]):
            text = client.get(path).text
            assert (planted.comment_text in text) == drafts, (caller, path)
        # the draft's own view shows its comment to those who may read it
        if drafts:
            view = client.get(f"/api/v1/assessments/{planted.draft}").json()
            assert [c["text"] for c in view["assessment"]["comments"]] == [
                f"{planted.draft_text} comment"
            ]


def test_the_country_page_shows_a_draft_only_to_who_may_read_drafts(
    planted: Planted, callers: dict[str, TestClient]
) -> None:
    for caller, client in callers.items():
        sections = client.get("/api/v1/countries/SDN").json()["sections"]
        if _may_read_drafts(caller):
            assert sections["assessment"]["assessment_id"] == planted.draft, caller
        else:
            assert "assessment" not in sections, caller
        page = client.get("/countries/SDN")
        assert page.status_code == 200
        assert (planted.draft_text in page.text) == _may_read_drafts(caller), caller
        section = client.get("/api/v1/countries/CAF").json()["sections"]["assessment"]
        assert section["assessment_id"] == planted.approved, caller


def test_suggestions_offer_only_signals_the_caller_may_see(
    planted: Planted, callers: dict[str, TestClient]
) -> None:
    path = f"/api/v1/assessments/{planted.approved}/suggestions"
    for caller, client in callers.items():
        summaries = [s["summary"] for s in client.get(path).json()]
        assert summaries, caller  # the public Signal is offered to everyone
        seen = any(RESTRICTED in s for s in summaries)
        # restricted Signals: admins and analysts, a token only with the identities scope
        assert seen == (caller in {"admin (session)", "analyst (session)"}), caller
