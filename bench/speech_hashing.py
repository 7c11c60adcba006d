"""Fast-path hashing speed: Tocsin's own ``hashed_rows`` against scikit-learn's HashingVectorizer.

Usage: ``uv run python bench/speech_hashing.py ../shared`` (Davidson's first 2,479 tweets,
normalised; CPU seconds in one process, ours first so its n-gram memo starts empty).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from tocsin.speech._hashing import CHAR_FEATURES, WORD_FEATURES, hashed_rows
from tocsin.speech._text import normalise_text


def main(shared: Path) -> None:
    tweets = pd.read_csv(shared / "data/speech/davidson2017_labeled_data.csv")["tweet"]
    texts = [normalise_text(t) for t in tweets.tolist()[:2479]]
    start = time.process_time()
    hashed_rows(texts)
    ours = time.process_time() - start
    common = {"alternate_sign": False, "norm": None, "lowercase": False}
    words = HashingVectorizer(
        analyzer="word", ngram_range=(1, 2), n_features=WORD_FEATURES, **common
    )
    chars = HashingVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), n_features=CHAR_FEATURES, **common
    )
    start = time.process_time()
    sparse.hstack([words.transform(texts), chars.transform(texts)]).tocsr()
    theirs = time.process_time() - start
    rates = f"tocsin {len(texts) / ours:.0f} texts/CPU-s, scikit-learn {len(texts) / theirs:.0f}"
    sys.stdout.write(rates + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared"))
