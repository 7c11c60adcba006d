"""The alert pass: read rules and Signals from the store, evaluate, open or merge alerts,
notify (in-app inbox now, email and webhooks through the outbox) and escalate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy.orm import Session

from tocsin.alerts._content import (
    OUTBOUND_SENSITIVITIES,
    AlertPublic,
    alert_public,
    email_digest,
    outbound,
    policy_options,
    webhook_body,
)
from tocsin.alerts._evaluate import Match, evaluate_rules
from tocsin.alerts._feeds import atom_feed, cap_feed
from tocsin.alerts._routing import digest_key, idempotency_key, route
from tocsin.alerts._rules import Rule, RuleCreate, Severity, StaleData
from tocsin.alerts._store import (
    AlertCreate,
    AlertState,
    OutboxMessage,
    StoredAlert,
    StoredRecipient,
    add_alert_rule,
    add_to_inbox,
    create_alert,
    enqueue_outbox,
    get_alert,
    in_user_inbox,
    latest_alert_states,
    linked_signal_ids,
    list_alert_rules,
    list_alert_signals,
    list_alerts,
    list_awaiting_ack,
    list_recipients,
    list_user_inbox,
    merge_into_alert,
    remove_alert_rule,
    set_alert_status,
    set_escalation_level,
)
from tocsin.domain import Sensitivity, SignalKind
from tocsin.errors import TocsinError
from tocsin.framework import Catalogue, load_catalogue
from tocsin.store import Database, StoredSignal, audit, list_countries, list_signals

__all__ = [
    "AlertNotFoundError",
    "Inbox",
    "inbox_alert",
    "respond_in_inbox",
    "user_inbox",
    "PassReport",
    "add_rule",
    "alert_details",
    "alerts_feed",
    "list_alert_details",
    "change_alert_status",
    "evaluate_alerts",
    "list_rules",
    "raise_stale_data_alerts",
    "remove_rule",
    "StaleFeed",
    "run_alert_pass",
]

OPEN = ("new", "acknowledged")


class AlertNotFoundError(TocsinError):
    """No alert or rule with the id given."""


@dataclass
class PassReport:
    """What one alert pass did."""

    n_rules: int = 0
    n_signals: int = 0
    n_matches: int = 0
    created: list[int] = field(default_factory=list)
    merged: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    n_queued: int = 0
    n_inbox: int = 0


def list_rules(session: Session, *, removed: bool = False) -> list[Rule]:
    """The rules in force (with ``removed``, the removed ones too), validated."""
    return [
        Rule.model_validate({**r.definition, "id": r.id, "created_at": r.created_at})
        for r in list_alert_rules(session, removed=removed)
    ]


def add_rule(session: Session, rule: RuleCreate, *, now: datetime, actor: str = "cli") -> Rule:
    """Store a validated rule; unknown countries in its scope are refused."""
    known = {c.iso3 for c in list_countries(session)}
    if missing := sorted(set(rule.scope.countries) - known):
        raise TocsinError(
            f"rule scope names unknown countries {missing}",
            fix="use ISO3 codes from `tocsin countries list`, or run `tocsin up`",
        )
    definition = rule.model_dump(mode="json")
    rule_id = add_alert_rule(session, definition, now=now)
    audit(session, actor=actor, action="alerts.rule.add", now=now, target=f"rule:{rule_id}")
    return Rule.model_validate({**definition, "id": rule_id, "created_at": now})


def remove_rule(session: Session, rule_id: int, *, now: datetime, actor: str = "cli") -> None:
    if not remove_alert_rule(session, rule_id, now=now):
        raise AlertNotFoundError(f"no rule {rule_id}", fix="see `tocsin alerts rules list`")
    audit(session, actor=actor, action="alerts.rule.remove", now=now, target=f"rule:{rule_id}")


def _signals_for(session: Session, *, now: datetime, lookback_days: int) -> list[StoredSignal]:
    # Forecasts and judgements are compared with earlier ones (top-N entry, a rating raised),
    # so all are read; other kinds only when stored within the look-back.
    history = list_signals(session, kinds=[SignalKind.FORECAST, SignalKind.ANALYST_JUDGEMENT])
    recent = list_signals(session, stored_since=now - timedelta(days=lookback_days))
    return list({s.id: s for s in [*history, *recent]}.values())


class _Notifications:
    """What one pass sends: inbox entries at once, a webhook call per alert, and one email
    per recipient listing all of the pass's alerts for them (a digest, not a flood)."""

    def __init__(self) -> None:
        self.messages: list[OutboxMessage] = []
        self.emails: dict[int, tuple[StoredRecipient, list[AlertPublic]]] = {}
        self.n_inbox = 0

    def add(
        self,
        session: Session,
        public: AlertPublic,
        pairs: list[tuple[StoredRecipient, str]],
        *,
        now: datetime,
    ) -> None:
        """Notify ``pairs`` of ``public`` (made with ``OUTBOUND_SENSITIVITIES``): emails
        and webhooks carry :func:`outbound`'s view whoever the recipient is; the inbox
        entry is only the alert's id, shown to each reader as their role allows."""
        public = outbound(public)
        for recipient, channel in pairs:
            if channel == "inbox":
                self.n_inbox += add_to_inbox(session, recipient.id, public.id, now=now)
            elif channel == "email":
                self.emails.setdefault(recipient.id, (recipient, []))[1].append(public)
            else:
                payload = {"url": str(recipient.webhook_url), "body": webhook_body(public)}
                key = idempotency_key(public.id, recipient.id, channel)
                self.messages.append(OutboxMessage(key, public.id, recipient.id, channel, payload))

    def enqueue(self, session: Session, *, now: datetime) -> int:
        """Queue everything collected; returns how many outbox messages were added."""
        for recipient, alerts in self.emails.values():
            ids = [a.id for a in alerts]
            key = digest_key(ids, recipient.id, "email")
            payload = email_digest(alerts, to=str(recipient.email)) | {"alert_ids": ids}
            self.messages.append(OutboxMessage(key, ids[0], recipient.id, "email", payload))
        return enqueue_outbox(session, self.messages, now=now)


