"""Accuracy figures on the test parts of the split plan, with targets, baselines and gaps.

Nothing here chooses a setting: every figure is computed on ``test`` rows (Davidson's
hold-out, HateXplain's official test split, MLMA's test part, the functional suite's test
templates) or on GermEval folds the refitted violence output did not see.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from tocsin.speech._classifier import SpeechClassifier
from tocsin.speech._outputs import f1_score

__all__ = [
    "BASELINES",
    "SHORTFALL_REASONS",
    "TARGETS",
    "calibration_figures",
    "classification_figures",
    "cross_validate_germeval",
    "evaluate_corpora",
    "evaluate_suite",
    "target_gaps",
]

# Published or documented figures each result is compared with.
BASELINES: dict[str, dict[str, Any]] = {
    "davidson_tfidf_lr_balanced": {
        "macro_f1": 0.752,
        "hate_f1": 0.44,
        "source": "shared/data/speech/SOURCES.md (word+char TF-IDF, balanced LR)",
    },
    "davidson_issue6_routed": {
        "macro_f1": 0.768,
        "hate_f1": 0.476,
        "source": "issue-6 model (TF-IDF + USE stage + cues), docs/benchmarks.md",
    },
    "hatexplain_bert_paper": {
        "macro_f1": 0.687,
        "source": "Mathew et al. 2021, best BERT model, official test split",
    },
    "germeval_tfidf_lr_balanced": {
        "violent_f1": 0.29,
        "source": "shared/data/speech/SOURCES.md (binary, 5-fold, TF-IDF, balanced LR)",
    },
    "hidden_suite_issue6": {
        "english_accuracy": 0.57,
        "counter_speech": 0.43,
        "negation": 0.62,
        "other_languages_accuracy": "0.31-0.42",
        "source": "issue 12 (hidden functional suite run on the issue-6 model)",
    },
}
TARGETS = {
    "davidson_macro_f1": 0.80,
    "davidson_hate_f1": 0.55,
    "hatexplain_macro_f1": 0.70,
    "germeval_violent_f1": 0.60,
    "suite_accuracy_each_language": 0.90,
    "suite_counter_speech_each_language": 0.80,
    "suite_negation_each_language": 0.80,
}

#: Why a target may be missed, printed beside any shortfall (docs/methodology/speech.md
#: gives the evidence).
SHORTFALL_REASONS = {
    "davidson_macro_f1": "A frozen 512-dimension sentence encoder with linear heads, shared "
    "across corpora and languages and thresholded for the flag (half on the functional "
    "suite), does not separate Davidson's hate from offensive tweets (the same slurs, a "
    "label that turns on intent); the TF-IDF fast path alone scores higher. Fine-tuning a "
    "transformer was out of reach of the 2-core CPU budget.",
    "davidson_hate_f1": "Davidson's hate class is small (5.8 %) and noisy; hate and "
    "offensive tweets share their vocabulary; see davidson_macro_f1.",
    "hatexplain_macro_f1": "HateXplain's hate/offensive boundary is the hardest part (a "
    "third of posts have only a 2-of-3 majority); a frozen encoder with a linear head stays "
    "below fine-tuned BERT.",
    "germeval_violent_f1": "GermEval's violent classes are 3.2 % of the posts, split into "
    "five kinds (one a vague 'other'); the violence head is shared with the functional "
    "suite's threats (weighted 10 per case), which pull it away from GermEval's kind of "
    "violence talk; a frozen encoder with one linear head does not reach 0.60.",
    "suite_accuracy_each_language": "The encoder (multilingual USE) does not cover Hausa, "
    "and Arabic is the language with the fewest corpus rows; normative threats, positive "
    "mentions of groups and abuse of non-protected targets are the weakest functionalities "
    "(see by_functionality).",
    "suite_counter_speech_each_language": "Counter-speech repeats the hateful words it "
    "denounces; a sentence embedding keeps much of their meaning.",
    "suite_negation_each_language": "Negated hate repeats the hateful words; a sentence "
    "embedding keeps much of their meaning.",
}
HATE_LABELS = ("hateful", "offensive", "neither")


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
    """Brier score and expected calibration error (equal-width bins) of one probability.

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


