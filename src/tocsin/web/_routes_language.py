"""The language switch: every page's buttons and the account page's choice post here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from tocsin.web._deps import ContextDep, OptionalPrincipal, SessionDep, utc_now
from tocsin.web._i18n import LANGUAGE_COOKIE, LANGUAGES
from tocsin.web._routes_auth import safe_next
from tocsin.web._store import update_user

router = APIRouter(include_in_schema=False)

#: How long the browser keeps the choice (a year): it is no secret, only a preference.
COOKIE_SECONDS = 366 * 24 * 3600


@router.post("/language")
def choose_language(
    context: ContextDep,
    session: SessionDep,
    principal: OptionalPrincipal,
    lang: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    """Show the interface in ``lang`` from the next page on: a cookie for this browser and,
    for a signed-in user, their preference (which follows them to other browsers).

    ``lang`` empty (or unknown) forgets the choice: the browser's ``Accept-Language``
    decides again. Back to ``next``, a path of this site.
    """
    chosen = lang if lang in LANGUAGES else None
    if principal is not None and principal.via == "session":
        update_user(session, principal.user.id, now=utc_now(), language=chosen)
    response = RedirectResponse(safe_next(next), status_code=303)
    if chosen is None:
        response.delete_cookie(LANGUAGE_COOKIE)
    else:
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=COOKIE_SECONDS,
            httponly=True,
            secure=context.web.cookie_secure,
            samesite="lax",
        )
    return response
