"""The event lake: raw canonical events kept as Parquet files partitioned by country and month.

The database holds the records the application needs (one row per event, its versions,
links); the lake beside it holds every imported event as it was parsed, for batch work
over millions of events (aggregation, escalation scoring) on one machine or a Dask
cluster. Its layout is Hive's, so other tools (DuckDB, Spark, ``dask.dataframe``) read it::

    <root>/iso3=CAF/month=2022-03/<import key>.parquet
    <root>/_imports/<import key>.json          (the commit record of one import)

One import writes one file per (country, month) it holds, named by the import's key (the
SHA-256 of the file imported). An import is **atomic**: its files are written into a
staging folder, moved into place, and only then is its commit record written; readers see
only files whose import has a record, so a crash part-way leaves nothing visible, and the
next try overwrites the leftovers. It is **idempotent**: an import whose key has a record
is not written again. Events of unknown country go under ``iso3=__HIVE_DEFAULT_PARTITION__``
(Hive's name for a missing value).

Examples
--------
>>> import tempfile
>>> from tocsin.events import parse_events
>>> data = (b"event_id_cnty,event_date,year,event_type,sub_event_type,actor1,"
...         b"country,iso,admin1,latitude,longitude,fatalities,civilian_targeting\\n"
...         b"CAF1,2022-03-01,2022,Violence against civilians,Attack,Militia X,"
...         b"Central African Republic,140,Ouaka,6.3,20.7,4,Civilian targeting\\n")
>>> parsed = parse_events(data, "acled", file_name="one.csv")
>>> lake = EventLake(tempfile.mkdtemp())
>>> lake.write(parsed).n_files, lake.write(parsed).already_written
(1, True)
>>> lake.countries(), len(lake.read_country("CAF"))
(['CAF'], 1)
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from tocsin.errors import TocsinError
from tocsin.events._model import EVENT_COLUMNS, fingerprint
from tocsin.events._parse import ParsedEvents
from tocsin.events._store import ANALYSIS_COLUMNS

#: The folder of the lake under the data folder (``settings.home``) unless one is given.
LAKE_FOLDER = "events-lake"

#: Hive's name for a partition whose value is missing (events of unknown country).
MISSING_PARTITION = "__HIVE_DEFAULT_PARTITION__"

_COMMITS = "_imports"
_STAGING = "_staging"

# Columns a lake file holds besides the canonical ones; `iso3` lives in the folder name.
_EXTRA = {"content_sha": "object", "incident_id": "object"}
_ARROW_TYPES = {
    "object": pa.string(),
    "datetime64[ns]": pa.timestamp("ns"),
    "float64": pa.float64(),
    "Int64": pa.int64(),
}
_DTYPES = {**EVENT_COLUMNS, **_EXTRA}
_FILE_COLUMNS = [c for c in _DTYPES if c != "iso3"]
_SCHEMA = pa.schema([(c, _ARROW_TYPES[_DTYPES[c]]) for c in _FILE_COLUMNS])


@dataclass(frozen=True)
class LakeWrite:
    """What one :meth:`EventLake.write` did: the import's key, rows and files."""

    import_key: str
    n_rows: int
    n_files: int
    already_written: bool


def default_lake_path(home: Path) -> Path:
    """The lake of the data folder ``home`` (``settings.home``): ``home / "events-lake"``."""
    return Path(home) / LAKE_FOLDER


def _month_text(dates: pd.Series) -> np.ndarray:
    return np.asarray(dates.dt.strftime("%Y-%m").to_numpy(dtype=object), dtype=object)


def _arrow_table(frame: pd.DataFrame) -> pa.Table:
    """The file columns of ``frame`` as Arrow with the lake's one schema (absent ones null)."""
    arrays = []
    for column in _FILE_COLUMNS:
        if column not in frame:
            arrays.append(pa.nulls(len(frame), _SCHEMA.field(column).type))
            continue
        values = frame[column]
        if column == "extra_acts":
            # a list of acts per event: kept as JSON text, one type whatever the acts hold
            given = values.notna()
            values = values.astype(object).where(given, None)
            values[given] = [json.dumps(v, sort_keys=True) for v in values[given]]
        arrays.append(_arrow_array(values, _SCHEMA.field(column).type))
    return pa.Table.from_arrays(arrays, schema=_SCHEMA)