def _open_or_merge(
    session: Session,
    match: Match,
    rule: Rule,
    signals: Mapping[int, StoredSignal],
    *,
    catalogue: Catalogue,
    country_name: str,
    states: Mapping[tuple[int, str], AlertState],
    linked: dict[int, set[int]],
    now: datetime,
) -> tuple[int, bool]:
    """The alert for ``match``: an open or recently closed one absorbs it (no new message;
    nothing written unless it brings new Signals); otherwise a new alert. Returns (alert
    id, whether it is new)."""
    latest = states.get((rule.id, match.iso3))
    if latest is not None:
        is_open = latest.status in OPEN
        cooling = latest.closed_at is not None and now - latest.closed_at < timedelta(
            hours=rule.cooldown_hours
        )
        if is_open or cooling:
            if set(match.signal_ids) <= linked.get(latest.id, set()):
                return latest.id, False
            linked.setdefault(latest.id, set()).update(match.signal_ids)
            merge_into_alert(
                session,
                latest.id,
                signal_ids=list(match.signal_ids),
                reason=match.reason,
                value=match.value,
                now=now,
            )
            return latest.id, False
    evidence = [signals[i] for i in match.signal_ids if i in signals]
    codes = list(dict.fromkeys(c for s in evidence for c in s.framework_codes))
    alert_id = create_alert(
        session,
        AlertCreate(
            rule_id=rule.id,
            iso3=match.iso3,
            severity=rule.severity.value,
            title=f"{rule.name}: {country_name}",
            reason=match.reason,
            value=match.value,
            signal_ids=list(match.signal_ids),
            framework_codes=codes,
            policy_options=policy_options(catalogue, codes),
            is_public=all(s.sensitivity is Sensitivity.PUBLIC for s in evidence),
        ),
        now=now,
    )
    return alert_id, True


def alert_details(
    session: Session,
    alert_id: int,
    *,
    base_url: str,
    signals: Sequence[StoredSignal] | None = None,
    sensitivities: Sequence[str] | None = None,
    now: datetime | None = None,
) -> AlertPublic:
    """One alert in its public shape, with its Signals (of ``sensitivities``, if given);
    their data are judged stale at ``now`` (default: the present)."""
    alert = get_alert(session, alert_id)
    if alert is None:
        raise AlertNotFoundError(f"no alert {alert_id}", fix="see `tocsin alerts list`")
    return _public(
        session, alert, base_url=base_url, signals=signals, sensitivities=sensitivities, now=now
    )


