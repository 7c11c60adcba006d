"""What a caller may see of incident reports: one function, so that pages, API, exports
and search all apply the same rule (the permissions themselves are in the one table,
:data:`tocsin.web.PERMISSIONS`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tocsin.incidents._store import ReportVisibility

if TYPE_CHECKING:
    from tocsin.web import Principal


def report_visibility(principal: Principal) -> ReportVisibility:
    """Which incident reports this caller may see.

    Monitors see only their own; reviewers public and internal ones; viewers public
    ones; analysts and admins all. Without ``report:read`` (e.g. a token lacking the
    scope) nothing.
    """
    if not principal.can("report:read"):
        return ReportVisibility(sensitivities=())
    role = principal.user.role
    if role == "monitor":
        return ReportVisibility(owner_id=principal.user.id)
    if role == "reviewer":
        return ReportVisibility(sensitivities=("public", "internal"))
    if role == "viewer":
        return ReportVisibility(sensitivities=("public",))
    return ReportVisibility()
