"""Sign-in, sign-out, password change, second factor and API tokens of the signed-in user."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import anyio
import pyotp
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from tocsin.store import audit
from tocsin.web._accounts import (
    check_current_password,
    check_totp,
    client_delay,
    sign_in,
    totp_context,
    totp_step,
)
from tocsin.web._deps import (
    PRE_SESSION_COOKIE,
    SESSION_COOKIE,
    ContextDep,
    CurrentUser,
    OptionalPrincipal,
    SessionDep,
    utc_now,
)
from tocsin.web._i18n import N_, translate
from tocsin.web._passwords import password_problem
from tocsin.web._render import page
from tocsin.web._security import SCOPES, digest, hash_password, new_secret
from tocsin.web._store import (
    create_api_token,
    delete_web_sessions,
    end_other_sessions_and_revoke_tokens,
    list_api_tokens,
    revoke_api_token,
    update_user,
    use_totp_step,
)

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a sign-in to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/watchlist"


class LoginPage(BaseModel):
    message: str | None = None
    next: str = "/watchlist"
    username: str = ""


def _login_page(
    request: Request, context: ContextDep, data: LoginPage, status_code: int = 200
) -> Response:
    token = request.cookies.get(PRE_SESSION_COOKIE) or new_secret()
    response = page(
        request,
        "login.html",
        data,
        title="Sign in",
        status_code=status_code,
        extra={"csrf_token": token},
    )
    response.set_cookie(
        PRE_SESSION_COOKIE,
        token,
        httponly=True,
        secure=context.web.cookie_secure,
        samesite="strict",
    )
    return response


@router.get("/login")
def login_form(request: Request, context: ContextDep, next: str | None = None) -> Response:
    return _login_page(request, context, LoginPage(next=safe_next(next)))


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def slow_down_failing_clients(
    request: Request, context: ContextDep, session: SessionDep
) -> None:
    """Wait before a sign-in from an address that has failed too often (on the event loop,
    so the waiting holds no worker thread)."""
    delay = await run_in_threadpool(
        client_delay, session, context.web, client=client_address(request), now=utc_now()
    )
    if delay:
        await anyio.sleep(delay)


@router.post("/login", dependencies=[Depends(slow_down_failing_clients)])
def login(
    request: Request,
    context: ContextDep,
    session: SessionDep,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=1000)],
    otp: Annotated[str | None, Form(max_length=10)] = None,
    next: Annotated[str | None, Form()] = None,
) -> Response:
    client = client_address(request)
    result = sign_in(
        session,
        context.web,
        context.key_ring,
        username=username,
        password=password,
        otp=otp,
        client=client,
        now=utc_now(),
    )
    if result.session_token is None or result.user is None:
        messages = {
            "rate_limited": N_("Too many failed attempts. Wait a few minutes and try again."),
            "invalid": N_("Wrong user name, password or code."),
        }
        data = LoginPage(
            message=translate(request, messages[result.problem or "invalid"]),
            next=safe_next(next),
            username=username,
        )
        status_code = 429 if result.problem == "rate_limited" else 401
        return _login_page(request, context, data, status_code=status_code)
    target = "/account/password" if result.user.must_change_password else safe_next(next)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.session_token,
        max_age=context.web.session_hours * 3600,
        httponly=True,
        secure=context.web.cookie_secure,
        samesite="strict",
    )
    response.delete_cookie(PRE_SESSION_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, principal: OptionalPrincipal) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        delete_web_sessions(session, token_sha=digest(cookie))
    if principal is not None:
        audit(session, actor=principal.actor, action="logout", now=utc_now())
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


class TokenOut(BaseModel):
    id: int
    name: str
    scopes: list[str]
    created_at: str
    revoked: bool


class AccountPage(BaseModel):
    username: str
    display_name: str
    role: str
    has_totp: bool
    must_change_password: bool
    tokens: list[TokenOut]
    scopes: list[str]
    new_token: str | None = None
    totp_secret: str | None = None
    totp_uri: str | None = None
    message: str | None = None
    language: str | None = None  # the interface language chosen; None: the browser's


def _account(
    request: Request, session: SessionDep, principal: CurrentUser, **extra: str | None
) -> Response:
    user = principal.user
    tokens = [
        TokenOut(
            id=t.id,
            name=t.name,
            scopes=t.scopes,
            created_at=t.created_at.isoformat(),
            revoked=t.revoked_at is not None,
        )
        for t in list_api_tokens(session, user_id=user.id)
    ]
    data = AccountPage(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        has_totp=user.totp_ciphertext is not None,
        must_change_password=user.must_change_password,
        tokens=tokens,
        scopes=list(SCOPES),
        language=user.language,
        **extra,
    )
    return page(request, "account.html", data, title="Your account")


@router.get("/account")
def account(request: Request, session: SessionDep, principal: CurrentUser) -> Response:
    return _account(request, session, principal)


class PasswordPage(BaseModel):
    must_change_password: bool
    message: str | None = None


@router.get("/account/password")
def password_form(request: Request, principal: CurrentUser) -> Response:
    data = PasswordPage(must_change_password=principal.user.must_change_password)
    return page(request, "password.html", data, title="Change your password")


@router.post("/account/password")
def change_password(
    request: Request,
    context: ContextDep,
    session: SessionDep,
    principal: CurrentUser,
    current: Annotated[str, Form(max_length=1000)],
    new: Annotated[str, Form(max_length=1000)],
    repeat: Annotated[str, Form(max_length=1000)],
) -> Response:
    """Change the password; every other session of the user ends and every API token of
    theirs is revoked (whoever may have learnt the old password keeps nothing)."""
    user = principal.user
    problem = None
    now = utc_now()
    if not check_current_password(
        session, context.web, user, current, client=client_address(request), now=now
    ):
        problem = translate(
            request,
            "Your current password is not right (or too many tries: wait a few minutes).",
        )
    elif new != repeat:
        problem = translate(request, "The two new passwords differ.")
    elif new == current:
        problem = translate(request, "Choose a new password, not the one you have.")
    else:
        problem = password_problem(new, username=user.username)
    if problem:
        data = PasswordPage(must_change_password=user.must_change_password, message=problem)
        return page(request, "password.html", data, title="Change your password", status_code=400)
    update_user(
        session, user.id, now=now, password_hash=hash_password(new), must_change_password=False
    )
    cookie = request.cookies.get(SESSION_COOKIE)
    ended, revoked = end_other_sessions_and_revoke_tokens(
        session, user.id, now=now, keep_token_sha=digest(cookie) if cookie else None
    )
    audit(
        session,
        actor=principal.actor,
        action="user.password",
        target=user.username,
        now=now,
        details={"sessions_ended": ended, "api_revoked": revoked},
    )
    return RedirectResponse("/watchlist", status_code=303)


@router.post("/account/totp/start")
def totp_start(request: Request, session: SessionDep, principal: CurrentUser) -> Response:
    if principal.user.totp_ciphertext is not None:
        return _account(
            request,
            session,
            principal,
            message=translate(request, "Turn the second factor off first (below)."),
        )
    secret = pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=principal.user.username, issuer_name="Tocsin")
    return _account(request, session, principal, totp_secret=secret, totp_uri=uri)


@router.post("/account/totp/confirm")
def totp_confirm(
    request: Request,
    session: SessionDep,
    context: ContextDep,
    principal: CurrentUser,
    secret: Annotated[str, Form(max_length=64)],
    code: Annotated[str, Form(max_length=10)],
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Turn the second factor on: the password proves it is the user, not someone at their
    unlocked screen or with a stolen session, who would lock them out with a secret of
    their own. A second factor already on is replaced only after turning it off."""
    user = principal.user
    now = utc_now()
    if user.totp_ciphertext is not None:
        return _account(
            request,
            session,
            principal,
            message=translate(request, "Turn the second factor off first (below)."),
        )
    if not check_current_password(
        session, context.web, user, password, client=client_address(request), now=now
    ):
        return _account(
            request,
            session,
            principal,
            message=translate(request, "Your password is not right."),
            totp_secret=secret,
            totp_uri=pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="Tocsin"),
        )
    step = totp_step(secret, code, now=now)
    if step is None:
        return _account(
            request,
            session,
            principal,
            message=translate(request, "That code did not match; try again."),
        )
    sealed = context.key_ring.encrypt(secret, context=totp_context(user.id))
    update_user(session, user.id, now=now, totp=(sealed.ciphertext, sealed.key_id))
    use_totp_step(session, user.id, step)
    audit(session, actor=principal.actor, action="user.totp.enable", now=now)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/totp/disable")
