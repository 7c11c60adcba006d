"""The web application's fixtures (tests/web/fixtures.py) for the watchlist and country
pages: a real database per backend with users of every role, and signed-in clients."""

from tests.web.fixtures import *  # noqa: F403  (fixtures are found by name)
