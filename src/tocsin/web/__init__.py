"""The web application and API: watchlist, country pages, incident reports, access control.

Build it with :func:`create_app` from the settings; ``tocsin serve`` (and ``tocsin up``)
runs it. Access rules live in one table (:data:`PERMISSIONS`) and are enforced by
dependencies (:class:`Requires`); identities of witnesses, victims and sources are
encrypted with AES-GCM under a rotatable key ring (:class:`KeyRing`).
"""

from tocsin.web._accounts import ensure_first_admin, sign_in
from tocsin.web._app import (
    PLUGIN_GROUP,
    WebPlugin,
    add_capability,
    create_app,
    installed_plugins,
    serve,
)
from tocsin.web._config import WebSettings
from tocsin.web._country_sections import (
    CountrySection,
    CountrySectionProvider,
    SectionLink,
    SectionTable,
    register_country_section,
)
from tocsin.web._crypto import IdentityKeyError, KeyRing, Sealed, load_key_ring, save_key_ring
from tocsin.web._deps import (
    ContextDep,
    CurrentUser,
    OptionalPrincipal,
    Requires,
    SessionDep,
    SettingsDep,
    WebContext,
    check_csrf,
    get_session,
    route_permissions,
)
from tocsin.web._imports import (
    ImportOutcome,
    Storing,
    Upload,
    UploadKind,
    register_upload_kind,
)
from tocsin.web._keys import rotate_identity_key
from tocsin.web._nav import NavItem, NavRegistry
from tocsin.web._render import ErrorOut, error_responses
from tocsin.web._reports import Identities, IncidentReportIn, IncidentReportOut
from tocsin.web._security import (
    PERMISSIONS,
    ROLES,
    SCOPES,
    Principal,
    allowed_sensitivities,
    hash_password,
    report_visibility,
    role_permissions,
    verify_password,
)

__all__ = [
    "ImportOutcome",
    "Storing",
    "Upload",
    "UploadKind",
    "register_upload_kind",
    "PLUGIN_GROUP",
    "WebPlugin",
    "installed_plugins",
    "PERMISSIONS",
    "ROLES",
    "SCOPES",
    "ContextDep",
    "CountrySection",
    "CountrySectionProvider",
    "CurrentUser",
    "IdentityKeyError",
    "ErrorOut",
    "Identities",
    "IncidentReportIn",
    "IncidentReportOut",
    "KeyRing",
    "NavItem",
    "NavRegistry",
    "OptionalPrincipal",
    "Principal",
    "Requires",
    "SectionLink",
    "SectionTable",
    "Sealed",
    "SessionDep",
    "SettingsDep",
    "WebContext",
    "WebSettings",
    "add_capability",
    "allowed_sensitivities",
    "check_csrf",
    "error_responses",
    "create_app",
    "ensure_first_admin",
    "get_session",
    "hash_password",
    "load_key_ring",
    "register_country_section",
    "report_visibility",
    "role_permissions",
    "route_permissions",
    "rotate_identity_key",
    "save_key_ring",
    "serve",
    "sign_in",
    "verify_password",
]
