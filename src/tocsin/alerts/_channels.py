"""The channels an alert is delivered on: light, so that help texts can list them."""

CHANNELS = ("inbox", "email", "webhook")
