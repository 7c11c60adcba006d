"""National assessments of risk and resilience (§71(b) of the seed report).

An assessment rates every indicator of the 14 risk factors of the UN Framework of
Analysis (rating, trend, confidence, rationale, evidence), names the vulnerable
populations, rates the structures of resilience of §§35–64 (pre-filled from the bundled
data, gaps shown), aggregates a risk profile by a documented ordinal rule, sets it beside
the statistical forecast and the monitoring Signals, ranks the catalogue's policy options
and tracks actions and the §71 checklist. Every change is kept as a version; the review
workflow runs draft → in review → approved.

Pure functions (no I/O) work on :class:`Assessment`; the ``*_assessment``/``rate``/
``transition`` functions of the service layer take a store session.

Examples
--------
>>> from datetime import date
>>> from tocsin.assess import Rating, blank_assessment, rate_indicator, risk_profile
>>> from tocsin.framework import load_catalogue
>>> cat = load_catalogue()
>>> a = blank_assessment(cat, iso3="CAF", title="CAR 2024", period_start=date(2024, 1, 1),
...                      period_end=date(2024, 12, 31))
>>> a = rate_indicator(a, "13.1", rating=Rating.MODERATE, rationale="reported attacks")
>>> [c.crime for c in risk_profile(a, cat).crimes if c.most_at_risk]
['war_crimes']
"""

# Names are loaded on first use (their module is imported then), so that importing
# the package, or one light name of it, does not load every heavy library; the stub
# beside this file lists them for type checkers and for `lazy_loader`.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
