"""What a named data set is: its files, their columns, where it comes from and how to read it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

ColumnKind = Literal["str", "int", "float"]
"""How a column's text is parsed: free text, a whole number, or a real number."""

Loader = Callable[[Mapping[str, Path]], pd.DataFrame]
"""Turns the files of one release (file name -> path) into the tidy frame."""

Converter = Callable[[Path, Path], None]
"""Rewrites an official release file (first path) into the bundled layout (second path)."""


@dataclass(frozen=True)
class Column:
    """One column of a data file, as the validator checks it.

    Parameters
    ----------
    name : str
        Header text, exactly as in the file.
    kind : {"str", "int", "float"}
        How the text must parse.
    required : bool
        A file without this column is refused.
    nullable : bool
        Whether a missing value (an empty field or one of the file's NA tokens) is allowed.
    minimum, maximum : float, optional
        Inclusive bounds for numbers.
    allowed : frozenset of str, optional
        The only texts accepted (checked after NA tokens).

    Examples
    --------
    >>> Column("PTS_A", "int", minimum=1, maximum=5).kind
    'int'
    """

    name: str
    kind: ColumnKind = "str"
    required: bool = True
    nullable: bool = True
    minimum: float | None = None
    maximum: float | None = None
    allowed: frozenset[str] | None = None


@dataclass(frozen=True)
class DataFile:
    """One file of a data set: its bundled copy, its columns and where a newer copy lives.

    Parameters
    ----------
    name : str
        File name, the same in the bundled folder and in an installed release.
    sha256 : str
        Checksum of the bundled copy (checked by the tests and on load).
    rows : int
        Data rows (header excluded) of the bundled copy.
    columns : tuple of Column
        Columns the validator checks; other columns are allowed and kept.
    update_url : str, optional
        Official download of a newer release; ``None`` when the file is never downloaded
        (it is then carried over from the release in force).
    encodings : tuple of str
        Encodings tried in order; the first that decodes the whole file wins.
    na_values : frozenset of str
        Texts that mean "missing" besides the empty field.
    unique : tuple of str
        Columns that together must not repeat.
    min_rows : int
        A file with fewer data rows is refused as truncated.
    convert : Converter, optional
        Rewrites an official release in another format (xlsx, zip) into this layout.
    """

    name: str
    sha256: str
    rows: int
    columns: tuple[Column, ...]
    update_url: str | None = None
    encodings: tuple[str, ...] = ("utf-8-sig",)
    na_values: frozenset[str] = frozenset({"NA"})
    unique: tuple[str, ...] = ()
    min_rows: int = 1
    convert: Converter | None = field(default=None, compare=False, repr=False)

    def column(self, name: str) -> Column | None:
        """The declared column called ``name``, if any."""
        for column in self.columns:
            if column.name == name:
                return column
        return None


@dataclass(frozen=True)
class DatasetSpec:
    """A named public data set that Tocsin bundles, loads and updates.

    Attributes
    ----------
    name : str
        Short identifier used by ``load`` and the CLI (``pts``, ``vdem``, …).
    title, publisher, description : str
        What it is and who publishes it.
    source_url : str
        The publisher's landing page.
    licence, citation : str
        Terms and the reference to cite in anything built on it.
    data_years : tuple of int
        First and last year covered by the bundled release.
    release_date : str
        ISO date of the bundled release (as published).
    files : tuple of DataFile
        The files of a release; the first one is the main table.
    key : tuple of str
        Columns identifying a row of the loaded frame.
    output_columns : Mapping of str to str
        Columns of the loaded frame and their pandas dtypes, in order.
    rows : int
        Rows of the frame loaded from the bundled release.
    loader : Loader
        Builds the tidy frame from a release's files.
    source_id_columns : tuple of str
        Columns of the loaded frame that show what the source called a country
        (reported by ``unmatched``).
    update_note : str
        How ``tocsin data update`` gets a newer release of this data set.
    """

    name: str
    title: str
    publisher: str
    source_url: str
    licence: str
    citation: str
    data_years: tuple[int, int]
    release_date: str
    files: tuple[DataFile, ...]
    key: tuple[str, ...]
    output_columns: Mapping[str, str]
    rows: int
    loader: Loader = field(compare=False, repr=False)
    source_id_columns: tuple[str, ...] = ()
    description: str = ""
    update_note: str = ""

    @property
    def update_urls(self) -> tuple[str, ...]:
        """Official download addresses, one per downloadable file."""
        return tuple(f.update_url for f in self.files if f.update_url)

    def file(self, name: str) -> DataFile:
        """The file called ``name``; ``KeyError`` if the data set has none."""
        for data_file in self.files:
            if data_file.name == name:
                return data_file
        raise KeyError(name)
