"""The watchlist and the country pages: what every capability knows of each country, in one
place.

The watchlist ranks countries by the latest stored forecast (with rank changes, drivers
and the latest Signals the caller may see); a country page adds the forecast's history,
the events of the last three years, escalation Signals, resilience indicators and the
sections other capabilities register. :func:`watchlist` and :func:`country_page` return
the public models (``Watchlist``, ``CountryPage``) that the pages, their JSON twins and the
API (``tocsin.watchlist.web``, the web plug-in ``watchlist``) all serve.
"""

# Names are loaded on first use (their module is imported then): see the stub beside this.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
