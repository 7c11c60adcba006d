"""The web slice's tables and queries: users, sessions, API tokens, login attempts, and
the jobs of imports uploaded from the data page.

They keep what the web layer hands them: secrets (session and API tokens) arrive as
SHA-256 digests, TOTP secrets as ciphertext with the id of the key that made it. Other
slices that keep user ids (incident reports' owners) ask for their names with
:func:`usernames`, never reading these tables themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, defer, mapped_column

from tocsin.store import Base, EncryptedValue, UTCDateTime

ROLES = ("admin", "analyst", "reviewer", "monitor", "viewer")


class WebUserRow(Base):
    __tablename__ = "web_users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'analyst', 'reviewer', 'monitor', 'viewer')", name="role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(Text)
    totp_ciphertext: Mapped[str | None] = mapped_column(Text)
    totp_key_id: Mapped[str | None] = mapped_column(String(40))
    # RFC 6238 §5.2: the time step of the last code accepted, so a code is never used twice
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # the interface language chosen (tocsin.web._i18n.LANGUAGES); None: the browser's
    language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebSessionRow(Base):
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebApiTokenRow(Base):
    __tablename__ = "web_api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebLoginAttemptRow(Base):
    __tablename__ = "web_login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    client: Mapped[str] = mapped_column(String(80), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


IMPORT_JOB_STATES = ("queued", "parsing", "storing", "done", "refused", "failed")


class ImportJobRow(Base):
    """A file uploaded on the data page and its import, run in the background."""

    __tablename__ = "web_import_jobs"
    __table_args__ = (CheckConstraint(f"status IN {IMPORT_JOB_STATES}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # events | speech
    format: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(300))
    n_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    skip_invalid: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    n_rows: Mapped[int | None] = mapped_column(Integer)
    n_done: Mapped[int] = mapped_column(Integer, default=0)
    import_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    n_problems: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rejected_csv: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str] = mapped_column(String(120))  # host:pid running it
    created_by: Mapped[int] = mapped_column(ForeignKey("web_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# --- users ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredUser:
    """A user as stored; ``password_hash`` and the TOTP ciphertext never leave the web layer."""

    id: int
    username: str
    display_name: str
    role: str
    password_hash: str
    totp_ciphertext: str | None
    totp_key_id: str | None
    is_active: bool
    must_change_password: bool
    created_at: datetime
    language: str | None = None


def _user(row: WebUserRow) -> StoredUser:
    return StoredUser(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        password_hash=row.password_hash,
        totp_ciphertext=row.totp_ciphertext,
        totp_key_id=row.totp_key_id,
        is_active=row.is_active,
        must_change_password=row.must_change_password,
        created_at=row.created_at,
        language=row.language,
    )


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: str,
    password_hash: str,
    now: datetime,
    must_change_password: bool = False,
) -> StoredUser:
    """Add a user; the caller has hashed the password."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    row = WebUserRow(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=password_hash,
        is_active=True,
        must_change_password=must_change_password,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return _user(row)


def get_user(session: Session, user_id: int) -> StoredUser | None:
    row = session.get(WebUserRow, user_id)
    return _user(row) if row is not None else None


def get_user_by_username(session: Session, username: str) -> StoredUser | None:
    row = session.scalar(select(WebUserRow).where(WebUserRow.username == username))
    return _user(row) if row is not None else None


def list_users(session: Session) -> list[StoredUser]:
    return [_user(r) for r in session.scalars(select(WebUserRow).order_by(WebUserRow.username))]


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(WebUserRow)) or 0)


_UNSET: Any = object()


def update_user(
    session: Session,
    user_id: int,
    *,
    now: datetime,
    role: str | None = None,
    password_hash: str | None = None,
    is_active: bool | None = None,
    must_change_password: bool | None = None,
    totp: tuple[str, str] | None = _UNSET,
    language: str | None = _UNSET,
) -> StoredUser:
    """Change a user; ``totp=(ciphertext, key_id)`` sets the second factor, ``None`` clears it;
    ``language`` sets the interface language, ``None`` leaves it to the browser."""
    row = session.get(WebUserRow, user_id)
    if row is None:
        raise LookupError(f"no user {user_id}")
    if role is not None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        row.role = role
    if password_hash is not None:
        row.password_hash = password_hash
    if is_active is not None:
        row.is_active = is_active
    if must_change_password is not None:
        row.must_change_password = must_change_password
    if totp is not _UNSET:
        row.totp_ciphertext, row.totp_key_id = totp if totp else (None, None)
        row.totp_last_step = None
    if language is not _UNSET:
        row.language = language
    row.updated_at = now
    session.flush()
    return _user(row)


# --- sessions, tokens, login attempts -----------------------------------------------------


@dataclass(frozen=True)
class StoredWebSession:
    id: int
    user_id: int
    csrf_token: str
    expires_at: datetime