def totp_disable(
    request: Request,
    session: SessionDep,
    context: ContextDep,
    principal: CurrentUser,
    password: Annotated[str, Form(max_length=1000)],
    code: Annotated[str, Form(max_length=10)],
) -> Response:
    """Turn the second factor off (to replace it: off, then set up again), with the
    password and a current code: a stolen session alone cannot remove it."""
    user = principal.user
    now = utc_now()
    if user.totp_ciphertext is None:
        return RedirectResponse("/account", status_code=303)
    if not check_current_password(
        session, context.web, user, password, client=client_address(request), now=now
    ) or not check_totp(session, context.key_ring, user, code, now=now):
        audit(session, actor=principal.actor, action="user.totp.disable.refused", now=now)
        return _account(
            request,
            session,
            principal,
            message=translate(request, "Wrong password or code: the second factor stays on."),
        )
    update_user(session, user.id, now=now, totp=None)
    audit(session, actor=principal.actor, action="user.totp.disable", now=now)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/tokens")
def token_create(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    scopes: Annotated[list[str], Form()],
    days: Annotated[int, Form(ge=1, le=366)] = 90,
) -> Response:
    chosen = [s for s in scopes if s in SCOPES]
    token = new_secret("tct_")
    now = utc_now()
    create_api_token(
        session,
        user_id=principal.user.id,
        name=name,
        token_sha=digest(token),
        scopes=chosen,
        now=now,
        expires_at=now + timedelta(days=days),
    )
    audit(
        session,
        actor=principal.actor,
        action="token.create",
        now=now,
        details={"name": name, "scopes": chosen},
    )
    return _account(request, session, principal, new_token=token)


@router.post("/account/tokens/{token_id}/revoke")
def token_revoke(token_id: int, session: SessionDep, principal: CurrentUser) -> Response:
    now = utc_now()
    if revoke_api_token(session, token_id=token_id, user_id=principal.user.id, now=now):
        audit(session, actor=principal.actor, action="token.revoke", target=str(token_id), now=now)
    return RedirectResponse("/account", status_code=303)