def _arrow_array(values: pd.Series, kind: pa.DataType) -> pa.Array:
    if kind != pa.string():
        return pa.array(values, type=kind, from_pandas=True)
    try:
        return pa.array(values, type=kind, from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        # a value that is not text (a number in a text column): its text, as the database
        # would store it
        text = values.astype(object).where(values.notna(), None)
        return pa.array([v if v is None else str(v) for v in text], type=kind)


def _restore(table: pa.Table, columns: Sequence[str]) -> pd.DataFrame:
    """Arrow back to the canonical pandas dtypes (object text, ns dates, nullable ints)."""
    out: dict[str, pd.Series] = {}
    for column in columns:
        dtype = _DTYPES[column]
        array = table.column(column)
        if dtype == "object":
            values = pd.Series(array.to_numpy(zero_copy_only=False), dtype=object)
            if column == "extra_acts":
                values = values.map(lambda v: None if v is None else json.loads(v))
            values = values.where(values.notna(), None)
            # as parsing makes it (conform): text of "dataset:source id", pandas' own str
            out[column] = values.astype(str) if column == "uid" else values
        elif dtype == "Int64":
            out[column] = pd.Series(array.to_pandas(types_mapper=pd.ArrowDtype)).astype("Int64")
        else:
            out[column] = pd.Series(array.to_pandas()).astype(pd.api.types.pandas_dtype(dtype))
    return pd.DataFrame(out)


class EventLake:
    """The partitioned Parquet store of raw events under ``root`` (see the module doc).

    Parameters
    ----------
    root : path
        The lake's folder, made on first write. On a cluster, a folder every worker sees
        at the same path (shared storage).
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"EventLake({str(self.root)!r})"

    def __reduce__(self) -> tuple[type[EventLake], tuple[str]]:
        return (EventLake, (str(self.root),))

    # -- writing -------------------------------------------------------------------------

    def write(
        self, events: ParsedEvents | pd.DataFrame, *, import_key: str | None = None
    ) -> LakeWrite:
        """Add one import's events; nothing happens if that import is already in the lake.

        ``events`` is a parsed file (its key is the file's SHA-256) or a canonical frame
        with ``import_key`` given (any text of letters, digits, ``-`` and ``_``).
        """
        if isinstance(events, ParsedEvents):
            frame = events.frame
            key = import_key or events.sha256
        else:
            frame = events
            key = import_key or ""
        if not key or not all(c.isalnum() or c in "-_" for c in key):
            raise TocsinError(
                f"cannot write events to the lake under the import key {key!r}",
                fix="give the import's SHA-256 (letters, digits, - and _ only)",
            )
        if (self._commits() / f"{key}.json").is_file():
            return LakeWrite(key, len(frame), 0, already_written=True)
        staging = self.root / _STAGING / f"{key}-{uuid.uuid4().hex[:8]}"
        staging.mkdir(parents=True)
        try:
            moved = self._write_staged(frame, key, staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        record = {
            "import_key": key,
            "n_rows": len(frame),
            "n_files": len(moved),
            "files": moved,
            "written_at": datetime.now(UTC).isoformat(),
        }
        self._commits().mkdir(parents=True, exist_ok=True)
        _write_atomically(self._commits() / f"{key}.json", json.dumps(record, indent=1))
        return LakeWrite(key, len(frame), len(moved), already_written=False)

    def _write_staged(self, frame: pd.DataFrame, key: str, staging: Path) -> list[str]:
        if frame.empty:
            return []
        if frame["start_date"].isna().any():
            raise TocsinError(
                "cannot write events without a start date to the lake",
                fix="parse the file with tocsin.events.parse_events, which refuses them",
            )
        iso3 = frame["iso3"].astype(object).where(frame["iso3"].notna(), MISSING_PARTITION)
        iso3_text = iso3.to_numpy(dtype=object).astype(str)
        month = _month_text(frame["start_date"]).astype(str)
        order = np.lexsort((month, iso3_text))
        table = _arrow_table(frame).take(pa.array(order))
        iso3_sorted, month_sorted = iso3_text[order], month[order]
        change = (iso3_sorted[1:] != iso3_sorted[:-1]) | (month_sorted[1:] != month_sorted[:-1])
        starts = [0, *(np.flatnonzero(change) + 1).tolist()]
        ends = [*starts[1:], len(order)]
        relative = []
        for start, end in zip(starts, ends, strict=True):
            folder = Path(f"iso3={iso3_sorted[start]}") / f"month={month_sorted[start]}"
            (staging / folder).mkdir(parents=True, exist_ok=True)
            pq.write_table(table.slice(start, end - start), staging / folder / f"{key}.parquet")
            relative.append((folder / f"{key}.parquet").as_posix())
        # every file is complete before any is moved; a file left by a crashed try of the
        # same import is replaced (os.replace is atomic on one file system)
        for name in relative:
            target = self.root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, target)
        return relative

    # -- reading -------------------------------------------------------------------------

    def _commits(self) -> Path:
        return self.root / _COMMITS

    def imports(self) -> list[dict[str, object]]:
        """The commit records of the imports in the lake, oldest first."""
        if not self._commits().is_dir():
            return []
        records = [json.loads(p.read_text("utf-8")) for p in self._commits().glob("*.json")]
        return sorted(records, key=lambda r: (str(r["written_at"]), str(r["import_key"])))

    def _committed_order(self) -> dict[str, int]:
        return {str(r["import_key"]): i for i, r in enumerate(self.imports())}

    def countries(self) -> list[str]:
        """The countries (ISO3) with events in the lake, sorted; ``None``'s folder last."""
        committed = self._committed_order()
        found = [
            folder.name.removeprefix("iso3=")
            for folder in self.root.glob("iso3=*")
            if any(f.stem in committed for f in folder.glob("month=*/*.parquet"))
        ]
        known = sorted(f for f in found if f != MISSING_PARTITION)
        return known + ([MISSING_PARTITION] if MISSING_PARTITION in found else [])

    def files(self, iso3: str | None = None) -> list[Path]:
        """The committed files of one country (folder name, as :meth:`countries` gives) or
        of all, in (country, month, import) order."""
        committed = self._committed_order()
        pattern = f"iso3={iso3}/month=*/*.parquet" if iso3 else "iso3=*/month=*/*.parquet"
        found = [p for p in self.root.glob(pattern) if p.stem in committed]
        return sorted(found, key=lambda p: (p.parent.parent.name, p.parent.name, committed[p.stem]))

    def read_country(
        self, iso3: str, *, columns: Sequence[str] | None = ANALYSIS_COLUMNS
    ) -> pd.DataFrame:
        """The events of one country with the canonical dtypes (all columns if ``None``).

        An event imported more than once (the same ``uid`` in two imports) is kept once,
        as the latest import has it, as the database keeps the latest version.
        """
        return self.read(countries=[iso3], columns=columns)

    def read(
        self,
        *,
        countries: Sequence[str] | None = None,
        columns: Sequence[str] | None = ANALYSIS_COLUMNS,
    ) -> pd.DataFrame:
        """The events of ``countries`` (folder names, as :meth:`countries` gives), or of
        all (for small lakes and tests); see :meth:`read_country`."""
        if countries is None:
            files = self.files()
        else:
            files = [f for iso3 in countries for f in self.files(iso3)]
        return self._read(files, columns)

    def _read(self, files: Sequence[Path], columns: Sequence[str] | None) -> pd.DataFrame:
        wanted = list(_DTYPES) if columns is None else list(columns)
        unknown = [c for c in wanted if c not in _DTYPES]
        if unknown:
            raise TocsinError(
                f"the event lake has no column {unknown[0]!r}",
                fix=f"choose among {', '.join(_DTYPES)}",
            )
        stored = [c for c in wanted if c != "iso3"]
        if "uid" not in stored:
            stored.append("uid")
        if not files:
            empty = pa.schema([*(_SCHEMA.field(c) for c in stored), ("iso3", pa.string())])
            return _restore(empty.empty_table(), wanted)
        # one scan of every file (pyarrow reads them in parallel); each row's file says
        # its country (the folder) and its import (the name)
        found = ds.dataset([str(f) for f in files], schema=_SCHEMA, format="parquet")
        table = found.to_table(columns=[*stored, "__filename"])
        names = pc.dictionary_encode(table.column("__filename")).combine_chunks()
        paths = [Path(str(n)) for n in names.dictionary.to_pylist()]
        folders = [p.parent.parent.name.removeprefix("iso3=") for p in paths]
        iso3_of_file = pa.array([None if f == MISSING_PARTITION else f for f in folders])
        committed = self._committed_order()
        import_of_file = np.array([committed[p.stem] for p in paths])
        file_index = names.indices.to_numpy(zero_copy_only=False)
        table = table.drop_columns(["__filename"])
        table = table.append_column("iso3", iso3_of_file.take(names.indices).cast(pa.string()))
        frame = _restore(table, [*stored, "iso3"])
        # an event imported twice is kept as its latest import has it, wherever it lies
        by_import = np.argsort(import_of_file[file_index], kind="stable")
        frame = frame.iloc[by_import].drop_duplicates("uid", keep="last")
        frame = frame.sort_index().reset_index(drop=True)
        return frame[wanted]

    def size_of(self, iso3: str) -> int:
        """Bytes of one country's committed files (to balance work between tasks)."""
        return sum(f.stat().st_size for f in self.files(iso3))

    def last_event_date(self) -> pd.Timestamp | None:
        """The start date of the latest event (reads only the latest month's files)."""
        files = self.files()
        if not files:
            return None
        latest = max(p.parent.name for p in files)
        dates = [
            pq.read_table(p, columns=["start_date"]).column("start_date").to_pandas().max()
            for p in files
            if p.parent.name == latest
        ]
        return pd.Timestamp(max(dates))


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def frame_import_key(frame: pd.DataFrame) -> str:
    """A key for a frame written without a file: the SHA-256 of its events' content."""
    ids = "\n".join(sorted(frame["uid"].astype(str)))
    shas = "\n".join(sorted(frame["content_sha"].astype(str))) if "content_sha" in frame else ""
    return fingerprint(f"{ids}\n{shas}".encode())
