"""Accounts: sign-in with rate limiting and optional TOTP, sessions, users, API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import pyotp
from sqlalchemy.orm import Session

from tocsin.settings import Settings
from tocsin.store import Database, KeyRing, audit, load_key_ring
from tocsin.web._config import WebSettings
from tocsin.web._security import (
    digest,
    hash_password,
    new_secret,
    one_time_password,
    verify_password,
)
from tocsin.web._store import (
    StoredUser,
    count_failed_logins,
    count_users,
    create_user,
    create_web_session,
    get_user_by_username,
    list_totp_secrets,
    record_login_attempt,
    replace_totp_secret,
)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: a session token, or why not."""

    user: StoredUser | None
    session_token: str | None
    problem: str | None  # "rate_limited" | "invalid" | "otp_required"


def totp_context(user_id: int) -> str:
    return f"totp:{user_id}"


def reseal_totp_secrets(session: Session, ring: KeyRing) -> int:
    """Re-encrypt every user's TOTP secret under ``ring.active``; return how many.

    The web slice's resealer (entry point ``web`` of the ``tocsin.sealed`` group), run by
    :func:`tocsin.web.rotate_identity_key`.
    """
    values = list_totp_secrets(session)
    for value in values:
        sealed = ring.reseal(value.key_id, value.ciphertext, context=totp_context(value.row_id))
        replace_totp_secret(session, value, key_id=sealed.key_id, ciphertext=sealed.ciphertext)
    return len(values)


def check_totp(key_ring: KeyRing, user: StoredUser, code: str | None, *, now: datetime) -> bool:
    if user.totp_ciphertext is None or user.totp_key_id is None:
        return True
    if not code:
        return False
    secret = key_ring.decrypt(user.totp_key_id, user.totp_ciphertext, context=totp_context(user.id))
    return bool(pyotp.TOTP(str(secret)).verify(code.strip(), for_time=now, valid_window=1))


def sign_in(
    session: Session,
    web: WebSettings,
    key_ring: KeyRing,
    *,
    username: str,
    password: str,
    otp: str | None,
    client: str,
    now: datetime,
) -> SignIn:
    """Check a sign-in; refuse at once while the user name or the client is rate-limited.

    Every attempt is recorded; an unknown user name costs the same password hashing as a
    known one, so timing does not tell which names exist.
    """
    since = now - timedelta(minutes=web.login_window_minutes)
    if (
        count_failed_logins(session, since=since, username=username) >= web.login_max_failures
        or count_failed_logins(session, since=since, client=client)
        >= web.login_max_failures_per_client
    ):
        audit(
            session, actor=f"client:{client}", action="login.rate_limited", target=username, now=now
        )
        return SignIn(None, None, "rate_limited")
    user = get_user_by_username(session, username)
    ok = verify_password(user.password_hash if user else _dummy_hash(), password)
    ok = ok and user is not None and user.is_active
    if ok and user is not None and not check_totp(key_ring, user, otp, now=now):
        record_login_attempt(session, username=username, client=client, succeeded=False, now=now)
        return SignIn(None, None, "otp_required" if not otp else "invalid")
    record_login_attempt(session, username=username, client=client, succeeded=ok, now=now)
    if not ok or user is None:
        return SignIn(None, None, "invalid")
    token = new_secret()
    create_web_session(
        session,
        user_id=user.id,
        token_sha=digest(token),
        csrf_token=new_secret(),
        now=now,
        expires_at=now + timedelta(hours=web.session_hours),
    )
    audit(
        session, actor=f"user:{user.username}", action="login", now=now, details={"client": client}
    )
    return SignIn(user, token, None)


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the user is unknown, so that both cases take as long;
    made on the first sign-in, not at import (it costs 0.2 s of CPU)."""
    return hash_password("not a password anyone has")


def ensure_first_admin(settings: Settings, *, now: datetime, username: str = "admin") -> str | None:
    """Create the first admin with a one-time password if there are no users; return it.

    Also creates the identity key ring if there is none. The password is returned once
    and stored only as its hash; the admin must change it at first sign-in.
    """
    web = settings.web
    load_key_ring(env_value=web.identity_key_ring(), path=web.key_file(settings), create=True)
    db = Database.from_settings(settings)
    try:
        with db.session() as session:
            if count_users(session):
                return None
            password = one_time_password()
            create_user(
                session,
                username=username,
                display_name="Administrator",
                role="admin",
                password_hash=hash_password(password),
                now=now,
                must_change_password=True,
            )
            audit(
                session,
                actor="system",
                action="user.create",
                target=username,
                now=now,
                details={"role": "admin", "first_admin": True},
            )
            return password
    finally:
        db.dispose()
