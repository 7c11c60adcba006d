"""One handler, two faces: an HTML page or its JSON twin, from the same data.

A page answers JSON when its path ends in ``.json`` (``/watchlist.json``) or the
request prefers ``application/json``; otherwise it renders its template with the same
model under ``data``.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.types import ASGIApp, Receive, Scope, Send

from tocsin.web._deps import WebContext, expected_csrf

_NO_SUFFIX = ("/static/", "/api/")


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


def page(
    request: Request,
    template: str,
    data: BaseModel | None,
    *,
    title: str,
    status_code: int = 200,
    extra: dict[str, Any] | None = None,
) -> Response:
    """Render ``template`` with ``data``, or return ``data`` as JSON when asked for."""
    if wants_json(request):
        return JSONResponse(jsonable_encoder(data), status_code=status_code)
    context: WebContext = request.app.state.tocsin
    principal = getattr(request.state, "principal", None)
    values = {
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
