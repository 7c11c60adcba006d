"""One handler, two faces: an HTML page or its JSON twin, from the same data.

A page answers JSON when its path ends in ``.json`` (``/watchlist.json``) or the
request prefers ``application/json``; otherwise it renders its template with the same
model under ``data``.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup
from pydantic import BaseModel
from starlette.types import ASGIApp, Receive, Scope, Send

from tocsin.web._deps import WebContext, expected_csrf
from tocsin.web._i18n import DEFAULT_LANGUAGE, request_language, text_direction

_NO_SUFFIX = ("/static/", "/api/")


class ErrorOut(BaseModel):
    """An error answer, of the API and of the error page: what went wrong and, where there
    is one, the fix; the page also shows the status code."""

    detail: str
    status: int | None = None


def error_responses(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for a router: each status code answered with :class:`ErrorOut`.

    >>> error_responses({404: "No such item."})[404]["description"]
    'No such item.'
    """
    return {code: {"model": ErrorOut, "description": text} for code, text in descriptions.items()}


class JsonSuffixMiddleware:
    """Route ``/page.json`` to ``/page`` and remember that JSON was asked for."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if path.endswith(".json") and not path.startswith(_NO_SUFFIX):
                scope = dict(scope)
                scope["path"] = path[: -len(".json")] or "/"
                scope["raw_path"] = scope["path"].encode()
                scope.setdefault("state", {})
                scope["state"] = dict(scope["state"]) | {"want_json": True}
        await self.app(scope, receive, send)


def wants_json(request: Request) -> bool:
    if getattr(request.state, "want_json", False) or request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


FRAGMENTS_KEPT = 64
_fragments: dict[tuple[int, str, str], tuple[Any, dict[str, Any], Markup]] = {}
_fragments_lock = threading.Lock()


def fragment(
    context: WebContext,
    template: str,
    data: Any,
    values: dict[str, Any],
    *,
    language: str = DEFAULT_LANGUAGE,
) -> Markup:
    """``template`` rendered with only ``data`` and ``values``, once per such objects and
    interface language.

    Pages whose data come from the page cache get the *same* objects for every caller
    that shares a cache key (same sensitivities allowed, same filters), so the HTML
    made from them is reused as long as they are: identity, not equality, decides, and
    the cached objects are kept alive beside the HTML so that their ids stay theirs. The
    fragment is rendered without the request, the caller or the CSRF token, so nothing
    of one caller can reach another through it.
    """
    key = (id(data), template, language)
    with _fragments_lock:
        found = _fragments.get(key)
    if (
        found is not None
        and found[0] is data
        and found[1].keys() == values.keys()
        and all(found[1][k] is v for k, v in values.items())
    ):
        return found[2]
    template_values = {**values, "lang": language, "text_direction": text_direction(language)}
    html = Markup(context.templates.get_template(template).render(data=data, **template_values))
    with _fragments_lock:
        if len(_fragments) >= FRAGMENTS_KEPT:
            _fragments.pop(next(iter(_fragments)))
        _fragments[key] = (data, dict(values), html)
    return html


def page(
    request: Request,
    template: str,
    data: BaseModel | None,
    *,
    title: str,
    status_code: int = 200,
    extra: dict[str, Any] | None = None,
    fragment: str | None = None,
) -> Response:
    """Render ``template`` with ``data``, or return ``data`` as JSON when asked for.

    With ``fragment``, that template (given ``data`` and ``extra`` only) is rendered
    through :func:`fragment` and passed to ``template`` as ``body``: for pages whose
    content is the same for everyone who gets the same cached data.
    """
    if wants_json(request):
        return JSONResponse(jsonable_encoder(data), status_code=status_code)
    context: WebContext = request.app.state.tocsin
    principal = getattr(request.state, "principal", None)
    body = (
        _fragment(context, fragment, data, extra or {}, language=request_language(request))
        if fragment
        else None
    )
    values = {
        "body": body,
        "request": request,
        "data": data,
        "title": title,
        "principal": principal,
        "csrf_token": expected_csrf(request, principal) or "",
        "nav": request.app.state.nav.for_principal(principal),
        **(extra or {}),
    }
    response: HTMLResponse = context.templates.TemplateResponse(
        request, template, values, status_code=status_code
    )
    return response


_fragment = fragment  # page() has a parameter of that name
