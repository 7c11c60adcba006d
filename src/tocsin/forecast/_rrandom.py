"""R's default random numbers, so cross-validation folds can match an R analysis.

R seeds its Mersenne Twister with ``set.seed(s)`` by scrambling ``s`` with a linear
congruential generator (50 discarded steps, then one step per state word), and since
R 3.6.0 ``sample()`` draws indices by rejection from random bits ("Rejection" sample
kind). ``cv.glmnet`` assigns folds with ``sample(rep(seq(nfolds), length = N))``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["RRandom", "r_cv_folds"]

_LCG = 69069
_MASK = 0xFFFFFFFF


class RRandom:
    """``set.seed(seed)`` followed by ``runif``/``sample`` calls, as in R >= 3.6.

    Examples
    --------
    >>> round(RRandom(42).unif_rand(), 7)
    0.914806
    >>> RRandom(42).sample(10).tolist()
    [1, 5, 10, 8, 2, 4, 6, 9, 7, 3]
    """

    def __init__(self, seed: int) -> None:
        value = seed & _MASK
        for _ in range(50):
            value = (_LCG * value + 1) & _MASK
        words = []
        for _ in range(625):
            value = (_LCG * value + 1) & _MASK
            words.append(value)
        self._generator = np.random.MT19937()
        self._generator.state = {
            "bit_generator": "MT19937",
            "state": {"key": np.array(words[1:], dtype=np.uint32), "pos": 624},
        }

    def unif_rand(self) -> float:
        """One uniform draw in (0, 1)."""
        raw = int(self._generator.random_raw())
        value = raw * 2.3283064365386963e-10
        if value <= 0.0:
            return 0.5 * 2.328306437080797e-10
        if 1.0 - value <= 0.0:
            return 1.0 - 0.5 * 2.328306437080797e-10
        return value

    def _rbits(self, bits: int) -> int:
        value = 0
        for _ in range(0, bits + 1, 16):
            value = 65536 * value + int(math.floor(self.unif_rand() * 65536))
        return value & ((1 << bits) - 1)

    def unif_index(self, n: int) -> int:
        """A uniform integer in [0, n) by rejection sampling (``R_unif_index``)."""
        if n <= 0:
            return 0
        bits = math.ceil(math.log2(n))
        while True:
            value = self._rbits(bits)
            if value < n:
                return value

    def sample(self, n: int) -> npt.NDArray[np.int64]:
        """A random permutation of 1 … n (``sample(n)``)."""
        pool = list(range(n))
        out = np.empty(n, dtype=np.int64)
        remaining = n
        for i in range(n):
            j = self.unif_index(remaining)
            out[i] = pool[j] + 1
            remaining -= 1
            pool[j] = pool[remaining]
        return out


def r_cv_folds(n: int, n_folds: int = 10, seed: int = 90035) -> npt.NDArray[np.int64]:
    """``set.seed(seed); sample(rep(seq(n_folds), length = n))`` minus one (0-based).

    Examples
    --------
    >>> r_cv_folds(12, 3, seed=1).tolist()
    [2, 0, 0, 0, 1, 1, 2, 1, 2, 1, 2, 0]
    """
    labels = np.arange(n) % n_folds
    return labels[RRandom(seed).sample(n) - 1]
