"""``create_app(settings)``: the FastAPI application, its routers, menu and error pages.

The composition root: the web package names no capability. Capabilities offer their pages
as web plug-ins, callables ``include(app)`` registered as entry points of the ``tocsin.web``
group (``pyproject.toml``), which :func:`create_app` loads unless it is given its plug-ins.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tocsin import __version__
from tocsin.settings import Settings, get_settings
from tocsin.store import Database, is_database_busy
from tocsin.web import (
    _api,
    _http,
    _map,
    _routes_admin,
    _routes_auth,
    _routes_language,
    _routes_pages,
)
from tocsin.web._config import WebSettings
from tocsin.web._denials import audit_denial
from tocsin.web._deps import (
    CsrfFailed,
    LoginRequired,
    NotAllowed,
    PasswordChangeRequired,
    PrincipalCache,
    WebContext,
    check_csrf,
)
from tocsin.web._i18n import N_, i18n_context, install_i18n, translate
from tocsin.web._imports import MAX_UPLOAD_BYTES
from tocsin.web._keys import open_key_ring
from tocsin.web._nav import NavItem, NavRegistry
from tocsin.web._render import ErrorOut, JsonSuffixMiddleware, page, wants_json

HERE = Path(__file__).parent

#: The entry-point group of web plug-ins: each names a callable ``include(app)``.
PLUGIN_GROUP = "tocsin.web"
WebPlugin = Callable[[FastAPI], None]


def installed_plugins() -> list[WebPlugin]:
    """The web plug-ins installed (entry points of :data:`PLUGIN_GROUP`), in name order."""
    found = sorted(entry_points(group=PLUGIN_GROUP), key=lambda point: point.name)
    return [point.load() for point in found]


#: A task that fills a served app's caches ahead of its first visitors (see
#: :func:`register_warmer`).
Warmer = Callable[[WebContext], object]


def register_warmer(app: FastAPI, warmer: Warmer) -> None:
    """Run ``warmer(context)`` in a background thread when the app starts serving
    (``tocsin serve``), e.g. to compute the busiest pages. It must catch and log its own
    failures: it is only a head start, and the pages compute whatever it did not."""
    app.state.warmers.append(warmer)


def add_capability(app: FastAPI, router: APIRouter, nav: list[NavItem]) -> None:
    """Plug a capability's pages in: its router, and its menu entries.

    Register before the app serves. Routes added here take precedence over the app's own
    routes of the same paths.
    """
    # Routes copied into the app do not inherit the app's own dependencies, and FastAPI's
    # include_router now nests routers lazily (so copying would lose the capability's
    # precedence): each capability's router must declare the CSRF check itself.
    if not any(getattr(d, "dependency", None) is check_csrf for d in router.dependencies):
        raise ValueError(
            "a capability router must declare dependencies=[Depends(check_csrf)] "
            "(tocsin.web._deps.check_csrf); its state-changing routes would lack CSRF protection"
        )
    app.router.routes[:0] = router.routes
    for item in nav:
        app.state.nav.add(item)


class AddableStaticFiles(StaticFiles):
    """The files under ``/static``: the web package's own, then those capabilities add."""

    def add_directory(self, directory: Path) -> None:
        self.all_directories.append(directory)


def add_static_files(app: FastAPI, directory: Path) -> None:
    """Serve the files of a capability's folder under ``/static`` too (``/static/<name>``).

    The web package's own files come first: a capability's file of the same name is not
    served.
    """
    static: AddableStaticFiles = app.state.static
    static.add_directory(directory)


def _base_nav() -> NavRegistry:
    nav = NavRegistry()
    for item in (
        NavItem("data", "Data", "/data", "data:read", 60),
        NavItem("admin", "Admin", "/admin/users", "admin:users", 70),
        NavItem("audit", "Audit log", "/admin/audit", "admin:audit", 71),
    ):
        nav.add(item)
    return nav


