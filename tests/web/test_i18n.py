"""The interface in French, Spanish and Arabic: complete catalogues with the same
placeholders, converted templates with no English left outside gettext, the language
chosen by ``Accept-Language``, the switch and the user's preference, and right to left in
Arabic.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jinja2 import Environment

from tests.web.fixtures import PASSWORD, log_in, new_user, sign_in
from tocsin.web import get_user_by_username
from tocsin.web._i18n import EXTRA_KEYWORDS, LANGUAGES, catalogue_path, negotiate

REPO = Path(__file__).resolve().parents[2]
SHIPPED = ("fr", "es", "ar")
#: Templates whose every visible word goes through gettext; a template converted later
#: joins this list, and the checker below holds it to the same rule.
CONVERTED_TEMPLATES = (
    "src/tocsin/web/templates/base.html",
    "src/tocsin/web/templates/login.html",
    "src/tocsin/web/templates/account.html",
    "src/tocsin/web/templates/password.html",
    "src/tocsin/web/templates/error.html",
    "src/tocsin/web/templates/admin_users.html",
    "src/tocsin/web/templates/admin_audit.html",
    "src/tocsin/web/templates/import_job.html",
    "src/tocsin/web/templates/_import_rows.html",
    "src/tocsin/web/templates/_import_status.html",
    "src/tocsin/web/templates/_signal_dates.html",
    "src/tocsin/web/templates/_country_section.html",
    "src/tocsin/watchlist/templates/watchlist.html",
    "src/tocsin/watchlist/templates/watchlist_body.html",
    "src/tocsin/watchlist/templates/country.html",
    "src/tocsin/watchlist/templates/country_body.html",
    "src/tocsin/incidents/templates/reports.html",
)
#: Words that are the same in every language (names, units, codes).
SAME_IN_EVERY_LANGUAGE = frozenset({"Tocsin", "SHA-256", "UTC", "CSV", "XLSX", "GeoJSON"})
#: String literals in expressions that are values, not words shown (form fields, classes).
VALUES_NOT_WORDS = frozenset({"true", "false", "up", "down"})
VISIBLE_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label")
#: Attribute values that are codes, the same in every language.
CODES = frozenset({"ISO3"})


def extracted() -> dict[tuple[str | None, str | tuple[str, ...]], str]:
    """Every message ``pybabel extract`` finds with the project's configuration, and where."""
    with (REPO / "src" / "tocsin" / "locale" / "babel.cfg").open() as file:
        method_map, options_map = parse_mapping_cfg(file)
    keywords = {**DEFAULT_KEYWORDS, **EXTRA_KEYWORDS}
    found: dict[tuple[str | None, str | tuple[str, ...]], str] = {}
    for path, line, message, _comments, context in extract_from_dir(
        REPO / "src", method_map, options_map, keywords=keywords
    ):
        found.setdefault((context, message), f"{path}:{line}")
    return found


@pytest.fixture(scope="module")
def messages() -> dict[tuple[str | None, str | tuple[str, ...]], str]:
    found = extracted()
    assert len(found) > 100  # the configuration reached the templates and the Python
    return found


