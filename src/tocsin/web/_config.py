"""The web application's settings: the ``web`` section of :class:`tocsin.settings.Settings`."""

from tocsin.settings import WebSettings

__all__ = ["WebSettings"]
