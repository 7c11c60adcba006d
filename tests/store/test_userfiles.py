"""Reading users' files (`tocsin.store` user-file helpers): every refusal names the file and
says what to do."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tocsin.store import UserFileError, binary_kind, read_user_file, table_problems, user_text


def test_a_missing_file_and_a_folder_are_named(tmp_path: Path) -> None:
    with pytest.raises(UserFileError, match="no file .*nope.csv. Fix: check the path"):
        read_user_file(tmp_path / "nope.csv")
    with pytest.raises(UserFileError, match="is a folder, not a file"):
        read_user_file(tmp_path)


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]
)
def test_text_with_a_byte_order_mark_is_decoded(encoding: str) -> None:
    data = "id,name\n1,Côte d'Ivoire\n".encode(encoding)
    if encoding in {"utf-16-le", "utf-16-be"}:  # the codec writes no mark: add it
        bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
        data = bom + data
    assert user_text(data, "x.csv") == "id,name\n1,Côte d'Ivoire\n"


def test_latin1_names_the_line_and_the_byte() -> None:
    with pytest.raises(UserFileError) as error:
        user_text("id,name\n1,ok\n2,Côte\n".encode("latin-1"), "x.csv")
    assert error.value.message.startswith("x.csv:3: byte 0xf4 at byte offset 16 (column 4)")
    assert "save the file as UTF-8" in str(error.value)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n", "PNG image"),
        (b"PK\x03\x04rest", "zip archive"),
        (b"%PDF-1.7", "PDF"),
        (b"\x1f\x8b\x08", "gzip"),
        (b"ab\x00cd", "NUL bytes"),
    ],
)
def test_binary_files_are_told_by_what_they_are(data: bytes, kind: str) -> None:
    assert kind in (binary_kind(data) or "")
    with pytest.raises(UserFileError, match="is not a text file"):
        user_text(data, "x.csv")


@pytest.mark.parametrize("data", [b"", b"  \n\r\n"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    with pytest.raises(UserFileError, match="x.csv (is empty|holds only blank space)"):
        user_text(data, "x.csv")


def test_table_problems_list_short_rows_and_an_open_quote() -> None:
    found = table_problems('a,b,c\n1,2,3\n4,5\n6,"7,8\n9,10,11\n', "x.csv")
    assert [(p.line, p.reason) for p in found.problems] == [
        (3, "expected 3 fields, found 2"),
        (4, "a quoted value starts here and is never closed"),
    ]
    assert str(found).startswith("x.csv: 2 problems, nothing was stored")
