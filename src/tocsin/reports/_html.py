"""HTML reports: one self-contained file (styles and the chart inline), from Jinja2 templates."""

from __future__ import annotations

from functools import cache
from importlib import resources

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tocsin.reports._content import METHOD_NOTES, Report

__all__ = ["render_brief_html", "render_html"]


@cache
def _environment() -> Environment:
    folder = str(resources.files("tocsin.reports").joinpath("templates"))
    return Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _svg(report: Report, *, compact: bool) -> str:
    from tocsin.reports._charts import profile_chart  # matplotlib: loaded when drawing

    text = profile_chart(report.profile, fmt="svg", compact=compact).decode("utf-8")
    return text[text.index("<svg") :]  # drop the XML prolog: the SVG sits inside the page


def render_html(report: Report) -> str:
    """The full assessment report as one HTML page."""
    template = _environment().get_template("assessment.html.j2")
    return template.render(
        r=report, a=report.assessment, chart_svg=_svg(report, compact=False), notes=METHOD_NOTES
    )


def render_brief_html(report: Report) -> str:
    """The one-page country brief as HTML."""
    template = _environment().get_template("brief.html.j2")
    return template.render(r=report, a=report.assessment, chart_svg=_svg(report, compact=True))