def _public(
    session: Session,
    alert: StoredAlert,
    *,
    base_url: str,
    signals: Sequence[StoredSignal] | None = None,
    sensitivities: Sequence[str] | None = None,
    now: datetime | None = None,
) -> AlertPublic:
    if signals is None:
        signals = list_alert_signals(session, alert.id)
    return alert_public(alert, signals, base_url=base_url, sensitivities=sensitivities, now=now)


def run_alert_pass(
    session: Session,
    *,
    now: datetime,
    catalogue: Catalogue,
    base_url: str,
    lookback_days: int = 90,
) -> PassReport:
    """Evaluate every rule on the stored Signals, open or merge alerts, notify recipients
    and escalate alerts left unacknowledged too long. One transaction: all or nothing."""
    report = PassReport()
    rules = {r.id: r for r in list_rules(session)}
    countries = list_countries(session)
    regions = {c.iso3: (c.un_region, c.un_subregion) for c in countries}
    names = {c.iso3: c.name for c in countries}
    signals = _signals_for(session, now=now, lookback_days=lookback_days)
    by_id = {s.id: s for s in signals}
    recipients = list_recipients(session)
    matches = evaluate_rules(list(rules.values()), signals, regions=regions, now=now)
    notifications = _Notifications()
    states = latest_alert_states(session)
    open_ids = [a.id for a in states.values() if a.status in OPEN or a.closed_at is not None]
    linked = linked_signal_ids(session, open_ids)
    report.n_rules, report.n_signals, report.n_matches = len(rules), len(signals), len(matches)
    _raise(
        session,
        matches,
        rules,
        by_id,
        report,
        notifications,
        catalogue=catalogue,
        names=names,
        regions=regions,
        recipients=recipients,
        states=states,
        linked=linked,
        signals=signals,
        now=now,
        base_url=base_url,
    )
    _escalate(
        session, rules, recipients, regions, report, notifications, now=now, base_url=base_url
    )
    report.n_queued = notifications.enqueue(session, now=now)
    report.n_inbox = notifications.n_inbox
    return report


def _raise(
    session: Session,
    matches: Sequence[Match],
    rules: Mapping[int, Rule],
    by_id: Mapping[int, StoredSignal],
    report: PassReport,
    notifications: _Notifications,
    *,
    catalogue: Catalogue,
    names: Mapping[str, str],
    regions: Mapping[str, Sequence[str | None]],
    recipients: Sequence[StoredRecipient],
    states: Mapping[tuple[int, str], AlertState],
    linked: dict[int, set[int]],
    signals: Sequence[StoredSignal],
    now: datetime,
    base_url: str,
) -> None:
    """Open or merge the alert of each match and notify the recipients of new ones."""
    for match in matches:
        rule = rules[match.rule_id]
        name = names.get(match.iso3, match.iso3)
        alert_id, is_new = _open_or_merge(
            session,
            match,
            rule,
            by_id,
            catalogue=catalogue,
            country_name=name,
            states=states,
            linked=linked,
            now=now,
        )
        if not is_new:
            report.merged.append(alert_id)
            continue
        report.created.append(alert_id)
        public = alert_details(
            session,
            alert_id,
            base_url=base_url,
            signals=signals,
            sensitivities=OUTBOUND_SENSITIVITIES,
            now=now,
        )
        pairs = route(rule, match.iso3, rule.severity, recipients, regions=regions, level=0)
        notifications.add(session, public, pairs, now=now)
        set_escalation_level(session, alert_id, 0, now=now)


