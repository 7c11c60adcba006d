"""Training the shipped classifier: the corpora mix, the heads, calibration and thresholds.

:func:`assemble_training_data` reads every corpus into one frame with a ``split`` column
(the plan in docs/methodology/speech.md) and one column per output, ``None`` where a
corpus says nothing about that output. :func:`train_classifier` fits each output on the
train rows, calibrates it and chooses its threshold on the validation rows; test rows are
never read. Same data, same settings: the same model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from tocsin.speech._classifier import (
    BINARY_OUTPUTS,
    TARGET_CATEGORIES,
    SpeechClassifier,
    stack_features,
)
from tocsin.speech._corpora import (
    DAVIDSON_FILE,
    GERMEVAL_FILE,
    HATEXPLAIN_FILES,
    MLMA_FILES,
    davidson_holdout,
    file_sha256,
    read_davidson,
    read_germeval,
    read_hatexplain,
    read_mlma,
    three_way_split,
)
from tocsin.speech._embed import Embedder, cached_embeddings
from tocsin.speech._heads import TextHead
from tocsin.speech._outputs import (
    LogisticOutput,
    best_threshold,
    f1_score,
    fit_logistic_output,
    macro_f1,
)
from tocsin.speech._suite import load_suite
from tocsin.speech._text import normalise_text

__all__ = [
    "TrainingSettings",
    "assemble_training_data",
    "data_card",
    "embed_training_data",
    "fit_binary_output",
    "fit_fast_path",
    "has_training_data",
    "train_classifier",
]

_HATEXPLAIN_TARGETS = {
    "ethnicity": {"African", "Arab", "Caucasian", "Hispanic", "Asian", "Indian", "Indigenous"},
    "religion": {"Islam", "Jewish", "Christian", "Hindu", "Buddhism", "Nonreligious"},
    "migrants": {"Refugee"},
    "sexual_orientation": {"Homosexual", "Bisexual", "Asexual", "Heterosexual"},
    "gender": {"Women", "Men"},
    "disability": {"Disability"},
}
_MLMA_TARGETS = {
    "origin": "ethnicity",
    "religion": "religion",
    "gender": "gender",
    "sexual_orientation": "sexual_orientation",
    "disability": "disability",
}


@dataclass(frozen=True)
class TrainingSettings:
    """Every setting of a training run (each chosen on validation; see the design record).

    Parameters
    ----------
    C : float
        Inverse L2 strength of the encoder outputs' logistic regressions.
    suite_weight : float
        Sample weight of a functional-suite training case (corpus rows weigh 1).
    fast_C : float
        Inverse L2 strength of the fast path's TF-IDF heads.
    route_recall : float
        Share of the validation flags the routing threshold must send on to the encoder.
    suite_share : float
        Weight of the suite's validation flag accuracy in the objective that chooses the
        flag thresholds (the rest is the corpora's mean flag macro-F1).
    hidden : int
        Hidden ReLU units of the hate, violence, dehumanisation and counter-speech outputs
        (0: logistic regressions). Target-group outputs stay logistic.
    stacked : bool
        Whether the encoder outputs also read the fast path's four log-probabilities
        (out of fold on the training rows). Needs ``fast_path``.
    stack_by_template : bool
        Whether those out-of-fold probabilities keep every expansion of a suite template in
        one fold (design 12). Without it (design 9) the other expansions of a template sit
        in the other fold, so the fast path's probabilities of suite rows are near-perfect
        and the heads learn to trust them on suite-like wording.
    fast_path : bool
        Whether to fit the fast path at all (tests skip it for speed).
    separate_label : bool
        Whether the three-way label keeps its own thresholds (``label.hateful``,
        ``label.offensive``, best for the corpora's mean validation macro-F1) instead of
        sharing the flag's jointly chosen hateful threshold (design 11).
    counter_ratio : bool
        Whether the flag thresholds also choose ``counter_ratio``: counter-speech withholds a
        flag only when its probability is at least this share of the flag's strength
        (design 11; otherwise 0, the override threshold alone).
    """

    C: float = 1.0
    suite_weight: float = 3.0
    fast_C: float = 4.0
    route_recall: float = 0.99
    suite_share: float = 0.5
    hidden: int = 0
    stacked: bool = False
    stack_by_template: bool = True
    fast_path: bool = True
    separate_label: bool = False
    counter_ratio: bool = False


def _category_set(row_targets: set[str]) -> str:
    return ";".join(c for c in TARGET_CATEGORIES if c in row_targets)


def assemble_training_data(folder: Path | None, *, random_state: int = 42) -> pd.DataFrame:
    """One row per text, columns ``text`` (normalised), ``source``, ``language``, ``split``,
    ``hate`` (hateful/offensive/neither or None), ``violence``, ``dehumanisation``,
    ``counter_speech`` (True/False/None) and ``targets`` (";"-joined categories or None).

    ``folder`` is the shared ``data/speech`` folder; without it only the functional suite
    is read (the tests train on that alone).
    """
    parts: list[pd.DataFrame] = []
    if folder is not None:
        davidson = read_davidson(folder / DAVIDSON_FILE)
        train_rows, held_out = davidson_holdout(davidson["class_code"], random_state=random_state)
        split = np.full(len(davidson), "test", dtype=object)
        inner = three_way_split(davidson["class_code"].iloc[train_rows], validation=0.1, test=0.0)
        split[train_rows] = inner
        parts.append(
            pd.DataFrame(
                {
                    "text": davidson["text"],
                    "source": "davidson",
                    "language": "en",
                    "split": split,
                    "hate": davidson["label"],
                    "targets": None,
                }
            )
        )
        hatexplain = read_hatexplain(folder)
        parts.append(
            pd.DataFrame(
                {
                    "text": hatexplain["text"],
                    "source": "hatexplain",
                    "language": "en",
                    "split": hatexplain["split"],
                    "hate": hatexplain["label"],
                    "targets": [
                        _category_set(
                            {
                                c
                                for c, names in _HATEXPLAIN_TARGETS.items()
                                if names & set(v.split(";"))
                            }
                        )
                        for v in hatexplain["targets"]
                    ],
                }
            )
        )
        for language, name in MLMA_FILES.items():
            mlma = read_mlma(folder / name)
            targets = []
            for label, target, group in zip(
                mlma["label"], mlma["target"], mlma["group"], strict=True
            ):
                found = set()
                if label != "neither":
                    if target in _MLMA_TARGETS:
                        found.add(_MLMA_TARGETS[target])
                    if group in {"immigrants", "refugees"}:
                        found.add("migrants")
                targets.append(_category_set(found))
            parts.append(
                pd.DataFrame(
                    {
                        "text": mlma["text"],
                        "source": f"mlma_{language}",
                        "language": language,
                        "split": three_way_split(mlma["label"], validation=0.15, test=0.15),
                        "hate": mlma["label"],
                        "targets": targets,
                    }
                )
            )
        germeval = read_germeval(folder / GERMEVAL_FILE)
        parts.append(
            pd.DataFrame(
                {
                    "text": germeval["text"],
                    "source": "germeval",
                    "language": "de",
                    "split": three_way_split(germeval["label"], validation=0.15, test=0.0),
                    "hate": None,
                    "violence": germeval["label"] == "violence",
                    "targets": None,
                }
            )
        )
    corpora = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if len(corpora):
        corpora["text"] = [normalise_text(t) for t in corpora["text"]]
        # What a corpus label implies for the outputs it has no column for: a text its
        # annotators called neither hateful nor offensive is not violent or dehumanising.
        benign = corpora["hate"] == "neither"
        corpora["violence"] = corpora.get("violence", pd.Series(None, index=corpora.index))
        corpora["violence"] = corpora["violence"].where(corpora["violence"].notna(), None)
        corpora.loc[benign & corpora["violence"].isna(), "violence"] = False
        corpora["dehumanisation"] = None
        corpora.loc[benign | (corpora["violence"] == False), "dehumanisation"] = False  # noqa: E712
        corpora["counter_speech"] = False  # counter-speech is rare in these corpora
    suite = load_suite()
    suite_frame = pd.DataFrame(
        {
            "text": [normalise_text(t) for t in suite["text"]],
            "source": "suite",
            "language": suite["language"],
            "split": suite["split"],
            "hate": suite["label"],
            "violence": suite["violence"],
            "dehumanisation": suite["dehumanisation"],
            "counter_speech": suite["counter_speech"],
            "targets": suite["target"],
            "functionality": suite["functionality"],
            "template_id": suite["template_id"],
        }
    )
    frame = pd.concat([corpora, suite_frame], ignore_index=True)
    return frame.astype({"violence": object, "dehumanisation": object, "counter_speech": object})


def _known(frame: pd.DataFrame, column: str) -> NDArray[np.bool_]:
    known: NDArray[np.bool_] = frame[column].notna().to_numpy()
    return known


def _mean_over_sources(frame: pd.DataFrame, rows: NDArray[np.bool_], figure: Any) -> float:
    """The mean of a figure over the sources present, so no corpus outweighs the suite."""
    values = [
        figure(rows & (frame["source"] == source).to_numpy())
        for source in sorted(set(frame.loc[rows, "source"]))
    ]
    return float(np.mean(values)) if values else 0.0


def fit_binary_output(
    frame: pd.DataFrame,
    embeddings: NDArray[np.float32],
    name: str,
    settings: TrainingSettings,
    train: NDArray[np.bool_],
    validation: NDArray[np.bool_],
) -> tuple[LogisticOutput, float, float]:
    """One yes/no output fitted on ``train``, calibrated and thresholded on ``validation``.

    The threshold maximises the F1 of the output's positive class averaged over the
    validation sources that have positives. Returns the output, its threshold and that F1.
    """
    known = _known(frame, name)
    values = frame[name].to_numpy()
    weight = np.where(frame["source"] == "suite", settings.suite_weight, 1.0)
    rows_train, rows = train & known, validation & known
    output = fit_logistic_output(
        embeddings[rows_train],
        values[rows_train],
        C=settings.C,
        sample_weight=weight[rows_train],
        binary=True,
        hidden=settings.hidden,
    ).calibrate(embeddings[rows], values[rows])
    proba = output.proba(embeddings[rows])
    truth = values[rows].astype(bool)
    sources = frame["source"].to_numpy()[rows]
    with_positives = sorted(set(sources[truth]))

    def objective(t: float) -> float:
        scores = [f1_score(truth[sources == s], proba[sources == s] >= t) for s in with_positives]
        return float(np.mean(scores)) if scores else 0.0

    threshold = best_threshold(objective)
    return output, threshold, objective(threshold)


def train_classifier(
    frame: pd.DataFrame,
    embeddings: NDArray[np.float32],
    settings: TrainingSettings = TrainingSettings(),
    *,
    data_card: dict[str, Any] | None = None,
) -> SpeechClassifier:
    """Fit, calibrate and threshold every output from :func:`assemble_training_data` rows.

    ``embeddings`` are row-aligned with ``frame``. Only ``train`` and ``validation`` rows
    are read.
    """
    if len(frame) != len(embeddings):
        raise ValueError("train_classifier: embeddings and rows differ in number")
    split = frame["split"].to_numpy()
    train, validation = split == "train", split == "validation"
    weight = np.where(frame["source"] == "suite", settings.suite_weight, 1.0)
    outputs: dict[str, LogisticOutput] = {}
    thresholds: dict[str, float] = {}
    validation_figures: dict[str, Any] = {}
    flag_truth = _flag_truth(frame)
    fast_hate = fast_violence = None
    if settings.fast_path:
        fast_hate, fast_violence, fast_features = fit_fast_path(
            frame, settings, thresholds, flag_truth
        )
        validation_figures["route_threshold"] = thresholds["route"]
        if settings.stacked:
            embeddings = stack_features(embeddings, fast_features)
    elif settings.stacked:
        raise ValueError("train_classifier: a stacked model needs the fast path")

    def fit(
        column: str, rows_train: NDArray[np.bool_], values: NDArray[Any], binary: bool
    ) -> LogisticOutput:
        output = fit_logistic_output(
            embeddings[rows_train],
            values[rows_train],
            C=settings.C,
            sample_weight=weight[rows_train],
            binary=binary,
            hidden=settings.hidden,
        )
        rows_validation = validation & _known(frame, column)
        return output.calibrate(embeddings[rows_validation], values[rows_validation])

    hate_known = _known(frame, "hate")
    hate_values = frame["hate"].to_numpy()
    outputs["hate"] = fit("hate", train & hate_known, hate_values, binary=False)
    hate_rows = validation & hate_known
    hate_proba = outputs["hate"].proba(embeddings)

    def hate_labels(t_hate: float, t_offensive: float, rows: NDArray[np.bool_]) -> NDArray[Any]:
        p = hate_proba[rows]
        hateful = p[:, 0] >= t_hate
        offensive = ~hateful & (p[:, 2] >= t_offensive)
        return np.where(hateful, "hateful", np.where(offensive, "offensive", "neither"))

    def hate_objective(t_hate: float, t_offensive: float) -> float:
        return _mean_over_sources(
            frame,
            hate_rows,
            lambda rows: macro_f1(hate_values[rows], hate_labels(t_hate, t_offensive, rows)),
        )

    grid = np.round(np.arange(0.1, 0.91, 0.05), 2)
    best = max(((hate_objective(h, o), h, o) for h in grid for o in grid), key=lambda x: x[0])
    validation_figures["hate_macro_f1_mean_over_sources"] = round(best[0], 3)
    thresholds["hateful"], thresholds["offensive"] = float(best[1]), float(best[2])

    binary_proba: dict[str, NDArray[np.float64]] = {}
    for name in BINARY_OUTPUTS:
        outputs[name], thresholds[name], figure = fit_binary_output(
            frame, embeddings, name, settings, train, validation
        )
        binary_proba[name] = outputs[name].proba(embeddings)
        validation_figures[f"{name}_f1"] = round(figure, 3)

    targets_known = _known(frame, "targets")
    target_sets = [set(str(v).split(";")) if v is not None else set() for v in frame["targets"]]
    for category in TARGET_CATEGORIES:
        values = np.array([category in s for s in target_sets])
        key = f"target.{category}"
        outputs[key] = fit_logistic_output(
            embeddings[train & targets_known],
            values[train & targets_known],
            C=settings.C,
            sample_weight=weight[train & targets_known],
            binary=True,
        ).calibrate(embeddings[validation & targets_known], values[validation & targets_known])
        proba = outputs[key].proba(embeddings)
        rows = validation & targets_known

        def target_f1(
            t: float, p: NDArray[np.float64] = proba[rows], v: NDArray[np.bool_] = values[rows]
        ) -> float:
            return f1_score(v, p >= t)

        thresholds[key] = best_threshold(target_f1)

    # The flag: its thresholds are chosen jointly, because a text is flagged when any of
    # hateful, violence or dehumanisation is over its threshold (and counter-speech is
    # not over the override): thresholds that are each best alone add up false flags.
    flag_rows = validation & (hate_known | _known(frame, "violence"))
    is_suite = (frame["source"] == "suite").to_numpy()
    flag_scores = {
        "hateful": hate_proba[:, 0],
        "violence": binary_proba["violence"],
        "dehumanisation": binary_proba["dehumanisation"],
        "counter_override": binary_proba["counter_speech"],
    }

    strength = np.maximum.reduce(
        [flag_scores["hateful"], flag_scores["violence"], flag_scores["dehumanisation"]]
    )

    def flags(chosen: dict[str, float]) -> NDArray[np.bool_]:
        harmful = (
            (flag_scores["hateful"] >= chosen["hateful"])
            | (flag_scores["violence"] >= chosen["violence"])
            | (flag_scores["dehumanisation"] >= chosen["dehumanisation"])
        )
        counter = flag_scores["counter_override"]
        withheld = (counter >= chosen["counter_override"]) & (
            counter >= chosen.get("counter_ratio", 0.0) * strength
        )
        result: NDArray[np.bool_] = harmful & ~withheld
        return result

    def flag_objective(chosen: dict[str, float]) -> float:
        flagged = flags(chosen)
        corpora = _mean_over_sources(
            frame,
            flag_rows & ~is_suite,
            lambda r: macro_f1(flag_truth[r].astype(str), flagged[r].astype(str)),
        )
        suite_rows = flag_rows & is_suite
        suite = float((flagged[suite_rows] == flag_truth[suite_rows]).mean())
        return settings.suite_share * suite + (1 - settings.suite_share) * corpora

    chosen = {
        "hateful": thresholds["hateful"],
        "violence": thresholds["violence"],
        "dehumanisation": thresholds["dehumanisation"],
        "counter_override": 1.01,
    }
    flag_grid = np.append(np.round(np.arange(0.05, 0.96, 0.05), 2), 1.01)
    grids = dict.fromkeys(chosen, flag_grid)
    if settings.counter_ratio:
        chosen["counter_ratio"] = 0.0
        grids["counter_ratio"] = np.round(np.arange(0.0, 1.51, 0.1), 2)
    for _ in range(2):  # coordinate ascent, two passes
        for key in chosen:

            def along(t: float, key: str = key) -> float:
                return flag_objective({**chosen, key: t})

            chosen[key] = best_threshold(along, grids[key])
    label_hateful, label_offensive = thresholds["hateful"], thresholds["offensive"]
    thresholds |= chosen
    if settings.separate_label:
        thresholds["label.hateful"] = label_hateful
        thresholds["label.offensive"] = label_offensive
    else:
        # The offensive threshold again, given the hateful one the flag uses.
        thresholds["offensive"] = best_threshold(
            lambda t: hate_objective(thresholds["hateful"], t), grid
        )
    validation_figures["flag_objective"] = round(flag_objective(chosen), 3)
    final_flag = flags(chosen)
    suite_rows = validation & is_suite
    validation_figures["suite_flag_accuracy"] = round(
        float((final_flag[suite_rows] == flag_truth[suite_rows]).mean()), 3
    )
    validation_figures["hate_macro_f1_mean_over_sources"] = round(
        hate_objective(
            thresholds.get("label.hateful", thresholds["hateful"]),
            thresholds.get("label.offensive", thresholds["offensive"]),
        ),
        3,
    )

    card = {
        "data": data_card or {},
        "settings": asdict(settings),
        "rows": {
            s: {k: int(v) for k, v in frame.loc[split == s, "source"].value_counts().items()}
            for s in ("train", "validation")
        },
        "validation": validation_figures,
        "split_plan": "docs/methodology/speech.md#split-plan-for-the-learned-classifier",
    }
    return SpeechClassifier(
        outputs,
        thresholds,
        fast_hate=None if fast_hate is None else fast_hate.freeze(),
        fast_violence=None if fast_violence is None else fast_violence.freeze(),
        stacked=settings.stacked,
        card=card,
    )


def _flag_truth(frame: pd.DataFrame) -> NDArray[np.bool_]:
    truth: NDArray[np.bool_] = (
        (frame["hate"] == "hateful").to_numpy()
        | (frame["violence"] == True).to_numpy()  # noqa: E712
        | (frame["dehumanisation"] == True).to_numpy()  # noqa: E712
    )
    return truth


def fit_fast_path(
    frame: pd.DataFrame,
    settings: TrainingSettings,
    thresholds: dict[str, float],
    flag_truth: NDArray[np.bool_] | None = None,
) -> tuple[TextHead, TextHead, dict[str, NDArray[np.float64]]]:
    """TF-IDF heads for routing (and for ``--fast``), thresholds chosen on validation.

    Also returns the fast probabilities of every train and validation row, for stacking:
    out of fold (the heads' own 2-fold split) on the rows a head was trained on, the
    fitted head's on the others; test rows get zeros (never read).
    """
    if flag_truth is None:
        flag_truth = _flag_truth(frame)
    split = frame["split"].to_numpy()
    train, validation = split == "train", split == "validation"
    texts = frame["text"].tolist()
    hate_rows = train & _known(frame, "hate")
    violence_rows = train & _known(frame, "violence")
    # n_folds=2: the heads' own out-of-fold calibration is not used for any decision here.
    fast_hate = TextHead(C=settings.fast_C, n_folds=2).fit(
        [texts[i] for i in np.flatnonzero(hate_rows)],
        frame["hate"].to_numpy()[hate_rows].astype(str),
    )
    violence_labels = np.where(frame["violence"] == True, "violence", "none")  # noqa: E712
    fast_violence = TextHead(C=settings.fast_C, n_folds=2).fit(
        [texts[i] for i in np.flatnonzero(violence_rows)], violence_labels[violence_rows]
    )
    rows = np.flatnonzero(validation)
    hate = fast_hate.predict_proba([texts[i] for i in rows])
    classes = list(fast_hate.classes_)
    violence = fast_violence.predict_proba([texts[i] for i in rows])[:, 1]
    p_hate, p_offensive = hate[:, classes.index("hateful")], hate[:, classes.index("offensive")]
    truth_hate = frame["hate"].to_numpy()[rows]
    known = frame["hate"].notna().to_numpy()[rows]

    def hate_objective(t_hate: float, t_offensive: float) -> float:
        hateful = p_hate >= t_hate
        offensive = ~hateful & (p_offensive >= t_offensive)
        labels = np.where(hateful, "hateful", np.where(offensive, "offensive", "neither"))
        return macro_f1(truth_hate[known], labels[known])

    grid = np.round(np.arange(0.1, 0.91, 0.05), 2)
    _, t_h, t_o = max(
        ((hate_objective(h, o), h, o) for h in grid for o in grid), key=lambda x: x[0]
    )
    thresholds["fast.hateful"], thresholds["fast.offensive"] = float(t_h), float(t_o)
    truth_violence = (frame["violence"] == True).to_numpy()[rows]  # noqa: E712
    thresholds["fast.violence"] = best_threshold(lambda t: f1_score(truth_violence, violence >= t))
    # Routing: the highest threshold under which at most (1 - route_recall) of the
    # validation flags fall; those texts are settled by the fast path as not flagged.
    flags = flag_truth[rows]
    top = np.maximum(p_hate, violence)[flags]
    thresholds["route"] = float(np.quantile(top, 1.0 - settings.route_recall)) if len(top) else 0.0
    return (
        fast_hate,
        fast_violence,
        _fast_features(
            frame,
            fast_hate,
            fast_violence,
            hate_rows,
            violence_rows,
            settings if settings.stacked and settings.stack_by_template else None,
        ),
    )


def _template_groups(frame: pd.DataFrame) -> NDArray[Any]:
    """One group per suite template (all its expansions), one per corpus row."""
    templates = frame["template_id"] if "template_id" in frame else pd.Series(None, frame.index)
    rows = pd.Series([f"row.{i}" for i in range(len(frame))], index=frame.index)
    groups: NDArray[Any] = templates.where(templates.notna(), rows).astype(str).to_numpy()
    return groups


def _grouped_out_of_fold(
    frame: pd.DataFrame,
    rows: NDArray[np.bool_],
    labels: NDArray[Any],
    settings: TrainingSettings,
    n_classes: int,
) -> NDArray[np.float64]:
    """Fast-path probabilities of ``rows``, each from a head fitted without its group."""
    from sklearn.model_selection import GroupKFold

    texts = frame["text"].to_numpy()[rows]
    groups = _template_groups(frame)[rows]
    proba = np.zeros((int(rows.sum()), n_classes))
    for fitted, held_out in GroupKFold(n_splits=2).split(texts, labels, groups):
        head = TextHead(C=settings.fast_C, n_folds=2).fit(texts[fitted].tolist(), labels[fitted])
        if len(head.classes_) != n_classes:
            raise ValueError("fast path: a template fold lacks a class; cannot stack on it")
        proba[held_out] = head.predict_proba(texts[held_out].tolist())
    return proba


def _fast_features(
    frame: pd.DataFrame,
    fast_hate: TextHead,
    fast_violence: TextHead,
    hate_rows: NDArray[np.bool_],
    violence_rows: NDArray[np.bool_],
    grouped: TrainingSettings | None = None,
) -> dict[str, NDArray[np.float64]]:
    n = len(frame)
    split = frame["split"].to_numpy()
    wanted = split != "test"
    texts = frame["text"].tolist()
    others = np.flatnonzero(wanted)
    hate = np.zeros((n, 3))
    hate[others] = fast_hate.predict_proba([texts[i] for i in others])
    violence = np.zeros((n, 2))
    violence[others] = fast_violence.predict_proba([texts[i] for i in others])
    if grouped is None:
        hate[hate_rows] = fast_hate.head_.oof_proba_
        violence[violence_rows] = fast_violence.head_.oof_proba_
    else:
        hate_labels = frame["hate"].to_numpy()[hate_rows].astype(str)
        hate[hate_rows] = _grouped_out_of_fold(frame, hate_rows, hate_labels, grouped, 3)
        violence_labels = np.where(frame["violence"] == True, "violence", "none")  # noqa: E712
        violence[violence_rows] = _grouped_out_of_fold(
            frame, violence_rows, violence_labels[violence_rows], grouped, 2
        )
    hate_classes = list(fast_hate.classes_)
    return {
        "hateful": hate[:, hate_classes.index("hateful")],
        "offensive": hate[:, hate_classes.index("offensive")],
        "neither": hate[:, hate_classes.index("neither")],
        "violence": violence[:, list(fast_violence.classes_).index("violence")],
    }


def embed_training_data(
    frame: pd.DataFrame, embedder: Embedder, cache: Path | None
) -> NDArray[np.float32]:
    """Embeddings of every row of ``frame``, source by source, through the disk cache."""
    parts = []
    for source in pd.unique(frame["source"]):
        rows = np.flatnonzero((frame["source"] == source).to_numpy())
        if len(rows) and rows[-1] - rows[0] + 1 != len(rows):
            raise ValueError("embed_training_data: each source's rows must be contiguous")
        parts.append(cached_embeddings(frame["text"].to_numpy()[rows].tolist(), embedder, cache))
    return np.vstack(parts) if parts else np.zeros((0, 512), dtype=np.float32)


def data_card(folder: Path | None) -> dict[str, Any]:
    """File names and checksums of the corpora a model was trained or evaluated on."""
    if folder is None:
        return {}
    names = [DAVIDSON_FILE, GERMEVAL_FILE, *HATEXPLAIN_FILES.values(), *MLMA_FILES.values()]
    return {name: file_sha256(folder / name)[:16] for name in names}


def has_training_data(folder: Path) -> bool:
    """Whether ``folder`` holds every corpus file the trainer reads."""
    names = [DAVIDSON_FILE, GERMEVAL_FILE, *HATEXPLAIN_FILES.values(), *MLMA_FILES.values()]
    return all((folder / name).is_file() for name in names)
