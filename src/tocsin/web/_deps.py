"""Dependencies every route declares: context, settings, DB session, caller, permissions.

A route lists what it needs in its signature (``session: SessionDep``,
``user: Annotated[Principal, Requires("report:create")]``), so permission checks sit in
dependencies, not handler bodies. Tests swap the session with
``app.dependency_overrides[get_session]``.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from tocsin.settings import Settings
from tocsin.store import Database, get_api_token, get_web_session
from tocsin.web._config import WebSettings
from tocsin.web._crypto import KeyRing
from tocsin.web._security import Principal, digest

SESSION_COOKIE = "tocsin_session"
PRE_SESSION_COOKIE = "tocsin_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
T = TypeVar("T")


@dataclass
class WebContext:
    """What ``create_app`` builds once and every request shares."""

    settings: Settings
    web: WebSettings
    db: Database
    key_ring: KeyRing
    templates: Jinja2Templates
    cache: dict[str, Any] = field(default_factory=dict)
    page_ttl_seconds: float = 30.0
    _memo: dict[Hashable, tuple[float, Any]] = field(default_factory=dict)
    _locks: dict[Hashable, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, reused for ``page_ttl_seconds``; one computation at a time per key.

        For data that is the same for every caller with the same key: keys must include
        everything that decides what the caller may see (e.g. the sensitivities allowed).
        """
        now = time.monotonic()
        found = self._memo.get(key)
        if found is not None and now - found[0] < self.page_ttl_seconds:
            value: T = found[1]
            return value
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            found = self._memo.get(key)
            if found is not None and time.monotonic() - found[0] < self.page_ttl_seconds:
                return found[1]  # type: ignore[no-any-return]
            value = compute()
            self._memo[key] = (time.monotonic(), value)
            return value


class LoginRequired(Exception):
    """No valid session or token: pages redirect to the sign-in page, the API answers 401."""


class NotAllowed(Exception):
    """The caller lacks a permission: 403."""

    def __init__(self, permission: str) -> None:
        super().__init__(permission)
        self.permission = permission


class CsrfFailed(Exception):
    """A state-changing request from a browser without the right CSRF token: 403."""


def get_context(request: Request) -> WebContext:
    context: WebContext = request.app.state.tocsin
    return context


ContextDep = Annotated[WebContext, Depends(get_context)]


def get_app_settings(context: ContextDep) -> Settings:
    return context.settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def get_session(context: ContextDep) -> Iterator[Session]:
    """One database transaction per request: committed on success, rolled back on error."""
    with context.db.session() as session:
        yield session


# "function" scope: the transaction commits before the response leaves, so a browser that
# follows a redirect at once (after signing in, after sending a report) finds the rows.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def utc_now() -> datetime:
    return datetime.now(UTC)


def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    """The caller proved by a bearer token or a session cookie, else None (cached per request)."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    principal: Principal | None = None
    authorization = request.headers.get("authorization", "")
    now = utc_now()
    if authorization.lower().startswith("bearer "):
        found = get_api_token(session, digest(authorization[7:].strip()), now=now)
        if found is None:
            request.state.principal = None
            raise LoginRequired()
        token, user = found
        principal = Principal(user=user, via="token", scopes=frozenset(token.scopes))
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        live = get_web_session(session, digest(cookie), now=now) if cookie else None
        if live is not None:
            web_session, user = live
            principal = Principal(user=user, via="session", csrf_token=web_session.csrf_token)
    request.state.principal = principal
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


class PasswordChangeRequired(Exception):
    """Signed in with a one-time password: nothing but changing it until it is changed."""


_ALLOWED_BEFORE_CHANGE = frozenset({"/account/password", "/logout"})


def current_principal(request: Request, principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise LoginRequired()
    if principal.user.must_change_password and request.url.path not in _ALLOWED_BEFORE_CHANGE:
        raise PasswordChangeRequired()
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


class Requires:
    """A dependency that lets the request through only if the caller holds ``permission``.

    Use as ``user: Annotated[Principal, Depends(Requires("report:create"))]``.
    """

    def __init__(self, permission: str) -> None:
        self.permission = permission

    def __call__(self, principal: CurrentUser) -> Principal:
        if not principal.can(self.permission):
            raise NotAllowed(self.permission)
        return principal


def expected_csrf(request: Request, principal: Principal | None) -> str | None:
    """The CSRF token this browser must echo: its session's, else its pre-session cookie's."""
    if principal is not None and principal.via == "session":
        return principal.csrf_token
    return request.cookies.get(PRE_SESSION_COOKIE)


async def check_csrf(request: Request, session: SessionDep) -> None:
    """Refuse a state-changing browser request whose CSRF token is missing or wrong.

    Requests that authenticate with a bearer token carry no ambient credentials and are
    not exposed to CSRF; every other POST/PUT/PATCH/DELETE must send the token in the
    ``X-CSRF-Token`` header or the ``csrf_token`` form field.
    """
    if request.method not in UNSAFE_METHODS:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    principal = optional_principal(request, session)
    expected = expected_csrf(request, principal)
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not expected or not given or not secrets.compare_digest(expected, given):
        raise CsrfFailed()