def create_app(
    settings: Settings,
    web: WebSettings | None = None,
    *,
    plugins: Sequence[WebPlugin] | None = None,
) -> FastAPI:
    """Build the application for a database that ``tocsin up`` has set up.

    ``web`` defaults to ``settings.web``. ``plugins`` are the capabilities' pages to
    include (default: :func:`installed_plugins`, i.e. alerts, assessments, events uploads,
    incident reports, country reports, speech and the watchlist with the country pages).

    Examples
    --------
    >>> import tempfile
    >>> from tocsin.settings import Settings
    >>> from tocsin.web import WebSettings, create_app
    >>> home = tempfile.mkdtemp()
    >>> app = create_app(Settings(home=home), WebSettings(identity_keys=None))
    >>> sorted(p for p in app.openapi()["paths"] if p.startswith("/api/v1/r"))
    ['/api/v1/reports', '/api/v1/reports/{report_id}']
    >>> app.state.tocsin.db.dispose()
    """
    web = web or settings.web
    key_ring = open_key_ring(settings, web)  # read again when `rotate-key` rewrites it
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals["version"] = __version__
    templates.env.auto_reload = False  # templates ship with the package: no stat per render
    install_i18n(templates.env)  # one environment: the plug-ins' template folders join it
    templates.context_processors.append(i18n_context)
    context = WebContext(
        settings=settings,
        web=web,
        db=Database.from_settings(settings),
        key_ring=key_ring,
        templates=templates,
        page_ttl_seconds=web.page_cache_seconds,
        principals=PrincipalCache(web.session_cache_seconds, settings.home / "web-sessions.epoch"),
    )
    app = FastAPI(
        title="Tocsin",
        version=__version__,
        description="Early warning and prevention of atrocity crimes: watchlist, countries, "
        "Signals, events and incident reports. Authenticate with `Authorization: Bearer "
        "<token>` (make one on your account page).",
        dependencies=[Depends(check_csrf)],
        docs_url=None,  # served by _http.add_api_docs, without a CDN
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.tocsin = context
    app.state.warmers = []
    app.state.nav = _base_nav()
    app.add_middleware(JsonSuffixMiddleware)
    _http.install(
        app, max_body_bytes=web.max_body_bytes, trust_forwarded_proto=web.trust_forwarded_proto
    )
    # a data file of the largest size, its mapping file and the form's fields
    _http.allow_large_bodies(app, "POST", "/data/imports", MAX_UPLOAD_BYTES + 2**20)
    static = AddableStaticFiles(directory=HERE / "static")
    app.state.static = static
    app.mount("/static", static, name="static")
    for module in (_routes_auth, _routes_language, _routes_pages, _routes_admin, _api, _map):
        app.include_router(module.router)
    for include in installed_plugins() if plugins is None else plugins:
        include(app)
    _add_error_handlers(app)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    def login_required(request: Request, _exc: LoginRequired) -> Response:
        if wants_json(request):
            return JSONResponse(
                {"detail": "sign in or send a valid API token"},
                status_code=401,
                headers={"www-authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    def change_first(request: Request, _exc: PasswordChangeRequired) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "change your one-time password first"}, 403)
        return RedirectResponse("/account/password", status_code=303)

    @app.exception_handler(NotAllowed)
    def not_allowed(request: Request, error: NotAllowed) -> Response:
        audit_denial(request, error.permission)  # a sync handler: Starlette runs it in a thread
        return _error(
            request,
            403,
            N_("Your role may not do this (%(permission)s)."),
            permission=error.permission,
        )

    @app.exception_handler(CsrfFailed)
    def csrf_failed(request: Request, _exc: CsrfFailed) -> Response:
        return _error(request, 403, N_("The form was stale or forged (CSRF check). Reload it."))

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, error: StarletteHTTPException) -> Response:
        return _error(request, error.status_code, str(error.detail))

    @app.exception_handler(OperationalError)
    def database_busy(request: Request, error: OperationalError) -> Response:
        if not is_database_busy(error):
            raise error  # a real fault: the server's 500, logged with its traceback
        # SQLite has one writer: a long import can hold the lock past the busy timeout.
        # Nothing of this request was stored (its transaction rolled back), so saying so
        # and when to try again is the truth; a 500 would read as a bug.
        response = _error(
            request,
            503,
            N_(
                "The database is busy storing other data; nothing of this request "
                "was stored. Try again in a few seconds."
            ),
        )
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, error: RequestValidationError) -> Response:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
        return _error(request, 422, "; ".join(problems))

    del login_required, change_first, not_allowed, csrf_failed, http_error, invalid
    del database_busy


def _error(request: Request, status_code: int, message: str, **values: object) -> Response:
    """The error page, or its JSON; ``message`` is a ``%(name)s`` template of ``values``,
    in English in the API (whose answers are promised stable) and translated on the page."""
    if wants_json(request):
        text = message % values if values else message
        return JSONResponse({"detail": text}, status_code=status_code)
    return page(
        request,
        "error.html",
        ErrorOut(status=status_code, detail=translate(request, message, **values)),
        title=f"Error {status_code}",
        status_code=status_code,
    )


def create_app_from_environment() -> FastAPI:
    """The application for the settings in the environment (``TOCSIN_*``): uvicorn's factory."""
    return warm_in_background(create_app(get_settings()))


def warm_in_background(app: FastAPI) -> FastAPI:
    """Start the plug-ins' warmers (:func:`register_warmer`) in a thread, then return."""
    context: WebContext = app.state.tocsin
    warmers: list[Warmer] = list(app.state.warmers)

    def warm() -> None:
        for warmer in warmers:
            warmer(context)

    if warmers:
        threading.Thread(target=warm, name="warm", daemon=True).start()
    return app


def serve(
    settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, workers: int = 1
) -> None:
    """Run the application with uvicorn until interrupted (``workers`` processes).

    Notes the served address in the data folder first, so that alert workers run apart
    (`tocsin alerts watch`) link to this host and port when no ``alerts.base_url`` is set.
    """
    import uvicorn

    settings.note_served_url(host, port)

    if workers == 1:
        app = warm_in_background(create_app(settings))
        uvicorn.run(app, host=host, port=port, proxy_headers=False)
        return
    # Worker processes build their own app from the environment.
    os.environ["TOCSIN_HOME"] = str(settings.home)
    if settings.database_url:
        os.environ["TOCSIN_DATABASE_URL"] = settings.database_url
    uvicorn.run(
        "tocsin.web._app:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
    )
