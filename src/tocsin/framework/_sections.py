"""The catalogue's sections: light, so that help texts can list them."""

SECTIONS = ("factors", "report", "triggers", "policies", "steps", "instruments")
