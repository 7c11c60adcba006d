"""The alert lifecycle's rules, without a database: each move allowed or refused once."""

from __future__ import annotations

import itertools

import pytest

from tocsin.alerts import ALERT_STATUSES, AlertLifecycleError, check_transition

ALLOWED = {
    ("new", "acknowledged"),
    ("new", "acted"),
    ("new", "dismissed"),
    ("acknowledged", "acted"),
    ("acknowledged", "dismissed"),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(ALERT_STATUSES, repeat=2)))
def test_every_move_is_allowed_or_refused_as_the_lifecycle_says(current: str, target: str) -> None:
    if (current, target) in ALLOWED:
        check_transition(7, current, target, note="seen by the Sudan desk")
    else:
        with pytest.raises(AlertLifecycleError):
            check_transition(7, current, target, note="seen by the Sudan desk")


def test_a_dismissal_needs_a_reason_and_an_unknown_status_is_named() -> None:
    with pytest.raises(AlertLifecycleError, match="needs a reason"):
        check_transition(7, "new", "dismissed", note="  ")
    with pytest.raises(AlertLifecycleError, match="unknown status 'closed'"):
        check_transition(7, "new", "closed")
