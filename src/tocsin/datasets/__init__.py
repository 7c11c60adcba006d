"""Named public data sets: bundled with Tocsin, loaded as tidy frames, updated from the source.

Each data set has a :class:`DatasetSpec` in :data:`REGISTRY` (origin, licence, citation,
vintage, files and their checksums, columns). :func:`load` returns a frame keyed on
``iso3`` (and ``year``); :func:`update` fetches a newer official release, validates it and
installs it under ``Settings.datasets_dir`` without touching the release in force if
anything is wrong.

Examples
--------
>>> from tocsin.datasets import get_dataset, load
>>> get_dataset("freedom_house").publisher
'Freedom House'
>>> fh = load("freedom_house")
>>> sorted(fh["status"].dropna().unique())
['Free', 'Not Free', 'Partly Free']
"""

from tocsin.datasets._loaders import TREATIES
from tocsin.datasets._registry import REGISTRY, UnknownDatasetError, get_dataset, list_datasets
from tocsin.datasets._releases import (
    BUNDLED_DIR,
    DatasetError,
    Release,
    current_release,
    load,
    unmatched,
    vdem_variables,
)
from tocsin.datasets._spec import Column, DataFile, DatasetSpec
from tocsin.datasets._update import DownloadError, ProgressCallback, UpdateResult, update
from tocsin.datasets._validate import check_file, validate_bytes, validate_file, validate_text

__all__ = [
    "BUNDLED_DIR",
    "REGISTRY",
    "TREATIES",
    "Column",
    "DataFile",
    "DatasetError",
    "DatasetSpec",
    "DownloadError",
    "ProgressCallback",
    "Release",
    "UnknownDatasetError",
    "UpdateResult",
    "check_file",
    "current_release",
    "get_dataset",
    "list_datasets",
    "load",
    "unmatched",
    "update",
    "validate_bytes",
    "validate_file",
    "validate_text",
    "vdem_variables",
]
