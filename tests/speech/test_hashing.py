"""The scoring path's own hashing equals scikit-learn's, and scoring needs no scikit-learn."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from tocsin.speech import TextHead
from tocsin.speech._hashing import CHAR_FEATURES, WORD_FEATURES, FrozenTextHead, hashed_rows
from tocsin.speech._suite import SUITE_LANGUAGES, load_suite

EDGE_CASES = [
    "",
    "a",
    "ab",
    "   ",
    "  x   y\tz\n",
    "L'été à Paris — très chaud !!",
    "يجب قتلهم جميعا",
    "Ñandú: ¿qué pasó? 123 4567",
    "word " * 50,
]


def _scikit_learn_counts(texts: list[str]) -> sparse.csr_matrix:
    common = {"alternate_sign": False, "norm": None, "lowercase": False}
    words = HashingVectorizer(
        analyzer="word", ngram_range=(1, 2), n_features=WORD_FEATURES, **common
    )
    chars = HashingVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), n_features=CHAR_FEATURES, **common
    )
    counts = sparse.hstack([words.transform(texts), chars.transform(texts)]).tocsr()
    counts.data = 1.0 + np.log(counts.data)
    return counts


@pytest.mark.parametrize("language", SUITE_LANGUAGES)
def test_hashed_rows_equal_scikit_learns_hashing_vectorizer(language: str) -> None:
    suite = load_suite((language,))
    texts = suite["text"].tolist()[:400] + EDGE_CASES
    ours = hashed_rows(texts).to_csr()
    reference = _scikit_learn_counts(texts)
    assert ours.shape == reference.shape
    assert ours.nnz == reference.nnz > 0
    assert abs(ours - reference).max() == 0.0


def test_weighting_and_products_equal_scipys() -> None:
    texts = load_suite(("en",))["text"].tolist()[:200] + ["", "  "]
    rows = hashed_rows(texts)
    rng = np.random.default_rng(0)
    idf = rng.uniform(0.0, 3.0, size=rows.n_features)
    coef = rng.normal(size=(3, rows.n_features))
    csr = rows.to_csr() @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(csr.multiply(csr).sum(axis=1))).ravel()
    norms[norms == 0] = 1.0
    expected = sparse.diags(1.0 / norms) @ csr
    weighted = rows.weighted(idf)
    assert abs(weighted.to_csr() - expected).max() < 1e-12
    assert np.allclose(weighted.times_transpose(coef), np.asarray(expected @ coef.T))


def test_a_frozen_head_scores_as_the_trained_one() -> None:
    texts = [f"good day number {i}" for i in range(40)] + [f"bad night {i}" for i in range(40)]
    labels = ["pos"] * 40 + ["neg"] * 40
    head = TextHead(C=1.0, n_folds=3).fit(texts, labels)
    frozen = head.freeze()
    probe = ["a good day", "a bad night", "", "unrelated words"]
    assert np.allclose(frozen.predict_proba(probe), head.predict_proba(probe))
    assert list(frozen.predict(probe[:2])) == ["pos", "neg"]
    saved = FrozenTextHead.from_arrays(head.to_arrays("t."), "t.")
    assert np.allclose(saved.predict_proba(probe), head.predict_proba(probe), atol=1e-3)
    assert np.allclose(
        FrozenTextHead.from_arrays(frozen.to_arrays("f."), "f.").predict_proba(probe),
        saved.predict_proba(probe),
    )


def test_speech_score_loads_neither_scikit_learn_nor_scipy(tmp_path: Path) -> None:
    """`speech score` on ten texts must answer in under 3 s (issue 12): no training libraries."""
    posts = tmp_path / "posts.csv"
    posts.write_text("text\nexterminate these invaders\nI love my gay neighbours\n")
    code = (
        "import sys; from tocsin.cli import main\n"
        f"try:\n    main(['speech', 'score', {str(posts)!r}, '-o', {str(tmp_path / 'o.csv')!r}])\n"
        "except SystemExit as stop:\n    assert not stop.code, stop.code\n"
        "print('heavy:', [m for m in ('sklearn', 'scipy', 'lightgbm') if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert "heavy: []" in result.stdout, result.stdout + result.stderr
    assert (tmp_path / "o.csv").read_text().count("\n") == 3
