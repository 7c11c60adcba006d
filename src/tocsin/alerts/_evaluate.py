"""Evaluate rules over Signals: pure functions, no store, no clock (``now`` is passed in)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tocsin.alerts._rules import (
    AssessmentRaised,
    Convergence,
    EscalationRisk,
    ForecastRisk,
    ForecastTopEntry,
    Rule,
    Scope,
    SpeechSurge,
    StaleData,
    TriggerEvent,
)
from tocsin.domain import Direction, SignalKind
from tocsin.store import StoredSignal

__all__ = ["Match", "evaluate_rule", "evaluate_rules", "factor_of", "forecast_ranks"]


@dataclass(frozen=True)
class Match:
    """A rule's condition holds for a country: the evidence and a one-line reason."""

    rule_id: int
    iso3: str
    signal_ids: tuple[int, ...]
    value: float
    reason: str


def factor_of(code: str) -> str:
    """The risk factor a framework code belongs to.

    >>> factor_of("9.3"), factor_of("RF11")
    ('RF9', 'RF11')
    """
    return code if code.startswith("RF") else f"RF{code.split('.', 1)[0]}"


def _in_scope(
    signal: StoredSignal, scope: Scope, regions: Mapping[str, Sequence[str | None]]
) -> bool:
    if scope.countries and signal.iso3 not in scope.countries:
        return False
    if scope.regions and not set(scope.regions) & set(regions.get(signal.iso3, ())):
        return False
    if scope.framework_codes:
        wanted = set(scope.framework_codes)
        tags = set(signal.framework_codes) | {factor_of(c) for c in signal.framework_codes}
        if not wanted & tags:
            return False
    return True


def forecast_ranks(signals: Sequence[StoredSignal]) -> dict[int, tuple[int, int]]:
    """Rank each FORECAST Signal among those of the same producer and span.

    Returns ``{signal id: (rank, n)}``, rank 1 for the highest risk (ties by country code).
    """
    groups: dict[tuple[str, date, date], list[StoredSignal]] = defaultdict(list)
    for s in signals:
        if s.kind is SignalKind.FORECAST and s.direction is Direction.RISK:
            groups[(s.provenance.producer, s.start_date, s.end_date)].append(s)
    ranks: dict[int, tuple[int, int]] = {}
    for members in groups.values():
        ordered = sorted(members, key=lambda s: (-s.strength, s.iso3))
        for position, s in enumerate(ordered, start=1):
            ranks[s.id] = (position, len(ordered))
    return ranks


def _latest_forecasts(signals: Sequence[StoredSignal]) -> list[StoredSignal]:
    """The FORECAST Signals of each producer's latest span."""
    latest: dict[str, date] = {}
    for s in signals:
        if s.kind is SignalKind.FORECAST:
            p = s.provenance.producer
            latest[p] = max(latest.get(p, date.min), s.start_date)
    return [
        s
        for s in signals
        if s.kind is SignalKind.FORECAST and s.start_date == latest[s.provenance.producer]
    ]


def _forecast_matches(
    rule: Rule,
    signals: Sequence[StoredSignal],
    in_scope: set[int],
    ranks: Mapping[int, tuple[int, int]],
) -> list[Match]:
    condition = rule.condition
    assert isinstance(condition, ForecastRisk | ForecastTopEntry)
    current = _latest_forecasts(signals)
    previous_top: dict[str, set[str]] = defaultdict(set)
    has_previous: set[str] = set()
    if isinstance(condition, ForecastTopEntry):
        latest_start = {s.provenance.producer: s.start_date for s in current}
        before = [
            s
            for s in signals
            if s.kind is SignalKind.FORECAST
            and s.start_date < latest_start.get(s.provenance.producer, date.min)
        ]
        last_before: dict[str, date] = {}
        for s in before:
            p = s.provenance.producer
            last_before[p] = max(last_before.get(p, date.min), s.start_date)
        for s in before:
            p = s.provenance.producer
            if s.start_date == last_before[p] and s.id in ranks:
                has_previous.add(p)
                if ranks[s.id][0] <= condition.n:
                    previous_top[p].add(s.iso3)
    matches = []
    for s in current:
        if s.id not in in_scope or s.id not in ranks:
            continue
        rank, n = ranks[s.id]
        if isinstance(condition, ForecastRisk):
            if condition.min_risk is not None and s.strength < condition.min_risk:
                continue
            if condition.max_rank is not None and rank > condition.max_rank:
                continue
            reason = f"forecast risk {s.strength:.1%}, rank {rank} of {n} ({s.provenance.producer})"
        else:
            if rank > condition.n or s.iso3 in previous_top[s.provenance.producer]:
                continue
            was = "entered" if s.provenance.producer in has_previous else "is in"
            reason = f"{was} the top {condition.n} of the forecast: rank {rank} of {n}"
        matches.append(Match(rule.id, s.iso3, (s.id,), s.strength, reason))
    return matches


