"""Sections that capabilities add to the data page: ``register_data_section``.

The data page says what Tocsin holds and where it came from; a capability that brings
data in by itself (the monitor's connectors and watch) adds a section saying how current
it is. A *provider* ``provider(session, principal) -> CountrySection | None`` returns what
to show (the generic rendering of :class:`~tocsin.web.CountrySection`: summary, items,
tables, links); None leaves the section out. The page's JSON twin holds it under
``sections[name]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy.orm import Session

from tocsin.web._country_sections import CountrySection
from tocsin.web._deps import WebContext
from tocsin.web._security import Principal

__all__ = ["DataSectionProvider", "data_sections", "register_data_section"]

DataSectionProvider = Callable[[Session, Principal], CountrySection | None]


@dataclass(frozen=True)
class _DataSectionSpec:
    name: str
    title: str
    provider: DataSectionProvider
    order: int
    permission: str


def register_data_section(
    app: FastAPI,
    name: str,
    title: str,
    provider: DataSectionProvider,
    *,
    order: int = 100,
    permission: str = "data:read",
) -> None:
    """Add a section to the data page of ``app`` (call before the app serves); a later
    registration of ``name`` replaces it. ``permission`` hides it from callers without it.

    Examples
    --------
    >>> import tempfile
    >>> from tocsin.settings import Settings
    >>> from tocsin.web import WebSettings, create_app
    >>> app = create_app(
    ...     Settings(home=tempfile.mkdtemp()), WebSettings(identity_keys=None), plugins=[]
    ... )
    >>> register_data_section(app, "feeds", "Feeds", lambda s, p: CountrySection(items=["x"]))
    >>> [spec.name for spec in app.state.tocsin.cache["data_sections"].values()]
    ['feeds']
    >>> app.state.tocsin.db.dispose()
    """
    context: WebContext = app.state.tocsin
    specs: dict[str, _DataSectionSpec] = context.cache.setdefault("data_sections", {})
    specs[name] = _DataSectionSpec(name, title, provider, order, permission)


def data_sections(
    context: WebContext, session: Session, principal: Principal
) -> dict[str, CountrySection]:
    """The sections the caller may see that have something to show, in order."""
    specs: dict[str, _DataSectionSpec] = context.cache.get("data_sections", {})
    found: dict[str, CountrySection] = {}
    for spec in sorted(specs.values(), key=lambda s: (s.order, s.name)):
        if not principal.can(spec.permission):
            continue
        section = spec.provider(session, principal)
        if section is None:
            continue
        found[spec.name] = (
            section if section.title else section.model_copy(update={"title": spec.title})
        )
    return found
