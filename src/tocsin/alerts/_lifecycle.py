"""The alert lifecycle: which status may follow which, and what each move needs.

Pure rules, no storage: ``tocsin.alerts._store`` applies them when it records a move, and
anything else (a form, a test) can ask them first.
"""

from __future__ import annotations

from tocsin.errors import TocsinError

ALERT_STATUSES = ("new", "acknowledged", "acted", "dismissed")

#: For each status an alert can be moved to, the statuses it may come from: acknowledged
#: once, then acted on or dismissed once (an alert may also be closed without an
#: acknowledgement).
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "acknowledged": frozenset({"new"}),
    "acted": frozenset({"new", "acknowledged"}),
    "dismissed": frozenset({"new", "acknowledged"}),
}

#: The statuses that close an alert.
CLOSING = frozenset({"acted", "dismissed"})


class AlertLifecycleError(TocsinError):
    """An alert was asked to move where its lifecycle does not allow."""


def check_transition(alert_id: int, current: str, target: str, *, note: str = "") -> None:
    """Raise :class:`AlertLifecycleError` unless an alert at ``current`` may become
    ``target`` with this ``note``.

    >>> check_transition(1, "new", "acknowledged")
    >>> check_transition(1, "acted", "dismissed", note="handled")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tocsin.alerts._lifecycle.AlertLifecycleError: alert 1 is acted; it cannot become dismissed. ...
    """
    if target not in ALLOWED_FROM:
        raise AlertLifecycleError(
            f"unknown status {target!r}", fix="use acknowledged, acted, dismissed"
        )
    if current not in ALLOWED_FROM[target]:
        raise AlertLifecycleError(
            f"alert {alert_id} is {current}; it cannot become {target}",
            fix="an alert is acknowledged once, then acted on or dismissed once",
        )
    if target == "dismissed" and not note.strip():
        raise AlertLifecycleError("a dismissal needs a reason", fix="pass --reason '...'")
