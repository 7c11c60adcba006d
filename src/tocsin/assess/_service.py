"""The assessment workflow over the store: the functions the CLI and the web app call.

Each function takes a session (one transaction, see ``Database.session``), the acting
user's name and ``now``; it loads the assessment, applies one pure edit from this
package, and keeps the result as a new version. Nothing is overwritten.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from tocsin.assess._compare import VersionDiff, compare_assessments
from tocsin.assess._edit import (
    AssessmentEditError,
    accept_suggestion,
    blank_assessment,
    rate_indicator,
    reject_suggestion,
    start_from,
)
from tocsin.assess._io import export_assessment, parse_assessment
from tocsin.assess._model import Assessment, Comment, EvidenceLink, Rating
from tocsin.assess._profile import (
    ForecastView,
    MonitoringComparison,
    RiskProfile,
    compare_with_monitoring,
    risk_profile,
)
from tocsin.assess._store import (
    StoredAssessment,
    create_assessment,
    get_assessment,
    latest_approved_assessment,
    save_assessment,
)
from tocsin.assess._structures import prefill_structures
from tocsin.assess._suggest import Suggestion, suggest_evidence
from tocsin.assess._workflow import Transition, apply_transition
from tocsin.domain import Direction, Provenance, Signal, SignalKind
from tocsin.forecast import latest_forecast_run
from tocsin.framework import Catalogue
from tocsin.store import audit, list_signals, record_signals

if TYPE_CHECKING:
    import pandas as pd

    from tocsin.settings import Settings

__all__ = [
    "JUDGEMENT_STRENGTH",
    "add_comment",
    "assessment_signals",
    "change_assessment",
    "compare_versions",
    "evidence_suggestions",
    "export_stored",
    "forecast_view",
    "import_assessment",
    "load_assessment",
    "monitoring_picture",
    "new_assessment",
    "prefill_from_datasets",
    "start_assessment",
    "rate",
    "resolve_suggestion",
    "stored_summary",
    "transition",
]

PRODUCER = "assessment@1"
#: Strength of the analyst_judgement Signal an approved factor level becomes.
JUDGEMENT_STRENGTH = {
    Rating.NOT_PRESENT: 0.0,
    Rating.LOW: 0.25,
    Rating.MODERATE: 0.5,
    Rating.HIGH: 0.85,
}
_STRUCTURE_DATASETS = ("treaties", "vdem", "freedom_house", "pts")


def prefill_from_datasets(
    catalogue: Catalogue,
    iso3: str,
    year: int,
    *,
    settings_or_dir: Settings | Path | None = None,
    frames: Mapping[str, pd.DataFrame] | None = None,
) -> list[Any]:
    """Structures of resilience pre-filled from the bundled (or updated) data sets."""
    from tocsin.datasets import get_dataset  # pandas: only when pre-filling

    if frames is None:
        frames = {n: _dataset_frame(n, settings_or_dir) for n in _STRUCTURE_DATASETS}
    citations = {n: get_dataset(n).citation for n in _STRUCTURE_DATASETS}
    treaty_years = get_dataset("treaties").data_years
    covered = {"iccpr", "iccpr_op2", "icescr", "cat", "cedaw", "icerd", "crc"}
    return prefill_structures(
        iso3,
        year,
        frames,
        citations=citations,
        instrument_names={i.id: i.short_name for i in catalogue.instruments},
        missing_instruments={
            i.id: i.short_name for i in catalogue.instruments if i.id not in covered
        },
        treaty_vintage=treaty_years[1] if treaty_years else None,
    )


_frames: dict[str, tuple[tuple[Any, ...], pd.DataFrame]] = {}
_frames_lock = threading.Lock()


def _dataset_frame(name: str, settings_or_dir: Settings | Path | None) -> pd.DataFrame:
    """Data set ``name`` as :func:`tocsin.datasets.load` reads it, kept while its files
    stay as they are: reading and mapping them takes seconds, and each new assessment
    (a form sent in the browser) pre-fills from the same four. A file replaced by
    ``tocsin data update`` has another folder, time or size, so it is read (and checked)
    again. The frames are shared: :func:`prefill_structures` only selects from them."""
    from tocsin.datasets import current_release, load

    release = current_release(name, settings_or_dir)
    key = (
        str(release.folder),
        tuple(
            sorted((n, p.stat().st_mtime_ns, p.stat().st_size) for n, p in release.files.items())
        ),
    )
    with _frames_lock:
        found = _frames.get(name)
    if found is not None and found[0] == key:
        return found[1]
    frame = load(name, settings_or_dir=settings_or_dir)
    with _frames_lock:
        _frames[name] = (key, frame)
    return frame


def load_assessment(
    session: Session, assessment_id: int, *, version: int | None = None
) -> Assessment:
    """The assessment's content (the latest version, or ``version``)."""
    return Assessment.model_validate(
        get_assessment(session, assessment_id, version=version).content
    )


