"""Field intake: submissions of the incident report form pulled from KoboToolbox and ODK
Central, each made a report once.

The form is :func:`tocsin.incidents.incident_xlsform`'s; a submission names its answers
by the form's fields (``identities/witnesses`` inside the identities group; Kobo writes
group paths, ODK's OData nests objects: both are read as paths). One function,
:func:`submission_report`, makes a submission an :class:`IncidentReportIn`.

Each submission is stored in a transaction of its own through
:func:`tocsin.incidents.submit_report`, under the idempotency key ``field:<instanceID>``
(the id the phone gave the filled form), so a second pull, a retried one or the same
form sent to both servers never makes two reports; identities are sealed on arrival. A
submission that does not map (a bad date, an unknown country) is reported with its id and
field and stores nothing; the others are imported. The newest submission time is kept per
form (``incident_intake_cursors``), but never past a submission that failed: the next pull
asks the server only for newer ones, and tries the failed one again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import ValidationError

from tocsin.errors import TocsinError
from tocsin.incidents._reports import (
    IdempotencyKeyReused,
    IncidentReportIn,
    UnknownCountry,
    submit_report,
)
from tocsin.incidents._store import get_intake_cursor, report_owner_of_key, set_intake_cursor
from tocsin.incidents._xlsform import IDENTITIES_GROUP
from tocsin.store import Database, KeyRing, audit

if TYPE_CHECKING:
    from tocsin.web import Principal

#: Answers every Kobo or ODK submission carries besides the form's own.
_METADATA = frozenset(
    {"start", "end", "today", "deviceid", "username", "phonenumber", "simserial", "audit"}
)
_METADATA_GROUPS = frozenset({"meta", "formhub"})
PAGE_SIZE = 500


class IntakeError(TocsinError):
    """A pull that could not be made (the server refused it, or answered nonsense)."""


@dataclass(frozen=True)
class FieldSubmission:
    """One filled form as a server holds it."""

    source: str  # "kobo" | "odk"
    submission_id: str  # the instanceID, without its "uuid:" prefix
    submitted_at: str  # as the server wrote it (handed back to its filter)
    answers: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class SubmissionProblem:
    """Why one submission was not imported: its id, the form's field and the reason."""

    submission_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"submission {self.submission_id}: {self.field}: {self.message}"


@dataclass
class PullResult:
    """What one pull did."""

    source: str
    form_key: str
    n_fetched: int = 0
    n_created: int = 0
    n_repeated: int = 0
    created: list[str] = field(default_factory=list)  # public ids of the new reports
    problems: list[SubmissionProblem] = field(default_factory=list)
    since: str | None = None
    cursor: str | None = None


