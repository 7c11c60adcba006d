"""Which release of a data set is in force (bundled or updated) and reading it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from tocsin.datasets._convert import VDEM_INDICES
from tocsin.datasets._registry import get_dataset
from tocsin.datasets._spec import DatasetSpec
from tocsin.errors import TocsinError
from tocsin.settings import Settings

__all__ = [
    "BUNDLED_DIR",
    "DatasetError",
    "Release",
    "current_release",
    "datasets_root",
    "load",
    "sha256_of",
    "unmatched",
    "vdem_variables",
]

BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"
"""Folder of the copies shipped inside the package, one sub-folder per data set."""

POINTER = "current.json"
RELEASES = "releases"
MANIFEST = "manifest.json"


class DatasetError(TocsinError):
    """A data set could not be read, downloaded or installed."""


@dataclass(frozen=True)
class Release:
    """One release of a data set on disk: the bundled copy or one installed by ``update``.

    Attributes
    ----------
    name : str
        Data set name.
    origin : {"bundled", "updated"}
        Shipped with Tocsin, or installed by ``tocsin data update``.
    folder : Path
        Where its files are.
    files : dict of str to Path
        File name -> path, in the spec's order.
    manifest : dict
        For an updated release, the manifest written at install (url, sha256, size,
        fetched_at, rows, vintage); for the bundled copy, the same keys from the spec.
    """

    name: str
    origin: Literal["bundled", "updated"]
    folder: Path
    files: dict[str, Path]
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def data_years(self) -> tuple[int, int] | None:
        """First and last data year of this release, if known."""
        years = self.manifest.get("vintage", {}).get("data_years")
        return (int(years[0]), int(years[1])) if years else None

    @property
    def rows(self) -> int | None:
        """Rows of the loaded frame (``None`` if not recorded)."""
        rows = self.manifest.get("rows")
        return int(rows) if rows is not None else None


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def datasets_root(settings_or_dir: Settings | str | Path | None) -> Path | None:
    """The folder holding updated releases: ``Settings.datasets_dir`` or the path given."""
    if settings_or_dir is None:
        return None
    if isinstance(settings_or_dir, Settings):
        return settings_or_dir.datasets_dir
    return Path(settings_or_dir)


def bundled_release(spec: DatasetSpec) -> Release:
    """The copy shipped inside the package."""
    folder = BUNDLED_DIR / spec.name
    manifest = {
        "dataset": spec.name,
        "origin": "bundled",
        "url": spec.source_url,
        "fetched_at": None,
        "rows": spec.rows,
        "vintage": {"data_years": list(spec.data_years), "release_date": spec.release_date},
        "files": [
            {"name": f.name, "sha256": f.sha256, "rows": f.rows, "url": f.update_url}
            for f in spec.files
        ],
    }
    files = {f.name: folder / f.name for f in spec.files}
    return Release(spec.name, "bundled", folder, files, manifest)


def _broken(spec: DatasetSpec, where: Path, why: str) -> DatasetError:
    return DatasetError(
        f"the updated release of {spec.name!r} in {where} is unusable: {why}",
        fix=f"run `tocsin data update {spec.name}` again, or delete {where.parent.parent} "
        "to go back to the bundled copy",
    )


def current_release(name: str, settings_or_dir: Settings | str | Path | None = None) -> Release:
    """The release in force: the one ``update`` installed last, else the bundled copy.

    Parameters
    ----------
    name : str
        Data set name.
    settings_or_dir : Settings or path, optional
        Where updated releases live (``Settings.datasets_dir`` or that folder itself).
        ``None`` means the bundled copy.

    Examples
    --------
    >>> current_release("pts").origin
    'bundled'
    """
    spec = get_dataset(name)
    root = datasets_root(settings_or_dir)
    pointer = root / spec.name / POINTER if root is not None else None
    if pointer is None or not pointer.is_file():
        return bundled_release(spec)
    try:
        version = json.loads(pointer.read_text(encoding="utf-8"))["version"]
        folder = pointer.parent / RELEASES / str(version)
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise _broken(spec, pointer.parent / RELEASES / "?", str(error)) from error
    files = {f.name: folder / f.name for f in spec.files}
    missing = [n for n, p in files.items() if not p.is_file()]
    if missing:
        raise _broken(spec, folder, f"missing {', '.join(missing)}")
    return Release(spec.name, "updated", folder, files, manifest)


def load(name: str, *, settings_or_dir: Settings | str | Path | None = None) -> pd.DataFrame:
    """The data set ``name`` as a tidy frame keyed on ``iso3`` (and ``year`` or ``treaty``).

    Reads the release installed by ``tocsin data update`` under ``settings_or_dir`` when
    there is one, else the bundled copy. Rows whose country could not be mapped are kept
    with ``iso3`` ``<NA>`` (see :func:`unmatched`). Columns and dtypes are listed in the
    spec's ``output_columns`` and in docs/datasets.md.

    Examples
    --------
    >>> pts = load("pts")
    >>> list(pts.columns[:5])
    ['iso3', 'year', 'country', 'country_old', 'cow_code']
    >>> int(pts.loc[(pts.iso3 == "NOR") & (pts.year == 2020), "pts_state"].iloc[0])
    1
    """
    spec = get_dataset(name)
    release = current_release(name, settings_or_dir)
    if release.origin == "updated":
        recorded = {f["name"]: f.get("sha256") for f in release.manifest.get("files", [])}
        for file_name, path in release.files.items():
            if recorded.get(file_name) != sha256_of(path):
                raise _broken(spec, release.folder, f"{file_name} changed since it was installed")
    return spec.loader(release.files)


def unmatched(name: str, *, settings_or_dir: Settings | str | Path | None = None) -> pd.DataFrame:
    """Source countries of ``name`` that got no ``iso3``, with how many rows each has.

    Examples
    --------
    >>> report = unmatched("pts")
    >>> "n_rows" in report.columns
    True
    """
    spec = get_dataset(name)
    frame = load(name, settings_or_dir=settings_or_dir)
    columns = [c for c in spec.source_id_columns if c in frame.columns]
    missing = frame[frame["iso3"].isna()]
    if missing.empty:
        return pd.DataFrame({**{c: [] for c in columns}, "n_rows": []}).astype({"n_rows": int})
    counts = missing.groupby(columns, dropna=False).size().rename("n_rows").reset_index()
    return counts.sort_values("n_rows", ascending=False, ignore_index=True)


def vdem_variables(*, settings_or_dir: Settings | str | Path | None = None) -> pd.DataFrame:
    """V-Dem's variable lookup (tag, name, level, …) for the tags in the ``vdem`` data set.

    Examples
    --------
    >>> vdem_variables().set_index("tag").loc["v2x_polyarchy", "name"]
    'Electoral democracy index'
    """
    release = current_release("vdem", settings_or_dir)
    lookup = pd.read_csv(
        release.files["vdemlite_variable_lookup.csv"], dtype="string", keep_default_na=False
    )
    kept = lookup[lookup["tag"].isin(VDEM_INDICES)].drop_duplicates("tag")
    return kept.reset_index(drop=True)
