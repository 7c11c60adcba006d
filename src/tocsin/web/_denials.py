"""Refused permission checks go into the audit log: repeated probes show who tried what."""

from __future__ import annotations

import logging

from fastapi import Request

from tocsin.store import audit
from tocsin.web._deps import WebContext, utc_now
from tocsin.web._security import Principal

logger = logging.getLogger(__name__)


def audit_denial(request: Request, permission: str) -> None:
    """Record that the caller was refused ``permission`` on this request's path.

    In its own transaction: the request's is rolled back by the refusal. Names the caller,
    the permission, the method and the path, never the query string or the body, which
    may carry search terms or values about people. Blocking: called from a worker thread.
    """
    principal: Principal | None = getattr(request.state, "principal", None)
    context: WebContext = request.app.state.tocsin
    try:
        with context.db.session() as session:
            audit(
                session,
                actor=principal.actor if principal is not None else "anonymous",
                action="access.denied",
                now=utc_now(),
                details={
                    "permission": permission,
                    "method": request.method,
                    "path": request.url.path,
                    "role": principal.user.role if principal is not None else None,
                },
            )
    except Exception:
        # the refusal itself must still reach the caller as a 403, not a 500
        logger.exception("could not audit a refused %s on %s", permission, request.url.path)
