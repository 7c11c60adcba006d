"""The names of the forecast models and targets: light, so that help texts can list them.

``tests/forecast`` checks that they are the keys of :data:`tocsin.forecast.MODELS`.
"""

MODEL_NAMES = ("ewp-replica", "tocsin")
TARGETS = ("any", "state_led")
