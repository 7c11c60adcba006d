"""Alerts: rules over Signals, alerts with their evidence, routing, delivery, response.

Rules are data (:class:`RuleCreate`), evaluated by pure functions
(:func:`evaluate_rules`); :func:`run_alert_pass` opens or merges alerts in the store and
queues their messages in a persistent outbox, which :func:`deliver_due` empties over
SMTP and signed webhooks.
"""

# Names are loaded on first use (their module is imported then), so that importing
# the package, or one light name of it, does not load every heavy library; the stub
# beside this file lists them for type checkers and for `lazy_loader`.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
