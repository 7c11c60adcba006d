"""`tocsin alerts`: rules, recipients, alerts and their lifecycle, feeds, the delivery
worker."""

from __future__ import annotations

import getpass
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tocsin.alerts import CHANNELS
from tocsin.cli._common import print_json, state, stdout
from tocsin.errors import TocsinError

if TYPE_CHECKING:
    from tocsin.store import Database

app = typer.Typer(
    help="Alerts: rules over Signals, who is told, the alert lifecycle, CAP/Atom feeds.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
rules_app = typer.Typer(
    help="Alert rules: add, list, remove.", no_args_is_help=True, rich_markup_mode=None
)
recipients_app = typer.Typer(
    help="Who receives alerts, where and how.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(rules_app, name="rules")
app.add_typer(recipients_app, name="recipients")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ByOption = Annotated[str | None, typer.Option("--by", help="Who does it (default: your login).")]


def _database(ctx: typer.Context) -> Database:
    from tocsin.store import Database

    db = Database.from_settings(state(ctx).settings)
    db.require_current()
    return db


def _now() -> datetime:
    return datetime.now(UTC)


def _actor(by: str | None) -> str:
    return by or f"cli:{getpass.getuser()}"


def _duration(text: str, option: str) -> float:
    from tocsin.alerts import parse_duration

    try:
        return parse_duration(text).total_seconds()
    except ValueError as error:
        raise TocsinError(f"{option}: {error}", fix="write e.g. 30s, 15m or 1h") from error


def _parse_value(text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


# --- rules ---------------------------------------------------------------------------------


@rules_app.command("add")
def rules_add(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option("--name", help="What the rule watches.")] = None,
    when: Annotated[
        str | None,
        typer.Option(
            "--when",
            help="Condition: forecast_risk, forecast_top_n, escalation_risk, speech_surge, "
            "trigger_event, assessment_raised, convergence or stale_data.",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Condition setting KEY=VALUE, e.g. min_risk=0.05."),
    ] = None,
    country: Annotated[list[str] | None, typer.Option("--country", help="ISO3; repeat.")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="UN region.")] = None,
    code: Annotated[list[str] | None, typer.Option("--code", help="RF9 or 9.3; repeat.")] = None,
    severity: Annotated[str, typer.Option(help="minor, moderate, severe, extreme.")] = "moderate",
    role: Annotated[list[str] | None, typer.Option("--role", help="Roles to notify.")] = None,
    cooldown_hours: Annotated[int, typer.Option(help="Anti-flapping cool-down.")] = 168,
    ack_timeout_minutes: Annotated[int, typer.Option(help="Escalate after this.")] = 1440,
    from_file: Annotated[
        Path | None, typer.Option("--from", help="A rule as a YAML or JSON file instead.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Add an alert rule (validated before it is stored).

    Example: `tocsin alerts rules add --name "Top-10 entry" --when forecast_top_n -p n=10`
    """
    import yaml
    from pydantic import ValidationError

    from tocsin.alerts import RuleCreate, add_rule

    if from_file is not None:
        from tocsin.store import read_user_file, user_text

        text = user_text(read_user_file(from_file), from_file)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise TocsinError(
                f"{from_file}: not YAML or JSON: {' '.join(str(error).split())}",
                fix="correct the file (see docs/alerts.md for a rule's fields)",
            ) from error
    else:
        if not name or not when:
            raise TocsinError("a rule needs --name and --when", fix="or give --from FILE")
        condition: dict[str, Any] = {"type": when}
        for item in param or []:
            key, sep, value = item.partition("=")
            if not sep:
                raise TocsinError(f"--param {item!r} is not KEY=VALUE", fix="e.g. -p min_risk=0.1")
            condition[key.strip()] = _parse_value(value)
        data = {
            "name": name,
            "condition": condition,
            "scope": {
                "countries": country or [],
                "regions": region or [],
                "framework_codes": code or [],
            },
            "severity": severity,
            "notify_roles": role or [],
            "cooldown_hours": cooldown_hours,
            "ack_timeout_minutes": ack_timeout_minutes,
        }
    try:
        rule = RuleCreate.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise TocsinError(
            f"{f'{from_file}: ' if from_file else ''}invalid rule: {problems}",
            fix="see docs/alerts.md for the rule fields",
        ) from error
    with _database(ctx).session() as session:
        stored = add_rule(session, rule, now=_now(), actor=_actor(None))
    if as_json:
        print_json(stored.model_dump(mode="json"))
        return
    stdout.print(f"rule {stored.id} added: {stored.name} ({stored.condition.type})")


@rules_app.command("list")
def rules_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List the rules in force.

    Example: `tocsin alerts rules list --json`
    """
    from rich.table import Table

    from tocsin.alerts import list_rules

    with _database(ctx).session() as session:
        rules = list_rules(session)
    if as_json:
        print_json([r.model_dump(mode="json") for r in rules])
        return
    table = Table("id", "name", "condition", "scope", "severity")
    for r in rules:
        condition = r.condition.model_dump(exclude={"type"}, exclude_defaults=True)
        scope = r.scope.model_dump(exclude_defaults=True)
        table.add_row(
            str(r.id), r.name, f"{r.condition.type} {condition}", str(scope or "all"), r.severity
        )
    stdout.print(table)


@rules_app.command("remove")
def rules_remove(ctx: typer.Context, rule_id: Annotated[int, typer.Argument()]) -> None:
    """Retire a rule (its alerts are kept).

    Example: `tocsin alerts rules remove 3`
    """
    from tocsin.alerts import remove_rule

    with _database(ctx).session() as session:
        remove_rule(session, rule_id, now=_now(), actor=_actor(None))
    stdout.print(f"rule {rule_id} removed")


# --- recipients ----------------------------------------------------------------------------


def _recipient_json(r: Any) -> dict[str, Any]:
    data = dict(vars(r))
    data["webhook_secret"] = "[set]" if data.get("webhook_secret") else None
    return data


@recipients_app.command("add")
def recipients_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Person, team or system.")],
    email: Annotated[str | None, typer.Option(help="Email address.")] = None,
    webhook_url: Annotated[str | None, typer.Option(help="Webhook URL.")] = None,
    webhook_secret: Annotated[
        str | None,
        typer.Option(help="HMAC key for the webhook (or TOCSIN_ALERTS_WEBHOOK_SECRET)."),
    ] = None,
    role: Annotated[list[str] | None, typer.Option("--role", help="e.g. focal_point.")] = None,
    country: Annotated[list[str] | None, typer.Option("--country", help="ISO3; repeat.")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="UN region.")] = None,
    rule: Annotated[list[int] | None, typer.Option("--rule", help="Subscribe to a rule.")] = None,
    channel: Annotated[
        list[str] | None, typer.Option("--channel", help=f"One of {', '.join(CHANNELS)}.")
    ] = None,
    min_severity: Annotated[str, typer.Option(help="Least severity to receive.")] = "minor",
    level: Annotated[int, typer.Option(help="Escalation level (0 first).")] = 0,
    user: Annotated[
        str | None,
        typer.Option("--user", help="Web username whose /alerts inbox this recipient fills."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a recipient: where they look (countries, regions) and how to reach them.

    Example: `tocsin alerts recipients add --name "Sudan desk" --email sd@un.org --channel email`

    Example: `tocsin alerts recipients add --name "Ana" --user ana --country SDN --role analyst`
    """
    from tocsin.alerts import RecipientCreate, Severity, add_recipient

    channels = channel or ["inbox"]
    default_secret = state(ctx).settings.alerts.webhook_secret
    secret = webhook_secret or (default_secret.get_secret_value() if default_secret else None)
    if bad := [c for c in channels if c not in CHANNELS]:
        raise TocsinError(f"unknown channels {bad}", fix=f"use {', '.join(CHANNELS)}")
    if min_severity not in [s.value for s in Severity]:
        raise TocsinError(f"unknown severity {min_severity!r}", fix="minor … extreme")
    if "email" in channels and not email:
        raise TocsinError("the email channel needs --email", fix="add --email ADDRESS")
    if "webhook" in channels and not (webhook_url and secret):
        raise TocsinError(
            "the webhook channel needs --webhook-url and a secret",
            fix="add --webhook-url URL --webhook-secret KEY",
        )
    recipient = RecipientCreate(
        name=name,
        email=email,
        webhook_url=webhook_url,
        webhook_secret=secret,
        roles=role or [],
        countries=[c.upper() for c in country or []],
        regions=region or [],
        rule_ids=rule or [],
        channels=channels,
        min_severity=min_severity,
        escalation_level=level,
        username=user,
    )
    if user and "inbox" not in channels:
        raise TocsinError(
            f"--user {user} reads the in-app inbox, but the channels are {channels}",
            fix="add --channel inbox",
        )
    with _database(ctx).session() as session:
        recipient_id = add_recipient(session, recipient, now=_now())
    if as_json:
        print_json(_recipient_json(recipient) | {"id": recipient_id})
        return
    stdout.print(f"recipient {recipient_id} added: {name}")


@recipients_app.command("list")
def recipients_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List recipients (webhook secrets are never shown).

    Example: `tocsin alerts recipients list --json`
    """
    from rich.table import Table

    from tocsin.alerts import list_recipients

    with _database(ctx).session() as session:
        recipients = list_recipients(session)
    if as_json:
        print_json([_recipient_json(r) for r in recipients])
        return
    table = Table("id", "name", "user", "channels", "area", "roles", "level")
    for r in recipients:
        area = ", ".join(r.countries + r.regions) or "all"
        table.add_row(
            str(r.id),
            r.name,
            r.username or "",
            ", ".join(r.channels),
            area,
            ", ".join(r.roles),
            str(r.escalation_level),
        )
    stdout.print(table)


@recipients_app.command("remove")
def recipients_remove(ctx: typer.Context, recipient_id: Annotated[int, typer.Argument()]) -> None:
    """Remove a recipient (messages already queued still go out).

    Example: `tocsin alerts recipients remove 2`
    """
    from tocsin.alerts import remove_recipient

    with _database(ctx).session() as session:
        if not remove_recipient(session, recipient_id, now=_now()):
            raise TocsinError(
                f"no recipient {recipient_id}", fix="see `tocsin alerts recipients list`"
            )
    stdout.print(f"recipient {recipient_id} removed")


# --- alerts --------------------------------------------------------------------------------


def _show(alerts: list[Any], as_json: bool) -> None:
    from rich.table import Table

    if as_json:
        print_json([a.model_dump(mode="json") for a in alerts])
        return
    table = Table("id", "status", "severity", "country", "title", "why")
    for a in alerts:
        table.add_row(str(a.id), a.status, a.severity, a.iso3, a.title, a.reason[:80])
    stdout.print(table)


@app.command("list")
def list_command(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="new, acknowledged, acted, dismissed.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="ISO3.")] = None,
    inbox: Annotated[int | None, typer.Option("--inbox", help="One recipient's inbox.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    as_json: JsonFlag = False,
) -> None:
    """List alerts, newest first, with why they fired.

    Example: `tocsin alerts list --status new --json`
    """
    from tocsin.alerts import alert_details, list_alert_details, list_inbox

    base_url = state(ctx).settings.alert_base_url()
    with _database(ctx).session() as session:
        if inbox is not None:
            ids = [a.id for a in list_inbox(session, inbox, limit=limit)]
            alerts = [alert_details(session, i, base_url=base_url) for i in ids]
        else:
            alerts = list_alert_details(
                session,
                base_url=base_url,
                status=status,
                iso3=country.upper() if country else None,
                limit=limit,
            )
    _show(alerts, as_json)


@app.command("show")
def show_command(
    ctx: typer.Context, alert_id: Annotated[int, typer.Argument()], as_json: JsonFlag = False
) -> None:
    """Show one alert: why (its Signals), policy options, history.

    Example: `tocsin alerts show 1 --json`
    """
    from tocsin.alerts import alert_details

    with _database(ctx).session() as session:
        alert = alert_details(session, alert_id, base_url=state(ctx).settings.alert_base_url())
    if as_json:
        print_json(alert.model_dump(mode="json"))
        return
    stdout.print(f"[bold]{alert.title}[/] ({alert.severity}, {alert.status})")
    stdout.print(f"Why: {alert.reason}")
    for s in alert.signals:
        stdout.print(f"  - [{s.kind}] {s.summary} {s.url}")
    for o in alert.policy_options:
        stdout.print(f"  option {o['id']}: {o['title']}")
    for e in alert.events:
        stdout.print(f"  {e.at:%Y-%m-%d %H:%M} {e.actor} {e.action} {e.note}")


def _transition(
    ctx: typer.Context,
    alert_id: int,
    status: str,
    *,
    by: str | None,
    note: str,
    action_ref: str | None,
    as_json: bool,
) -> None:
    from tocsin.alerts import change_alert_status

    with _database(ctx).session() as session:
        alert = change_alert_status(
            session,
            alert_id,
            status,
            actor=_actor(by),
            now=_now(),
            note=note,
            action_ref=action_ref,
            base_url=state(ctx).settings.alert_base_url(),
        )
    if as_json:
        print_json(alert.model_dump(mode="json"))
        return
    stdout.print(f"alert {alert_id} {status}")


@app.command("ack")
def ack_command(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument()],
    by: ByOption = None,
    note: Annotated[str, typer.Option(help="Optional note.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Acknowledge an alert (stops its escalation).

    Example: `tocsin alerts ack 1 --by "Sudan desk"`
    """
    _transition(ctx, alert_id, "acknowledged", by=by, note=note, action_ref=None, as_json=as_json)


@app.command("act")
def act_command(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument()],
    note: Annotated[str, typer.Option(help="What was done.")] = "",
    action_ref: Annotated[
        str | None, typer.Option(help="The assessment's action, e.g. assess:action:12.")
    ] = None,
    by: ByOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Record that an alert was acted on, and what was done.

    Example: `tocsin alerts act 1 --note "briefed the Special Adviser" --action-ref assess:action:4`
    """
    _transition(ctx, alert_id, "acted", by=by, note=note, action_ref=action_ref, as_json=as_json)


@app.command("dismiss")
def dismiss_command(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument()],
    reason: Annotated[str, typer.Option("--reason", help="Why (required).")],
    by: ByOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Dismiss an alert, with the reason.

    Example: `tocsin alerts dismiss 1 --reason "duplicate of a field report already handled"`
    """
    _transition(ctx, alert_id, "dismissed", by=by, note=reason, action_ref=None, as_json=as_json)


@app.command("evaluate")
def evaluate_command(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Evaluate every rule on the stored Signals now; open, merge and route alerts.

    Example: `tocsin alerts evaluate --json`
    """
    from tocsin.alerts import evaluate_alerts

    report = evaluate_alerts(
        _database(ctx), now=_now(), base_url=state(ctx).settings.alert_base_url()
    )
    if as_json:
        print_json(vars(report))
        return
    stdout.print(
        f"{report.n_rules} rules, {report.n_signals} Signals: {len(report.created)} new alerts, "
        f"{len(report.merged)} merged, {len(report.escalated)} escalated, "
        f"{report.n_queued} messages queued"
    )


@app.command("feed")
def feed_command(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="cap (CAP 1.2 in Atom) or atom.")] = "cap",
    limit: Annotated[int, typer.Option(help="Latest this many alerts.")] = 50,
) -> None:
    """Print the public feed of alerts (only alerts whose evidence is all public).

    Example: `tocsin alerts feed --format cap > alerts.xml`
    """
    from tocsin.alerts import alerts_feed

    settings = state(ctx).settings.alerts
    with _database(ctx).session() as session:
        text = alerts_feed(
            session,
            fmt,
            base_url=state(ctx).settings.alert_base_url(),
            sender=settings.cap_sender,
            now=_now(),
            limit=limit,
        )
    sys.stdout.write(text + "\n")


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handler(signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


@app.command("deliver")
def deliver_command(
    ctx: typer.Context,
    loop: Annotated[bool, typer.Option("--loop", help="Keep delivering until stopped.")] = False,
    poll: Annotated[
        str, typer.Option(help="With --loop: look for due messages this often.")
    ] = "5s",
    worker: Annotated[str | None, typer.Option(help="Worker name in logs and leases.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Send the queued alert emails and webhooks (the outbox); JSON logs go to stderr.

    Without --loop, sends what is due now and exits. SMTP: TOCSIN_ALERTS_SMTP_HOST/PORT.

    Example: `tocsin alerts deliver --loop --poll 10s`
    """
    from tocsin.alerts import (
        JsonLog,
        alert_outbox_counts,
        deliver_loop,
        delivery_config,
        parse_duration,
    )

    settings = state(ctx).settings.alerts
    db = _database(ctx)
    name = worker or f"{os.uname().nodename}:{os.getpid()}"
    log = JsonLog(sys.stderr, component="alerts.deliver")
    stop = _stop_on_signals() if loop else threading.Event()
    sent = deliver_loop(
        db,
        delivery_config(settings),
        worker=name,
        stop=stop,
        poll=parse_duration(poll),
        log=log,
        until_empty=None if loop else (lambda: True),
    )
    with db.session() as session:
        counts = alert_outbox_counts(session)
    if as_json:
        print_json({"n_sent": sent, "outbox": counts})
        return
    stdout.print(f"{sent} messages sent; outbox: {counts}")


def register(root: typer.Typer) -> None:
    """Add the `alerts` commands to the root CLI."""
    root.add_typer(app, name="alerts")
