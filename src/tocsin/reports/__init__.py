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

from tocsin.reports._charts import profile_chart
from tocsin.reports._content import METHOD_NOTES, CitedSource, Report, StructureRow, build_report
from tocsin.reports._html import render_brief_html, render_html
from tocsin.reports._pdf import render_brief_pdf, render_pdf
from tocsin.reports._service import assessment_report, bundled_forecast, file_report

__all__ = [
    "METHOD_NOTES",
    "CitedSource",
    "Report",
    "StructureRow",
    "assessment_report",
    "build_report",
    "bundled_forecast",
    "file_report",
    "profile_chart",
    "render_brief_html",
    "render_brief_pdf",
    "render_html",
    "render_pdf",
]
