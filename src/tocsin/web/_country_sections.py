"""Sections that capabilities add to the country page: ``register_country_section``.

A capability (assessments, speech, alerts, …) contributes a section with a *provider*,
``provider(session, principal, iso3) -> CountrySection | None``. The page's JSON twin
holds what it returns under ``sections[name]``; the HTML page renders it with the
template the capability ships, or with the generic rendering of :class:`CountrySection`
(summary, items, tables, links). Returning None leaves the section out for that country.

The provider receives the caller, and must show only what the caller may see
(:func:`tocsin.web.allowed_sensitivities`, ``principal.can(...)``). Country pages are cached
per set of sensitivities *and* permissions, so a provider must decide on nothing else
about the caller (not the user's id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PrefixLoader
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tocsin.web._deps import WebContext
from tocsin.web._security import Principal

__all__ = [
    "CountrySection",
    "CountrySectionProvider",
    "CountrySectionRegistry",
    "CountrySectionSpec",
    "SectionLink",
    "SectionTable",
    "country_section_registry",
    "register_country_section",
]

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


class SectionTable(BaseModel):
    """A table in a section: column headings and rows of plain values."""

    caption: str | None = None
    columns: list[str]
    rows: list[list[str | int | float | None]]


class SectionLink(BaseModel):
    label: str
    href: str


class CountrySection(BaseModel):
    """What a capability shows on a country page.

    Subclass it to add typed fields (they appear in the JSON twin) and ship a template
    that renders them; without a template the page shows ``summary``, ``items``,
    ``tables`` and ``links``.
    """

    title: str = Field("", description="Heading; the registered title when empty.")
    summary: str | None = None
    items: list[str] = []
    tables: list[SectionTable] = []
    links: list[SectionLink] = []


CountrySectionProvider = Callable[[Session, Principal, str], CountrySection | None]


@dataclass(frozen=True)
class CountrySectionSpec:
    """A registered section: its key, heading, provider and how it is drawn."""

    name: str
    title: str
    provider: CountrySectionProvider
    template: str | None = None
    order: int = 100
    permission: str = "country:read"


class CountrySectionRegistry:
    """The sections of the country page, in order; a later registration of a name replaces it."""

    def __init__(self) -> None:
        self._specs: dict[str, CountrySectionSpec] = {}

    def add(self, spec: CountrySectionSpec) -> None:
        self._specs[spec.name] = spec

    def names(self) -> frozenset[str]:
        return frozenset(self._specs)

    def specs(self) -> list[CountrySectionSpec]:
        return sorted(self._specs.values(), key=lambda s: (s.order, s.name))

    def collect(
        self, session: Session, principal: Principal, iso3: str
    ) -> dict[str, CountrySection]:
        """Every section the caller may open that has something to show for ``iso3``.

        A provider's error is not hidden: it is a bug of that capability, and the page
        answers 500 like any other failure (the request's transaction is rolled back).
        """
        found: dict[str, CountrySection] = {}
        for spec in self.specs():
            if not principal.can(spec.permission):
                continue
            section = spec.provider(session, principal, iso3)
            if section is None:
                continue
            if not section.title:
                section = section.model_copy(update={"title": spec.title})
            found[spec.name] = section
        return found

    def templates(self) -> dict[str, str | None]:
        return {spec.name: spec.template for spec in self._specs.values()}


def country_section_registry(context: WebContext) -> CountrySectionRegistry:
    """The application's registry (kept with its shared context, made on first use)."""
    registry = context.cache.get("country_sections")
    if not isinstance(registry, CountrySectionRegistry):
        registry = CountrySectionRegistry()
        context.cache["country_sections"] = registry
    return registry


def register_country_section(
    app: FastAPI,
    name: str,
    title: str,
    provider: CountrySectionProvider,
    *,
    template: str | Path | None = None,
    order: int = 100,
    permission: str = "country:read",
) -> None:
    """Add a section to the country page of ``app`` (call before the app serves).

    ``name`` keys the section in the page's JSON (``sections[name]``) and replaces the
    page's "not available yet" note of the same name (``speech``, ``assessment``,
    ``alerts``). ``template`` is a Jinja file the capability ships, rendered with
    ``section`` (what the provider returned), ``spec`` and the page's ``data``; without one
    the generic rendering is used. ``permission`` hides the section from callers without it.

    Examples
    --------
    >>> import tempfile
    >>> from tocsin.settings import Settings
    >>> from tocsin.web import WebSettings, create_app
    >>> app = create_app(Settings(home=tempfile.mkdtemp()), WebSettings(identity_keys=None))
    >>> register_country_section(
    ...     app, "notes", "Notes", lambda session, principal, iso3: CountrySection(items=[iso3])
    ... )
    >>> "notes" in country_section_registry(app.state.tocsin).names()
    True
    >>> app.state.tocsin.db.dispose()
    """
    if not name or not set(name) <= _NAME_CHARS:
        raise ValueError(f"section name {name!r}: use lower-case letters, digits, '-' and '_'")
    context: WebContext = app.state.tocsin
    template_name: str | None = None
    if template is not None:
        path = Path(template)
        if not path.is_file():
            raise ValueError(f"section {name!r}: template {path} does not exist")
        _add_template_folder(context, name, path.parent)
        template_name = f"country_section/{name}/{path.name}"
    country_section_registry(context).add(
        CountrySectionSpec(name, title, provider, template_name, order, permission)
    )


def _add_template_folder(context: WebContext, name: str, folder: Path) -> None:
    """Let the page's Jinja environment find ``country_section/<name>/<file>`` in ``folder``."""
    env = context.templates.env
    prefixes: dict[str, BaseLoader] = context.cache.setdefault("country_section_loaders", {})
    prefixes[name] = FileSystemLoader(folder)
    if not context.cache.get("country_section_loader_installed"):
        assert env.loader is not None  # Jinja2Templates always sets a loader
        # The inner loader keeps a reference to ``prefixes``: later sections are found too.
        section_loader = PrefixLoader({"country_section": PrefixLoader(prefixes)})
        env.loader = ChoiceLoader([env.loader, section_loader])
        context.cache["country_section_loader_installed"] = True
    if env.cache is not None:
        env.cache.clear()  # a replaced section's template must not be served from the cache
