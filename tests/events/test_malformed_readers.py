"""The event readers on files that pyarrow alone reads wrongly or not at all."""

from __future__ import annotations

import pytest

from tocsin.errors import DataFileError
from tocsin.events import parse_events
from tocsin.events._parse import read_text_table
from tocsin.store import UserFileError


def test_a_quote_left_open_in_a_last_field_is_refused_not_swallowed() -> None:
    # pyarrow reads the rest of the file into the open value, with no error of its own
    data = b'a,b,c\n1,2,3\n4,5,"6\n7,8,9\n10,11,12\n'
    with pytest.raises(DataFileError) as error:
        read_text_table(data, file_name="x.csv")
    [problem] = error.value.problems
    assert (problem.line, problem.reason) == (3, "a quoted value starts here and is never closed")


def test_a_line_longer_than_a_block_is_read() -> None:
    long_value = "x" * (17 << 20)
    frame = read_text_table(f"a,b\n1,{long_value}\n2,y\n".encode(), file_name="x.csv")
    assert list(frame["a"]) == ["1", "2"] and list(frame["__line__"]) == [2, 3]


def test_a_row_cut_off_names_its_line() -> None:
    with pytest.raises(DataFileError, match="x.csv:3: expected 3 fields, found 2"):
        read_text_table(b"a,b,c\n1,2,3\n4,5", file_name="x.csv")


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b""])
def test_a_header_alone_has_no_rows(end: bytes) -> None:
    assert len(read_text_table(b"a,b,c" + end, file_name="x.csv")) == 0
    header = b"event_id_cnty,event_date,sub_event_type,fatalities,country" + end
    with pytest.raises(UserFileError, match="x.csv has no events: a header alone"):
        parse_events(header, "acled", file_name="x.csv")


def test_repeated_column_names_name_the_file() -> None:
    with pytest.raises(DataFileError, match="x.csv:1: field 'a': column name repeated"):
        read_text_table(b"a,b,a\n1,2,3\n", file_name="x.csv")


@pytest.mark.parametrize(
    ("header", "given", "seen"),
    [
        (b"event_id_cnty,event_date,sub_event_type,fatalities\n", "ucdp", "acled"),
        (b"id,type_of_violence,date_start,best,country_id\n", "acled", "ucdp"),
        (b'{"type": "FeatureCollection", "features": []}', "acled", "ucdp"),
        (b"\t".join([b"1"] * 58) + b"\n", "ucdp", "gdelt"),
    ],
)
def test_a_file_of_another_format_says_which_to_use(header: bytes, given: str, seen: str) -> None:
    with pytest.raises(
        UserFileError, match=f"x.csv: .*Fix: import it as {seen} \\(--format {seen}\\)$"
    ):
        parse_events(header + b"1,2,3,4\n", given, file_name="x.csv")


def test_utf16_is_read_and_fingerprinted_as_given() -> None:
    text = "ref,when,country,what\nA1,2024-01-02,Mali,killing\n"
    from tocsin.events import ColumnMapping

    mapping = ColumnMapping(
        dataset="t",
        columns={
            "source_event_id": "ref",
            "start_date": "when",
            "country": "country",
            "event_type": "what",
        },
    )
    parsed = parse_events(text.encode("utf-16"), "csv", file_name="x.csv", mapping=mapping)
    plain = parse_events(text.encode(), "csv", file_name="x.csv", mapping=mapping)
    assert parsed.frame["uid"].tolist() == plain.frame["uid"].tolist() == ["t:A1"]
    assert parsed.sha256 != plain.sha256  # the bytes given, as the import record names them