def _score_rows(
    classifier: SpeechClassifier,
    frame: pd.DataFrame,
    embeddings: NDArray[np.float32],
    rows: NDArray[np.bool_],
    route: str,
) -> pd.DataFrame:
    index = np.flatnonzero(rows)
    return classifier.score(
        frame["text"].to_numpy()[index].tolist(),
        languages=frame["language"].to_numpy()[index].tolist(),
        embeddings=embeddings[index] if route != "fast" else None,
        route=route,
    )


def evaluate_corpora(
    classifier: SpeechClassifier,
    frame: pd.DataFrame,
    embeddings: NDArray[np.float32],
    *,
    routes: Sequence[str] = ("embedding", "auto", "fast"),
) -> dict[str, Any]:
    """Hateful / offensive / neither figures on each corpus's test rows, route by route."""
    results: dict[str, Any] = {}
    is_test = (frame["split"] == "test").to_numpy() & frame["hate"].notna().to_numpy()
    for source in ("davidson", "hatexplain", "mlma_fr", "mlma_ar"):
        rows = is_test & (frame["source"] == source).to_numpy()
        if not rows.any():
            continue
        truth = frame["hate"].to_numpy()[rows]
        per_route: dict[str, Any] = {"n": int(rows.sum())}
        for route in routes:
            if route != "embedding" and not classifier.has_fast_path:
                continue
            scores = _score_rows(classifier, frame, embeddings, rows, route)
            figures = classification_figures(truth, scores["label"].to_numpy(), HATE_LABELS)
            figures["hate_f1"] = figures["per_class"]["hateful"]["f1"]
            figures["calibration_hateful"] = calibration_figures(
                truth == "hateful", scores["hateful"].to_numpy()
            )
            figures["share_embedded"] = round(float((scores["stage"] == "embedding").mean()), 3)
            per_route[route] = figures
        results[source] = per_route
    return results


def evaluate_suite(
    classifier: SpeechClassifier,
    frame: pd.DataFrame,
    embeddings: NDArray[np.float32],
    *,
    split: str = "test",
    route: str = "auto",
) -> dict[str, Any]:
    """Flag accuracy on the functional suite's ``split`` templates, per language and kind.

    A case is right when it is flagged exactly if its functionality should be (hateful,
    threatening, dehumanising); ``counter_speech`` covers counter_quote and counter_report.
    """
    rows = (frame["source"] == "suite").to_numpy() & (frame["split"] == split).to_numpy()
    cases = frame.loc[rows].reset_index(drop=True)
    if not len(cases):
        return {"n": 0}
    scores = _score_rows(classifier, frame, embeddings, rows, route)
    expected = (
        (cases["hate"] == "hateful")
        | (cases["violence"] == True)  # noqa: E712
        | (cases["dehumanisation"] == True)  # noqa: E712
    ).to_numpy()
    right = scores["is_flagged"].to_numpy() == expected
    cases = cases.assign(right=right)
    kind = np.where(
        cases["functionality"].isin(["counter_quote", "counter_report"]),
        "counter_speech",
        np.where(cases["functionality"] == "negated", "negation", "other"),
    )
    by_language: dict[str, Any] = {}
    for language, group in cases.groupby("language", sort=True):
        own_kind = kind[group.index.to_numpy()]
        by_language[str(language)] = {
            "n": int(len(group)),
            "accuracy": round(float(group["right"].mean()), 3),
            "counter_speech": round(float(group["right"][own_kind == "counter_speech"].mean()), 3),
            "negation": round(float(group["right"][own_kind == "negation"].mean()), 3),
        }
    by_functionality = {
        str(name): round(float(group["right"].mean()), 3)
        for name, group in cases.groupby("functionality", sort=True)
    }
    target_right = []
    for truth, found in zip(cases["targets"], scores["target_groups"], strict=True):
        if truth:
            target_right.append(str(truth) in str(found).split(";"))
    return {
        "n": int(len(cases)),
        "split": split,
        "route": route,
        "accuracy": round(float(right.mean()), 3),
        "by_language": by_language,
        "by_functionality": by_functionality,
        "target_group_recall": round(float(np.mean(target_right)), 3) if target_right else None,
    }


