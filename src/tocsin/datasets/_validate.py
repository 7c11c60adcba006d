"""Check a data file against its :class:`DataFile` spec and name every problem.

The checks work on text already read, so they can be tested without files; the
``*_file`` wrappers only read bytes from disk.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from tocsin.datasets._spec import Column, DataFile
from tocsin.errors import DataFileError, RowProblem
from tocsin.store import bom_encoding

__all__ = ["check_file", "count_rows", "decode", "validate_bytes", "validate_file", "validate_text"]

MAX_PROBLEMS = 10_000
"""Past this many problems the file is clearly the wrong one; stop listing."""

SHRINK_LIMIT = 0.9
"""A new release with fewer rows than this share of the previous one is taken as truncated."""


def decode(data: bytes, encodings: tuple[str, ...]) -> tuple[str | None, str | None]:
    """Decode ``data`` with the first encoding that fits; return ``(text, encoding)``.

    Examples
    --------
    >>> decode("Côte".encode("cp1252"), ("utf-8-sig", "cp1252"))
    ('Côte', 'cp1252')
    >>> decode(b"\\xff", ("utf-8",))
    (None, None)
    >>> decode("Côte".encode("utf-16"), ("utf-8-sig",))
    ('Côte', 'utf-16')
    """
    # a byte-order mark says the encoding (a spreadsheet's "Unicode text" is UTF-16)
    marked = bom_encoding(data)
    if marked:
        try:
            return data.decode(marked), marked
        except UnicodeDecodeError:
            return None, None
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None, None


def _check_value(text: str, column: Column, na_values: frozenset[str]) -> str | None:
    """Why ``text`` is not acceptable in ``column``, or ``None`` when it is."""
    value = text.strip()
    if value == "" or value in na_values:
        return None if column.nullable else "missing value not allowed"
    number: float | None = None
    if column.kind in ("int", "float"):
        try:
            number = float(value)
        except ValueError:
            return "not a whole number" if column.kind == "int" else "not a number"
        if not math.isfinite(number):
            return "not a finite number"
        if column.kind == "int" and not number.is_integer():
            return "not a whole number"
    if column.allowed is not None and value not in column.allowed:
        return f"not one of {', '.join(sorted(column.allowed))}"
    if number is not None:
        if column.minimum is not None and number < column.minimum:
            return f"below the minimum {column.minimum:g}"
        if column.maximum is not None and number > column.maximum:
            return f"above the maximum {column.maximum:g}"
    return None


def validate_text(
    text: str, spec: DataFile, *, previous_rows: int | None = None
) -> tuple[list[RowProblem], int]:
    """Check CSV ``text`` against ``spec``; return ``(problems, data_rows)``.

    Lines are physical lines counted from 1 (the header), as an editor shows them.

    Parameters
    ----------
    text : str
        The whole file, decoded.
    spec : DataFile
        Columns, NA tokens, uniqueness and row-count floor to check.
    previous_rows : int, optional
        Data rows of the release in force; a file with far fewer is refused as truncated.

    Examples
    --------
    >>> spec = DataFile("x.csv", "", 2, (Column("year", "int", minimum=1900, maximum=2100),))
    >>> problems, n = validate_text("year\\n1999\\n19x9\\n", spec)
    >>> n, [p.describe("x.csv") for p in problems]
    (2, ["x.csv:3: field 'year': not a whole number (got '19x9')"])
    """
    problems: list[RowProblem] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [RowProblem(1, None, "file is empty: no header line")], 0
    except csv.Error as error:
        return [RowProblem(1, None, f"not a CSV file ({error})")], 0
    header = [name.strip() for name in header]
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in positions:
            problems.append(RowProblem(1, name, "column name appears twice"))
        positions.setdefault(name, index)
    checked: list[tuple[int, Column]] = []
    for column in spec.columns:
        if column.name in positions:
            checked.append((positions[column.name], column))
        elif column.required:
            problems.append(RowProblem(1, column.name, "required column missing from the header"))
    unique_at = [positions[name] for name in spec.unique if name in positions]
    seen: dict[tuple[str, ...], int] = {}
    n_rows = 0
    line = reader.line_num
    last_start = line
    last_width = len(header)
    try:
        for row in reader:
            start, line = line + 1, reader.line_num
            if not row:
                continue
            n_rows += 1
            last_start, last_width = start, len(row)
            if len(problems) >= MAX_PROBLEMS:
                continue
            if len(row) != len(header):
                problems.append(
                    RowProblem(start, None, f"{len(row)} fields, the header has {len(header)}")
                )
                continue
            for index, column in checked:
                reason = _check_value(row[index], column, spec.na_values)
                if reason is not None:
                    problems.append(RowProblem(start, column.name, reason, row[index]))
            if len(unique_at) == len(spec.unique) and unique_at:
                key = tuple(row[i].strip() for i in unique_at)
                if key in seen:
                    problems.append(
                        RowProblem(
                            start,
                            ",".join(spec.unique),
                            f"repeats the row on line {seen[key]}",
                            ",".join(key),
                        )
                    )
                else:
                    seen[key] = start
    except csv.Error as error:
        problems.append(RowProblem(reader.line_num, None, f"unreadable CSV ({error})"))
    if n_rows and last_width < len(header) and not text.endswith(("\n", "\r")):
        problems.append(
            RowProblem(
                last_start, None, "the file ends in the middle of this line (download cut off?)"
            )
        )
    if n_rows < spec.min_rows:
        problems.append(
            RowProblem(
                None,
                None,
                f"only {n_rows} data rows, at least {spec.min_rows} expected: the file looks "
                "truncated or is not this data set",
            )
        )
    if previous_rows and n_rows < SHRINK_LIMIT * previous_rows:
        problems.append(
            RowProblem(
                None,
                None,
                f"{n_rows} data rows, far fewer than the {previous_rows} of the release in "
                "force: the file looks truncated",
            )
        )
    if len(problems) > MAX_PROBLEMS:
        problems = problems[:MAX_PROBLEMS]
        problems.append(RowProblem(None, None, f"stopped listing after {MAX_PROBLEMS} problems"))
    return problems, n_rows


def validate_bytes(
    data: bytes, spec: DataFile, *, previous_rows: int | None = None
) -> tuple[list[RowProblem], int]:
    """Decode ``data`` with the spec's encodings, then :func:`validate_text` it."""
    text, _ = decode(data, spec.encodings)
    if text is None:
        reason = f"not text in any accepted encoding ({', '.join(spec.encodings)})"
        return [RowProblem(None, None, reason)], 0
    return validate_text(text, spec, previous_rows=previous_rows)


def validate_file(
    path: str | Path, spec: DataFile, *, previous_rows: int | None = None
) -> tuple[list[RowProblem], int]:
    """Read ``path`` and check it against ``spec``; return ``(problems, data_rows)``."""
    return validate_bytes(Path(path).read_bytes(), spec, previous_rows=previous_rows)


def check_file(
    path: str | Path,
    spec: DataFile,
    *,
    previous_rows: int | None = None,
    shown_as: str | Path | None = None,
) -> int:
    """Validate ``path``; return its data rows, or raise naming every problem.

    Raises ``DataFileError`` with one :class:`RowProblem` per bad value, missing column,
    short line or row-count problem.

    ``shown_as`` names the file in the error (e.g. the URL it was downloaded from).
    """
    problems, n_rows = validate_file(path, spec, previous_rows=previous_rows)
    if problems:
        raise DataFileError(shown_as if shown_as is not None else path, problems)
    return n_rows


def count_rows(path: str | Path, spec: DataFile) -> int:
    """Data rows (records, header excluded) of a CSV file in the spec's encoding."""
    text, _ = decode(Path(path).read_bytes(), spec.encodings)
    if text is None:
        return 0
    return sum(1 for row in csv.reader(io.StringIO(text, newline="")) if row) - 1
