"""Accuracy figures: Davidson hold-out, GermEval cross-validation, and the hand-written cases.

Nothing here chooses a parameter: each figure is computed on data the model under test did
not see (the hold-out, the held-out fold, or cases that are not training data).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from tocsin.speech._classifier import SpeechClassifier, _stage_two_features
from tocsin.speech._corpora import davidson_holdout
from tocsin.speech._embed import Embedder
from tocsin.speech._heads import LinearHead, TextHead
from tocsin.speech._text import normalise_text

__all__ = [
    "BASELINES",
    "calibration_figures",
    "classification_figures",
    "cross_validate_germeval",
    "evaluate_cases",
    "evaluate_davidson_holdout",
    "load_cases",
]

# Published or documented figures each result is compared with.
BASELINES: dict[str, dict[str, Any]] = {
    "davidson_tfidf_lr_balanced": {
        "macro_f1": 0.752,
        "hate_f1": 0.44,
        "source": "issue 6 and shared/data/speech/SOURCES.md (word+char TF-IDF, balanced LR)",
    },
    "davidson_et_al_2017": {
        "hate_precision": 0.44,
        "hate_recall": 0.61,
        "source": "Davidson et al. 2017, ICWSM, best model on their 10 % hold-out",
    },
    "germeval_tfidf_lr_balanced": {
        "violent_f1": 0.29,
        "macro_f1": 0.634,
        "source": "shared/data/speech/SOURCES.md (binary, 5-fold, TF-IDF, balanced LR)",
    },
}
TARGETS = {"davidson_macro_f1": 0.80, "davidson_hate_f1": 0.55, "germeval_violent_f1": 0.60}

#: Why a target may be missed, reported by ``tocsin speech evaluate`` beside any shortfall
#: (docs/methodology/speech.md gives the evidence).
SHORTFALL_REASONS = {
    "davidson_macro_f1": "Davidson's hate class is small (1,430 of 24,783 tweets) and noisy: "
    "coders disagree, and hate and offensive tweets share the same slurs, so the hate class "
    "pulls macro-F1 down; published models reach hate F1 0.4-0.5 on it.",
    "davidson_hate_f1": "Hate and offensive tweets share their vocabulary (slurs); the label "
    "turns on intent that a bag of words and a small sentence encoder (USE, chosen for the "
    "2-core speed target) do not see. The routed classifier improves the TF-IDF baseline "
    "(0.44) but not to 0.55.",
    "germeval_violent_f1": "GermEval's violent classes are 3.2 % of the tweets, split into "
    "five kinds (one of them a vague 'other'); the violence head is German-only TF-IDF plus "
    "a small multilingual encoder, refitted per fold; it improves on the baseline (0.29).",
}


def classification_figures(
    y_true: Sequence[str] | NDArray[Any],
    y_pred: Sequence[str] | NDArray[Any],
    labels: Sequence[str],
) -> dict[str, Any]:
    """Macro-F1 and per-class precision, recall, F1 and support.

    Examples
    --------
    >>> classification_figures(["a", "b", "b"], ["a", "b", "a"], ["a", "b"])["macro_f1"]
    0.667
    """
    truth, predicted = np.asarray(y_true), np.asarray(y_pred)
    per_class: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = int(np.sum((predicted == label) & (truth == label)))
        fp = int(np.sum((predicted == label) & (truth != label)))
        fn = int(np.sum((predicted != label) & (truth == label)))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "support": int(np.sum(truth == label)),
        }
    macro = float(np.mean([per_class[label]["f1"] for label in labels]))
    return {"macro_f1": round(macro, 3), "per_class": per_class, "n": int(len(truth))}


def calibration_figures(
    is_positive: NDArray[np.bool_], probability: NDArray[np.float64], n_bins: int = 10
) -> dict[str, float]:
    """Brier score and expected calibration error (equal-width bins) of one class's probability.

    Examples
    --------
    >>> calibration_figures(np.array([True, False]), np.array([1.0, 0.0]))
    {'brier': 0.0, 'ece': 0.0}
    """
    truth = is_positive.astype(float)
    brier = float(np.mean((probability - truth) ** 2))
    bins = np.minimum((probability * n_bins).astype(int), n_bins - 1)
    ece = 0.0
    for b in range(n_bins):
        inside = bins == b
        if inside.any():
            ece += inside.mean() * abs(probability[inside].mean() - truth[inside].mean())
    return {"brier": round(brier, 4), "ece": round(float(ece), 4)}


def evaluate_davidson_holdout(
    classifier: SpeechClassifier,
    davidson: pd.DataFrame,
    *,
    embedder: Embedder | None = None,
    routes: Sequence[str] = ("fast", "auto"),
) -> dict[str, Any]:
    """Score the 10 % hold-out the shipped model was not trained on, route by route.

    Texts are declared English (the corpus is), so language detection does not reroute them.
    """
    _, held_out = davidson_holdout(davidson["class_code"])
    texts = davidson["text"].iloc[held_out].tolist()
    truth = davidson["label"].iloc[held_out].to_numpy()
    results: dict[str, Any] = {"n": len(texts)}
    for route in routes:
        if route != "fast" and embedder is None:
            continue
        scores = classifier.score(
            texts, languages=["en"] * len(texts), embedder=embedder, route=route
        )
        figures = classification_figures(
            truth, scores["label"].to_numpy(), ["hateful", "offensive", "neither"]
        )
        figures["hate_f1"] = figures["per_class"]["hateful"]["f1"]
        figures["calibration_hateful"] = calibration_figures(
            truth == "hateful", scores["hateful"].to_numpy()
        )
        figures["share_embedded"] = round(float((scores["stage"] == "embedding").mean()), 3)
        results[route] = figures
    return results


def cross_validate_germeval(
    germeval: pd.DataFrame,
    *,
    embeddings: NDArray[np.float32] | None = None,
    n_splits: int = 5,
    random_state: int = 42,
    text_C: float = 4.0,
    embedding_C: float = 1.0,
    uncertain_band: tuple[float, float] = (0.1, 0.7),
) -> dict[str, Any]:
    """Stratified k-fold F1 of the violent class: fast path, embedding stage, and routed."""
    from sklearn.model_selection import StratifiedKFold

    texts = [normalise_text(t) for t in germeval["text"]]
    labels = germeval["label"].to_numpy()
    folds = StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
    per_fold: dict[str, list[dict[str, Any]]] = {"fast": [], "embedding": [], "auto": []}
    for train, test in folds.split(np.zeros(len(labels)), labels):
        head = TextHead(C=text_C, random_state=random_state).fit(
            [texts[i] for i in train], labels[train]
        )
        fast_proba = head.predict_proba([texts[i] for i in test])
        fast = head.predict([texts[i] for i in test])
        per_fold["fast"].append(classification_figures(labels[test], fast, ["violence", "none"]))
        if embeddings is None:
            continue
        stage_two = LinearHead(C=embedding_C, random_state=random_state).fit(
            _stage_two_features(embeddings[train], head.head_.oof_proba_), labels[train]
        )
        embedded = stage_two.predict(_stage_two_features(embeddings[test], fast_proba))
        per_fold["embedding"].append(
            classification_figures(labels[test], embedded, ["violence", "none"])
        )
        low, high = uncertain_band
        uncertain = (fast_proba[:, 1] > low) & (fast_proba[:, 1] < high)
        routed = np.where(uncertain, embedded, fast)
        figures = classification_figures(labels[test], routed, ["violence", "none"])
        figures["share_embedded"] = float(uncertain.mean())
        per_fold["auto"].append(figures)
    summary: dict[str, Any] = {"n": int(len(labels)), "n_splits": n_splits}
    for route, fold_figures in per_fold.items():
        if fold_figures:
            summary[route] = _mean_violence_figures(fold_figures)
    return summary


def _mean_violence_figures(fold_figures: list[dict[str, Any]]) -> dict[str, float]:
    def mean(key: str) -> float:
        return round(float(np.mean([f["per_class"]["violence"][key] for f in fold_figures])), 3)

    f1 = [float(f["per_class"]["violence"]["f1"]) for f in fold_figures]
    result = {
        "violent_f1": mean("f1"),
        "violent_f1_sd": round(float(np.std(f1)), 3),
        "violent_precision": mean("precision"),
        "violent_recall": mean("recall"),
        "macro_f1": round(float(np.mean([f["macro_f1"] for f in fold_figures])), 3),
    }
    if "share_embedded" in fold_figures[0]:
        shares = [float(f["share_embedded"]) for f in fold_figures]
        result["share_embedded"] = round(float(np.mean(shares)), 3)
    return result


def load_cases() -> list[dict[str, Any]]:
    """The hand-written cases shipped with the package (``data/cases.jsonl``)."""
    resource = resources.files("tocsin.speech").joinpath("data", "cases.jsonl")
    return [json.loads(line) for line in resource.read_text("utf-8").splitlines() if line.strip()]


def evaluate_cases(
    classifier: SpeechClassifier,
    cases: Sequence[dict[str, Any]],
    *,
    embedder: Embedder | None = None,
) -> dict[str, Any]:
    """How often each category of hand-written case is flagged, and the errors' categories.

    ``counter_speech_false_flag_rate`` is the share of counter-speech and negated cases that
    are flagged; ``harmful_recall`` the share of hateful, threatening or dehumanising ones.
    """
    scores = classifier.score([c["text"] for c in cases], embedder=embedder)
    frame = pd.DataFrame(
        {
            "category": [c["category"] for c in cases],
            "expected": [bool(c["flag"]) for c in cases],
            "flagged": scores["is_flagged"].to_numpy(),
        }
    )
    by_category = {
        name: {"n": int(len(group)), "flagged": int(group["flagged"].sum())}
        for name, group in frame.groupby("category", sort=True)
    }
    counter = frame[frame["category"].isin(["counter_speech", "negated"])]
    harmful = frame[frame["expected"]]
    benign = frame[~frame["expected"]]
    return {
        "n": int(len(frame)),
        "accuracy": round(float((frame["expected"] == frame["flagged"]).mean()), 3),
        "harmful_recall": round(float(harmful["flagged"].mean()), 3),
        "benign_false_flag_rate": round(float(benign["flagged"].mean()), 3),
        "counter_speech_false_flag_rate": round(float(counter["flagged"].mean()), 3),
        "by_category": by_category,
    }
