"""The web application and API: watchlist, country pages, data, accounts, access control.

Build it with :func:`create_app` from the settings; ``tocsin serve`` (and ``tocsin up``)
runs it. Capabilities (incident reports, assessments, alerts, speech review...) plug their
pages in as web plug-ins (:data:`PLUGIN_GROUP`); the web package names none of them.
Access rules live in one table (:data:`PERMISSIONS`) and are enforced by dependencies
(:class:`Requires`); values sealed at rest (identities, TOTP secrets) are re-encrypted
under a new key by :func:`rotate_identity_key`, through each slice's resealer
(:data:`SEALED_GROUP`).
"""

# Names are loaded on first use (their module is imported then): the store of users and
# tokens is imported by every migration run and must not load FastAPI with it.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