def create_web_session(
    session: Session,
    *,
    user_id: int,
    token_sha: str,
    csrf_token: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    session.add(
        WebSessionRow(
            token_sha=token_sha,
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires_at,
        )
    )
    session.flush()


def get_web_session(
    session: Session, token_sha: str, *, now: datetime
) -> tuple[StoredWebSession, StoredUser] | None:
    """The live session with this token digest and its active user, else None."""
    found = session.execute(
        select(WebSessionRow, WebUserRow)
        .join(WebUserRow, WebUserRow.id == WebSessionRow.user_id)
        .where(WebSessionRow.token_sha == token_sha, WebSessionRow.expires_at > now)
        .where(WebUserRow.is_active.is_(True))
    ).first()
    if found is None:
        return None
    row, user = found
    return StoredWebSession(row.id, row.user_id, row.csrf_token, row.expires_at), _user(user)


def delete_web_sessions(
    session: Session, *, token_sha: str | None = None, user_id: int | None = None
) -> int:
    """End one session (by token digest) or all of a user's sessions."""
    query = delete(WebSessionRow)
    if token_sha is not None:
        query = query.where(WebSessionRow.token_sha == token_sha)
    elif user_id is not None:
        query = query.where(WebSessionRow.user_id == user_id)
    else:
        raise ValueError("give token_sha or user_id")
    return int(session.execute(query).rowcount or 0)  # type: ignore[attr-defined]


def end_other_sessions_and_revoke_tokens(
    session: Session, user_id: int, *, now: datetime, keep_token_sha: str | None = None
) -> tuple[int, int]:
    """End every session of a user but the one with ``keep_token_sha``, and revoke all their
    API tokens for good; return how many sessions ended and how many tokens were revoked.

    For a password change or reset: whoever held a session or token under the old password
    (possibly the reason for the change) must not keep it.
    """
    ended = delete(WebSessionRow).where(WebSessionRow.user_id == user_id)
    if keep_token_sha is not None:
        ended = ended.where(WebSessionRow.token_sha != keep_token_sha)
    n_sessions = int(session.execute(ended).rowcount or 0)  # type: ignore[attr-defined]
    revoked = (
        update(WebApiTokenRow)
        .where(WebApiTokenRow.user_id == user_id, WebApiTokenRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    n_tokens = int(session.execute(revoked).rowcount or 0)  # type: ignore[attr-defined]
    return n_sessions, n_tokens


def use_totp_step(session: Session, user_id: int, step: int) -> bool:
    """Record ``step`` as the user's last TOTP time step, unless it (or a later one) has
    been used already: then nothing changes and the answer is False.

    One conditional UPDATE, so two requests racing with the same code cannot both win.
    """
    used = (
        update(WebUserRow)
        .where(WebUserRow.id == user_id)
        .where(or_(WebUserRow.totp_last_step.is_(None), WebUserRow.totp_last_step < step))
        .values(totp_last_step=step)
    )
    return bool(session.execute(used).rowcount)  # type: ignore[attr-defined]


def record_login_attempt(
    session: Session, *, username: str, client: str, succeeded: bool, now: datetime
) -> None:
    session.add(
        WebLoginAttemptRow(username=username[:80], client=client[:80], succeeded=succeeded, at=now)
    )
    session.flush()


def count_failed_logins(
    session: Session, *, since: datetime, username: str | None = None, client: str | None = None
) -> int:
    """Failed attempts since ``since`` for a username or from a client address."""
    query = select(func.count()).select_from(WebLoginAttemptRow)
    query = query.where(WebLoginAttemptRow.at >= since, WebLoginAttemptRow.succeeded.is_(False))
    if username is not None:
        query = query.where(WebLoginAttemptRow.username == username)
    if client is not None:
        query = query.where(WebLoginAttemptRow.client == client)
    return int(session.scalar(query) or 0)


@dataclass(frozen=True)
class StoredApiToken:
    id: int
    user_id: int
    name: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


def _token(row: WebApiTokenRow) -> StoredApiToken:
    return StoredApiToken(
        row.id,
        row.user_id,
        row.name,
        list(row.scopes),
        row.created_at,
        row.expires_at,
        row.revoked_at,
    )


def create_api_token(
    session: Session,
    *,
    user_id: int,
    name: str,
    token_sha: str,
    scopes: Sequence[str],
    now: datetime,
    expires_at: datetime | None = None,
) -> StoredApiToken:
    row = WebApiTokenRow(
        token_sha=token_sha,
        user_id=user_id,
        name=name,
        scopes=list(scopes),
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return _token(row)


def get_api_token(
    session: Session, token_sha: str, *, now: datetime
) -> tuple[StoredApiToken, StoredUser] | None:
    """A live (not revoked, not expired) token and its active user, else None."""
    found = session.execute(
        select(WebApiTokenRow, WebUserRow)
        .join(WebUserRow, WebUserRow.id == WebApiTokenRow.user_id)
        .where(WebApiTokenRow.token_sha == token_sha, WebApiTokenRow.revoked_at.is_(None))
        .where(or_(WebApiTokenRow.expires_at.is_(None), WebApiTokenRow.expires_at > now))
        .where(WebUserRow.is_active.is_(True))
    ).first()
    return (_token(found[0]), _user(found[1])) if found is not None else None


def list_api_tokens(session: Session, *, user_id: int) -> list[StoredApiToken]:
    query = select(WebApiTokenRow).where(WebApiTokenRow.user_id == user_id)
    return [_token(r) for r in session.scalars(query.order_by(WebApiTokenRow.id))]


def revoke_api_token(session: Session, *, token_id: int, user_id: int, now: datetime) -> bool:
    """Revoke one of the user's tokens; False if the user has no such token."""
    row = session.get(WebApiTokenRow, token_id)
    if row is None or row.user_id != user_id:
        return False
    row.revoked_at = row.revoked_at or now
    session.flush()
    return True


# --- import jobs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportJobCreate:
    kind: str
    format: str
    file_name: str
    n_bytes: int
    sha256: str
    skip_invalid: bool
    worker: str
    created_by: int


@dataclass(frozen=True)
class StoredImportJob(ImportJobCreate):
    id: int = 0
    status: str = "queued"
    n_rows: int | None = None
    n_done: int = 0
    import_id: int | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    n_problems: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    has_rejected: bool = False
    message: str | None = None
    created_by_username: str = ""
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


_JOB_FIELDS = list(ImportJobCreate.__dataclass_fields__)
_JOB_UPDATABLE = frozenset(
    {
        "status",
        "n_rows",
        "n_done",
        "import_id",
        "summary",
        "n_problems",
        "problems",
        "rejected_csv",
        "message",
        "started_at",
        "finished_at",
    }
)


def _job(row: ImportJobRow, username: str, has_rejected: bool) -> StoredImportJob:
    return StoredImportJob(
        **{name: getattr(row, name) for name in _JOB_FIELDS},
        id=row.id,
        status=row.status,
        n_rows=row.n_rows,
        n_done=row.n_done,
        import_id=row.import_id,
        summary=dict(row.summary or {}),
        n_problems=row.n_problems,
        problems=list(row.problems or []),
        has_rejected=bool(has_rejected),
        message=row.message,
        created_by_username=username,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def create_import_job(session: Session, job: ImportJobCreate, *, now: datetime) -> int:
    row = ImportJobRow(**vars(job), status="queued", created_at=now, summary={}, problems=[])
    session.add(row)
    session.flush()
    return row.id


def update_import_job(session: Session, job_id: int, **values: Any) -> None:
    """Set the given fields of a job (its state, counts, outcome)."""
    unknown = set(values) - _JOB_UPDATABLE
    if unknown:
        raise ValueError(f"not updatable fields of an import job: {sorted(unknown)}")
    row = session.get(ImportJobRow, job_id)
    if row is None:
        raise LookupError(f"no import job {job_id}")
    for name, value in values.items():
        setattr(row, name, value)
    session.flush()


def _jobs_query() -> Any:
    """Jobs with their creator's name, without the (possibly large) rejected rows."""
    return (
        select(ImportJobRow, WebUserRow.username, ImportJobRow.rejected_csv.is_not(None))
        .join(WebUserRow, WebUserRow.id == ImportJobRow.created_by)
        .options(defer(ImportJobRow.rejected_csv))
    )


def get_import_job(session: Session, job_id: int) -> StoredImportJob | None:
    found = session.execute(_jobs_query().where(ImportJobRow.id == job_id)).first()
    return _job(*found) if found is not None else None


def list_import_jobs(session: Session, *, limit: int = 20) -> list[StoredImportJob]:
    """The latest import jobs, newest first."""
    rows = session.execute(
        _jobs_query().order_by(ImportJobRow.created_at.desc(), ImportJobRow.id.desc()).limit(limit)
    ).all()
    return [_job(*row) for row in rows]


def get_import_rejects(session: Session, job_id: int) -> str | None:
    """The rows an import job refused, as CSV with their line and problems (or None)."""
    value: str | None = session.scalar(
        select(ImportJobRow.rejected_csv).where(ImportJobRow.id == job_id)
    )
    return value


# --- key rotation ---------------------------------------------------------------------------


def list_totp_secrets(session: Session) -> list[EncryptedValue]:
    """The users' TOTP secrets as stored (ciphertext and key id), for key rotation."""
    return [
        EncryptedValue("users", u.id, str(u.id), u.totp_key_id, u.totp_ciphertext)
        for u in session.scalars(select(WebUserRow).where(WebUserRow.totp_ciphertext.is_not(None)))
        if u.totp_key_id and u.totp_ciphertext
    ]


def replace_totp_secret(
    session: Session, value: EncryptedValue, *, key_id: str, ciphertext: str
) -> None:
    """Store a re-encrypted TOTP secret in place of ``value``."""
    user = session.get(WebUserRow, value.row_id)
    if user is not None:
        user.totp_key_id, user.totp_ciphertext = key_id, ciphertext
    session.flush()


# --- names of users, for other slices -------------------------------------------------------


def usernames(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    """The user names of these user ids (ids of no user are left out)."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(WebUserRow.id, WebUserRow.username).where(WebUserRow.id.in_(wanted))
    )
    return {int(user_id): str(username) for user_id, username in rows}
