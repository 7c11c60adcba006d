"""The structures of resilience of §§35–64, and what the bundled data say about each.

Each structure is tied to the paragraphs of the seed report that describe it and to the
catalogue's policy options that build it. :func:`prefill_structures` shows, beside each
structure, the values the bundled data sets hold for the country (with data set, variable,
year and how to read the value) and lists as *gaps* what no bundled data set measures.
Nothing is rated here: the rating stays ``unknown`` until the team rates it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tocsin.assess._model import DataPoint, StructureAssessment

if TYPE_CHECKING:  # pandas is only needed when data is passed in
    import pandas as pd

__all__ = ["STRUCTURES", "TREATIES", "Structure", "prefill_structures", "structure"]


@dataclass(frozen=True)
class Measure:
    """A column of a bundled data set that speaks to a structure."""

    dataset: str
    variable: str
    label: str
    scale: str


@dataclass(frozen=True)
class Structure:
    """A structure of resilience named in §§35–64 of the seed report."""

    id: str
    title: str
    paragraphs: tuple[int, ...]
    option_ids: tuple[str, ...]
    measures: tuple[Measure, ...] = ()
    uses_treaties: bool = False

    @property
    def paragraph_label(self) -> str:
        """``§35–36`` or ``§39``, as the report cites them."""
        first, last = self.paragraphs[0], self.paragraphs[-1]
        return f"§{first}" if first == last else f"§§{first}–{last}"


_VDEM_INDEX = "V-Dem index, 0 to 1; higher is stronger"
_VDEM_LATENT = "V-Dem latent score, about -3 to +3; higher is better"


def _vdem(variable: str, label: str, scale: str = _VDEM_INDEX) -> Measure:
    return Measure("vdem", variable, label, scale)


_PTS_SCALE = "Political Terror Scale 1 (secure rule of law) to 5 (terror for the whole population)"
_FH_SCALE = "Freedom House 1 (most free) to 7 (least free)"

#: Footnote-4 instruments with bundled ratification data: catalogue id -> treaties file code.
TREATIES: dict[str, str] = {
    "iccpr": "iccpr",
    "iccpr_op2": "iccpr_op2",
    "icescr": "icescr",
    "cat": "cat",
    "cedaw": "cedaw",
    "icerd": "icerd",
    "crc": "crc",
}

STRUCTURES: tuple[Structure, ...] = (
    Structure(
        "constitutional_protections",
        "Constitutional protections of equality and diversity",
        (35, 36),
        ("P1",),
        (_vdem("v2xeg_eqprotec", "Equal protection index"),),
    ),
    Structure(
        "electoral_management",
        "Inclusive, credible electoral management",
        (37, 38),
        ("P2",),
        (
            _vdem("v2x_polyarchy", "Electoral democracy index"),
            Measure("freedom_house", "political_rights", "Political rights", _FH_SCALE),
        ),
    ),
    Structure(
        "political_pluralism",
        "Political pluralism and responsible parties",
        (39,),
        ("P3",),
        (
            _vdem("v2x_frassoc_thick", "Freedom of association index"),
            _vdem("v2x_partip", "Participatory component index"),
        ),
    ),
    Structure(
        "accountability_criminal_law",
        "Accountability: atrocity crimes in national criminal law, no amnesties",
        (40, 41),
        ("P4", "P5"),
        uses_treaties=True,
    ),
    Structure("transitional_justice", "Transitional justice", (42, 43), ("P6",)),
    Structure(
        "security_sector_oversight",
        "Security sector oversight and reform",
        (44,),
        ("P7",),
        (
            Measure("pts", "pts_amnesty", "State terror (Amnesty International)", _PTS_SCALE),
            Measure("pts", "pts_state", "State terror (US State Department)", _PTS_SCALE),
            _vdem("v2clkill", "Freedom from political killings", _VDEM_LATENT),
            _vdem("v2cltort", "Freedom from torture", _VDEM_LATENT),
        ),
    ),
    Structure(
        "horizontal_equality",
        "Fair shares of resources, equal opportunity, fighting corruption",
        (45, 46, 52),
        ("P8", "P11"),
        (
            _vdem("v2clsocgrp", "Social group equality in civil liberties", _VDEM_LATENT),
            _vdem("v2pepwrsoc", "Power distributed by social group", _VDEM_LATENT),
            _vdem(
                "v2x_corr",
                "Political corruption index",
                "V-Dem index, 0 to 1; higher is MORE corrupt",
            ),
        ),
    ),
    Structure(
        "rule_of_law_judiciary",
        "Rule of law and an independent judiciary",
        (47, 48),
        ("P9",),
        (
            _vdem("v2x_rule", "Rule of law index"),
            _vdem("v2x_jucon", "Judicial constraints on the executive"),
            _vdem("v2juhcind", "High court independence", _VDEM_LATENT),
        ),
    ),
    Structure(
        "national_human_rights_institution",
        "National human rights institution",
        (49, 50, 51),
        ("P10",),
    ),
    Structure(
        "civil_society_space",
        "Civil society space and protection of human rights defenders",
        (53,),
        ("P12",),
        (
            _vdem("v2xcs_ccsi", "Core civil society index"),
            _vdem("v2csreprss", "CSO repression (higher is less repression)", _VDEM_LATENT),
            Measure("freedom_house", "civil_liberties", "Civil liberties", _FH_SCALE),
        ),
    ),
    Structure(
        "media_pluralism",
        "Independent and plural media",
        (54,),
        ("P13",),
        (
            _vdem("v2x_freexp_altinf", "Freedom of expression and alternative information"),
            _vdem("v2mecenefm", "Government censorship of media (higher is less)", _VDEM_LATENT),
        ),
    ),
    Structure("countering_incitement", "Countering incitement", (55,), ("P14",)),
    Structure(
        "focal_point",
        "Atrocity prevention focal point or national committee",
        (56, 57, 58, 59),
        ("P15", "P16"),
    ),
    Structure(
        "early_warning_dialogue",
        "Early warning tied to action; dialogue and mediation mechanisms",
        (60, 61, 62),
        ("P17", "P18"),
    ),
    Structure(
        "education_remembrance",
        "Education for tolerance, remembrance and memorialisation",
        (63, 64),
        ("P19", "P20"),
    ),
)


def structure(structure_id: str) -> Structure:
    """The structure with id ``structure_id``; ``KeyError`` if none.

    >>> structure("rule_of_law_judiciary").paragraph_label
    '§§47–48'
    """
    for item in STRUCTURES:
        if item.id == structure_id:
            return item
    raise KeyError(f"no structure {structure_id!r}; ids: {', '.join(s.id for s in STRUCTURES)}")


def _latest(frame: pd.DataFrame, iso3: str, variable: str, year: int) -> tuple[object, int] | None:
    rows = frame[(frame["iso3"] == iso3) & (frame["year"] <= year)]
    rows = rows[rows[variable].notna()].sort_values("year")
    if rows.empty:
        return None
    last = rows.iloc[-1]
    return last[variable], int(last["year"])


def _treaty_points(
    frame: pd.DataFrame, iso3: str, names: Mapping[str, str], citation: str, vintage: int | None
) -> tuple[list[DataPoint], list[str]]:
    points, gaps = [], []
    rows = frame[frame["iso3"] == iso3].set_index("treaty")
    for instrument, code in TREATIES.items():
        if code not in rows.index:
            gaps.append(f"{names.get(instrument, instrument)}: no ratification record for {iso3}")
            continue
        row = rows.loc[code]
        if bool(row["is_party"]):
            year = row["ratification_year"]
            value = "state party" + ("" if year is None or str(year) == "<NA>" else f" ({year})")
        elif bool(row["is_signatory"]):
            value = "signed, not ratified"
        else:
            value = "not a party"
        points.append(
            DataPoint(
                dataset="treaties",
                variable=code,
                label=names.get(instrument, instrument),
                value=value,
                year=vintage,
                scale="UN Treaty Collection status (year = status date of the bundled copy)",
                citation=citation,
            )
        )
    return points, gaps


def prefill_structures(
    iso3: str,
    year: int,
    frames: Mapping[str, pd.DataFrame],
    *,
    citations: Mapping[str, str] | None = None,
    instrument_names: Mapping[str, str] | None = None,
    missing_instruments: Mapping[str, str] | None = None,
    treaty_vintage: int | None = None,
) -> list[StructureAssessment]:
    """Every structure of §§35–64 with the country's latest data up to ``year``, and its gaps.

    ``frames`` holds the tidy frames of ``tocsin.datasets.load`` by data set name (any may
    be missing: its measures become gaps). ``missing_instruments`` names footnote-4
    instruments for which no data set is bundled (shown as gaps under accountability).
    """
    citations = citations or {}
    names = instrument_names or {}
    result = []
    for item in STRUCTURES:
        points: list[DataPoint] = []
        gaps: list[str] = []
        for measure in item.measures:
            frame = frames.get(measure.dataset)
            found = None if frame is None else _latest(frame, iso3, measure.variable, year)
            if found is None:
                gaps.append(f"{measure.label} ({measure.dataset}): no value for {iso3} to {year}")
                continue
            value, value_year = found
            points.append(
                DataPoint(
                    dataset=measure.dataset,
                    variable=measure.variable,
                    label=measure.label,
                    value=float(value) if not isinstance(value, str) else value,  # type: ignore[arg-type]
                    year=value_year,
                    scale=measure.scale,
                    citation=citations.get(measure.dataset, ""),
                )
            )
        if item.uses_treaties:
            frame = frames.get("treaties")
            if frame is None:
                gaps.append("Treaty ratification: the treaties data set is not loaded")
            else:
                treaty_points, treaty_gaps = _treaty_points(
                    frame, iso3, names, citations.get("treaties", ""), treaty_vintage
                )
                points += treaty_points
                gaps += treaty_gaps
            for instrument, name in (missing_instruments or {}).items():
                gaps.append(f"{name}: no bundled ratification data ({instrument})")
        if not item.measures and not item.uses_treaties:
            gaps.append(
                f"No bundled data set measures this structure ({item.paragraph_label}); "
                "rate it from national and UN sources"
            )
        result.append(StructureAssessment(id=item.id, data=points, gaps=gaps))
    return result
