"""Tocsin's own functional suite: hand-written templates in seven languages, split by template.

Each language file (``data/suite/<language>.json``) lists target groups (with their
category), non-protected targets, optional slurs, and seven templates per functionality
(counter_quote, negated, neutral, normative_threat, positive and abuse_non_protected have
extra training templates from position 7 on).
A template is expanded once per group (``{G}``), non-protected target (``{N}``) or slur
(``{S}``); templates without a placeholder give one case. The split is **by template**:
positions 0–3 (and 7 on) train, 4 validation, 5–6 test, so no test sentence shares its
wording with a training sentence in any language (the seven positions carry the same idea in every
language; docs/methodology/speech.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources

import pandas as pd

__all__ = [
    "FUNCTIONALITIES",
    "SUITE_LANGUAGES",
    "Functionality",
    "expand_template",
    "load_suite",
    "template_split",
]

SUITE_LANGUAGES = ("en", "fr", "ar", "es", "pt", "de", "ha")


@dataclass(frozen=True)
class Functionality:
    """What a case of this functionality should come out as."""

    label: str  # hateful / offensive / neither
    violence: bool = False
    dehumanisation: bool = False
    counter_speech: bool = False

    @property
    def flag(self) -> bool:
        return self.label == "hateful" or self.violence or self.dehumanisation


FUNCTIONALITIES: dict[str, Functionality] = {
    "dehumanisation": Functionality("hateful", dehumanisation=True),
    "direct_threat": Functionality("hateful", violence=True),
    "normative_threat": Functionality("hateful", violence=True),
    "call_to_violence": Functionality("hateful", violence=True),
    "derogation": Functionality("hateful"),
    "implicit_derogation": Functionality("hateful"),
    "slur": Functionality("hateful"),
    "counter_quote": Functionality("neither", counter_speech=True),
    "counter_report": Functionality("neither", counter_speech=True),
    "negated": Functionality("neither"),
    "neutral": Functionality("neither"),
    "positive": Functionality("neither"),
    "abuse_non_protected": Functionality("offensive"),
    "profanity": Functionality("offensive"),
    "reclaimed_slur": Functionality("neither"),
}

# Article + preposition contractions the templates would otherwise get wrong.
_CONTRACTIONS = {
    "fr": [(r"\bde les\b", "des"), (r"\bà les\b", "aux")],
    "pt": [(r"\bde os\b", "dos"), (r"\ba os\b", "aos"), (r"\bem os\b", "nos")],
    "es": [],
}


def template_split(position: int) -> str:
    """train (positions 0–3 and 7 on), validation (4) or test (5–6)."""
    if position < 4 or position >= 7:
        return "train"
    return "validation" if position == 4 else "test"


def expand_template(template: str, value: str, language: str) -> str:
    """The template with its placeholder filled, capitalised and contracted.

    Examples
    --------
    >>> expand_template("{G} sont les bienvenus.", "les Peuls", "fr")
    'Les Peuls sont les bienvenus.'
    >>> expand_template("Les maisons de {G}.", "les Peuls", "fr")
    'Les maisons des Peuls.'
    """
    text = re.sub(r"\{[GNS]\}", value, template)
    for pattern, replacement in _CONTRACTIONS.get(language, []):
        text = re.sub(pattern, replacement, text)
    start = next((i for i, c in enumerate(text) if c.isalpha()), None)
    if start is not None:
        text = text[:start] + text[start].upper() + text[start + 1 :]
    return text


def load_suite(languages: tuple[str, ...] = SUITE_LANGUAGES) -> pd.DataFrame:
    """Every case of the suite, one row each.

    Columns: ``language``, ``functionality``, ``template_id``, ``split``, ``text``,
    ``label``, ``flag``, ``violence``, ``dehumanisation``, ``counter_speech``, ``target``
    (the group's category; "" where the case names no protected group).
    """
    rows = []
    folder = resources.files("tocsin.speech").joinpath("data", "suite")
    for language in languages:
        spec = json.loads(folder.joinpath(f"{language}.json").read_text("utf-8"))
        for name, templates in spec["templates"].items():
            expected = FUNCTIONALITIES[name]
            for position, template in enumerate(templates):
                if "{G}" in template:
                    fills = [(g, c) for g, c in spec["groups"]]
                elif "{S}" in template:
                    fills = [(s, c) for s, c in spec["slurs"]]
                elif "{N}" in template:
                    fills = [(n, "") for n in spec["others"]]
                else:
                    fills = [("", "")]
                for value, category in fills:
                    rows.append(
                        {
                            "language": language,
                            "functionality": name,
                            "template_id": f"{language}.{name}.{position}",
                            "split": template_split(position),
                            "text": expand_template(template, value, language),
                            "label": expected.label,
                            "flag": expected.flag,
                            "violence": expected.violence,
                            "dehumanisation": expected.dehumanisation,
                            "counter_speech": expected.counter_speech,
                            "target": category,
                        }
                    )
    return pd.DataFrame(rows)
