"""`tocsin assess`: the whole workflow from the command line, on a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tocsin.assess import example_path
from tocsin.bootstrap import framework_codes
from tocsin.cli import build_app
from tocsin.domain import Country
from tocsin.framework import load_catalogue
from tocsin.store import Database, sync_framework_codes, upsert_countries


@pytest.fixture
def home(tmp_path: Path) -> Path:
    db = Database(f"sqlite:///{tmp_path / 'tocsin.db'}")
    db.upgrade()
    with db.session() as session:
        upsert_countries(session, [(Country(iso3="CAF", name="Central African Republic"), [])])
        sync_framework_codes(session, framework_codes(load_catalogue()), version="test")
    db.dispose()
    return tmp_path


def run(home: Path, *args: str) -> str:
    result = CliRunner().invoke(build_app("assess"), ["--data-dir", str(home), "assess", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def fail(home: Path, *args: str) -> str:
    result = CliRunner().invoke(build_app("assess"), ["--data-dir", str(home), "assess", *args])
    assert result.exit_code != 0
    return str(result.output) + str(result.exception or "")


def test_new_rate_review_approve_compare(home: Path) -> None:
    created = json.loads(
        run(
            home,
            "new",
            "CAF",
            "--title",
            "CAR 2024",
            "--start",
            "2024-01-01",
            "--end",
            "2024-12-31",
            "--by",
            "ana",
            "--json",
        )
    )
    ident = str(created["id"])
    assert created["status"] == "draft"
    run(home, "rate", ident, "9.3", "--rating", "moderate", "--rationale", "old", "--by", "ana")
    run(
        home,
        "rate",
        ident,
        "9.3",
        "--rating",
        "high",
        "--rationale",
        "mass graves",
        "--trend",
        "worsening",
        "--evidence",
        "source:ngo:hrw",
        "--grade",
        "B2",
    )
    run(home, "structure", ident, "rule_of_law_judiciary", "--rating", "weak", "--rationale", "x")
    run(home, "population", ident, "Displaced people", "--kind", "displaced", "--code", "13.19")
    run(home, "option", ident, "P9", "adopted", "--reason", "weakest structure")
    run(
        home,
        "action",
        ident,
        "P9",
        "Map the case backlog",
        "--owner",
        "Justice",
        "--due",
        "2025-06-30",
    )
    run(home, "step", ident, "S71b", "in_progress")
    run(home, "submit", ident)
    run(home, "comment", ident, "9.3", "Which source?", "--by", "rev")
    run(home, "approve", ident, "--by", "rev")
    run(home, "track", ident, "1", "--status", "done", "--outcome", "backlog mapped")
    shown = json.loads(run(home, "show", ident, "--json"))
    assert shown["status"] == "approved"
    assert shown["risk_profile"]["overall"] == "high"
    item = next(i for i in shown["assessment"]["indicators"] if i["code"] == "9.3")
    assert item["evidence"] == [
        {"kind": "source", "ref": "ngo:hrw", "note": "", "grade": "B2", "suggested": False}
    ]
    assert shown["assessment"]["actions"][0]["outcome"] == "backlog mapped"
    assert shown["policy_options"][0]["option_id"] in {"P1", "P11", "P18", "P19", "P6"}
    diff = json.loads(run(home, "compare", ident, "--from", "2", "--json"))
    assert diff["rated_up"] == ["9.3"]
    history = json.loads(run(home, "history", ident, "--json"))
    assert [h["status"] for h in history][-2:] == ["approved", "approved"]
    assert "rated 9.3 high" in run(home, "history", ident)
    assert "can no longer be rated" in fail(
        home, "rate", ident, "1.1", "--rating", "low", "--rationale", "x"
    )
    # a new assessment from the last approved one keeps the ratings
    again = json.loads(
        run(
            home,
            "new",
            "CAF",
            "--title",
            "CAR 2025",
            "--start",
            "2025-01-01",
            "--end",
            "2025-12-31",
            "--from-approved",
            "--json",
        )
    )
    assert again["based_on_id"] == int(ident)
    text = run(home, "compare", ident, "--other", str(again["id"]), "--from", "1")
    assert "9.3" in text


def test_export_import_round_trip_and_refusal(home: Path, tmp_path: Path) -> None:
    imported = json.loads(run(home, "import", "--example", "caf", "--json"))
    out = tmp_path / "out.json"
    run(home, "export", str(imported["id"]), "-o", str(out))
    assert out.read_text(encoding="utf-8") == example_path().read_text(encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(out.read_text().replace('"trend": "easing"', '"trend": "sideways"', 1))
    message = fail(home, "import", str(bad))
    assert "bad.json:" in message and "trend" in message
    listed = json.loads(run(home, "list", "--json"))
    assert len(listed) == 1  # nothing was stored from the bad file
    schema = json.loads(run(home, "schema"))
    assert schema["$id"].endswith("assessment-1.json")