def _paths(answers: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name, value in answers.items():
        path = f"{prefix}{name}"
        if isinstance(value, Mapping):
            yield from _paths(value, f"{path}/")
        else:
            yield path, value


def submission_report(answers: Mapping[str, Any], *, submission_id: str) -> IncidentReportIn:
    """The report a submission of the incident form holds.

    Raises :class:`SubmissionRefused` (one :class:`SubmissionProblem` per field, named as
    the form names it: ``identities/witnesses``) if it does not make one.

    Group paths are read by their last name (a form edited in Kobo may put questions in
    groups of its own), except the identities group's; metadata (``_id``, ``meta/…``,
    ``__system``) is left out.

    Examples
    --------
    >>> report = submission_report(
    ...     {"_id": 7, "iso3": "CAF", "start_date": "2026-11-30", "event_type": "killing",
    ...      "fatalities_best": "12", "identities/witnesses": "A\\nB"},
    ...     submission_id="x",
    ... )
    >>> report.fatalities_best, report.identities.witnesses
    (12, ['A', 'B'])
    """
    values: dict[str, Any] = {}
    identities: dict[str, Any] = {}
    for path, value in _paths(answers):
        parts = path.split("/")
        if parts[0].startswith("_") or parts[0] in _METADATA_GROUPS or path in _METADATA:
            continue
        if value in ("", None):
            continue
        if len(parts) > 1 and parts[-2] == IDENTITIES_GROUP:
            identities[parts[-1]] = value
        else:
            values[parts[-1]] = value
    values["identities"] = identities
    try:
        return IncidentReportIn.model_validate(values)
    except ValidationError as error:
        raise SubmissionRefused(
            [
                SubmissionProblem(
                    submission_id,
                    "/".join(str(part) for part in problem["loc"]) or "(form)",
                    problem["msg"],
                )
                for problem in error.errors()
            ]
        ) from None


class SubmissionRefused(ValueError):
    """A submission that does not make a report, and why (one problem per field)."""

    def __init__(self, problems: list[SubmissionProblem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def _instance_id(value: Any) -> str:
    text = str(value or "")
    return text.removeprefix("uuid:")


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _get_json(client: httpx.Client, url: str, params: Mapping[str, Any] | None) -> Any:
    try:
        response = client.get(url, params=params)
    except httpx.HTTPError as error:
        raise IntakeError(
            f"could not reach {httpx.URL(url).host}: {type(error).__name__}",
            fix="check --server and the network",
        ) from None
    if response.status_code in (401, 403):
        raise IntakeError(
            f"{httpx.URL(url).host} refused the credentials ({response.status_code})",
            fix="check the token, user or password in the environment",
        )
    if response.status_code != 200:
        raise IntakeError(
            f"{httpx.URL(url).host} answered {response.status_code} to {httpx.URL(url).path}",
            fix="check --server and the form's id",
        )
    try:
        return response.json()
    except ValueError:
        raise IntakeError(f"{httpx.URL(url).host} did not answer JSON") from None


def fetch_kobo_submissions(
    client: httpx.Client, server: str, asset_uid: str, *, since: str | None
) -> list[FieldSubmission]:
    """Every submission of a Kobo form (API v2) after ``since``, following ``next`` pages.

    ``client`` carries the ``Authorization: Token …`` header.
    """
    url = f"{server.rstrip('/')}/api/v2/assets/{asset_uid}/data/"
    params: dict[str, Any] | None = {"format": "json", "limit": PAGE_SIZE}
    if since is not None:
        assert params is not None
        params["query"] = json.dumps({"_submission_time": {"$gt": since}})
    found = []
    next_url: str | None = url
    while next_url:
        page = _get_json(client, next_url, params)
        params = None  # the next URL carries the query and the offset
        if not isinstance(page, dict) or not isinstance(page.get("results"), list):
            raise IntakeError("Kobo's answer holds no 'results' list")
        for item in page["results"]:
            instance = _instance_id(item.get("_uuid") or item.get("meta/instanceID"))
            found.append(
                FieldSubmission("kobo", instance, str(item.get("_submission_time", "")), item)
            )
        next_url = page.get("next")
    return found


def fetch_odk_submissions(
    client: httpx.Client, server: str, project: int, form_id: str, *, since: str | None
) -> list[FieldSubmission]:
    """Every submission of an ODK Central form (OData) after ``since``, page by page."""
    url = f"{server.rstrip('/')}/v1/projects/{project}/forms/{form_id}.svc/Submissions"
    params: dict[str, Any] | None = {"$top": PAGE_SIZE}
    if since is not None:
        assert params is not None
        params["$filter"] = f"__system/submissionDate gt {since}"
    found = []
    next_url: str | None = url
    while next_url:
        page = _get_json(client, next_url, params)
        params = None
        if not isinstance(page, dict) or not isinstance(page.get("value"), list):
            raise IntakeError("ODK Central's answer holds no 'value' list")
        for item in page["value"]:
            system = item.get("__system") or {}
            found.append(
                FieldSubmission(
                    "odk",
                    _instance_id(item.get("__id")),
                    str(system.get("submissionDate", "")),
                    item,
                )
            )
        next_url = page.get("@odata.nextLink")
    return found


def import_submissions(
    db: Database,
    key_ring: KeyRing,
    principal: Principal,
    submissions: list[FieldSubmission],
    *,
    source: str,
    form_key: str,
    since: str | None,
    now: datetime,
) -> PullResult:
    """Make each submission a report (each in its own transaction), then move the cursor."""
    result = PullResult(source, form_key, n_fetched=len(submissions), since=since)
    failed_at: list[datetime] = []
    done_at: list[tuple[datetime, str]] = []
    for submission in sorted(submissions, key=lambda s: s.submitted_at):
        problems = _import_one(db, key_ring, principal, submission, result, now=now)
        try:
            at: datetime | None = _time(submission.submitted_at)
        except ValueError:
            at = None  # a time the server's filter could not take back: the cursor stays
        if problems:
            result.problems += problems
            if at is not None:
                failed_at.append(at)
        elif at is not None:
            done_at.append((at, submission.submitted_at))
    first_failure = min(failed_at) if failed_at else None
    safe = [(at, raw) for at, raw in done_at if first_failure is None or at < first_failure]
    result.cursor = max(safe)[1] if safe else since
    with db.session() as session:
        if result.cursor is not None and result.cursor != since:
            set_intake_cursor(session, source, form_key, result.cursor, now=now)
        audit(
            session,
            actor=principal.actor,
            action="intake.pull",
            target=f"{source}:{form_key}",
            now=now,
            details={
                "n_fetched": result.n_fetched,
                "n_created": result.n_created,
                "n_problems": len(result.problems),
            },
        )
    return result


def _import_one(
    db: Database,
    key_ring: KeyRing,
    principal: Principal,
    submission: FieldSubmission,
    result: PullResult,
    *,
    now: datetime,
) -> list[SubmissionProblem]:
    sid = submission.submission_id
    if not sid:
        return [SubmissionProblem("(none)", "__id/_uuid", "the submission has no instance id")]
    key = f"field:{sid}"[:80]
    try:
        report = submission_report(submission.answers, submission_id=sid)
        with db.session() as session:  # one submission, one transaction: none is half stored
            owner = report_owner_of_key(session, key)
            if owner is not None and owner != principal.user.id:
                result.n_repeated += 1  # imported before, under another account
                return []
            stored, created = submit_report(
                session, key_ring, principal, report, idempotency_key=key, now=now
            )
    except SubmissionRefused as refused:
        return refused.problems
    except UnknownCountry:
        return [SubmissionProblem(sid, "iso3", "the database holds no such country")]
    except IdempotencyKeyReused:
        return [
            SubmissionProblem(
                sid, "(submission)", "edited after it was imported: the edit is not applied"
            )
        ]
    if created:
        result.n_created += 1
        result.created.append(stored.public_id)
    else:
        result.n_repeated += 1
    return []


def _pull(
    db: Database,
    key_ring: KeyRing,
    principal: Principal,
    *,
    source: str,
    form_key: str,
    fetch: Callable[[str | None], list[FieldSubmission]],
    now: datetime,
) -> PullResult:
    with db.session() as session:
        since = get_intake_cursor(session, source, form_key)
    return import_submissions(
        db,
        key_ring,
        principal,
        fetch(since),
        source=source,
        form_key=form_key,
        since=since,
        now=now,
    )


def pull_kobo(
    db: Database,
    key_ring: KeyRing,
    principal: Principal,
    *,
    server: str,
    asset_uid: str,
    token: str,
    now: datetime,
    timeout: float = 60,
) -> PullResult:
    """Import the submissions of a KoboToolbox form made since its last pull."""
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    with httpx.Client(headers=headers, timeout=timeout, follow_redirects=False) as client:
        return _pull(
            db,
            key_ring,
            principal,
            source="kobo",
            form_key=f"{server.rstrip('/')}/{asset_uid}",
            fetch=lambda since: fetch_kobo_submissions(client, server, asset_uid, since=since),
            now=now,
        )


def pull_odk(
    db: Database,
    key_ring: KeyRing,
    principal: Principal,
    *,
    server: str,
    project: int,
    form_id: str,
    user: str | None = None,
    password: str | None = None,
    bearer_token: str | None = None,
    now: datetime,
    timeout: float = 60,
) -> PullResult:
    """Import the submissions of an ODK Central form made since its last pull.

    Signs in with ``user`` and ``password`` (HTTP basic) or a session ``bearer_token``.
    """
    auth: httpx.Auth | None = None
    headers = {"Accept": "application/json"}
    if bearer_token:
        headers["Authorization"] = f"Bearer {bearer_token}"
    elif user and password:
        auth = httpx.BasicAuth(user, password)
    else:
        raise IntakeError(
            "no ODK Central credentials",
            fix="set TOCSIN_ODK_USER and TOCSIN_ODK_PASSWORD (or TOCSIN_ODK_TOKEN)",
        )
    with httpx.Client(
        headers=headers, auth=auth, timeout=timeout, follow_redirects=False
    ) as client:
        return _pull(
            db,
            key_ring,
            principal,
            source="odk",
            form_key=f"{server.rstrip('/')}/{project}/{form_id}",
            fetch=lambda since: fetch_odk_submissions(
                client, server, project, form_id, since=since
            ),
            now=now,
        )
