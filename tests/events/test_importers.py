"""Each importer on a small real slice: what it reads, how it maps, what it refuses."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tocsin.errors import DataFileError, TocsinError
from tocsin.events import (
    EVENT_COLUMNS,
    EVENT_FORMATS,
    EVENT_PARSERS,
    ColumnMapping,
    Event,
    ParsedEvents,
    cameo_event_type,
    events_to_frame,
    parse_events,
    row_to_event,
)
from tocsin.store import UserFileError


def _parse(path: Path, fmt: str) -> ParsedEvents:
    return parse_events(path.read_bytes(), fmt, file_name=path.name)


def test_ucdp_geojson_slice_reads_every_feature(events_data: Path) -> None:
    parsed = parse_events(
        (events_data / "ucdp_ged231_caf_2014.geojson").read_bytes(), "ucdp", file_name="g"
    )
    assert parsed.problems == []
    assert len(parsed.frame) == parsed.n_rows == 200
    frame = parsed.frame
    assert set(frame["iso3"]) == {"CAF"}
    assert list(frame.columns) == [*EVENT_COLUMNS, "content_sha"]
    # One-sided violence becomes a killing of civilians, the rest battles.
    one_sided = frame[frame["source_type"] == "one-sided"]
    assert set(one_sided["event_type"]) == {"killing"}
    assert set(one_sided["target_kind"]) == {"civilians"}
    assert set(frame[frame["source_type"] != "one-sided"]["event_type"]) == {"battle"}
    assert frame["import_line"].tolist() == list(range(1, 201))


def test_ucdp_csv_and_geojson_agree(events_data: Path) -> None:
    geo = parse_events(
        (events_data / "ucdp_ged231_caf_2014.geojson").read_bytes(), "ucdp", file_name="g"
    )
    csv = _parse(events_data / "ucdp_ged231_caf_2014.csv", "ucdp")
    assert csv.problems == [] and len(csv.frame) == 120
    columns = ["uid", "start_date", "iso3", "admin1", "event_type", "fatalities_best"]
    assert csv.frame[columns].equals(geo.frame[columns].head(120))
    assert (csv.frame["latitude"] - geo.frame["latitude"].head(120)).abs().max() < 1e-9


def test_acled_slice_maps_types_actors_and_civilian_deaths(events_data: Path) -> None:
    parsed = _parse(events_data / "acled_2022h1_slice.csv", "acled")
    assert parsed.problems == [] and len(parsed.frame) == 310
    frame = parsed.frame
    assert frame["iso3"].notna().all()
    assert (frame.loc[frame["source_event_id"] == "UGA7752", "event_type"] == "riot").all()
    vac = frame["source_type"].str.startswith("Violence against civilians")
    # ACLED's dead in violence against civilians are civilians; elsewhere unknown.
    assert (frame.loc[vac, "civilian_deaths"] == frame.loc[vac, "fatalities_best"]).all()
    assert frame.loc[~vac, "civilian_deaths"].isna().all()
    assert set(frame.loc[frame["event_type"] == "killing", "fatalities_best"].gt(0)) == {True}
    assert "CAF" in set(frame["iso3"])


def test_gdelt1_sample_with_57_and_58_fields(events_data: Path) -> None:
    parsed = _parse(events_data / "gdelt1_events_sample.tsv", "gdelt")
    assert parsed.problems == [] and len(parsed.frame) == 710
    assert set(parsed.frame["dataset"]) == {"gdelt1"}
    roots = parsed.frame["source_type"].str.slice(6, 8)
    # Every CAMEO assault/fight/mass-violence row lands on a violent type.
    violent = parsed.frame[roots.isin(["18", "19", "20"])]
    assert len(violent) > 40 and "other" not in set(violent["event_type"])


def test_gdelt2_layout_is_recognised(events_data: Path) -> None:
    data = (events_data / "gdelt2_events_from_gdelt1_sample.tsv").read_bytes()
    parsed = parse_events(data, "gdelt", file_name="g2")
    assert parsed.problems == [] and set(parsed.frame["dataset"]) == {"gdelt2"}
    v1 = _parse(events_data / "gdelt1_events_sample.tsv", "gdelt")
    same = v1.frame.set_index("source_event_id").loc[parsed.frame["source_event_id"]]
    assert same["event_type"].tolist() == parsed.frame["event_type"].tolist()
    assert same["iso3"].tolist() == parsed.frame["iso3"].tolist()


def test_cameo_mapping_follows_the_taxonomy() -> None:
    assert cameo_event_type("181") == "hostage_taking"
    assert cameo_event_type("1821") == "sexual_violence"
    assert cameo_event_type("2041") == "prohibited_weapons"
    assert cameo_event_type("193") == "battle"
    assert cameo_event_type("0211") == "other"


def test_bad_rows_are_all_reported_with_line_field_and_reason(events_data: Path) -> None:
    lines = (events_data / "acled_2022h1_slice.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",2022-", ",2022-13-", 1)  # a month that does not exist
    lines[7] = lines[7].replace("Peaceful protest", "Picnic", 1)
    data = ("\n".join(lines) + "\n").encode()
    parsed = parse_events(data, "acled", file_name="bad.csv")
    where = {(p.line, p.field) for p in parsed.problems}
    assert (4, "event_date") in where and (8, "sub_event_type") in where
    assert len(parsed.frame) == 308 and sorted(parsed.rejected["line"]) == [4, 8]
    with pytest.raises(DataFileError) as error:
        parsed.raise_if_invalid()
    assert "bad.csv:8: field 'sub_event_type': unknown sub-event type (got 'Picnic')" in str(
        error.value
    )


def _mapping(**extra: str) -> ColumnMapping:
    """The mapping of the small hand-written CSVs below: ref, when, country, what."""
    columns = {"source_event_id": "ref", "start_date": "when", "country": "country"}
    return ColumnMapping(dataset="t", columns=columns | {"event_type": "what"} | extra)


def test_line_numbers_count_values_that_span_lines() -> None:
    data = (
        b"ref,when,country,what,notes\n"
        b'A1,2024-01-02,Mali,killing,"two\nlines"\n'
        b"A2,2024-01-0x,Mali,killing,one\n"
    )
    parsed = parse_events(data, "csv", file_name="t.csv", mapping=_mapping(notes="notes"))
    assert [(p.line, p.field) for p in parsed.problems] == [(4, "start_date")]


def test_mapping_refuses_unknown_fields() -> None:
    with pytest.raises(ValueError, match="unknown fields"):
        ColumnMapping(dataset="t", columns={"source_event_id": "a", "wat": "b"})


def test_repeated_ids_in_one_file_are_refused(events_data: Path) -> None:
    lines = (events_data / "acled_2022h1_slice.csv").read_text(encoding="utf-8").splitlines()
    data = ("\n".join([*lines[:5], lines[2]]) + "\n").encode()
    parsed = parse_events(data, "acled", file_name="dup.csv")
    assert [(p.line, p.reason) for p in parsed.problems] == [
        (6, "the same event id appears earlier in the file")
    ]


def test_not_a_geojson_is_one_clear_error() -> None:
    with pytest.raises(DataFileError, match="not GeoJSON"):
        parse_events(b"{not json", "ucdp", file_name="x.geojson")


def test_events_round_trip_through_the_frame() -> None:
    event = Event.model_validate(
        json.loads(
            """{"dataset": "field", "source_event_id": "r1", "start_date": "2024-03-02",
            "iso3": "CAF", "admin1": "Ouaka", "latitude": 5.7, "longitude": 20.6,
            "geo_precision": "point",
            "acts": [
              {"type": "killing", "perpetrator": {"name": "X", "kind": "militia"},
               "victim": {"kind": "civilians", "group": "Fulani"},
               "fatalities": {"best": 4, "civilians": 4}},
              {"type": "sexual_violence", "perpetrator": {"name": "X", "kind": "militia"},
               "victim": {"kind": "civilians"}, "fatalities": {"best": 0, "civilians": 0}}
            ],
            "sources": [{"name": "monitor 7"}]}"""
        )
    )
    frame = events_to_frame([event])
    assert frame.loc[0, "civilian_deaths"] == 4 and len(frame.loc[0, "extra_acts"]) == 1
    back = row_to_event(frame.iloc[0].to_dict())
    assert back.acts == event.acts and back.sources == event.sources


def test_dates_outside_the_event_span_are_refused_by_the_model_and_by_the_importers() -> None:
    with pytest.raises(ValueError, match="outside 1800-01-01"):
        Event(dataset="field", source_event_id="r1", start_date=date(445, 11, 26), iso3="CAF",
              acts=[{"type": "killing"}])  # fmt: skip
    data = b"ref,when,country,what\nA1,2024-01-02,Mali,killing\nA2,0445-11-26,Mali,killing\n"
    parsed = parse_events(data, "csv", file_name="t.csv", mapping=_mapping())
    assert [(p.line, p.field) for p in parsed.problems] == [(3, "start_date")]
    assert len(parsed.frame) == 1


def test_every_event_format_has_one_parser_in_the_registry() -> None:
    assert tuple(EVENT_PARSERS) == EVENT_FORMATS
    with pytest.raises(TocsinError, match="unknown event format 'xml'"):
        parse_events(b"", "xml", file_name="x.xml")


def test_a_file_without_a_required_column_is_refused_not_stored_without_ids() -> None:
    """A UCDP country-year table given as GED once parsed into rows without ids, and the
    import then failed inside the database (NOT NULL constraint on events.uid)."""
    data = b"conflict_id,location_inc,year,bd_best\n333,Afghanistan,2020,100\n"
    # refused whole, in one sentence naming the columns, before any row is read
    missing = "brd.csv: columns best, date_start, id, type_of_violence missing"
    with pytest.raises(UserFileError, match=missing):
        parse_events(data, "ucdp", file_name="brd.csv")
