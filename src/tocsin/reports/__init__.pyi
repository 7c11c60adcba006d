"""Type stub of :mod:`tocsin.reports`: the names it offers, loaded on first use."""

from ._charts import profile_chart
from ._content import METHOD_NOTES, CitedSource, Report, StructureRow, build_report
from ._html import render_brief_html, render_html
from ._pdf import render_brief_pdf, render_pdf
from ._service import assessment_report, bundled_forecast, file_report

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
