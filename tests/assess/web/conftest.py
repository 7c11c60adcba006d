"""The web application's fixtures (tests/web/fixtures.py): a real database per backend with
users of every role, and signed-in clients, for the tests of this folder."""

from tests.web.fixtures import *  # noqa: F403  (fixtures are found by name)
