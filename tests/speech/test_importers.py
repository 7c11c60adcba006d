"""Reading speech items from CSV, JSON Lines and feeds served over HTTP."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from tocsin.errors import DataFileError, TocsinError
from tocsin.speech import (
    ColumnMapping,
    FeedError,
    SpeakerRole,
    SpeechItem,
    fetch_feed,
    parse_feed,
    read_csv_items,
    read_jsonl_items,
    redact_item,
)

CSV_MAPPING = ColumnMapping(
    columns={
        "external_id": "post_id",
        "text": "body",
        "published_date": "day",
        "country": "cc",
        "speaker": "who",
        "speaker_role": "role",
        "reach": "followers",
        "url": "link",
    },
    defaults={"platform": "forum"},
    country_scheme="iso2",
)


def test_csv_mapping_reads_every_field(speech_data: Path) -> None:
    with (speech_data / "items.csv").open(newline="") as stream:
        items = read_csv_items(stream, CSV_MAPPING, path="items.csv")
    assert [i.iso3 for i in items] == ["KEN", "KEN", "NGA"]
    first = items[0]
    assert first.published_date == date(2024, 3, 1)
    assert first.speaker_role is SpeakerRole.POLITICIAN
    assert first.reach == 12000
    assert first.platform == "forum"
    assert items[1].speaker_role is SpeakerRole.RELIGIOUS_LEADER
    assert items[2].speaker is None and items[2].reach is None


def test_jsonl_mapping_reads_names_and_timestamps(speech_data: Path) -> None:
    mapping = ColumnMapping(
        columns={
            "external_id": "id",
            "text": "message",
            "published_date": "date",
            "country": "country",
            "outlet": "source",
        },
        country_scheme="name",
    )
    with (speech_data / "items.jsonl").open() as stream:
        items = read_jsonl_items(stream, mapping, path="items.jsonl")
    assert [(i.iso3, i.published_date, i.external_id) for i in items] == [
        ("KEN", date(2024, 3, 5), "1"),
        ("NGA", date(2024, 3, 6), "2"),
    ]


def test_every_bad_value_is_reported_and_nothing_returned() -> None:
    data = io.StringIO(
        "body,day,cc,role,followers\n"
        "ok,2024-01-01,KE,media,10\n"
        "bad date,yesterday,KE,media,10\n"
        "bad role,2024-01-01,KE,king,10\n"
        "bad country,2024-01-01,XX,media,lots\n"
    )
    mapping = ColumnMapping(
        columns={
            "text": "body",
            "published_date": "day",
            "country": "cc",
            "speaker_role": "role",
            "reach": "followers",
        },
        country_scheme="iso2",
    )
    with pytest.raises(DataFileError) as caught:
        read_csv_items(data, mapping, path="bad.csv")
    found = {(p.line, p.field) for p in caught.value.problems}
    assert found == {(3, "day"), (4, "role"), (5, "cc"), (5, "followers")}
    assert "bad.csv:3: field 'day'" in str(caught.value)


def test_mapping_must_name_existing_columns_and_fields() -> None:
    with pytest.raises(DataFileError, match="not in the header"):
        read_csv_items(io.StringIO("a\nx\n"), ColumnMapping(columns={"text": "body"}))
    with pytest.raises(TocsinError, match="unknown speech item field"):
        read_csv_items(io.StringIO("a\nx\n"), ColumnMapping(columns={"text": "a", "mood": "a"}))


def test_jsonl_reports_lines_that_are_not_objects() -> None:
    with pytest.raises(DataFileError) as caught:
        read_jsonl_items(io.StringIO('{"text": "a"}\n[1]\nnot json\n'), ColumnMapping())
    assert [p.line for p in caught.value.problems] == [2, 3]


def test_rss_and_atom_feeds_over_http(feed_server: str) -> None:
    rss = parse_feed(
        fetch_feed(f"{feed_server}/feed_rss.xml"),
        url="rss",
        defaults={"country": "KEN", "speaker_role": "media"},
    )
    assert [i.external_id for i in rss] == ["news-1", "news-2"]
    assert rss[0].outlet == "Example Community Radio"
    assert rss[0].published_date == date(2024, 3, 4)
    assert rss[0].text == "Harvest festival announced\nThe festival opens on Saturday ."
    assert rss[0].iso3 == "KEN" and rss[0].speaker_role is SpeakerRole.MEDIA
    atom = parse_feed(fetch_feed(f"{feed_server}/feed_atom.xml"), url="atom")
    assert len(atom) == 1
    assert atom[0].speaker == "Transport office"
    assert atom[0].url == "http://127.0.0.1/bulletin/1"
    assert atom[0].published_date == date(2024, 3, 7)


def test_missing_feed_and_non_feed_are_errors(feed_server: str) -> None:
    with pytest.raises(FeedError, match="404"):
        fetch_feed(f"{feed_server}/nothing.xml")
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse_feed(b"\x00\x01 not a feed <", url="junk")


def test_raw_text_never_in_repr_and_withheld_from_other_roles() -> None:
    item = SpeechItem(text="words that must not leak", iso3="KEN")
    assert "must not leak" not in repr(item)
    assert "must not leak" not in str(item)
    assert redact_item(item, role=None).text.startswith("[text withheld")
    assert redact_item(item, role="admin").text == item.text