def _save(
    session: Session,
    assessment_id: int,
    assessment: Assessment,
    *,
    author: str,
    now: datetime,
    note: str,
    previous: dict[str, Any] | None = None,
) -> int:
    content = assessment.model_dump(mode="json")
    number = save_assessment(session, assessment_id, content, author=author, now=now, note=note)
    details: dict[str, Any] = {"version": number, "note": note}
    if previous is not None:
        # which fields were edited (a rationale, a comment, a summary), never their text
        details["changed"] = changed_fields(previous, content)
    audit(
        session,
        actor=author,
        action="assessment.save",
        now=now,
        target=f"assessment:{assessment_id}",
        details=details,
    )
    return number


#: At most this many edited fields are named in one audit entry (and how many more).
CHANGED_FIELDS_LISTED = 50

# How the items of the assessment's lists are named in field paths: by their own key.
_ITEM_KEYS = ("code", "id", "option_id", "step_id")


def changed_fields(before: Any, after: Any, path: str = "") -> list[str]:
    """The paths of the values that differ between two versions' content.

    Items of lists are named by their code or id where they have one
    (``indicators[9.3].rationale``), else by position; values are never included.

    >>> changed_fields({"summary": "a", "indicators": [{"code": "9.3", "rationale": "x"}]},
    ...                {"summary": "a", "indicators": [{"code": "9.3", "rationale": "y"}]})
    ['indicators[9.3].rationale']
    """
    found: list[str] = []
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after), key=str):
            where = f"{path}.{key}" if path else str(key)
            found += changed_fields(before.get(key), after.get(key), where)
    elif isinstance(before, list) and isinstance(after, list):
        old, new = _named_items(before), _named_items(after)
        for name in [*old, *(n for n in new if n not in old)]:
            found += changed_fields(old.get(name), new.get(name), f"{path}[{name}]")
    elif before != after:
        found.append(path)
    if path == "" and len(found) > CHANGED_FIELDS_LISTED:
        more = len(found) - CHANGED_FIELDS_LISTED
        found = [*found[:CHANGED_FIELDS_LISTED], f"... and {more} more"]
    return found


def _named_items(items: list[Any]) -> dict[str, Any]:
    named: dict[str, Any] = {}
    for position, item in enumerate(items):
        key = next((k for k in _ITEM_KEYS if isinstance(item, dict) and k in item), None)
        name = str(item[key]) if key is not None else str(position)
        named[name if name not in named else f"{name}#{position}"] = item
    return named


