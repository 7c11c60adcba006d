"""The `tocsin` command as a user runs it: a real process, a real data folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.running import run_tocsin


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("home")
    result = run_tocsin("up", "--no-serve", "--json", home=folder)
    assert result.returncode == 0, result.stderr
    return folder


def test_up_reports_what_it_loaded_as_json(home: Path) -> None:
    result = run_tocsin("up", "--no-serve", "--json", home=home)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["n_countries"] > 190
    assert report["n_framework_codes"] > 14
    assert {"pts", "freedom_house", "vdem", "treaties", "ewp_panel"} <= {
        d["name"] for d in report["datasets"]
    }
    assert (home / "tocsin.db").is_file()


def test_up_prints_a_readable_summary(home: Path) -> None:
    result = run_tocsin("up", "--no-serve", home=home)
    assert result.returncode == 0, result.stderr
    assert "already current" in result.stdout
    assert "pts" in result.stdout and "unchanged" in result.stdout


def test_db_status_counts_rows(home: Path) -> None:
    result = run_tocsin("db", "status", "--json", home=home)
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["backend"] == "sqlite"
    assert status["rows"]["countries"] > 190


def test_db_status_before_up_says_what_to_do(tmp_path: Path) -> None:
    result = run_tocsin("db", "status", home=tmp_path)
    assert result.returncode == 1
    assert "run `tocsin up`" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody:hunter2@127.0.0.1:1/none"
    result = run_tocsin("up", "--no-serve", home=tmp_path, env={"TOCSIN_DATABASE_URL": url})
    assert result.returncode == 1
    assert "127.0.0.1:1" in result.stderr and "TOCSIN_DATABASE_URL" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_config_show_hides_passwords(tmp_path: Path) -> None:
    url = "postgresql+psycopg://tocsin:hunter2@db.example.org/tocsin"
    result = run_tocsin("config", "show", "--json", home=tmp_path, env={"TOCSIN_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    values = {row["name"]: row["value"] for row in json.loads(result.stdout)}
    assert values["database_url"] == "postgresql+psycopg://tocsin:***@db.example.org/tocsin"
    assert values["home"] == str(tmp_path)


def test_misuse_exits_2(tmp_path: Path) -> None:
    result = run_tocsin("no-such-command", home=tmp_path)
    assert result.returncode == 2
    assert "No such command" in result.stderr


def test_command_table_names_what_each_module_registers() -> None:
    import importlib

    import typer

    from tocsin.cli import COMMANDS

    registered: dict[str, str] = {}
    for module in sorted(set(COMMANDS.values())):
        root = typer.Typer()
        importlib.import_module(f"tocsin.cli.{module}").register(root)
        group = typer.main.get_command(root)
        names = getattr(group, "commands", {}) or {group.name: group}
        registered.update(dict.fromkeys(names, module))
    assert registered == COMMANDS


def test_a_light_command_does_not_load_the_heavy_libraries(tmp_path: Path) -> None:
    code = (
        "import sys; from tocsin.cli import main\n"
        "try:\n    main(['framework', '--json'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sklearn', 'lightgbm', 'pandas', 'matplotlib') if m in sys.modules]\n"
        "sys.stderr.write(repr(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith("[]"), result.stderr


def test_the_listing_of_commands_matches_what_the_modules_register() -> None:
    import typer

    from tocsin.cli import COMMAND_HELP, build_app

    group = typer.main.get_command(build_app())
    registered = {
        name: group.get_command(typer.Context(group), name).help  # type: ignore[attr-defined, union-attr]
        for name in group.list_commands(typer.Context(group))  # type: ignore[attr-defined]
    }
    assert list(registered) == list(COMMAND_HELP)
    for name, text in COMMAND_HELP.items():
        assert (registered[name] or "").split("\n\n")[0].replace("\n", " ") == text, name


def test_version_and_the_command_listing_load_no_command_module(tmp_path: Path) -> None:
    code = (
        "import sys; from tocsin.cli import main\n"
        "for args in (['--version'], ['--help'], []):\n"
        "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('tocsin.cli._') "
        "and m != 'tocsin.cli._common')\n"
        "print('loaded:', loaded, 'sqlalchemy' in sys.modules, 'pandas' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("tocsin ")
    assert "loaded: [] False False" in result.stdout, result.stdout


@pytest.mark.parametrize(
    "command", ["events", "monitor", "forecast", "countries", "alerts", "speech", "assess"]
)
def test_a_commands_help_loads_no_library_it_does_not_show(command: str) -> None:
    """A ``--help`` builds its text from light name lists (issue 14: under 0.3 s of CPU)."""
    code = (
        "import sys; from tocsin.cli import main\n"
        f"try:\n    main([{command!r}, '--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = ('pandas', 'numpy', 'sqlalchemy', 'pydantic', 'rich', 'sklearn')\n"
        "print('heavy:', [m for m in heavy if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert "heavy: []" in result.stdout, result.stdout


def test_the_light_name_lists_are_the_heavy_definitions() -> None:
    from tocsin import forecast

    assert forecast.MODEL_NAMES == tuple(forecast.MODELS)
    assert set(forecast.MODEL_NAMES) == {spec.name for spec in forecast.MODELS.values()}
