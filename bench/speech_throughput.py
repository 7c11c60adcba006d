"""Throughput and accuracy of the speech classifier's routes on 2 cores.

Usage: uv run python bench/speech_throughput.py [../shared] [--n-embed 400]

Scores Davidson's 10 % hold-out (n = 2,479; the shipped model was not trained on it) three
ways: `fast` (TF-IDF only), `auto` (fast path; every text it is unsure of on to the encoder)
and `embedding` (every text embedded), and prints texts per second and accuracy for each, as
JSON. Language detection is timed separately (it runs on every text in real use), and so is
`tocsin speech score` on a 10-text file (a cold and a warm start).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    from tocsin.speech import (
        DAVIDSON_FILE,
        UseEmbedder,
        classification_figures,
        davidson_holdout,
        detect_languages,
        load_default_classifier,
        read_davidson,
    )

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    shared = Path(args[0]) if args else ROOT.parent / "shared"
    davidson = read_davidson(shared / "data" / "speech" / DAVIDSON_FILE)
    _, held_out = davidson_holdout(davidson["class_code"])
    texts = davidson["text"].iloc[held_out].tolist()
    truth = davidson["label"].iloc[held_out].to_numpy()
    english = ["en"] * len(texts)
    classifier = load_default_classifier()
    embedder = UseEmbedder(threads=2)
    embedder.embed(["warm up"])
    results: dict[str, object] = {"n": len(texts), "cpu_count": os.cpu_count()}

    start = time.perf_counter()
    detect_languages(texts)
    results["language_detection_texts_per_s"] = round(len(texts) / (time.perf_counter() - start))

    for route in ("fast", "auto", "embedding"):
        start, cpu_start = time.perf_counter(), time.process_time()
        scores = classifier.score(texts, languages=english, embedder=embedder, route=route)
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        figures = classification_figures(
            truth, scores["label"].to_numpy(), ["hateful", "offensive", "neither"]
        )
        results[route] = {
            "texts_per_s": round(len(texts) / elapsed, 1),
            "texts_per_cpu_s": round(len(texts) / cpu, 1),
            "seconds": round(elapsed, 2),
            "share_embedded": round(float((scores["stage"] == "embedding").mean()), 3),
            "macro_f1": figures["macro_f1"],
            "hate_f1": figures["per_class"]["hateful"]["f1"],
        }
        sys.stderr.write(f"{route} {results[route]}\n")
    results["fast_two_processes"] = _fast_in_two_processes(texts * 4)
    results["cli_score_10_texts_seconds"] = _cli_score_ten(texts[:10])
    results["load_average_1min"] = os.getloadavg()[0]
    sys.stdout.write(json.dumps(results, indent=2) + "\n")


def _score_fast(texts: list[str]) -> int:
    from tocsin.speech import load_default_classifier

    classifier = load_default_classifier()
    return len(classifier.score(texts, languages=["en"] * len(texts), route="fast"))


def _fast_in_two_processes(texts: list[str]) -> dict[str, float]:
    """The fast path on two partitions in two worker processes (one per core)."""
    from concurrent.futures import ProcessPoolExecutor

    half = len(texts) // 2
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_score_fast, [texts[:10], texts[10:20]]))  # load the model in each
        start = time.perf_counter()
        done = sum(pool.map(_score_fast, [texts[:half], texts[half:]]))
        elapsed = time.perf_counter() - start
    return {"n": done, "texts_per_s": round(done / elapsed, 1), "seconds": round(elapsed, 2)}


def _cli_score_ten(texts: list[str]) -> dict[str, float]:
    """Wall time of `tocsin speech score` on a 10-text file: a first (cold) and a warm run."""
    import csv
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ten.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "text"])
            writer.writerows(enumerate(texts))
        command = [sys.executable, "-m", "tocsin", "--quiet", "speech", "score", str(path)]
        times = []
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return {"first": round(times[0], 2), "warm": round(times[1], 2)}


if __name__ == "__main__":
    main()