def _escalate(
    session: Session,
    rules: Mapping[int, Rule],
    recipients: Sequence[StoredRecipient],
    regions: Mapping[str, Sequence[str | None]],
    report: PassReport,
    notifications: _Notifications,
    *,
    now: datetime,
    base_url: str,
) -> None:
    """Notify the next level for each new alert not acknowledged within its rule's time."""
    if not rules:
        return
    shortest = min(r.ack_timeout_minutes for r in rules.values())
    waiting = list_awaiting_ack(session, notified_before=now - timedelta(minutes=shortest))
    for state in waiting:
        rule = rules.get(state.rule_id)
        if rule is None or state.notified_at is None:
            continue
        if now - state.notified_at < timedelta(minutes=rule.ack_timeout_minutes):
            continue
        level = state.escalation_level + 1
        pairs = route(
            rule, state.iso3, Severity(state.severity), recipients, regions=regions, level=level
        )
        if not pairs:
            continue
        public = alert_details(
            session, state.id, base_url=base_url, sensitivities=OUTBOUND_SENSITIVITIES, now=now
        )
        notifications.add(session, public, pairs, now=now)
        set_escalation_level(session, state.id, level, now=now)
        report.escalated.append(state.id)
        audit(
            session, actor="tocsin", action="alerts.escalate", now=now, target=f"alert:{state.id}"
        )


def change_alert_status(
    session: Session,
    alert_id: int,
    status: str,
    *,
    actor: str,
    now: datetime,
    note: str = "",
    action_ref: str | None = None,
    base_url: str,
) -> AlertPublic:
    """Acknowledge, act on or dismiss an alert, recording who, when, why and what was done
    (``action_ref`` links to the assessment's action, e.g. ``assess:action:12``)."""
    details = {"action_ref": action_ref} if action_ref else {}
    alert = set_alert_status(
        session, alert_id, status, actor=actor, now=now, note=note, details=details
    )
    audit(
        session,
        actor=actor,
        action=f"alerts.{status}",
        now=now,
        target=f"alert:{alert_id}",
        details={"note": note, **details},
    )
    return _public(session, alert, base_url=base_url)


def list_alert_details(
    session: Session,
    *,
    base_url: str,
    status: str | None = None,
    iso3: str | None = None,
    public_only: bool = False,
    limit: int = 100,
    sensitivities: Sequence[str] | None = None,
) -> list[AlertPublic]:
    """Alerts in their public shape, newest first (Signals limited to ``sensitivities``)."""
    alerts = list_alerts(session, status=status, iso3=iso3, public_only=public_only, limit=limit)
    return [_public(session, a, base_url=base_url, sensitivities=sensitivities) for a in alerts]


class Inbox(BaseModel):
    """One page of a web user's alerts inbox."""

    username: str
    status: str | None
    total: int
    limit: int
    offset: int
    items: list[AlertPublic]


def _public_only(sensitivities: Sequence[str]) -> bool:
    # A reader cleared for public records only sees alerts whose evidence is all public:
    # the title and reason of an alert resting on internal Signals say too much.
    return set(sensitivities) <= {"public"}