def cross_validate_germeval(
    frame: pd.DataFrame,
    embeddings: NDArray[np.float32],
    settings: Any,
    *,
    n_splits: int = 5,
    random_state: int = 42,
) -> dict[str, Any]:
    """Violent-class F1 of the violence output refitted without each GermEval fold.

    In each fold the held-out GermEval rows are neither trained on nor used for the
    threshold: the remaining GermEval rows are cut 85/15 (stratified, same seed) into train
    and validation, and every other corpus keeps its own train/validation parts. For a
    stacked model the fast-path features are the training run's (out of fold on the rows
    the fast path saw), so the held-out rows' features come from fast heads that did not
    see those rows; the fast heads themselves are not refitted per fold.
    """
    from sklearn.model_selection import StratifiedKFold

    from tocsin.speech._corpora import three_way_split
    from tocsin.speech._train import fit_binary_output

    if getattr(settings, "stacked", False):
        # The stacked features as in training: the fast path refitted on the same rows
        # (deterministic), its out-of-fold probabilities on the rows it was trained on.
        from tocsin.speech._classifier import stack_features
        from tocsin.speech._train import fit_fast_path

        _, _, fast = fit_fast_path(frame, settings, {})
        embeddings = stack_features(embeddings, fast)
    germeval = np.flatnonzero((frame["source"] == "germeval").to_numpy())
    labels = (frame["violence"].to_numpy()[germeval] == True).astype(int)  # noqa: E712
    folds = StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
    split = frame["split"].to_numpy().copy()
    scores: list[dict[str, float]] = []
    for rest, held_out in folds.split(germeval, labels):
        fold_split = split.copy()
        fold_split[germeval[held_out]] = "test"
        fold_split[germeval[rest]] = three_way_split(
            labels[rest], validation=0.15, test=0.0, random_state=random_state
        )
        output, threshold, _ = fit_binary_output(
            frame,
            embeddings,
            "violence",
            settings,
            fold_split == "train",
            fold_split == "validation",
        )
        predicted = output.proba(embeddings[germeval[held_out]]) >= threshold
        truth = labels[held_out].astype(bool)
        tp = float(np.sum(predicted & truth))
        scores.append(
            {
                "f1": f1_score(truth, predicted),
                "precision": tp / max(1.0, float(predicted.sum())),
                "recall": tp / max(1.0, float(truth.sum())),
            }
        )
    f1 = [s["f1"] for s in scores]
    return {
        "n": int(len(germeval)),
        "n_splits": n_splits,
        "route": "embedding",
        "violent_f1": round(float(np.mean(f1)), 3),
        "violent_f1_sd": round(float(np.std(f1)), 3),
        "violent_precision": round(float(np.mean([s["precision"] for s in scores])), 3),
        "violent_recall": round(float(np.mean([s["recall"] for s in scores])), 3),
    }


def target_gaps(
    corpora: dict[str, Any], germeval: dict[str, Any] | None, suite: dict[str, Any], route: str
) -> dict[str, float]:
    """Achieved minus target for every target that has a figure (negative: short)."""
    gaps: dict[str, float] = {}

    def gap(key: str, value: float) -> None:
        gaps[key] = round(value - TARGETS[key], 3)

    if "davidson" in corpora and route in corpora["davidson"]:
        gap("davidson_macro_f1", corpora["davidson"][route]["macro_f1"])
        gap("davidson_hate_f1", corpora["davidson"][route]["hate_f1"])
    if "hatexplain" in corpora and route in corpora["hatexplain"]:
        gap("hatexplain_macro_f1", corpora["hatexplain"][route]["macro_f1"])
    if germeval is not None:
        gap("germeval_violent_f1", germeval["violent_f1"])
    languages = suite.get("by_language", {})
    if languages:
        gap("suite_accuracy_each_language", min(v["accuracy"] for v in languages.values()))
        gap(
            "suite_counter_speech_each_language",
            min(v["counter_speech"] for v in languages.values()),
        )
        gap("suite_negation_each_language", min(v["negation"] for v in languages.values()))
    return gaps
