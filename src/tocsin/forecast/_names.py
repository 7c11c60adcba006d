"""The names of the forecast models and targets: light, so that help texts can list them.

``tests/forecast`` checks that they are the keys of :data:`tocsin.forecast.MODELS`.
"""

MODEL_NAMES = ("ewp-replica", "tocsin")
TARGETS = ("any", "state_led")

#: The unit of each model's stored per-factor contributions (a run's ``factors``): the
#: EWP replica stores its logit's additive log-odds terms as they are; Tocsin's model
#: scales its members' log-odds contributions to the change in probability from the base
#: risk (see ``TocsinModel.contributions``), so they sum to ``risk - base risk``.
CONTRIBUTION_UNITS = {"ewp-replica": "log-odds", "tocsin": "probability"}


def contribution_unit(model: str) -> str:
    """The unit of ``model``'s factor contributions: ``"probability"`` (a change in the
    0–1 risk) or ``"log-odds"``; ``"unknown"`` for a model this version does not know, so
    that a page never guesses.

    >>> contribution_unit("tocsin"), contribution_unit("ewp-replica"), contribution_unit("x")
    ('probability', 'log-odds', 'unknown')
    """
    return CONTRIBUTION_UNITS.get(model, "unknown")
