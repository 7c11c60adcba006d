"""The web application and API: watchlist, country pages, incident reports, access control.

Build it with :func:`create_app` from the settings; ``tocsin serve`` (and ``tocsin up``)
runs it. Access rules live in one table (:data:`PERMISSIONS`) and are enforced by
dependencies (:class:`Requires`); identities of witnesses, victims and sources are
encrypted with AES-GCM under a rotatable key ring (:class:`KeyRing`).
"""

# Names are loaded on first use (their module is imported then): the store of users and
# tokens is imported by every migration run and must not load FastAPI with it.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
