"""Accounts: sign-in with rate limiting and optional TOTP, sessions, users, API tokens."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import pyotp
from sqlalchemy.orm import Session

from tocsin.settings import Settings
from tocsin.store import Database, KeyRing, audit
from tocsin.web._config import WebSettings
from tocsin.web._keys import open_key_ring
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
    use_totp_step,
)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: a session token, or why not."""

    user: StoredUser | None
    session_token: str | None
    # "rate_limited" | "invalid": a right password without its code is "invalid" too, so
    # the answer never tells that the password was right (no password oracle)
    problem: str | None


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


def totp_step(secret: str, code: str | None, *, now: datetime) -> int | None:
    """The time step (RFC 6238) that ``code`` belongs to, if it is one of the steps next to
    ``now`` (a phone's clock may be 30 s off), else None."""
    if not code or not code.strip().isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code.strip()):
            return step
    return None


def has_totp(user: StoredUser) -> bool:
    return user.totp_ciphertext is not None and user.totp_key_id is not None


def check_totp(
    session: Session, key_ring: KeyRing, user: StoredUser, code: str | None, *, now: datetime
) -> bool:
    """Whether ``code`` is the user's current code, used for the first time (RFC 6238
    §5.2: a code seen once is refused, even within its 30 s); True without a second factor.

    An accepted code's step is stored at once, so a code read over a shoulder or from a
    proxy log cannot be replayed, nor an older one after a newer one.
    """
    if user.totp_ciphertext is None or user.totp_key_id is None:
        return True
    secret = key_ring.decrypt(user.totp_key_id, user.totp_ciphertext, context=totp_context(user.id))
    step = totp_step(str(secret), code, now=now)
    return step is not None and use_totp_step(session, user.id, step)


def client_delay(session: Session, web: WebSettings, *, client: str, now: datetime) -> float:
    """Seconds to wait before checking a sign-in from ``client``: none until the address
    has failed ``login_max_failures_per_client`` times in the window.

    Behind a reverse proxy every browser has the proxy's address, so refusing an address
    would let anyone lock everyone out; slowing it bounds guessing across many names and
    still lets the right password in.
    """
    since = now - timedelta(minutes=web.login_window_minutes)
    failures = count_failed_logins(session, since=since, client=client)
    return web.login_client_delay_seconds if failures >= web.login_max_failures_per_client else 0.0


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
    """Check a sign-in; refuse while the user name is locked (``login_max_failures`` failed
    attempts against that very name in the window).

    Failures against other names never lock an account (per-address failures only slow
    the address: :func:`client_delay`). A locked name still lets in the right password
    with the right, unused second-factor code, which guessing cannot produce: so the lock
    stops password guessing without locking out a user who has a second factor.

    Every attempt is recorded and every failure audited; an unknown user name costs the
    same password hashing as a known one, so timing does not tell which names exist. A
    right password with a missing or wrong code answers exactly as a wrong password.
    """
    since = now - timedelta(minutes=web.login_window_minutes)
    locked = count_failed_logins(session, since=since, username=username) >= web.login_max_failures
    user = get_user_by_username(session, username)
    password_ok = verify_password(user.password_hash if user else _dummy_hash(), password)
    reason: str | None = None
    if user is None:
        reason = "unknown user"
    elif not password_ok:
        reason = "wrong password"
    elif not user.is_active:
        reason = "inactive"
    elif locked and not has_totp(user):
        reason = "locked"
    elif not check_totp(session, key_ring, user, otp, now=now):
        reason = "wrong or reused code"
    if locked and reason is not None:
        audit(
            session, actor=f"client:{client}", action="login.rate_limited", target=username, now=now
        )
        return SignIn(None, None, "rate_limited")
    record_login_attempt(
        session, username=username, client=client, succeeded=reason is None, now=now
    )
    if reason is not None or user is None:
        audit(
            session,
            actor=f"client:{client}",
            action="login.failed",
            target=username,
            now=now,
            details={"reason": reason},
        )
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
        session,
        actor=f"user:{user.username}",
        action="login",
        now=now,
        details={"client": client} | ({"while_locked": True} if locked else {}),
    )
    return SignIn(user, token, None)


def check_current_password(
    session: Session,
    web: WebSettings,
    user: StoredUser,
    password: str,
    *,
    client: str,
    now: datetime,
) -> bool:
    """Whether ``password`` is the user's, asked again of a signed-in user before a change
    to their account (password, second factor).

    A wrong one counts as a failed sign-in of that name, and a locked name is refused: a
    stolen session must not become a way to guess the password without the lock.
    """
    since = now - timedelta(minutes=web.login_window_minutes)
    if count_failed_logins(session, since=since, username=user.username) >= web.login_max_failures:
        return False
    if verify_password(user.password_hash, password):
        return True
    record_login_attempt(session, username=user.username, client=client, succeeded=False, now=now)
    audit(
        session,
        actor=f"user:{user.username}",
        action="account.password_check.failed",
        target=user.username,
        now=now,
        details={"client": client},
    )
    return False


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
    open_key_ring(settings, web)
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
