"""Reports for decision makers: the national assessment report and the one-page brief.

:func:`build_report` gathers what a report says (pure); :func:`render_html` and
:func:`render_pdf` lay it out (the PDF with fpdf2, no browser or network);
:func:`assessment_report` collects the inputs from the store.

Examples
--------
>>> from datetime import UTC, datetime
>>> from tocsin.assess import compare_with_monitoring, example_assessment, risk_profile
>>> from tocsin.framework import load_catalogue
>>> from tocsin.reports import build_report, render_html
>>> cat, a = load_catalogue(), example_assessment()
>>> monitoring = compare_with_monitoring(risk_profile(a, cat), forecast=None, signals=[])
>>> report = build_report(a, cat, monitoring, generated_at=datetime(2025, 1, 1, tzinfo=UTC))
>>> "Executive summary" in render_html(report)
True
"""

# Names are loaded on first use (their module is imported then), so that a help text or a
# light name does not load every module; the stub beside this file lists them.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