def _threshold_matches(rule: Rule, signals: Sequence[StoredSignal]) -> list[Match]:
    condition = rule.condition
    by_country: dict[str, list[StoredSignal]] = defaultdict(list)
    for s in signals:
        if s.direction is not Direction.RISK:
            continue
        if isinstance(condition, EscalationRisk):
            ok = s.kind is SignalKind.ESCALATION and s.strength >= condition.min_risk
        elif isinstance(condition, SpeechSurge):
            ok = s.kind is SignalKind.SPEECH_SURGE and s.strength >= condition.min_strength
        elif isinstance(condition, TriggerEvent):
            event_type = str(s.provenance.details.get("event_type", ""))
            ok = (
                s.kind is SignalKind.TRIGGER_EVENT
                and s.strength >= condition.min_strength
                and (not condition.event_types or event_type in condition.event_types)
            )
        else:  # pragma: no cover - the caller dispatches only the conditions above
            ok = False
        if ok:
            by_country[s.iso3].append(s)
    matches = []
    for iso3, found in sorted(by_country.items()):
        found.sort(key=lambda s: (-s.strength, s.id))
        top = found[0]
        where = f" in {top.area}" if top.area else ""
        more = f" and {len(found) - 1} more" if len(found) > 1 else ""
        reason = (
            f"{top.kind.value.replace('_', ' ')} {top.strength:.0%}{where}{more}: {top.summary}"
        )
        matches.append(Match(rule.id, iso3, tuple(s.id for s in found), top.strength, reason[:500]))
    return matches


def _assessment_matches(rule: Rule, signals: Sequence[StoredSignal]) -> list[Match]:
    condition = rule.condition
    assert isinstance(condition, AssessmentRaised)
    series: dict[tuple[str, str | None, tuple[str, ...]], list[StoredSignal]] = defaultdict(list)
    for s in signals:
        if s.kind is SignalKind.ANALYST_JUDGEMENT and s.direction is Direction.RISK:
            series[(s.iso3, s.area, tuple(sorted(s.framework_codes)))].append(s)
    matches = []
    for (iso3, _area, codes), judgements in sorted(series.items(), key=lambda kv: str(kv[0])):
        if len(judgements) < 2:
            continue
        judgements.sort(key=lambda s: (s.end_date, s.id))
        before, after = judgements[-2], judgements[-1]
        rise = after.strength - before.strength
        if rise >= condition.min_increase:
            reason = (
                f"assessment of {', '.join(codes)} raised from {before.strength:.2f} "
                f"to {after.strength:.2f}: {after.summary}"
            )
            matches.append(Match(rule.id, iso3, (after.id, before.id), rise, reason[:500]))
    return matches


def _convergence_matches(
    rule: Rule, signals: Sequence[StoredSignal], *, today: date
) -> list[Match]:
    condition = rule.condition
    assert isinstance(condition, Convergence)
    since = today - timedelta(days=condition.window_days)
    kinds = set(condition.kinds) or set(SignalKind)
    by_country: dict[str, list[StoredSignal]] = defaultdict(list)
    for s in signals:
        recent = s.end_date >= since and s.start_date <= today
        strong = s.strength >= condition.min_strength
        if recent and strong and s.kind in kinds and s.direction is Direction.RISK:
            by_country[s.iso3].append(s)
    matches = []
    for iso3, found in sorted(by_country.items()):
        # Independent lines of evidence: escalation and trigger events both come from the
        # event data, so kinds from the same producing capability count once.
        lines: dict[str, StoredSignal] = {}
        for s in sorted(found, key=lambda s: (-s.strength, s.id)):
            lines.setdefault(s.provenance.capability, s)
        if len(lines) < condition.min_kinds:
            continue
        chosen = sorted(lines.values(), key=lambda s: s.kind.value)
        named = ", ".join(f"{s.kind.value} {s.strength:.2f}" for s in chosen)
        reason = (
            f"{len(chosen)} independent kinds of Signal within {condition.window_days} days: "
            f"{named}"
        )
        matches.append(
            Match(rule.id, iso3, tuple(s.id for s in chosen), float(len(chosen)), reason[:500])
        )
    return matches


def evaluate_rule(
    rule: Rule,
    signals: Sequence[StoredSignal],
    *,
    regions: Mapping[str, Sequence[str | None]],
    now: datetime,
    ranks: Mapping[int, tuple[int, int]] | None = None,
) -> list[Match]:
    """The countries for which ``rule`` holds on ``signals``, one :class:`Match` each.

    ``regions`` maps iso3 to the UN region and sub-region (for scopes by region).
    Forecast ranks are computed over every country before the scope is applied, so
    "rank 3" means third in the world, not in the region.
    """
    if not rule.is_enabled or isinstance(rule.condition, StaleData):
        # stale data is a fact about a source, not about Signals: the watch raises it
        return []
    scoped = [s for s in signals if _in_scope(s, rule.scope, regions)]
    condition = rule.condition
    if isinstance(condition, ForecastRisk | ForecastTopEntry):
        ranks = forecast_ranks(signals) if ranks is None else ranks
        return _forecast_matches(rule, signals, {s.id for s in scoped}, ranks)
    if isinstance(condition, AssessmentRaised):
        return _assessment_matches(rule, scoped)
    if isinstance(condition, Convergence):
        return _convergence_matches(rule, scoped, today=now.date())
    return _threshold_matches(rule, scoped)


def evaluate_rules(
    rules: Sequence[Rule],
    signals: Sequence[StoredSignal],
    *,
    regions: Mapping[str, Sequence[str | None]],
    now: datetime,
) -> list[Match]:
    """Every rule's matches, rule by rule (see :func:`evaluate_rule`)."""
    ranks = forecast_ranks(signals)
    return [
        m
        for rule in rules
        for m in evaluate_rule(rule, signals, regions=regions, now=now, ranks=ranks)
    ]