def catalogue(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as file:
        return read_po(file, locale=language)


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")
TAG = re.compile(r"<[^>]+>")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def tags(text: str) -> list[str]:
    return sorted(TAG.findall(text))


@pytest.mark.parametrize("language", SHIPPED)
def test_every_extracted_message_is_translated(
    language: str, messages: dict[tuple[str | None, str | tuple[str, ...]], str]
) -> None:
    shipped = catalogue(language)
    missing = []
    for (context, message), where in messages.items():
        msgid = message[0] if isinstance(message, tuple) else message
        entry = shipped.get(msgid, context=context)
        strings = (
            ()
            if entry is None
            else entry.string
            if isinstance(entry.string, tuple)
            else (entry.string,)
        )
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(f"{where}: {msgid!r}")
        elif isinstance(message, tuple):
            assert len(strings) == shipped.num_plurals, f"{language} {msgid!r}: plural forms"
    assert missing == [], f"{catalogue_path(language)} lacks {len(missing)}: {missing}"


@pytest.mark.parametrize("language", SHIPPED)
def test_translations_keep_the_placeholders_and_markup(language: str) -> None:
    problems = []
    for entry in catalogue(language):
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        english = placeholders(ids[-1])
        for form in strings:
            # a plural form may say "one" for the number, never anything else
            if not set(placeholders(form)) <= set(english):
                problems.append((entry.id, form))
        if placeholders(strings[-1]) != english or tags(strings[-1]) != tags(ids[-1]):
            problems.append((entry.id, strings[-1]))
    assert problems == [], f"{catalogue_path(language)}: {problems}"


def untranslated_text(source: str) -> list[str]:
    """Words of a template that would reach a reader without going through gettext: text
    outside ``{% trans %}`` blocks and tags, the visible attributes of tags, and string
    literals chosen by ``'yes' if … else 'no'``."""
    lexed = Environment(extensions=["jinja2.ext.i18n"]).lex(source)
    tokens = [(line, kind, value) for line, kind, value in lexed if kind != "whitespace"]
    kept: list[str] = []
    found: list[str] = []
    in_trans = False
    for index, (_line, kind, value) in enumerate(tokens):
        if kind == "name" and index and tokens[index - 1][1] == "block_begin":
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        if kind == "data" and not in_trans:
            kept.append(value)
        elif kind in {"variable_begin", "block_begin"}:
            kept.append("\x00")
        elif kind == "string" and re.search(r"[^\W\d_]", value):
            before = tokens[index - 1][2] if index else ""
            after = tokens[index + 1][2] if index + 1 < len(tokens) else ""
            literal = value[1:-1]  # the lexer keeps the quotes
            words = re.sub(r"%[-+ #0-9.]*[a-zA-Z]", "", literal)  # '%g', '%.2f': formats
            chosen = after == "if" or before == "else"
            if chosen and literal not in VALUES_NOT_WORDS and re.search(r"[^\W\d_]", words):
                found.append(literal)
    text = re.sub(r"<!--.*?-->", "", "".join(kept), flags=re.S)
    for tag in TAG.findall(text):
        for attribute in VISIBLE_ATTRIBUTES:
            for literal in re.findall(rf'\b{attribute}="([^"]*)"', tag):
                words = literal.replace("\x00", "")
                if words not in CODES and re.search(r"[^\W\d_]", words):
                    found.append(f"{attribute}={literal!r}")
    for words in TAG.sub("\x00", text).split("\x00"):
        words = re.sub(r"&#?\w+;", " ", words)
        for word in SAME_IN_EVERY_LANGUAGE:
            words = words.replace(word, " ")
        if re.search(r"[^\W\d_]", words):
            found.append(words.strip())
    return found


def test_the_checker_finds_english_outside_gettext() -> None:
    assert untranslated_text("<p>Hello {{ name }}</p>") == ["Hello"]
    assert untranslated_text('<span title="old data">x</span>') == ["title='old data'", "x"]
    assert untranslated_text("{{ 'yes' if on else 'no' }}") == ["yes", "no"]
    assert untranslated_text("<p>{% trans %}Hello {{ n }}{% endtrans %} · Tocsin</p>") == []
    assert untranslated_text('<b title="{{ _("x") }}">{{ _("Hello") }}</b>') == []


@pytest.mark.parametrize("template", CONVERTED_TEMPLATES)
def test_converted_templates_leave_no_english_outside_gettext(template: str) -> None:
    assert untranslated_text((REPO / template).read_text(encoding="utf-8")) == []


def test_accept_language_picks_the_best_interface_language() -> None:
    assert negotiate("fr-CH, fr;q=0.9, en;q=0.8") == "fr"
    assert negotiate("de-DE,de;q=0.9,es;q=0.3,en;q=0.2") == "es"
    assert negotiate("ar-EG") == "ar"
    assert negotiate("en;q=0, fr;q=0.1") == "fr"  # q=0: not acceptable
    assert negotiate("zh-CN, ru") == "en"
    assert negotiate("") == "en"
    assert negotiate("fr;q=bad, es") == "es"


def anonymous(app: FastAPI, **headers: str) -> TestClient:
    return TestClient(app, base_url="https://testserver", headers=headers)


def test_the_sign_in_page_follows_accept_language(app: FastAPI) -> None:
    page = anonymous(app, **{"accept-language": "fr-FR,fr;q=0.9"}).get("/login").text
    assert '<html lang="fr">' in page
    assert "<h1>Se connecter</h1>" in page and "Nom d'utilisateur" in page
    assert "<title>Se connecter · Tocsin</title>" in page
    english = anonymous(app, **{"accept-language": "de"}).get("/login").text
    assert '<html lang="en">' in english and "<h1>Sign in</h1>" in english
    arabic = anonymous(app, **{"accept-language": "ar"}).get("/login").text
    assert '<html lang="ar" dir="rtl">' in arabic and "تسجيل الدخول" in arabic


def test_a_refused_sign_in_says_so_in_the_readers_language(app: FastAPI) -> None:
    client = anonymous(app, **{"accept-language": "es"})
    answer = log_in(client, "admin", "not the password at all")
    assert answer.status_code == 401
    assert "Nombre de usuario, contraseña o código incorrectos." in answer.text


def test_the_switch_sets_a_cookie_and_the_next_page_follows_it(app: FastAPI) -> None:
    client = anonymous(app, **{"accept-language": "fr"})
    client.get("/login")
    switched = client.post(
        "/language",
        data={
            "lang": "es",
            "next": "/login?next=/account",
            "csrf_token": client.cookies["tocsin_csrf"],
        },
        follow_redirects=False,
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/login?next=/account"
    assert client.cookies.get("tocsin_lang") == "es"
    page = client.get("/login?next=/account").text
    assert '<html lang="es">' in page and "Iniciar sesión" in page
    # forged: no CSRF token, nothing changes
    assert client.post("/language", data={"lang": "ar"}).status_code == 403
    assert client.cookies.get("tocsin_lang") == "es"


def test_a_signed_in_users_choice_follows_them_to_another_browser(app: FastAPI) -> None:
    username = new_user(app, "analyst")
    client = sign_in(app, username)
    token = re.search(r'name="csrf-token" content="([^"]*)"', client.get("/account").text)
    assert token is not None
    answer = client.post(
        "/language",
        data={"lang": "ar", "next": "/account", "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = client.get("/account").text
    assert '<html lang="ar" dir="rtl">' in page and "<h1>حسابك</h1>" in page
    assert '<option value="ar" lang="ar" selected>' in page
    with app.state.tocsin.db.session() as session:
        stored = get_user_by_username(session, username)
        assert stored is not None and stored.language == "ar"
    # another browser, which asks for French and has no cookie: the preference wins
    other = TestClient(app, base_url="https://testserver", headers={"accept-language": "fr"})
    assert log_in(other, username, PASSWORD).status_code == 303
    assert "tocsin_lang" not in other.cookies
    menu = other.get("/account").text
    assert 'dir="rtl"' in menu and "تسجيل الخروج" in menu  # Sign out, in the header
    # the empty choice gives the decision back to the browser
    other.post(
        "/language",
        data={"lang": "", "next": "/account", "csrf_token": token_of(other)},
    )
    assert '<html lang="fr">' in other.get("/account").text


def token_of(client: TestClient) -> str:
    found = re.search(r'name="csrf-token" content="([^"]*)"', client.get("/account").text)
    assert found is not None
    return found.group(1)


def test_an_error_page_is_translated_and_its_json_stays_english(
    clients: dict[str, TestClient],
) -> None:
    viewer = clients["viewer"]
    page = viewer.get("/admin/users", headers={"accept-language": "fr"})
    assert page.status_code == 403
    assert "Votre rôle ne permet pas cette action (admin:users)." in page.text
    assert "<title>Erreur 403 · Tocsin</title>" in page.text
    as_json = viewer.get("/admin/users.json", headers={"accept-language": "fr"})
    assert as_json.json() == {"detail": "Your role may not do this (admin:users)."}


def test_menus_roles_and_dates_are_in_the_readers_language(
    clients: dict[str, TestClient],
) -> None:
    page = clients["admin"].get("/admin/audit", headers={"accept-language": "es"}).text
    assert ">Registro de auditoría</a>" in page  # the menu entry the web package adds
    assert "Lista de vigilancia" in page  # the watchlist plug-in's entry
    assert '<span class="role">administrador</span>' in page
    # CLDR's medium date in Spanish, not the ISO date English keeps
    assert re.search(r"<td>\d{1,2} \w{3,4}\.? \d{4}, \d{1,2}:\d{2}:\d{2}</td>", page), page
    english = clients["admin"].get("/admin/audit").text
    assert re.search(r"<td>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}</td>", english)


def test_every_shipped_language_has_a_catalogue() -> None:
    assert set(LANGUAGES) - {"en"} == set(SHIPPED)
    for language in SHIPPED:
        assert catalogue_path(language).is_file()


def test_the_watchlist_and_a_country_page_speak_the_readers_language(
    clients: dict[str, TestClient],
) -> None:
    analyst = clients["analyst"]
    french = analyst.get("/watchlist", headers={"accept-language": "fr"}).text
    assert "<h1>Liste de surveillance</h1>" in french
    assert ">République centrafricaine</a>" in french  # CLDR's name, through the crosswalk
    assert "10,0\xa0%" in french  # the fixture's top risk, 0.1, in French notation
    english = analyst.get("/watchlist").text
    assert "<h1>Watchlist</h1>" in english and ">10.0%<" in english
    # the page's HTML is cached per language: English did not get the French copy
    assert "République" not in english
    spanish = analyst.get("/countries/CAF", headers={"accept-language": "es"}).text
    assert "<title>República Centroafricana · Tocsin</title>" in spanish
    assert "<h2>Previsión</h2>" in spanish and "<h2>Resiliencia</h2>" in spanish
