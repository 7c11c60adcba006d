"""Compare two versions of an assessment: what was rated up or down, and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tocsin.assess._model import Assessment, Rating, StructureRating

__all__ = ["Change", "VersionDiff", "compare_assessments"]

_STRUCTURE_ORDER = {
    StructureRating.UNKNOWN: -1,
    StructureRating.ABSENT: 0,
    StructureRating.WEAK: 1,
    StructureRating.ADEQUATE: 2,
    StructureRating.STRONG: 3,
}


@dataclass(frozen=True)
class Change:
    """One field that differs between the versions.

    ``movement`` is ``up`` or ``down`` for ratings (risk or resilience moved), ``changed``
    when either side is unknown or the field is not a rating.
    """

    target: str  # "9.3", "structure:rule_of_law_judiciary", "population:Peuhl herders", …
    field: str
    before: Any
    after: Any
    movement: str
    why: str = ""  # the rationale in the newer version


@dataclass(frozen=True)
class VersionDiff:
    changes: list[Change] = field(default_factory=list)

    @property
    def rated_up(self) -> list[Change]:
        return [c for c in self.changes if c.field == "rating" and c.movement == "up"]

    @property
    def rated_down(self) -> list[Change]:
        return [c for c in self.changes if c.field == "rating" and c.movement == "down"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "n_changes": len(self.changes),
            "rated_up": [c.target for c in self.rated_up],
            "rated_down": [c.target for c in self.rated_down],
            "changes": [asdict(c) for c in self.changes],
        }


def _movement(before: int, after: int) -> str:
    if before < 0 or after < 0:
        return "changed"
    return "up" if after > before else "down"


def _dump(value: Any) -> Any:
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "value"):
        return value.value
    return value


def compare_assessments(old: Assessment, new: Assessment) -> VersionDiff:
    """Every difference from ``old`` to ``new``, indicators first, in catalogue order.

    >>> from datetime import date
    >>> from tocsin.assess._model import IndicatorAssessment
    >>> a = Assessment(iso3="CAF", title="t", period_start=date(2024, 1, 1),
    ...                period_end=date(2024, 12, 31), indicators=[IndicatorAssessment(code="9.3",
    ...                rating="low", rationale="calm")])
    >>> b = a.model_copy(deep=True)
    >>> b.indicators[0].rating, b.indicators[0].rationale = Rating.HIGH, "attacks on markets"
    >>> [(c.target, c.movement, c.why) for c in compare_assessments(a, b).rated_up]
    [('9.3', 'up', 'attacks on markets')]
    """
    changes: list[Change] = []
    old_indicators = {i.code: i for i in old.indicators}
    for item in new.indicators:
        before = old_indicators.get(item.code)
        if before is None:
            changes.append(Change(item.code, "added", None, item.rating.value, "changed"))
            continue
        for name in ("rating", "trend", "confidence", "rationale", "evidence"):
            a, b = getattr(before, name), getattr(item, name)
            if a == b:
                continue
            movement = "changed"
            if name == "rating":
                movement = _movement(Rating(a).order, Rating(b).order)
            changes.append(Change(item.code, name, _dump(a), _dump(b), movement, item.rationale))
    old_structures = {s.id: s for s in old.structures}
    for struct in new.structures:
        previous = old_structures.get(struct.id)
        if previous is None:
            continue
        for name in ("rating", "rationale", "evidence"):
            a, b = getattr(previous, name), getattr(struct, name)
            if a == b:
                continue
            movement = "changed"
            if name == "rating":
                movement = _movement(_STRUCTURE_ORDER[a], _STRUCTURE_ORDER[b])
            changes.append(
                Change(
                    f"structure:{struct.id}", name, _dump(a), _dump(b), movement, struct.rationale
                )
            )
    for section, key in (
        ("populations", "name"),
        ("policy_decisions", "option_id"),
        ("actions", "id"),
        ("steps", "step_id"),
    ):
        before_items = {getattr(x, key): x for x in getattr(old, section)}
        after_items = {getattr(x, key): x for x in getattr(new, section)}
        for ident in sorted(set(before_items) | set(after_items), key=str):
            a, b = before_items.get(ident), after_items.get(ident)
            if a != b:
                changes.append(Change(f"{section}:{ident}", section, _dump(a), _dump(b), "changed"))
    for name in ("title", "area", "period_start", "period_end", "team", "summary", "status"):
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            changes.append(Change("assessment", name, _dump(a), _dump(b), "changed"))
    return VersionDiff(changes)