def user_inbox(
    session: Session,
    username: str,
    *,
    base_url: str,
    sensitivities: Sequence[str],
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Inbox:
    """The alerts routed to the in-app inbox of ``username``'s recipients, newest first,
    each showing only the Signals of ``sensitivities`` (the reader's clearance)."""
    alerts, total = list_user_inbox(
        session,
        username,
        status=status,
        public_only=_public_only(sensitivities),
        limit=limit,
        offset=offset,
    )
    items = [_public(session, a, base_url=base_url, sensitivities=sensitivities) for a in alerts]
    return Inbox(
        username=username, status=status, total=total, limit=limit, offset=offset, items=items
    )


def inbox_alert(
    session: Session,
    username: str,
    alert_id: int,
    *,
    base_url: str,
    sensitivities: Sequence[str],
) -> AlertPublic:
    """One alert of ``username``'s inbox; :class:`AlertNotFoundError` when it was not
    routed to them or rests on evidence they may not see (so guessing ids tells nothing)."""
    alert = get_alert(session, alert_id) if in_user_inbox(session, username, alert_id) else None
    if alert is None or (not alert.is_public and _public_only(sensitivities)):
        raise AlertNotFoundError(f"no alert {alert_id} in your inbox", fix="see /alerts")
    return _public(session, alert, base_url=base_url, sensitivities=sensitivities)


def respond_in_inbox(
    session: Session,
    username: str,
    alert_id: int,
    status: str,
    *,
    actor: str,
    now: datetime,
    sensitivities: Sequence[str],
    base_url: str,
    note: str = "",
    action_ref: str | None = None,
) -> AlertPublic:
    """Acknowledge, act on or dismiss an alert of ``username``'s inbox (see
    :func:`change_alert_status`); :class:`AlertNotFoundError` if it is not theirs."""
    inbox_alert(session, username, alert_id, base_url=base_url, sensitivities=sensitivities)
    change_alert_status(
        session, alert_id, status, actor=actor, now=now, note=note, action_ref=action_ref,
        base_url=base_url,
    )  # fmt: skip
    return inbox_alert(session, username, alert_id, base_url=base_url, sensitivities=sensitivities)


def alerts_feed(
    session: Session,
    fmt: str,
    *,
    base_url: str,
    sender: str,
    now: datetime,
    limit: int = 50,
) -> str:
    """The public feed (``cap`` or ``atom``): only alerts whose evidence is all public."""
    alerts = list_alert_details(session, base_url=base_url, public_only=True, limit=limit)
    if fmt == "atom":
        return atom_feed(alerts, base_url=base_url, now=now)
    if fmt == "cap":
        names = {c.iso3: c.name for c in list_countries(session)}
        return cap_feed(alerts, base_url=base_url, sender=sender, now=now, country_names=names)
    raise TocsinError(f"unknown feed format {fmt!r}", fix="use cap or atom")


def evaluate_alerts(db: Database, *, now: datetime, base_url: str) -> PassReport:
    """One alert pass in its own transaction (what `tocsin monitor run` calls after
    detection, and the watch loop after each ingestion)."""
    with db.session() as session:
        return run_alert_pass(session, now=now, catalogue=load_catalogue(), base_url=base_url)


@dataclass(frozen=True)
class StaleFeed:
    """A monitored source whose newest data is older than it should be.

    ``last_update`` is when it last brought new data (``None``: never); ``expected_every``
    how often it publishes."""

    source: str
    last_update: datetime | None
    expected_every: timedelta

    def reason(self, now: datetime) -> str:
        """One line for the alert, e.g. ``gdelt: no new data for 5 h (expected every 1 h)``."""
        since = (
            "never brought data"
            if self.last_update is None
            else f"no new data for {_span(now - self.last_update)}"
        )
        return f"{self.source}: {since} (expected every {_span(self.expected_every)})"


def _span(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} h" if hours < 72 else f"{hours / 24:.0f} days"


def raise_stale_data_alerts(
    db: Database,
    stale: Sequence[StaleFeed],
    *,
    countries: Sequence[str],
    now: datetime,
    base_url: str,
) -> PassReport:
    """Raise the alerts of the ``stale_data`` rules for ``stale`` sources, in one transaction.

    Each rule covers its own countries (its scope), else ``countries`` (those the watch
    monitors); a rule with neither raises nothing, since an alert is about a country. An
    open alert of the same rule and country absorbs a repeat, so a source down for a day
    notifies once, not every cycle. The alert's value is the data's age in hours.
    """
    report = PassReport()
    with db.session() as session:
        rules = {
            r.id: r
            for r in list_rules(session)
            if isinstance(r.condition, StaleData) and r.is_enabled
        }
        matches: list[Match] = []
        for rule in rules.values():
            assert isinstance(rule.condition, StaleData)
            wanted = set(rule.condition.sources)
            feeds = [f for f in stale if not wanted or f.source in wanted]
            where = rule.scope.countries or list(countries)
            for iso3 in where:
                for feed in feeds:
                    age = now - feed.last_update if feed.last_update else feed.expected_every
                    matches.append(
                        Match(rule.id, iso3, (), age.total_seconds() / 3600, feed.reason(now))
                    )
        report.n_rules, report.n_matches = len(rules), len(matches)
        if not matches:
            return report
        known = list_countries(session)
        regions = {c.iso3: (c.un_region, c.un_subregion) for c in known}
        names = {c.iso3: c.name for c in known}
        matches = [m for m in matches if m.iso3 in names]
        states = latest_alert_states(session)
        open_ids = [a.id for a in states.values() if a.status in OPEN or a.closed_at is not None]
        notifications = _Notifications()
        _raise(
            session,
            matches,
            rules,
            {},
            report,
            notifications,
            catalogue=load_catalogue(),
            names=names,
            regions=regions,
            recipients=list_recipients(session),
            states=states,
            linked=linked_signal_ids(session, open_ids),
            signals=[],
            now=now,
            base_url=base_url,
        )
        report.n_queued = notifications.enqueue(session, now=now)
        report.n_inbox = notifications.n_inbox
    return report
