"""Administration: users and roles, and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from tocsin.store import audit, list_audit
from tocsin.web._deps import Requires, SessionDep, utc_now
from tocsin.web._i18n import translate
from tocsin.web._render import page
from tocsin.web._security import PERMISSIONS, ROLES, Principal, hash_password, one_time_password
from tocsin.web._store import (
    create_user,
    delete_web_sessions,
    end_other_sessions_and_revoke_tokens,
    get_user,
    get_user_by_username,
    list_users,
    update_user,
)

router = APIRouter(include_in_schema=False)

Admin = Annotated[Principal, Depends(Requires("admin:users"))]
Auditor = Annotated[Principal, Depends(Requires("admin:audit"))]


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    is_active: bool
    has_totp: bool
    must_change_password: bool
    created_at: datetime


def least_privileged_role() -> str:
    """The role allowed the fewest things: what a new user gets unless an admin picks
    more, so a slip of the form grants too little rather than everything."""
    return min(ROLES, key=lambda role: sum(role in roles for roles in PERMISSIONS.values()))


class UsersPage(BaseModel):
    users: list[UserOut]
    roles: list[str]
    default_role: str
    permissions: dict[str, list[str]]
    one_time_password: str | None = None
    for_user: str | None = None
    message: str | None = None


def _users(request: Request, session: SessionDep, status_code: int = 200, **extra: Any) -> Response:
    users = [
        UserOut(
            id=u.id,
            username=u.username,
            display_name=u.display_name,
            role=u.role,
            is_active=u.is_active,
            has_totp=u.totp_ciphertext is not None,
            must_change_password=u.must_change_password,
            created_at=u.created_at,
        )
        for u in list_users(session)
    ]
    data = UsersPage(
        users=users,
        roles=list(ROLES),
        default_role=least_privileged_role(),
        permissions={p: sorted(r) for p, r in PERMISSIONS.items()},
        **extra,
    )
    return page(request, "admin_users.html", data, title="Users and roles", status_code=status_code)


@router.get("/admin/users")
def users(request: Request, session: SessionDep, _admin: Admin) -> Response:
    return _users(request, session)


@router.post("/admin/users")
def add_user(
    request: Request,
    session: SessionDep,
    admin: Admin,
    username: Annotated[str, Form(pattern=r"^[a-zA-Z0-9_.-]{2,80}$")],
    display_name: Annotated[str, Form(min_length=1, max_length=200)],
    role: Annotated[str, Form()],
) -> Response:
    if role not in ROLES or get_user_by_username(session, username) is not None:
        return _users(
            request,
            session,
            status_code=400,
            message=translate(request, "That user name is taken or the role is unknown."),
        )
    password = one_time_password()
    now = utc_now()
    create_user(
        session,
        username=username,
        display_name=display_name,
        role=role,
        password_hash=hash_password(password),
        now=now,
        must_change_password=True,
    )
    audit(
        session,
        actor=admin.actor,
        action="user.create",
        target=username,
        now=now,
        details={"role": role},
    )
    return _users(request, session, one_time_password=password, for_user=username)


@router.post("/admin/users/{user_id}")
def change_user(
    user_id: int,
    session: SessionDep,
    admin: Admin,
    role: Annotated[str | None, Form()] = None,
    active: Annotated[str | None, Form()] = None,
) -> Response:
    user = get_user(session, user_id)
    if user is None or (role is not None and role not in ROLES):
        raise HTTPException(404, "no such user or role")
    if user.id == admin.user.id:
        raise HTTPException(400, "change your own account from another admin's")
    is_active = None if active is None else active == "true"
    now = utc_now()
    update_user(session, user_id, now=now, role=role, is_active=is_active)
    if is_active is False or role is not None:
        delete_web_sessions(session, user_id=user_id)  # new rights apply at next sign-in
    audit(
        session,
        actor=admin.actor,
        action="user.update",
        target=user.username,
        now=now,
        details={"role": role, "is_active": is_active},
    )
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/reset")
def reset_password(request: Request, user_id: int, session: SessionDep, admin: Admin) -> Response:
    user = get_user(session, user_id)
    if user is None:
        raise HTTPException(404, "no such user")
    password = one_time_password()
    now = utc_now()
    update_user(
        session,
        user_id,
        now=now,
        password_hash=hash_password(password),
        must_change_password=True,
        totp=None,
    )
    # all of them, for good: a token made by whoever had the old password must not work
    # again once the user has chosen a new one
    ended, revoked = end_other_sessions_and_revoke_tokens(session, user_id, now=now)
    audit(
        session,
        actor=admin.actor,
        action="user.reset",
        target=user.username,
        now=now,
        details={"sessions_ended": ended, "api_revoked": revoked},
    )
    return _users(request, session, one_time_password=password, for_user=user.username)


class AuditOut(BaseModel):
    at: datetime
    actor: str
    action: str
    target: str | None
    details: dict[str, Any]


class AuditPage(BaseModel):
    entries: list[AuditOut]


@router.get("/admin/audit")
def audit_log(
    request: Request,
    session: SessionDep,
    _auditor: Auditor,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Response:
    entries = [AuditOut(**vars(e)) for e in list_audit(session, limit=limit)]
    return page(request, "admin_audit.html", AuditPage(entries=entries), title="Audit log")
