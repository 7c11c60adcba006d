"""What every answer and request goes through before any route: a limit on the size of
request bodies, the security headers, the API docs page served without a CDN, and access
logs without query strings.

Plain ASGI middleware, not Starlette's ``BaseHTTPMiddleware``: they must see the body as it
streams in (to stop it) and must not buffer answers (downloads, streamed exports).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import compile_path

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Scripts only from the app itself, and no inline script (the templates have none; the
#: capabilities' scripts are files under /static). Inline styles are allowed: bars of the
#: country pages set their width in a ``style`` attribute, and Swagger UI styles inline.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000"
STATIC_PREFIX = "/static/"
_ALWAYS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
_NO_STORE = (b"cache-control", b"no-store")
_HSTS = (b"strict-transport-security", HSTS.encode())


@dataclass
class BodyLimits:
    """The largest request body per route: ``default`` unless a route has its own.

    Kept on ``app.state.body_limits``; :func:`allow_large_bodies` adds a route's limit.
    """

    default: int
    routes: list[tuple[str, re.Pattern[str], int]] = field(default_factory=list)

    def for_request(self, method: str, path: str) -> int:
        for route_method, pattern, limit in self.routes:
            if route_method == method and pattern.match(path):
                return limit
        return self.default


def allow_large_bodies(app: FastAPI, method: str, path: str, max_bytes: int) -> None:
    """Let requests to one route (``path`` as the route declares it, e.g.
    ``/reports/{public_id}/attachments``) carry up to ``max_bytes`` of body.

    For routes that take uploads; every other route keeps ``TOCSIN_WEB_MAX_BODY_BYTES``.
    Allow a little more than the files themselves: a multipart body also holds the other
    fields and a header per part.
    """
    limits: BodyLimits = app.state.body_limits
    pattern, _format, _convertors = compile_path(path)
    limits.routes.append((method.upper(), pattern, max_bytes))


class BodyLimitMiddleware:
    """Refuse a request body over its route's limit with 413, without reading it whole.

    A declared ``Content-Length`` over the limit is refused before any byte of the body
    is read. A body without one (chunked) is counted as it streams in; once it passes the
    limit the 413 goes out, the route is told the client has gone, and nothing more is
    read. So an anonymous client cannot make a process hold a large body in memory.
    """

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_request(scope["method"], scope["path"])
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = False  # the server has refused a malformed length already
            if too_large:
                await _refuse(send, limit)
                return
        state = {"received": 0, "refused": False, "started": False}

        async def counting_receive() -> Message:
            if state["refused"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["refused"] = True
                    if not state["started"]:
                        state["started"] = True
                        await _refuse(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if state["refused"]:
                return  # the 413 has been sent: whatever the route answers is dropped
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not state["refused"]:
                raise
            # the route failed on the body cut short (a disconnect): the client has its 413


async def _refuse(send: Send, limit: int) -> None:
    body = b'{"detail": "the request body is larger than this address takes (%d bytes)"}' % limit
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


class SecurityHeadersMiddleware:
    """Add the security headers to every answer that does not set its own.

    - ``Content-Security-Policy`` (:data:`CONTENT_SECURITY_POLICY`; attachments keep their
      sandboxing one), ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``,
      ``Referrer-Policy: no-referrer`` (addresses hold report ids and search terms);
    - ``Cache-Control: no-store`` on everything but the static files: pages and API answers
      show who is signed in, identities and restricted records, which no shared or browser
      cache should keep;
    - ``Strict-Transport-Security`` when the request came over HTTPS, as the server saw it
      or, with ``trust_forwarded_proto``, as the reverse proxy says in ``X-Forwarded-Proto``.
    """

    def __init__(self, app: ASGIApp, *, trust_forwarded_proto: bool) -> None:
        self.app = app
        self.trust_forwarded_proto = trust_forwarded_proto

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https" or (
            self.trust_forwarded_proto
            and (_header(scope, b"x-forwarded-proto") or "").split(",")[0].strip() == "https"
        )
        static = scope["path"].startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {bytes(key).lower() for key, _value in headers}
                wanted = [*_ALWAYS]
                if not static:
                    wanted.append(_NO_STORE)
                if https:
                    wanted.append(_HSTS)
                headers += [(k, v) for k, v in wanted if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


API_DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Tocsin API</title>
<link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


def add_api_docs(app: FastAPI, path: str = "/api/docs") -> None:
    """Serve Swagger UI at ``path`` from the app's own static files: no CDN (nothing to
    trust but this server, and the docs work without an internet connection) and no
    inline script (the page starts it from ``/static/api-docs.js``, under the CSP)."""
    openapi_url = app.openapi_url or "/openapi.json"

    async def api_docs(_request: Request) -> HTMLResponse:
        return HTMLResponse(API_DOCS_HTML.format(openapi_url=openapi_url))

    app.router.add_route(path, api_docs, methods=["GET"], include_in_schema=False)


class WithoutQueryStrings(logging.Filter):
    """Drop the query string from uvicorn's access log lines: it holds search terms
    (``/reports?q=<a name>``) that must not end up in logs kept for months."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def log_paths_without_query_strings() -> None:
    """Install :class:`WithoutQueryStrings` on uvicorn's access logger (once)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, WithoutQueryStrings) for f in access.filters):
        access.addFilter(WithoutQueryStrings())


def install(app: FastAPI, *, max_body_bytes: int, trust_forwarded_proto: bool) -> None:
    """Put the body limit and security headers around ``app``, serve the API docs and
    strip query strings from the access log. Call after every other middleware is added:
    the body limit then comes before anything that could read a body, and the headers
    reach every answer, the limit's 413 included."""
    app.state.body_limits = BodyLimits(max_body_bytes)
    app.add_middleware(BodyLimitMiddleware, limits=app.state.body_limits)
    app.add_middleware(SecurityHeadersMiddleware, trust_forwarded_proto=trust_forwarded_proto)
    add_api_docs(app)
    log_paths_without_query_strings()