def new_assessment(
    session: Session,
    catalogue: Catalogue,
    *,
    iso3: str,
    title: str,
    period_start: date,
    period_end: date,
    author: str,
    now: datetime,
    area: str | None = None,
    team: list[str] | None = None,
    structures: list[Any] | None = None,
    from_assessment_id: int | None = None,
    from_last_approved: bool = False,
) -> int:
    """Create a draft and return its id.

    It starts blank (every indicator ``unknown``; structures from ``structures``, e.g.
    :func:`prefill_from_datasets`), or from assessment ``from_assessment_id``, or from the
    country's last approved assessment (``from_last_approved``).
    """
    based_on = from_assessment_id
    if from_last_approved:
        found = latest_approved_assessment(session, iso3, area=area)
        if found is None:
            raise AssessmentEditError(
                f"{iso3} has no approved assessment to start from",
                fix="start a blank one (leave out --from-approved)",
            )
        based_on = found.id
    if based_on is not None:
        previous = load_assessment(session, based_on)
        assessment = start_from(
            previous, title=title, period_start=period_start, period_end=period_end, team=team
        )
        if structures:
            # fresh data beside the team's previous judgements
            fresh = {s.id: s for s in structures}
            for item in assessment.structures:
                if item.id in fresh:
                    item.data, item.gaps = fresh[item.id].data, fresh[item.id].gaps
    else:
        assessment = blank_assessment(
            catalogue,
            iso3=iso3,
            title=title,
            period_start=period_start,
            period_end=period_end,
            area=area,
            team=team,
            structures=structures,
        )
    assessment_id = create_assessment(
        session,
        assessment.model_dump(mode="json"),
        author=author,
        now=now,
        based_on_id=based_on,
        note="created" if based_on is None else f"started from assessment {based_on}",
    )
    audit(
        session,
        actor=author,
        action="assessment.create",
        now=now,
        target=f"assessment:{assessment_id}",
    )
    return assessment_id


def start_assessment(
    session: Session,
    catalogue: Catalogue,
    *,
    iso3: str,
    title: str,
    period_start: date,
    period_end: date,
    author: str,
    now: datetime,
    settings_or_dir: Settings | Path | None = None,
    area: str | None = None,
    team: list[str] | None = None,
    from_assessment_id: int | None = None,
    from_last_approved: bool = False,
) -> int:
    """Start a draft whose structures of resilience are pre-filled from the data sets of
    its last year; return its id. The use case that `tocsin assess new`, the API and the
    editor's form call (:func:`new_assessment` with :func:`prefill_from_datasets`)."""
    structures = prefill_from_datasets(
        catalogue, iso3, period_end.year, settings_or_dir=settings_or_dir
    )
    return new_assessment(
        session,
        catalogue,
        iso3=iso3,
        title=title,
        period_start=period_start,
        period_end=period_end,
        author=author,
        now=now,
        area=area,
        team=team,
        structures=structures,
        from_assessment_id=from_assessment_id,
        from_last_approved=from_last_approved,
    )


def change_assessment(
    session: Session,
    assessment_id: int,
    edit: Callable[[Assessment], Assessment],
    *,
    author: str,
    now: datetime,
    note: str,
) -> Assessment:
    """Apply a pure ``edit`` to the latest version and keep the result as a new version."""
    current = load_assessment(session, assessment_id)
    before = current.model_dump(mode="json")  # taken first: an edit may change ``current``
    updated = Assessment.model_validate(edit(current).model_dump())
    _save(session, assessment_id, updated, author=author, now=now, note=note, previous=before)
    return updated


def rate(
    session: Session,
    assessment_id: int,
    code: str,
    *,
    author: str,
    now: datetime,
    rating: Rating | None = None,
    trend: Any = None,
    confidence: Any = None,
    rationale: str | None = None,
    evidence: list[EvidenceLink] | None = None,
    expected: str | None = None,
) -> Assessment:
    """Rate one indicator (see :func:`rate_indicator`) and keep a new version.

    ``expected`` is the indicator's :func:`~tocsin.assess.indicator_token` as the caller
    read it: a stale one raises :class:`~tocsin.assess.EditConflict` and nothing is saved.
    The check runs on the latest version inside this transaction; two saves that pass it
    at once still cannot both land, as each takes the next version number (unique).
    """
    return change_assessment(
        session,
        assessment_id,
        lambda a: rate_indicator(
            a,
            code,
            rating=rating,
            trend=trend,
            confidence=confidence,
            rationale=rationale,
            evidence=evidence,
            expected=expected,
        ),
        author=author,
        now=now,
        note=f"rated {code}" + (f" {rating.value}" if rating else ""),
    )


