"""Dependencies every route declares: context, settings, DB session, caller, permissions.

A route lists what it needs in its signature (``session: SessionDep``,
``user: Annotated[Principal, Requires("report:create")]``), so permission checks sit in
dependencies, not handler bodies. Tests swap the session with
``app.dependency_overrides[get_session]``.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable, Hashable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from anyio import CancelScope, CapacityLimiter, to_thread
from anyio.lowlevel import RunVar
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, Router

from tocsin.settings import Settings
from tocsin.store import Database, KeyRing
from tocsin.web._config import WebSettings
from tocsin.web._params import check_parameters
from tocsin.web._security import Principal, digest
from tocsin.web._store import get_api_token, get_web_session

if TYPE_CHECKING:
    from tocsin.web._imports import UploadKind

SESSION_COOKIE = "tocsin_session"
PRE_SESSION_COOKIE = "tocsin_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
T = TypeVar("T")
logger = logging.getLogger(__name__)
FOREVER_MAX_ENTRIES = 4096


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
    principals: PrincipalCache = field(default_factory=lambda: PrincipalCache(0, None))
    upload_kinds: dict[str, UploadKind] = field(default_factory=dict)  # kinds the data page takes
    _memo: dict[Hashable, tuple[float, Any]] = field(default_factory=dict)
    _forever: dict[Hashable, Any] = field(default_factory=dict)
    _locks: dict[Hashable, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, reused for ``page_ttl_seconds``; one computation at a time per key.

        For data that is the same for every caller with the same key: keys must include
        everything that decides what the caller may see (e.g. the sensitivities allowed).
        Once a value is older than the TTL, the first caller to notice recomputes it while
        everyone else is served the previous value at once: a refresh never queues
        readers behind it. Only the very first computation of a key makes callers wait.
        A TTL of 0 turns the cache off (every call computes).
        """
        if self.page_ttl_seconds <= 0:
            return compute()
        found = self._memo.get(key)
        if found is not None and time.monotonic() - found[0] < self.page_ttl_seconds:
            value: T = found[1]
            return value
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        if found is not None:
            if not lock.acquire(blocking=False):
                return found[1]  # type: ignore[no-any-return]  # someone is refreshing it
        else:
            lock.acquire()
        try:
            found = self._memo.get(key)
            if found is not None and time.monotonic() - found[0] < self.page_ttl_seconds:
                return found[1]  # type: ignore[no-any-return]
            value = compute()
            self._memo[key] = (time.monotonic(), value)
            return value
        finally:
            lock.release()

    def forever(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per key for the life of the process (one computation at a time).

        For values whose key names the version of everything they depend on (e.g. the
        latest import), so they never go stale.
        """
        found = self._forever.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
        with self._guard:
            lock = self._locks.setdefault(("forever", key), threading.Lock())
        with lock:
            found = self._forever.get(key, _MISSING)
            if found is _MISSING:
                found = compute()
                if len(self._forever) >= FOREVER_MAX_ENTRIES:
                    # keys of superseded versions are never asked again: drop the oldest
                    self._forever.pop(next(iter(self._forever)))
                self._forever[key] = found
            return found  # type: ignore[no-any-return]


_MISSING: Any = object()


class PrincipalCache:
    """Who a session cookie or API token belongs to, remembered for a few seconds.

    Checking a session costs a database query on every request; a page whose data is
    cached would otherwise spend most of its time there. Entries are dropped:

    - after ``ttl_seconds`` (and never outlive the session's or token's own expiry);
    - at once, in every server process on this machine, after any state-changing request
      (sign-out, role change, deactivation, password reset, token revocation...):
      :meth:`invalidate` clears this process's entries and replaces the *epoch file*,
      whose change the other processes notice on their next lookup (one ``stat``).

    So a revoked session stops working immediately when it is revoked through the web
    application, and within ``ttl_seconds`` when the database is changed by other means
    (another machine, the command line). Only valid principals are cached; a refused
    cookie is looked up again every time.
    """

    def __init__(self, ttl_seconds: float, epoch_file: Path | None) -> None:
        self.ttl_seconds = ttl_seconds
        self.epoch_file = epoch_file
        self._entries: dict[str, tuple[float, datetime | None, Principal]] = {}
        self._generation = 0
        self._epoch: tuple[int, int] | None = self._read_epoch()
        self._lock = threading.Lock()

    def _read_epoch(self) -> tuple[int, int] | None:
        if self.epoch_file is None:
            return None
        try:
            found = os.stat(self.epoch_file)
        except OSError:
            return None
        return (found.st_ino, found.st_mtime_ns)

    def generation(self) -> int:
        """The current generation; call before a lookup and pass to :meth:`put`."""
        epoch = self._read_epoch()
        if epoch != self._epoch:
            with self._lock:
                self._epoch = epoch
                self._generation += 1
                self._entries.clear()
        return self._generation

    def get(self, key: str, now: datetime) -> Principal | None:
        if self.ttl_seconds <= 0:
            return None
        self.generation()
        found = self._entries.get(key)
        if found is None:
            return None
        stored_at, expires_at, principal = found
        if time.monotonic() - stored_at >= self.ttl_seconds or (
            expires_at is not None and now >= expires_at
        ):
            self._entries.pop(key, None)
            return None
        return principal

    def put(
        self, key: str, principal: Principal, expires_at: datetime | None, generation: int
    ) -> None:
        """Remember ``principal`` unless an invalidation happened since ``generation``."""
        if self.ttl_seconds <= 0:
            return
        with self._lock:
            if generation == self._generation:
                self._entries[key] = (time.monotonic(), expires_at, principal)

    def invalidate(self) -> None:
        """Forget every principal here, and tell the other processes to do the same."""
        with self._lock:
            self._generation += 1
            self._entries.clear()
        if self.epoch_file is None:
            return
        try:
            # a new file (new inode) each time: seen even where mtime is coarse
            temporary = self.epoch_file.with_name(f"{self.epoch_file.name}.{os.getpid()}")
            temporary.write_text(secrets.token_hex(8), encoding="ascii")
            os.replace(temporary, self.epoch_file)
        except OSError as error:
            logger.warning(
                "cannot write %s (%s): other processes wait for the TTL", self.epoch_file, error
            )
        with self._lock:
            self._epoch = self._read_epoch()


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


@event.listens_for(Session, "after_begin")
def _note_connection(session: Session, _transaction: Any, _connection: Any) -> None:
    # a request whose session never reached the database can end without a thread hop
    session.info["tocsin_connected"] = True


async def get_session(request: Request, context: ContextDep) -> AsyncIterator[Session]:
    """One database transaction per request: committed on success, rolled back on error.

    The session connects only when first used; a request served from the caches never
    does, and then ends here at no cost. Otherwise the commit (or rollback) runs in a
    worker thread, to keep the event loop free: a thread kept for ending transactions
    (:class:`_Endings`), so that it never queues behind what waits for its locks.

    After a state-changing request (POST, PUT, PATCH, DELETE) has committed or rolled
    back, the cache of signed-in principals is cleared: whatever it changed (a sign-out,
    a role, a revoked token) applies to the very next request.
    """
    limiter = to_thread.current_default_thread_limiter()  # one per event loop
    if limiter.total_tokens != context.web.threads:
        # few threads: under load, requests queue on the loop instead of 40 threads
        # fighting for the GIL, which made the slowest requests much slower
        limiter.total_tokens = context.web.threads
    endings = _endings_limiter(context.web.threads)
    transaction = context.db.session()
    session = transaction.__enter__()
    try:
        try:
            yield session
        except BaseException as error:
            # shielded: a request cancelled because its client left (CancelledError) must
            # still give its connection back, or the pool runs dry
            with CancelScope(shield=True):
                await _end(transaction, session, error, endings)
            raise
        with CancelScope(shield=True):
            await _end(transaction, session, None, endings)
    finally:
        if request.method in UNSAFE_METHODS:
            context.principals.invalidate()


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: Any) -> None:
    session.info["tocsin_wrote"] = True


@event.listens_for(Session, "do_orm_execute")
def _note_write(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["tocsin_wrote"] = True


@dataclass(frozen=True)
class _Endings:
    """Threads that only end transactions (commit or roll back), apart from the handlers'.

    A commit must never wait for a handler's thread: when every handler thread waits on
    a lock that an uncommitted transaction holds (copies of one report waiting on its
    unique key, SQLite writers on the write lock), that transaction's commit would wait
    for them, and the whole server would stand still. Nor may it wait behind other
    commits that wait for its locks (a GET's commit writes its audit rows, and waits for
    SQLite's write lock): a transaction that has written (it holds its locks) ends in
    ``holders``, never full; the others in ``others``, as many as handler threads.
    """

    holders: CapacityLimiter
    others: CapacityLimiter


_ENDINGS: RunVar[_Endings] = RunVar("tocsin_transaction_endings")


def _endings_limiter(threads: int) -> _Endings:
    try:
        return _ENDINGS.get()  # one per event loop, like anyio's default limiter
    except LookupError:
        endings = _Endings(CapacityLimiter(math.inf), CapacityLimiter(threads))
        _ENDINGS.set(endings)
        return endings


def _holds_locks(session: Session) -> bool:
    """Whether the session's transaction has written, and so holds locks until it ends."""
    if session.info.get("tocsin_wrote"):
        return True
    if not session.info.get("tocsin_connected"):
        return False
    try:
        # SQLite's driver begins its transaction at the first write: one that began holds
        # the write lock (a raw statement that wrote is seen here, not by the events above)
        driver = session.connection().connection.dbapi_connection
    except Exception:  # a session that cannot say: as if it held them
        return True
    return bool(getattr(driver, "in_transaction", False))


async def _end(
    transaction: AbstractContextManager[Session],
    session: Session,
    error: BaseException | None,
    endings: _Endings,
) -> None:
    args = (type(error), error, error.__traceback__) if error else (None, None, None)
    if session.info or session.new or session.dirty or session.deleted:
        # connected, or holding work for its commit (objects, or what a hook keeps in
        # ``info`` such as pending audit rows): in a thread, even for a GET, whose commit
        # may write and wait for a lock; waiting on the event loop would stop every
        # request, the lock holder's commit too. A rollback only lets locks go.
        holds = error is not None or _holds_locks(session)
        limiter = endings.holders if holds else endings.others
        await to_thread.run_sync(transaction.__exit__, *args, limiter=limiter)
    else:
        # never reached the database and nothing to write: no I/O, end here
        transaction.__exit__(*args)


# "function" scope: the transaction commits before the response leaves, so a browser that
# follows a redirect at once (after signing in, after sending a report) finds the rows.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def utc_now() -> datetime:
    return datetime.now(UTC)


def principal_of(request: Request, session: Session) -> Principal | None:
    """The caller proved by a bearer token or a session cookie, else None (cached per request).

    Blocking (it may query the database): async code calls :func:`optional_principal`.
    """
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    principal: Principal | None = None
    authorization = request.headers.get("authorization", "")
    now = utc_now()
    cache = get_context(request).principals
    if authorization.lower().startswith("bearer "):
        key = "token:" + digest(authorization[7:].strip())
        principal = cache.get(key, now)
        if principal is None:
            generation = cache.generation()
            found = get_api_token(session, key[6:], now=now)
            if found is None:
                request.state.principal = None
                raise LoginRequired()
            token, user = found
            principal = Principal(user=user, via="token", scopes=frozenset(token.scopes))
            cache.put(key, principal, token.expires_at, generation)
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            key = "session:" + digest(cookie)
            principal = cache.get(key, now)
            if principal is None:
                generation = cache.generation()
                live = get_web_session(session, key[8:], now=now)
                if live is not None:
                    web_session, user = live
                    principal = Principal(
                        user=user, via="session", csrf_token=web_session.csrf_token
                    )
                    cache.put(key, principal, web_session.expires_at, generation)
    request.state.principal = principal
    return principal


async def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    """The dependency form of :func:`principal_of`: on the event loop when the caller is
    already known (this request, or the principal cache), else in a worker thread."""
    if hasattr(request.state, "principal"):
        known: Principal | None = request.state.principal
        return known
    cache = get_context(request).principals
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        key = "token:" + digest(authorization[7:].strip())
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            request.state.principal = None
            return None
        key = "session:" + digest(cookie)
    principal = cache.get(key, utc_now())
    if principal is not None:
        request.state.principal = principal
        return principal
    return await run_in_threadpool(_lookup_apart, request, get_context(request))


def _lookup_apart(request: Request, context: WebContext) -> Principal | None:
    # its own short transaction: the connection is back in the pool before the request
    # waits for a thread to run its handler (holding it across that wait starved the pool)
    with context.db.session() as session:
        return principal_of(request, session)


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


class PasswordChangeRequired(Exception):
    """Signed in with a one-time password: nothing but changing it until it is changed."""


_ALLOWED_BEFORE_CHANGE = frozenset({"/account/password", "/logout"})


async def current_principal(request: Request, principal: OptionalPrincipal) -> Principal:
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

    async def __call__(self, principal: CurrentUser) -> Principal:
        if not principal.can(self.permission):
            raise NotAllowed(self.permission)
        return principal


def expected_csrf(request: Request, principal: Principal | None) -> str | None:
    """The CSRF token this browser must echo: its session's, else its pre-session cookie's."""
    if principal is not None and principal.via == "session":
        return principal.csrf_token
    return request.cookies.get(PRE_SESSION_COOKIE)


async def check_csrf(
    request: Request,
    # first: every route declares this dependency, so none reaches a query with a value
    # the database cannot hold (tocsin.web._params)
    _parameters: Annotated[None, Depends(check_parameters)],
    session: SessionDep,
) -> None:
    """Refuse a state-changing browser request whose CSRF token is missing or wrong.

    Requests that authenticate with a bearer token carry no ambient credentials and are
    not exposed to CSRF; every other POST/PUT/PATCH/DELETE must send the token in the
    ``X-CSRF-Token`` header or the ``csrf_token`` form field. Before that, on every
    request, :func:`tocsin.web._params.check_parameters` refuses NUL characters and
    integers out of range.
    """
    if request.method not in UNSAFE_METHODS:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    principal = await optional_principal(request, session)
    expected = expected_csrf(request, principal)
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not expected or not given or not secrets.compare_digest(expected, given):
        raise CsrfFailed()


def _required(dependant: Dependant) -> frozenset[str]:
    found: set[str] = set()
    for sub in dependant.dependencies:
        if isinstance(sub.call, Requires):
            found.add(sub.call.permission)
        found |= _required(sub)
    return frozenset(found)


def _api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        # FastAPI keeps an included router as one entry that wraps the original router
        nested = getattr(route, "original_router", None) or getattr(route, "app", None)
        if isinstance(nested, APIRouter | Router):
            yield from _api_routes(nested.routes)


def route_permissions(app: FastAPI) -> dict[tuple[str, str], frozenset[str]]:
    """Every route's ``(method, path)`` and the permissions its dependencies require.

    Read from the routes themselves (the :class:`Requires` in their dependencies), so the
    permission tests see what is enforced, not what a document says.
    Where two routes share a method and path, the first (the one that serves) wins.
    """
    found: dict[tuple[str, str], frozenset[str]] = {}
    for route in _api_routes(app.router.routes):
        for method in route.methods or ():
            found.setdefault((method, route.path_format), _required(route.dependant))
    return found
