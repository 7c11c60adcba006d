"""`tocsin speech` end to end on a temporary SQLite database (fast path: no embedding model)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from tocsin.cli import app
from tocsin.domain import Country
from tocsin.errors import TocsinError
from tocsin.settings import get_settings
from tocsin.store import Database, upsert_countries

runner = CliRunner()


def _run(home: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--data-dir", str(home), "--quiet", *args])
    assert result.exit_code == code, result.output
    return result.output


def _home_with_countries(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    _run(home, "db", "upgrade")
    db = Database.from_settings(get_settings(home))
    with db.session() as session:
        upsert_countries(
            session,
            [
                (Country(iso3="KEN", name="Kenya", iso2="KE"), []),
                (Country(iso3="NGA", name="Nigeria", iso2="NG"), []),
            ],
        )
    db.dispose()
    return home


def test_import_classify_and_worksheet(tmp_path: Path, speech_data: Path) -> None:
    home = _home_with_countries(tmp_path)
    args = [
        "speech",
        "import",
        str(speech_data / "items.csv"),
        "-m",
        "text=body",
        "-m",
        "country=cc",
        "-m",
        "external_id=post_id",
        "-m",
        "speaker_role=role",
        "-m",
        "reach=followers",
        "-m",
        "published_date=day",
        "--country-scheme",
        "iso2",
        "--json",
    ]
    first = json.loads(_run(home, *args))
    again = json.loads(_run(home, *args))
    assert (first["n_new"], again["n_new"], again["already_imported"]) == (3, 0, True)
    scored = json.loads(_run(home, "speech", "classify", "--fast", "--json"))
    assert scored["n_scored"] == 3
    assert json.loads(_run(home, "speech", "classify", "--fast", "--json"))["n_scored"] == 0
    sheet = json.loads(_run(home, "speech", "worksheet", "1", "--json"))
    assert sheet["speaker"]["rating"] == 3  # a politician
    assert sheet["extent"]["rating"] == 2  # 12,000 followers
    assert sheet["suggested_decision"] is None  # intent and likelihood are the analyst's
    surges = json.loads(_run(home, "speech", "surges", "--json"))
    assert surges["n_surges"] == 0


def test_bad_mapping_is_one_line_error(tmp_path: Path, speech_data: Path) -> None:
    home = _home_with_countries(tmp_path)
    result = runner.invoke(
        app,
        [
            "--data-dir",
            str(home),
            "speech",
            "import",
            str(speech_data / "items.csv"),
            "-m",
            "textbody",
        ],
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, TocsinError)
    assert "FIELD=VALUE" in str(result.exception)


def test_feed_import_from_local_server(tmp_path: Path, feed_server: str) -> None:
    home = _home_with_countries(tmp_path)
    out = json.loads(
        _run(home, "speech", "import", f"{feed_server}/feed_rss.xml", "-d", "country=KEN", "--json")
    )
    assert out["n_new"] == 2


def test_score_streams_without_raw_text(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "id,text\n1,Refugees are welcome here.\n2,Immigrants are vermin and must be killed.\n"
    )
    target = tmp_path / "out.jsonl"
    result = runner.invoke(
        app,
        [
            "--quiet",
            "speech",
            "score",
            str(source),
            "--format",
            "jsonl",
            "-o",
            str(target),
            "--chunk-size",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["1", "2"]  # read as text, written back unchanged
    assert "text" not in rows[0]
    # The command writes what the classifier decides (its accuracy is tested elsewhere).
    from tocsin.speech import UseEmbedder, load_default_classifier

    direct = load_default_classifier().score(
        ["Refugees are welcome here.", "Immigrants are vermin and must be killed."],
        embedder=UseEmbedder(),
    )
    assert [r["is_flagged"] for r in rows] == direct["is_flagged"].tolist()
    assert rows[0]["is_flagged"] is False
    assert "vermin" not in result.output


def test_score_csv_neutralises_formulas_in_the_items(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "id,text,reach\n"
        '"=HYPERLINK(""http://evil.example"",""x"")","@SUM(1+1) Refugees are welcome.",-3\n'
        "2,+Immigrants are vermin.,12\n"
    )
    target = tmp_path / "out.csv"
    result = runner.invoke(
        app,
        ["--quiet", "speech", "score", str(source), "--fast", "--keep-text", "-o", str(target)],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == ['\'=HYPERLINK("http://evil.example","x")', "2"]
    assert [r["text"] for r in rows] == [
        "'@SUM(1+1) Refugees are welcome.",
        "'+Immigrants are vermin.",
    ]
    assert [r["reach"] for r in rows] == ["-3", "12"]  # a number stays a number
