"""Who may do what: roles, the permission table, API scopes, passwords and tokens.

Permission checks live in dependencies (:class:`tocsin.web.Requires`); the table below
holds every permission, the capabilities' included. Which incident reports a caller may
see is the incidents capability's rule (:func:`tocsin.incidents.report_visibility`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from tocsin.web._store import ROLES as ROLES  # the roles, re-exported beside their permissions
from tocsin.web._store import StoredUser

#: Permission -> roles that hold it. The one place access rules are written down: the
#: capabilities' routes declare these (``Requires("assessment:edit")``), never role sets.
PERMISSIONS: dict[str, frozenset[str]] = {
    "watchlist:read": frozenset(ROLES),
    "country:read": frozenset(ROLES),
    "signals:read": frozenset(ROLES),
    "data:read": frozenset(ROLES),
    "data:import": frozenset({"admin", "analyst"}),  # upload event and speech files
    "report:read": frozenset(ROLES),  # which reports: tocsin.incidents.report_visibility
    "report:create": frozenset({"admin", "analyst", "monitor"}),
    "report:export": frozenset({"admin", "analyst"}),
    "identity:read": frozenset({"admin", "analyst"}),
    # the queue of reports sent by text message: drafts may name people, unverified
    "report:verify": frozenset({"admin", "analyst"}),
    "assessment:edit": frozenset({"admin", "analyst"}),  # create, rate, submit, import
    "assessment:approve": frozenset({"admin", "reviewer"}),  # approve or return
    "assessment:comment": frozenset({"admin", "analyst", "reviewer"}),
    # read drafts, earlier versions and comments: who edits, reviews or comments
    "assessment:draft:read": frozenset({"admin", "analyst", "reviewer"}),
    "speech:text": frozenset({"admin", "analyst", "reviewer"}),  # raw texts, worksheet notes
    "speech:decide": frozenset({"admin", "analyst", "reviewer"}),  # complete a Rabat worksheet
    "alert:internal": frozenset({"admin", "analyst", "reviewer"}),  # see non-public alerts
    "alert:respond": frozenset({"admin", "analyst", "reviewer"}),  # acknowledge, act, dismiss
    "alert:rules": frozenset({"admin", "analyst"}),  # add and remove alert rules
    "admin:users": frozenset({"admin"}),
    "admin:audit": frozenset({"admin"}),
}

#: API token scope -> permissions it may exercise (never more than the user's role allows).
#: Every permission that changes something is in a scope other than ``read``.
SCOPES: dict[str, frozenset[str]] = {
    "read": frozenset(
        {
            "watchlist:read",
            "country:read",
            "signals:read",
            "data:read",
            "alert:internal",
            "assessment:draft:read",
        }
    ),
    "reports:read": frozenset({"report:read"}),
    "reports:write": frozenset({"report:create"}),
    "reports:export": frozenset({"report:export"}),
    "reports:verify": frozenset({"report:verify"}),
    "identities": frozenset({"identity:read", "speech:text"}),
    # who changes an assessment reads what it changes, drafts included
    "assessments:write": frozenset(
        {"assessment:edit", "assessment:comment", "assessment:draft:read"}
    ),
    "assessments:approve": frozenset(
        {"assessment:approve", "assessment:comment", "assessment:draft:read"}
    ),
    "speech:write": frozenset({"speech:decide"}),
    "alerts:write": frozenset({"alert:respond", "alert:rules"}),
    "admin": frozenset({"admin:users", "admin:audit"}),
}

#: Permissions a read-only token (scope ``read``) holds: none of them changes anything.
READ_ONLY_PERMISSIONS = SCOPES["read"]


def role_permissions(role: str) -> frozenset[str]:
    """Every permission a role holds.

    Examples
    --------
    >>> sorted(role_permissions("viewer"))[:3]
    ['country:read', 'data:read', 'report:read']
    >>> "identity:read" in role_permissions("monitor")
    False
    """
    return frozenset(p for p, roles in PERMISSIONS.items() if role in roles)


@dataclass(frozen=True)
class Principal:
    """The signed-in user of a request, and how they proved it."""

    user: StoredUser
    via: str  # "session" | "token"
    scopes: frozenset[str] = frozenset()
    csrf_token: str | None = None

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"user:{self.user.username}" + (" (api)" if self.via == "token" else "")

    def can(self, permission: str) -> bool:
        if permission not in role_permissions(self.user.role):
            return False
        if self.via == "token":
            return any(permission in SCOPES.get(scope, ()) for scope in self.scopes)
        return True


_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_secret(prefix: str = "") -> str:
    """A random URL-safe secret of 256 bits."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The SHA-256 hex digest by which sessions and API tokens are stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def one_time_password() -> str:
    """A password for a first sign-in: four groups of letters and digits, easy to type."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


def allowed_sensitivities(principal: Principal) -> tuple[str, ...]:
    """Sensitivities of Signals and other records this caller may see.

    Restricted records: admins and analysts. Internal ones: every staff role. Viewers:
    public records only.
    """
    if principal.can("identity:read"):
        return ("public", "internal", "restricted")
    if principal.user.role == "viewer":
        return ("public",)
    return ("public", "internal")
