"""Pure edits of the parts that turn an assessment into action: structures, populations,
policy decisions, actions and the §71 checklist.

Actions and checklist steps can still be updated once the assessment is approved: they
record what happens afterwards (status, outcome). Everything else is frozen then.
"""

from __future__ import annotations

from datetime import date

from tocsin.assess._edit import AssessmentEditError, require_editable
from tocsin.assess._model import (
    Action,
    ActionStatus,
    Assessment,
    EvidenceLink,
    OptionDecision,
    PolicyDecision,
    StepStatus,
    StructureRating,
    VulnerablePopulation,
)
from tocsin.framework import Catalogue

__all__ = [
    "add_action",
    "decide_option",
    "rate_structure",
    "remove_population",
    "set_population",
    "set_step",
    "update_action",
]


def rate_structure(
    assessment: Assessment,
    structure_id: str,
    *,
    rating: StructureRating | None = None,
    rationale: str | None = None,
    evidence: list[EvidenceLink] | None = None,
) -> Assessment:
    """A copy with structure ``structure_id`` rated (its bundled data are kept as they are)."""
    require_editable(assessment)
    copy = assessment.model_copy(deep=True)
    try:
        item = copy.structure(structure_id)
    except KeyError as error:
        raise AssessmentEditError(
            str(error).strip("'\""), fix="use an id of `tocsin assess structures`"
        ) from error
    if rating is not None:
        item.rating = rating
    if rationale is not None:
        item.rationale = rationale
    known = {(e.kind, e.ref) for e in item.evidence}
    item.evidence += [e for e in evidence or [] if (e.kind, e.ref) not in known]
    return copy


def set_population(assessment: Assessment, population: VulnerablePopulation) -> Assessment:
    """A copy with ``population`` added, or replacing the one of the same name."""
    require_editable(assessment)
    copy = assessment.model_copy(deep=True)
    others = [p for p in copy.populations if p.name != population.name]
    copy.populations = (
        [*others, population]
        if len(others) == len(copy.populations)
        else [population if p.name == population.name else p for p in copy.populations]
    )
    return copy


def remove_population(assessment: Assessment, name: str) -> Assessment:
    require_editable(assessment)
    copy = assessment.model_copy(deep=True)
    copy.populations = [p for p in copy.populations if p.name != name]
    return copy


def decide_option(
    assessment: Assessment,
    catalogue: Catalogue,
    option_id: str,
    decision: OptionDecision,
    *,
    text: str = "",
    reason: str = "",
) -> Assessment:
    """A copy where the team adopted, rejected (or re-proposed) option ``option_id``,
    optionally in its own wording (``text``)."""
    require_editable(assessment)
    if option_id not in {p.id for p in catalogue.policy_options}:
        raise AssessmentEditError(
            f"no policy option {option_id!r} in the catalogue",
            fix="see the options with `tocsin framework` (P1 to P21)",
        )
    copy = assessment.model_copy(deep=True)
    entry = PolicyDecision(option_id=option_id, decision=decision, text=text, reason=reason)
    copy.policy_decisions = [d for d in copy.policy_decisions if d.option_id != option_id]
    copy.policy_decisions.append(entry)
    copy.policy_decisions.sort(key=lambda d: int(d.option_id[1:]))
    return copy


def add_action(
    assessment: Assessment,
    option_id: str,
    description: str,
    *,
    owner: str = "",
    due_date: date | None = None,
) -> Assessment:
    """A copy with a new action for an adopted option (or a §71 step); ids run 1, 2, …"""
    adopted = {
        d.option_id for d in assessment.policy_decisions if d.decision is OptionDecision.ADOPTED
    }
    steps = {s.step_id for s in assessment.steps}
    if option_id not in adopted | steps:
        raise AssessmentEditError(
            f"option {option_id} is not adopted in this assessment",
            fix=f"adopt it first (`tocsin assess option ID {option_id} adopt`)",
        )
    copy = assessment.model_copy(deep=True)
    next_id = max((a.id for a in copy.actions), default=0) + 1
    copy.actions.append(
        Action(
            id=next_id,
            option_id=option_id,
            description=description,
            owner=owner,
            due_date=due_date,
        )
    )
    return copy


def update_action(
    assessment: Assessment,
    action_id: int,
    *,
    status: ActionStatus | None = None,
    outcome: str | None = None,
    owner: str | None = None,
    due_date: date | None = None,
) -> Assessment:
    """A copy with action ``action_id`` updated (allowed after approval too)."""
    copy = assessment.model_copy(deep=True)
    for action in copy.actions:
        if action.id == action_id:
            if status is not None:
                action.status = status
            if outcome is not None:
                action.outcome = outcome
            if owner is not None:
                action.owner = owner
            if due_date is not None:
                action.due_date = due_date
            return copy
    raise AssessmentEditError(
        f"no action {action_id} in this assessment", fix="list them with `tocsin assess show ID`"
    )


def set_step(
    assessment: Assessment, step_id: str, status: StepStatus, *, note: str | None = None
) -> Assessment:
    """A copy with §71 step ``step_id`` (``S71a`` … ``S71g``) at ``status``."""
    copy = assessment.model_copy(deep=True)
    for step in copy.steps:
        if step.step_id == step_id:
            step.status = status
            if note is not None:
                step.note = note
            return copy
    raise AssessmentEditError(f"no step {step_id!r}", fix="use S71a to S71g")
