"""Alerts: rules over Signals, alerts with their evidence, routing, delivery, response.

Rules are data (:class:`RuleCreate`), evaluated by pure functions
(:func:`evaluate_rules`); :func:`run_alert_pass` opens or merges alerts in the store and
queues their messages in a persistent outbox, which :func:`deliver_due` empties over
SMTP and signed webhooks.
"""

from tocsin.alerts._config import AlertSettings, parse_duration
from tocsin.alerts._content import AlertPublic, SignalLink, alert_public, policy_options
from tocsin.alerts._delivery import (
    DeliveryConfig,
    DeliveryReport,
    backoff,
    deliver_due,
    sign_webhook,
    verify_webhook,
)
from tocsin.alerts._evaluate import Match, evaluate_rule, evaluate_rules, forecast_ranks
from tocsin.alerts._feeds import (
    CAP_NAMESPACE,
    atom_feed,
    cap_alert,
    cap_datetime,
    cap_feed,
    cap_xml,
)
from tocsin.alerts._routing import CHANNELS, covers, idempotency_key, route
from tocsin.alerts._rules import (
    AssessmentRaised,
    Condition,
    Convergence,
    EscalationRisk,
    ForecastRisk,
    ForecastTopEntry,
    Rule,
    RuleCreate,
    Scope,
    Severity,
    SpeechSurge,
    TriggerEvent,
)
from tocsin.alerts._service import (
    AlertNotFoundError,
    Inbox,
    PassReport,
    add_rule,
    alert_details,
    alerts_feed,
    change_alert_status,
    evaluate_alerts,
    inbox_alert,
    list_alert_details,
    list_rules,
    remove_rule,
    respond_in_inbox,
    run_alert_pass,
    user_inbox,
)
from tocsin.alerts._worker import (
    Health,
    JsonLog,
    deliver_loop,
    drain_outbox,
    health_server,
    watch_loop,
)

__all__ = [
    "CHANNELS",
    "AlertNotFoundError",
    "AlertPublic",
    "AssessmentRaised",
    "Condition",
    "Convergence",
    "EscalationRisk",
    "ForecastRisk",
    "ForecastTopEntry",
    "Match",
    "PassReport",
    "Rule",
    "RuleCreate",
    "Scope",
    "Severity",
    "SignalLink",
    "SpeechSurge",
    "TriggerEvent",
    "add_rule",
    "alert_details",
    "alert_public",
    "change_alert_status",
    "covers",
    "evaluate_rule",
    "evaluate_rules",
    "forecast_ranks",
    "idempotency_key",
    "list_rules",
    "policy_options",
    "remove_rule",
    "route",
    "run_alert_pass",
    "DeliveryConfig",
    "DeliveryReport",
    "backoff",
    "deliver_due",
    "sign_webhook",
    "verify_webhook",
    "CAP_NAMESPACE",
    "atom_feed",
    "cap_alert",
    "cap_datetime",
    "cap_feed",
    "cap_xml",
    "alerts_feed",
    "list_alert_details",
    "AlertSettings",
    "parse_duration",
    "Health",
    "JsonLog",
    "deliver_loop",
    "health_server",
    "watch_loop",
    "evaluate_alerts",
    "drain_outbox",
    "Inbox",
    "inbox_alert",
    "respond_in_inbox",
    "user_inbox",
]