def add_comment(
    session: Session, assessment_id: int, target: str, text: str, *, author: str, now: datetime
) -> Assessment:
    """Add a comment on an indicator, a structure or ``general``; kept as a new version."""

    def edit(assessment: Assessment) -> Assessment:
        known = {i.code for i in assessment.indicators} | {s.id for s in assessment.structures}
        if target != "general" and target not in known:
            raise AssessmentEditError(
                f"no indicator or structure {target!r} to comment on",
                fix="use an indicator code (9.3), a structure id or 'general'",
            )
        version = get_assessment(session, assessment_id).latest_version + 1
        copy = assessment.model_copy(deep=True)
        copy.comments.append(
            Comment(target=target, author=author, text=text, version=version, created_at=now)
        )
        return copy

    return change_assessment(
        session, assessment_id, edit, author=author, now=now, note=f"comment on {target}"
    )


def assessment_signals(
    assessment: Assessment, profile: RiskProfile, assessment_id: int
) -> list[Signal]:
    """The analyst_judgement Signals of an approved assessment: one per rated risk factor."""
    signals = []
    for factor in profile.factors:
        if factor.level is Rating.UNKNOWN:
            continue
        drivers = f" ({', '.join(factor.drivers)})" if factor.drivers else ""
        signals.append(
            Signal(
                iso3=assessment.iso3,
                area=assessment.area,
                kind=SignalKind.ANALYST_JUDGEMENT,
                direction=Direction.RISK,
                start_date=assessment.period_start,
                end_date=assessment.period_end,
                framework_codes=[factor.code],
                strength=JUDGEMENT_STRENGTH[factor.level],
                summary=(
                    f"Assessment '{assessment.title}': {factor.code} rated "
                    f"{factor.level.value.replace('_', ' ')}{drivers}"
                )[:500],
                provenance=Provenance(
                    capability="assess",
                    producer=PRODUCER,
                    details={"assessment_id": assessment_id},
                ),
            )
        )
    return signals


def transition(
    session: Session,
    assessment_id: int,
    step: Transition,
    catalogue: Catalogue,
    *,
    author: str,
    now: datetime,
    note: str = "",
) -> Assessment:
    """Submit, approve or return an assessment. Approval emits analyst_judgement Signals."""
    updated = change_assessment(
        session,
        assessment_id,
        lambda a: apply_transition(a, step),
        author=author,
        now=now,
        note=f"{step.value}" + (f": {note}" if note else ""),
    )
    if step is Transition.APPROVE:
        profile = risk_profile(updated, catalogue)
        record_signals(session, assessment_signals(updated, profile, assessment_id), now=now)
    return updated


def compare_versions(
    session: Session,
    assessment_id: int,
    old_version: int,
    new_version: int | None = None,
    *,
    other_id: int | None = None,
) -> VersionDiff:
    """What changed from ``old_version`` to ``new_version`` (default: latest), or from this
    assessment to assessment ``other_id`` (its latest version) when given."""
    old = load_assessment(session, assessment_id, version=old_version)
    if other_id is not None:
        new = load_assessment(session, other_id, version=new_version)
    else:
        new = load_assessment(session, assessment_id, version=new_version)
    return compare_assessments(old, new)


