"""`update` against a real local HTTP server: installs good files, refuses bad ones."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pandas as pd
import pytest

from tests.datasets.conftest import FileServer
from tocsin.datasets import (
    BUNDLED_DIR,
    DatasetError,
    DownloadError,
    current_release,
    get_dataset,
    load,
    update,
)
from tocsin.errors import DataFileError
from tocsin.settings import Settings

PTS_FILE = BUNDLED_DIR / "pts" / "PTS-2024.csv"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def _pts_newer() -> bytes:
    """The bundled PTS file plus a 2024 row for Norway, as a newer release would add."""
    text = PTS_FILE.read_text(encoding="utf-8")
    norway_2023 = next(line for line in text.splitlines() if line.startswith("Norway,Norway,2023"))
    return (text + norway_2023.replace(",2023,", ",2024,") + "\n").encode("utf-8")


def _installed_state(settings: Settings) -> dict[str, bytes]:
    root = settings.datasets_dir
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def installed(file_server: FileServer, settings: Settings) -> Settings:
    """A home where the newer PTS release is installed."""
    url = file_server.put("PTS-2025.csv", _pts_newer())
    result = update("pts", settings, url=url, now=NOW)
    assert result.status == "installed"
    return settings


def test_success_installs_and_load_reads_it(installed: Settings) -> None:
    release = current_release("pts", installed)
    assert release.origin == "updated"
    manifest = json.loads((release.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"] == 10221
    assert manifest["fetched_at"] == NOW.isoformat()
    assert manifest["vintage"]["data_years"] == [1976, 2024]
    assert manifest["url"].endswith("/PTS-2025.csv")
    assert len(manifest["sha256"]) == 64 and manifest["size"] > 600_000
    frame = load("pts", settings_or_dir=installed)
    assert frame["year"].max() == 2024
    assert len(load("pts")) == 10220  # without settings: the bundled copy


def test_identical_update_is_a_no_op(file_server: FileServer, installed: Settings) -> None:
    before = _installed_state(installed)
    url = file_server.put("again.csv", _pts_newer())
    result = update("pts", installed, url=url, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert result.status == "unchanged"
    assert "already up to date" in result.message
    assert _installed_state(installed) == before


def test_update_equal_to_bundled_is_a_no_op(file_server: FileServer, settings: Settings) -> None:
    url = file_server.put("PTS-2024.csv", PTS_FILE.read_bytes())
    result = update("pts", settings, url=url)
    assert result.status == "unchanged"
    assert current_release("pts", settings).origin == "bundled"


def _corrupt() -> bytes:
    lines = _pts_newer().decode().splitlines(keepends=True)
    fields = lines[10].split(",")
    fields[8] = "7"
    lines[10] = ",".join(fields)
    lines[20] = lines[20].replace(",1995,", ",199O,")
    return "".join(lines).encode()


def _truncated() -> bytes:
    data = _pts_newer()
    return data[: len(data) // 2 + 17]


def _wrong_columns() -> bytes:
    frame = pd.read_csv(io.BytesIO(_pts_newer()), dtype=str, keep_default_na=False)
    return frame.drop(columns=["PTS_S"]).to_csv(index=False).encode()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            _corrupt,
            [
                "PTS-bad.csv:11: field 'PTS_A': above the maximum 5",
                ":21: field 'Year'",
                "release in force was kept",
            ],
        ),
        (_truncated, ["the file ends in the middle of this line", "far fewer than the 10221"]),
        (_wrong_columns, ["PTS-bad.csv:1: field 'PTS_S': required column missing"]),
    ],
    ids=["corrupt", "truncated", "wrong-columns"],
)
def test_bad_download_keeps_old_release(
    file_server: FileServer, installed: Settings, make: object, expected: list[str]
) -> None:
    before = _installed_state(installed)
    assert callable(make)
    url = file_server.put("PTS-bad.csv", make())
    with pytest.raises(DataFileError) as caught:
        update("pts", installed, url=url)
    message = str(caught.value)
    for text in expected:
        assert text in message
    assert _installed_state(installed) == before
    assert load("pts", settings_or_dir=installed)["year"].max() == 2024


def test_404_keeps_old_release(file_server: FileServer, installed: Settings) -> None:
    before = _installed_state(installed)
    with pytest.raises(DownloadError) as caught:
        update("pts", installed, url=f"{file_server.base_url}/missing.csv")
    assert "HTTP 404" in str(caught.value)
    assert _installed_state(installed) == before


def test_first_update_failure_leaves_bundled(file_server: FileServer, settings: Settings) -> None:
    url = file_server.put("bad.csv", _truncated())
    with pytest.raises(DataFileError):
        update("pts", settings, url=url)
    assert current_release("pts", settings).origin == "bundled"
    assert not list((settings.datasets_dir / "pts").glob(".incoming-*"))


def test_xlsx_release_is_converted(file_server: FileServer, settings: Settings) -> None:
    frame = pd.read_csv(io.BytesIO(_pts_newer()), dtype=str, keep_default_na=False)
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    url = file_server.put("PTS-2025.xlsx", buffer.getvalue())
    seen: list[tuple[str, int, int | None]] = []
    result = update("pts", settings, url=url, progress=lambda *a: seen.append(a))
    assert result.status == "installed"
    assert seen and seen[-1][1] == seen[-1][2]
    loaded = load("pts", settings_or_dir=settings)
    assert len(loaded) == 10221
    assert loaded["pts_hrw"].notna().sum() == load("pts")["pts_hrw"].notna().sum()


def test_treaties_from_a_base_url(file_server: FileServer, settings: Settings) -> None:
    spec = get_dataset("treaties")
    for data_file in spec.files:
        data = (BUNDLED_DIR / "treaties" / data_file.name).read_bytes()
        if data_file.name == "hr_status_cat.csv":
            data = data.replace(
                b"ZW,Zimbabwe,0,,0,1,no action", b"ZW,Zimbabwe,1,2025,0,0,state party"
            )
        file_server.put(f"treaties/{data_file.name}", data)
    result = update("treaties", settings, url=f"{file_server.base_url}/treaties/")
    assert result.status == "installed"
    frame = load("treaties", settings_or_dir=settings)
    zimbabwe = frame[(frame["iso3"] == "ZWE") & (frame["treaty"] == "cat")]
    assert zimbabwe["is_party"].tolist() == [True]


def test_vdem_needs_an_address(settings: Settings) -> None:
    with pytest.raises(DatasetError) as caught:
        update("vdem", settings)
    assert "--url" in str(caught.value)


def test_vdem_from_a_local_csv_keeps_the_lookup(tmp_path: Path, settings: Settings) -> None:
    source = BUNDLED_DIR / "vdem" / "vdem_v14_resilience_subset_1970-2023.csv"
    frame = pd.read_csv(source)
    frame.insert(5, "v2x_extra_column", 0.5)  # a full V-Dem file has thousands more
    frame.loc[0, "v2x_libdem"] = 0.2
    local = tmp_path / "V-Dem-CY-Full.csv"
    frame.to_csv(local, index=False)
    result = update("vdem", settings, url=str(local))
    assert result.status == "installed"
    assert set(result.release.files) == {
        "vdem_v14_resilience_subset_1970-2023.csv",
        "vdemlite_variable_lookup.csv",
    }
    assert "v2x_extra_column" not in load("vdem", settings_or_dir=settings).columns


def test_client_timeout_is_reported(file_server: FileServer, settings: Settings) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with httpx.Client(transport=httpx.MockTransport(refuse)) as client:
        with pytest.raises(DownloadError, match="timed out"):
            update("pts", settings, url=f"{file_server.base_url}/x.csv", client=client)
