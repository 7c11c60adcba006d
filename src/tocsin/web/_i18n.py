"""The interface in the reader's language: catalogues, the request's language, Jinja's i18n.

Messages are written in English in the templates (``{% trans %}``, ``_()``) and in Python
(:func:`translate`, :func:`N_`, the labels of :class:`tocsin.web.NavItem`); each other
language has one catalogue, ``src/tocsin/locale/<language>/LC_MESSAGES/tocsin.po``. The
``.po`` file is the only source: it is compiled in memory the first time its language is
asked for, then kept, so there is no ``.mo`` file to go stale and nothing to build after a
fresh clone. A request's language is the signed-in user's choice, else the language
cookie the switch sets, else the browser's ``Accept-Language``, else English.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent, parse_pattern
from babel.support import NullTranslations, Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from starlette.requests import Request

#: The interface's languages, each named in itself (as the language switch shows them).
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية"}
DEFAULT_LANGUAGE = "en"
RIGHT_TO_LEFT = frozenset({"ar"})
#: The cookie the language switch sets (a choice made before or without signing in).
LANGUAGE_COOKIE = "tocsin_lang"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "tocsin"
#: Extraction keywords beyond Babel's defaults (``_``, ``gettext``, ``ngettext``, ``N_``…):
#: :func:`translate` takes its message second, a menu label is a NavItem's second
#: argument and a country-page section's title ``register_country_section``'s third, so
#: plug-ins' labels are found without marking them.
EXTRA_KEYWORDS: dict[str, tuple[int, ...]] = {
    "translate": (2,),
    "NavItem": (2,),
    "register_country_section": (3,),
}
#: English keeps the ISO 8601 dates its pages always showed; other languages get CLDR's.
_DATE_PATTERNS = {"en": "yyyy-MM-dd"}


def N_(message: str) -> str:  # noqa: N802 - the conventional name of gettext_noop
    """Mark ``message`` for the catalogues and return it unchanged: it is translated where
    it is shown (the ``translated`` filter, :func:`translate`).

    >>> N_("Audit log")
    'Audit log'
    """
    return message


def catalogue_path(language: str) -> Path:
    """The ``.po`` file of ``language``."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(language: str) -> NullTranslations:
    """The messages of ``language``, read from its ``.po`` file once per process.

    Fuzzy and empty entries are left out (they show in English), as ``msgfmt`` does.

    >>> translations("fr").gettext("Sign in")
    'Se connecter'
    >>> translations("en").gettext("Sign in")
    'Sign in'
    """
    if language == DEFAULT_LANGUAGE or language not in LANGUAGES:
        return NullTranslations()
    with catalogue_path(language).open("rb") as file:
        catalog = read_po(file, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@functools.cache
def locale(language: str) -> Locale:
    return Locale.parse(language)


_QUALITY = re.compile(r"^\s*q\s*=\s*([0-9.]+)\s*$")


@functools.lru_cache(maxsize=512)
def negotiate(accept_language: str) -> str:
    """The interface language that best fits an ``Accept-Language`` header, else English.

    >>> negotiate("es-MX,es;q=0.9,en;q=0.5")
    'es'
    >>> negotiate("de-DE, ar;q=0.4, fr;q=0.7")
    'fr'
    >>> negotiate("de, *;q=0.1")
    'en'
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:32]):
        tag, _, parameters = part.partition(";")
        tag = tag.strip()
        quality = 1.0
        found = _QUALITY.match(parameters) if parameters else None
        if parameters and found is None:
            continue
        if found is not None:
            try:
                quality = float(found.group(1))
            except ValueError:
                continue
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag.replace("_", "-")))
    preferred = [tag for _, _, tag in sorted(ranked)]
    chosen = negotiate_locale(preferred, list(LANGUAGES), sep="-", aliases={})
    return chosen.split("-")[0].lower() if chosen else DEFAULT_LANGUAGE


def request_language(request: Request) -> str:
    """The language of the answer to ``request``: the signed-in user's choice, else the
    switch's cookie, else ``Accept-Language``, else English."""
    principal = getattr(request.state, "principal", None)
    if principal is not None:
        chosen = getattr(principal.user, "language", None)
        if chosen in LANGUAGES:
            return str(chosen)
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return str(cookie)
    return negotiate(request.headers.get("accept-language", ""))


def translate(request: Request, message: str, /, **values: object) -> str:
    """``message`` in the request's language, with ``%(name)s`` placeholders filled.

    For messages made in Python (a page's problem, an error): templates use ``_()``.
    """
    text = translations(request_language(request)).gettext(message)
    return text % values if values else text


def text_direction(language: str) -> str:
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def i18n_context(request: Request) -> dict[str, Any]:
    """What every page's template gets: its language and that language's direction
    (a context processor of the app's templates)."""
    language = request_language(request)
    return {"lang": language, "text_direction": text_direction(language)}


def _language(context: Context) -> str:
    language = context.get("lang")
    return language if isinstance(language, str) else DEFAULT_LANGUAGE


@pass_context
def _gettext(context: Context, message: str) -> str:
    return translations(_language(context)).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(_language(context)).ngettext(singular, plural, n)


@pass_context
def _pgettext(context: Context, message_context: str, message: str) -> str:
    return str(translations(_language(context)).pgettext(message_context, message))


@pass_context
def _npgettext(context: Context, message_context: str, singular: str, plural: str, n: int) -> str:
    return translations(_language(context)).npgettext(message_context, singular, plural, n)


@pass_context
def _translated(context: Context, message: object) -> str:
    """A message marked in Python (:func:`N_`, a menu label), looked up as it is: no
    placeholders filled, so a ``%`` in it is harmless."""
    text = "" if message is None else str(message)
    return str(translations(_language(context)).gettext(text)) if text else text


def _when(value: date | datetime | str | None) -> date | datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return value


@pass_context
def _date_filter(context: Context, value: date | datetime | str | None) -> str:
    when = _when(value)
    if when is None:
        return ""
    language = _language(context)
    day = when.date() if isinstance(when, datetime) else when
    return format_date(day, _DATE_PATTERNS.get(language, "medium"), locale=locale(language))


@pass_context
def _datetime_filter(context: Context, value: datetime | str | None, seconds: bool = False) -> str:
    """A moment as stored (UTC, which the pages say): English keeps ISO 8601, other
    languages get CLDR's medium date and its time, with ``seconds`` or without."""
    when = _when(value)
    if when is None:
        return ""
    if not isinstance(when, datetime):
        when = datetime(when.year, when.month, when.day)
    language = _language(context)
    where = locale(language)
    # no tzinfo: babel would move a zoned moment to the server's zone
    moment = when.replace(tzinfo=None)
    if language == DEFAULT_LANGUAGE:
        pattern = "yyyy-MM-dd HH:mm:ss" if seconds else "yyyy-MM-dd HH:mm"
        return format_datetime(moment, pattern, locale=where)
    day = format_date(moment.date(), "medium", locale=where)
    time = format_time(moment.time(), "medium" if seconds else "short", locale=where)
    return str(where.datetime_formats["medium"]).format(time, day)


@pass_context
def _number_filter(context: Context, value: float | int | None) -> str:
    if value is None:
        return ""
    return format_decimal(value, locale=locale(_language(context)))


@pass_context
def _percent_filter(
    context: Context, value: float | int | None, digits: int | None = None, *, of: int = 1
) -> str:
    """``value`` as a percentage: a fraction by default, ``of=100`` for a value in 0–100;
    with ``digits``, exactly that many after the decimal mark."""
    if value is None:
        return ""
    return percent(value / of, _language(context), digits)


def percent(fraction: float, language: str, digits: int | None = None) -> str:
    """``fraction`` as a percentage in ``language``'s way (CLDR's pattern).

    >>> percent(0.1234, "en", 1), percent(0.1234, "fr", 1)
    ('12.3%', '12,3\\xa0%')
    """
    where = locale(language)
    if digits is None:
        return format_percent(fraction, locale=where)
    pattern = parse_pattern(where.percent_formats[None])
    pattern.frac_prec = (digits, digits)
    return str(pattern.apply(fraction, where))


_country_names: dict[tuple[str, str], str] = {}


def country_name(iso3: str, language: str, english: str | None = None) -> str:
    """The name of the country ``iso3`` in ``language``: CLDR's, through the crosswalk's
    alpha-2 code; in English (and where CLDR has none) the crosswalk's own name.

    >>> country_name("CAF", "fr")
    'République centrafricaine'
    >>> country_name("CAF", "en")
    'Central African Republic'
    """
    key = (iso3, language)
    found = _country_names.get(key)
    if found is not None:
        return found
    from tocsin.countries import get_crosswalk

    try:
        record = get_crosswalk().country(iso3)
    except (KeyError, LookupError, ValueError):
        return english or iso3
    name = english or record.name
    if language != DEFAULT_LANGUAGE and record.iso2:
        name = locale(language).territories.get(record.iso2, name)
    if len(_country_names) < 4096:
        _country_names[key] = name
    return name


@pass_context
def _country_filter(context: Context, iso3: str | None, english: str | None = None) -> str:
    if not iso3:
        return english or ""
    return country_name(iso3, _language(context), english)


FILTERS: Mapping[str, Callable[..., str]] = {
    "translated": _translated,
    "date": _date_filter,
    "datetime": _datetime_filter,
    "number": _number_filter,
    "percent": _percent_filter,
    "country_name": _country_filter,
}


def install_i18n(env: Environment) -> None:
    """Give ``env`` (the app's one template environment, which every plug-in's folder
    joins) Jinja's i18n extension and the locale-aware filters.

    The gettext functions read the language from the template's context (``lang``, set
    per request by :func:`i18n_context`), so one environment serves every language and
    a page's rendering does no more than a dictionary lookup per message.
    """
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True, pgettext=_pgettext, npgettext=_npgettext
    )
    env.globals["lang"] = DEFAULT_LANGUAGE
    env.globals["text_direction"] = "ltr"
    env.globals["languages"] = LANGUAGES
    env.filters.update(FILTERS)


#: Words that reach the pages as data (roles, import states, sensitivities) and are shown
#: translated with the ``translated`` filter; listed here so that extraction finds them.
SHOWN_AS_DATA = (
    N_("admin"),
    N_("analyst"),
    N_("reviewer"),
    N_("monitor"),
    N_("viewer"),
    N_("queued"),
    N_("parsing"),
    N_("storing"),
    N_("done"),
    N_("refused"),
    N_("failed"),
    N_("public"),
    N_("internal"),
    N_("restricted"),
)
