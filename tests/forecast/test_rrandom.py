"""R's random numbers, checked against values R prints."""

from __future__ import annotations

import numpy as np

from tocsin.forecast import RRandom, r_cv_folds


def test_runif_after_set_seed_matches_r() -> None:
    # R: set.seed(42); runif(3) -> 0.9148060 0.9370754 0.2861395
    rng = RRandom(42)
    assert [round(rng.unif_rand(), 7) for _ in range(3)] == [0.914806, 0.9370754, 0.2861395]


def test_sample_matches_r_rejection_sampling() -> None:
    # R >= 3.6: set.seed(123); sample(5) -> 3 2 5 4 1
    assert RRandom(123).sample(5).tolist() == [3, 2, 5, 4, 1]


def test_folds_are_balanced() -> None:
    folds = r_cv_folds(95, 10)
    assert np.bincount(folds).tolist() == [10] * 5 + [9] * 5
