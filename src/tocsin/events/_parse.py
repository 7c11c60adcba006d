"""What every importer shares: reading delimited bytes with pyarrow, vectorised checks that
collect every bad row (line, field, reason), and the result of parsing one file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from tocsin.countries import CodeScheme, get_crosswalk
from tocsin.errors import DataFileError, RowProblem
from tocsin.events._model import (
    EARLIEST_EVENT_DATE,
    LATEST_EVENT_DATE,
    conform,
    content_hashes,
)
from tocsin.store import table_problems


@dataclass
class ParsedEvents:
    """The outcome of parsing one file: valid canonical rows, and every row refused.

    ``frame`` has the canonical columns plus ``content_sha``; ``rejected`` holds the refused
    rows as read (all text), with their ``line`` and the ``problems`` found in them.
    """

    frame: pd.DataFrame
    problems: list[RowProblem]
    rejected: pd.DataFrame
    n_rows: int
    file_name: str
    format: str
    sha256: str = ""
    details: dict[str, str] = field(default_factory=dict)

    def raise_if_invalid(self) -> None:
        """Refuse the whole file (:class:`DataFileError`) if any row was bad."""
        if self.problems:
            raise DataFileError(
                self.file_name,
                self.problems,
                fix_hint="correct the rows listed, or pass --skip-invalid to import the valid "
                "rows and write the others to a rejects file",
            )


def header_names(data: bytes, delimiter: str = ",") -> list[str]:
    """The column names on the first line of delimited ``data``."""
    end = data.find(b"\n")
    first = (data if end < 0 else data[:end]).decode("utf-8-sig").rstrip("\r")
    return next(csv.reader([first], delimiter=delimiter))


def read_text_table(
    data: bytes,
    *,
    delimiter: str = ",",
    names: list[str] | None = None,
    quoting: bool = True,
    file_name: str = "the file",
) -> pd.DataFrame:
    """Read delimited ``data`` with pyarrow, every column as text, missing values as ``None``.

    With ``names`` the data has no header line. Physical line numbers are in column
    ``__line__`` (header counted, values spanning lines accounted for). Rows that cannot
    be read (too many or too few fields, a quote never closed) raise a
    :class:`~tocsin.errors.DataFileError` naming ``file_name`` and their lines.
    """
    columns = names if names is not None else header_names(data, delimiter)
    if len(set(columns)) != len(columns):
        dupes = sorted({c for c in columns if columns.count(c) > 1})
        raise DataFileError(
            file_name,
            [RowProblem(1, d, "column name repeated") for d in dupes],
            fix_hint="give each column its own name in the header line",
        )
    end = data.find(b"\n")
    header_alone = names is None and (end < 0 or not data[end + 1 :].strip())
    try:
        if header_alone:  # pyarrow cannot skip a header line that does not end
            table = pa.table({c: pa.array([], pa.string()) for c in columns})
        else:
            table = _read_table(data, columns, names is None, delimiter, quoting, 1 << 24)
    except pa.ArrowInvalid as error:
        if "straddl" not in str(error):
            raise _unreadable_rows(data, file_name, delimiter, names, quoting) from error
        # a line longer than a block: read the file as one block (slower, but it reads)
        try:
            table = _read_table(data, columns, names is None, delimiter, quoting, len(data) + 1)
        except pa.ArrowInvalid as again:
            raise _unreadable_rows(data, file_name, delimiter, names, quoting) from again
    first_line = 1 if names is not None else 2
    # When the file has exactly one line break per row, no value spans lines and the line
    # numbers follow from the row numbers (counting bytes is far cheaper than the columns).
    breaks = data.count(b"\n") + (0 if data.endswith(b"\n") else 1) - (first_line - 1)
    spans = quoting and breaks != table.num_rows
    if spans and data.count(b'"') % 2:
        # an odd number of quotes: a quote left open swallows the rest of the file into
        # one value without an error from pyarrow when it opens the last field of a row
        found = _unreadable_rows(data, file_name, delimiter, names, quoting)
        if found.problems[0].line is not None:
            raise found
    lines = _physical_lines(table, first_line, spans)
    frame: pd.DataFrame = table.to_pandas()
    frame["__line__"] = lines
    return frame


def _unreadable_rows(
    data: bytes, file_name: str, delimiter: str, names: list[str] | None, quoting: bool
) -> DataFileError:
    return table_problems(
        data,
        file_name,
        delimiter=delimiter,
        header=names is None,
        n_columns=len(names) if names is not None else None,
        quoting=quoting,
    )


def _read_table(
    data: bytes, columns: list[str], header: bool, delimiter: str, quoting: bool, block: int
) -> pa.Table:
    read = pacsv.ReadOptions(column_names=columns, skip_rows=1 if header else 0, block_size=block)
    parse = pacsv.ParseOptions(
        delimiter=delimiter,
        quote_char='"' if quoting else False,
        newlines_in_values=quoting,
    )
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in columns},
        strings_can_be_null=True,
        null_values=[""],
    )
    return pacsv.read_csv(io.BytesIO(data), read, parse, convert)


def _physical_lines(table: pa.Table, first_line: int, spans: bool) -> np.ndarray:
    n = table.num_rows
    extra = np.zeros(n, dtype=np.int64)
    if spans and n:
        for column in table.columns:
            counts = pc.count_substring(column, "\n")
            if (pc.max(counts).as_py() or 0) > 0:
                extra += counts.fill_null(0).to_numpy().astype(np.int64)
    if n == 0:
        return np.zeros(0, dtype=np.int64)  # a header alone: no row (the sum below has one)
    # A row starts after every line that the rows before it used.
    used = 1 + extra
    return first_line + np.concatenate([[0], np.cumsum(used)[:-1]]).astype(np.int64)


class RowChecks:
    """Collects bad values while an importer builds the canonical columns, vectorised.

    Each check takes a boolean mask of bad rows; only those rows are turned into
    :class:`~tocsin.errors.RowProblem` objects at the end.
    """

    def __init__(self, raw: pd.DataFrame, lines: np.ndarray) -> None:
        self.raw = raw
        self.lines = lines
        self.bad = np.zeros(len(raw), dtype=bool)
        self._found: list[tuple[np.ndarray, str, str, pd.Series | None]] = []

    def flag(
        self, mask: pd.Series | np.ndarray, field: str, reason: str, values: pd.Series | None
    ) -> None:
        """Record ``reason`` for the rows where ``mask`` is true."""
        where = np.asarray(mask, dtype=bool)
        if where.any():
            self.bad |= where
            self._found.append((np.flatnonzero(where), field, reason, values))

    def text(self, column: str, *, required: bool = False) -> pd.Series:
        """A text column, stripped, ``None`` when empty; flag empty ones if required."""
        if column not in self.raw:
            absent = pd.Series([None] * len(self.raw), index=self.raw.index, dtype="object")
            if required:
                # e.g. a UCDP country-year file given as GED: every row lacks the value
                self.flag(absent.isna(), column, "the file has no such column", None)
            return absent
        values = self.raw[column].str.strip()
        values = values.where(values.notna() & (values != ""), None)
        if required:
            self.flag(values.isna(), column, "required value is missing", None)
        return values

    def integer(self, column: str, *, required: bool = False, minimum: int | None = 0) -> pd.Series:
        """A whole-number column (``Int64``); flag non-numbers, fractions and negatives."""
        raw = self.text(column, required=required)
        numbers = pd.to_numeric(raw, errors="coerce")
        not_number = raw.notna() & numbers.isna()
        self.flag(not_number, column, "not a number", raw)
        fraction = numbers.notna() & (numbers != np.floor(numbers.fillna(0)))
        self.flag(fraction, column, "not a whole number", raw)
        if minimum is not None:
            self.flag(numbers.notna() & (numbers < minimum), column, f"below {minimum}", raw)
        return numbers.where(~(not_number | fraction)).round().astype("Int64")

    def real(self, column: str, *, low: float, high: float) -> pd.Series:
        """A decimal column within ``[low, high]`` (NaN when empty)."""
        raw = self.text(column)
        numbers = pd.to_numeric(raw, errors="coerce")
        self.flag(raw.notna() & numbers.isna(), column, "not a number", raw)
        outside = numbers.notna() & ((numbers < low) | (numbers > high))
        self.flag(outside, column, f"outside {low:g}..{high:g}", raw)
        return numbers.where(~outside).astype("float64")

    def dates(self, column: str, formats: list[str], *, required: bool = True) -> pd.Series:
        """A date column in one of ``formats``; flag values that match none."""
        raw = self.text(column, required=required)
        parsed = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
        outside = pd.Series(False, index=raw.index)
        earliest, latest = pd.Timestamp(EARLIEST_EVENT_DATE), pd.Timestamp(LATEST_EVENT_DATE)
        for fmt in formats:
            missing = parsed.isna() & raw.notna() & ~outside
            if not missing.any():
                break
            attempt = pd.to_datetime(raw[missing], format=fmt, errors="coerce")
            # a date such as 0445-11-26 parses, but the event frame's nanosecond timestamps
            # cannot hold it: it is refused here, with its line, not by a crash later
            in_span = attempt.isna() | ((attempt >= earliest) & (attempt <= latest))
            outside.loc[in_span.index[~in_span]] = True
            parsed[missing] = attempt.where(in_span).astype("datetime64[ns]")
        shown = " or ".join(f.replace("%", "") for f in formats)
        self.flag(outside, column, f"outside {EARLIEST_EVENT_DATE}..{LATEST_EVENT_DATE}", raw)
        self.flag(raw.notna() & parsed.isna() & ~outside, column, f"not a date ({shown})", raw)
        return parsed

    def mapped(
        self, column: str, values: pd.Series, table: dict[str, str], *, what: str
    ) -> pd.Series:
        """Map ``values`` through ``table``; flag values it does not know."""
        result = values.map(table)
        self.flag(values.notna() & result.isna(), column, f"unknown {what}", values)
        return result

    def problems(self) -> list[RowProblem]:
        """Every problem found, ordered by line."""
        found = []
        for rows, field_name, reason, values in self._found:
            for i in rows:
                value = None
                if values is not None:
                    item = values.iloc[i]
                    value = None if item is None or item is pd.NA else str(item)
                found.append(RowProblem(int(self.lines[i]), field_name, reason, value))
        return sorted(found, key=lambda p: (p.line or 0, p.field or ""))


def iso3_of(values: pd.Series, scheme: CodeScheme, *, years: pd.Series | None = None) -> pd.Series:
    """Country codes or names to iso3 (``None`` where unknown), each distinct value once.

    The crosswalk looks values up one by one; a million events hold a few hundred
    distinct (value, year) pairs, so only those are looked up and the answers spread back.
    """
    keys = pd.DataFrame({"value": values.to_numpy(), "year": 0 if years is None else years})
    codes = keys.groupby(["value", "year"], dropna=False, sort=False).ngroup().to_numpy()
    if len(codes) == 0:
        return pd.Series([], index=values.index, dtype="object")
    first = np.unique(codes, return_index=True)[1]
    distinct = values.iloc[first].reset_index(drop=True)
    distinct_years = None if years is None else years.iloc[first].reset_index(drop=True)
    found = get_crosswalk().to_iso3_series(distinct, scheme, years=distinct_years)
    mapped = found.astype("object").where(found.notna(), None).to_numpy(dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype="object")


def finish(
    canonical: pd.DataFrame,
    checks: RowChecks,
    *,
    file_name: str,
    fmt: str,
    details: dict[str, str] | None = None,
) -> ParsedEvents:
    """Flag repeated ids, split valid from refused rows and hash the valid ones."""
    canonical = canonical.copy()
    canonical["import_line"] = checks.lines
    ids = canonical["source_event_id"]
    repeated = ids.notna() & ids.duplicated(keep="first")
    checks.flag(repeated.to_numpy(), "id", "the same event id appears earlier in the file", ids)
    problems = checks.problems()
    bad = checks.bad
    frame = conform(canonical[~bad])
    frame["content_sha"] = content_hashes(frame)
    rejected = checks.raw[bad].copy()
    if len(rejected):
        reasons: dict[int, list[str]] = {}
        for p in problems:
            reasons.setdefault(p.line or 0, []).append(p.describe())
        rejected["problems"] = [" | ".join(reasons.get(int(x), [])) for x in rejected["__line__"]]
    rejected = rejected.rename(columns={"__line__": "line"})
    return ParsedEvents(
        frame=frame,
        problems=problems,
        rejected=rejected,
        n_rows=len(canonical),
        file_name=file_name,
        format=fmt,
        details=details or {},
    )