def evidence_suggestions(
    session: Session,
    assessment_id: int,
    *,
    code: str | None = None,
    sensitivities: Collection[str] | None = None,
) -> list[Suggestion]:
    """Signals tagged with the assessment's indicators, not yet linked or rejected (of
    ``sensitivities`` only, when given: those the caller may see)."""
    assessment = load_assessment(session, assessment_id)
    signals = list_signals(
        session,
        iso3=assessment.iso3,
        codes=[code] if code else None,
        overlapping=(assessment.period_start, assessment.period_end),
    )
    signals = [
        s
        for s in signals
        if s.provenance.capability != "assess"
        and (sensitivities is None or s.sensitivity.value in sensitivities)
    ]
    return suggest_evidence(assessment, signals, code=code)


def resolve_suggestion(
    session: Session,
    assessment_id: int,
    code: str,
    signal_id: int,
    *,
    accept: bool,
    author: str,
    now: datetime,
    note: str = "",
) -> Assessment:
    """Accept a suggested Signal as evidence for ``code``, or reject it."""
    return change_assessment(
        session,
        assessment_id,
        (lambda a: accept_suggestion(a, code, signal_id, note=note))
        if accept
        else (lambda a: reject_suggestion(a, code, signal_id)),
        author=author,
        now=now,
        note=f"{'accepted' if accept else 'rejected'} Signal {signal_id} for {code}",
    )


def forecast_view(session: Session, iso3: str) -> ForecastView | None:
    """The country's value in the latest stored forecast run, if there is one."""
    run = latest_forecast_run(session)
    if run is None:
        return None
    for value in run.values:
        if value.iso3 == iso3:
            return ForecastView(
                model=run.model,
                model_version=run.model_version,
                data_year=run.data_year,
                risk=value.risk,
                rank=value.rank,
                n_countries=len(run.values),
                factor_contributions=dict(value.factors),
            )
    return None


def monitoring_picture(
    session: Session,
    assessment: Assessment,
    catalogue: Catalogue,
    *,
    sensitivities: Collection[str] | None = None,
) -> tuple[RiskProfile, MonitoringComparison]:
    """The risk profile beside the stored forecast and the period's monitoring Signals
    (of ``sensitivities`` only, when given: a Signal the reader may not see does not
    weigh in what they are shown)."""
    profile = risk_profile(assessment, catalogue)
    signals = [
        s
        for s in list_signals(
            session,
            iso3=assessment.iso3,
            overlapping=(assessment.period_start, assessment.period_end),
        )
        if s.kind is not SignalKind.ANALYST_JUDGEMENT
        and (sensitivities is None or s.sensitivity.value in sensitivities)
    ]
    comparison = compare_with_monitoring(
        profile, forecast=forecast_view(session, assessment.iso3), signals=signals
    )
    return profile, comparison


def export_stored(session: Session, assessment_id: int, *, version: int | None = None) -> str:
    """The export JSON of a stored assessment."""
    return export_assessment(load_assessment(session, assessment_id, version=version))


def import_assessment(
    session: Session,
    text: str,
    catalogue: Catalogue,
    *,
    author: str,
    now: datetime,
    path: str | Path = "<assessment>",
) -> int:
    """Check an exported file and store it as a new assessment; refuse it whole if malformed."""
    assessment = parse_assessment(text, path=path, catalogue=catalogue)
    assessment_id = create_assessment(
        session,
        assessment.model_dump(mode="json"),
        author=author,
        now=now,
        note=f"imported from {path}",
    )
    audit(
        session,
        actor=author,
        action="assessment.import",
        now=now,
        target=f"assessment:{assessment_id}",
    )
    return assessment_id


def stored_summary(stored: StoredAssessment) -> dict[str, Any]:
    """The metadata of a stored assessment, JSON-ready (no content)."""
    return {
        "id": stored.id,
        "iso3": stored.iso3,
        "area": stored.area,
        "title": stored.title,
        "period_start": stored.period_start.isoformat(),
        "period_end": stored.period_end.isoformat(),
        "status": stored.status,
        "version": stored.version,
        "latest_version": stored.latest_version,
        "based_on_id": stored.based_on_id,
        "created_by": stored.created_by,
        "updated_at": stored.updated_at.isoformat(),
    }
