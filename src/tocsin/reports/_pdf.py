"""PDF reports written with fpdf2: pure Python, no browser, no network.

Text is set in DejaVu Sans, the font matplotlib ships (so every character of the
catalogue, § and dashes included, prints); the risk-profile chart is a PNG drawn by
matplotlib's Agg backend.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from tocsin.reports._charts import profile_chart
from tocsin.reports._content import METHOD_NOTES, Report

__all__ = ["render_brief_pdf", "render_pdf"]

_FONT = "DejaVu"
_HEADING = (40, 40, 40)


def _font_dir() -> Path:
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


class _Document(FPDF):
    def __init__(self, report: Report, *, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        folder = _font_dir()
        self.add_font(_FONT, "", str(folder / "DejaVuSans.ttf"))
        self.add_font(_FONT, "B", str(folder / "DejaVuSans-Bold.ttf"))
        self.add_font(_FONT, "I", str(folder / "DejaVuSans-Oblique.ttf"))
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_creation_date(report.generated_at)
        self.set_title(report.assessment.title)
        self.set_author(", ".join(report.assessment.team) or "Tocsin")
        self.set_creator("Tocsin")

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(_FONT, "", 7)
        self.set_text_color(120, 120, 120)
        self.cell(0, 5, f"{self.footer_text} · page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    # -- building blocks ---------------------------------------------------------------

    def heading(self, text: str, size: float = 12) -> None:
        if self.get_y() > self.h - 40:
            self.add_page()
        self.ln(2)
        self.set_font(_FONT, "B", size)
        self.set_text_color(*_HEADING)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(180, 180, 180)
        self.line(self.l_margin, self.get_y() + 0.5, self.w - self.r_margin, self.get_y() + 0.5)
        self.ln(2)
        self.set_text_color(0, 0, 0)

    def paragraph(self, text: str, size: float = 9, style: str = "") -> None:
        self.set_font(_FONT, style, size)
        self.multi_cell(0, size * 0.48, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def bullets(self, items: Sequence[str], size: float = 9) -> None:
        self.set_font(_FONT, "", size)
        for item in items:
            self.set_x(self.l_margin + 3)
            self.multi_cell(
                0, size * 0.48, f"• {item}", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        self.ln(1)

    def grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        size: float = 7.5,
    ) -> None:
        self.set_font(_FONT, "", size)
        with self.table(
            col_widths=tuple(widths),
            line_height=size * 0.5,
            text_align="LEFT",
            first_row_as_headings=True,
            headings_style=FontFace(emphasis="BOLD", fill_color=(238, 238, 238)),
            borders_layout="HORIZONTAL_LINES",
            padding=0.8,
        ) as table:
            head = table.row()
            for cell in header:
                head.cell(cell)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(value)
        self.ln(2)

    def banner(self, text: str) -> None:
        self.set_fill_color(255, 243, 205)
        self.set_font(_FONT, "B", 9)
        self.multi_cell(0, 6, text, border=1, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_fill_color(255, 255, 255)
        self.ln(2)

    def chart(self, png: bytes, width: float) -> None:
        self.image(io.BytesIO(png), x=self.l_margin, w=width)
        self.ln(2)


def _meta(report: Report) -> str:
    a = report.assessment
    parts = [
        f"{report.country_name} ({a.iso3}){', ' + a.area if a.area else ''}",
        f"period {a.period_start} to {a.period_end}",
        f"status {a.status.value.replace('_', ' ')}",
    ]
    if report.version:
        parts.append(f"version {report.version}")
    if report.assessment_id:
        parts.append(f"assessment #{report.assessment_id}")
    return " · ".join(parts)


def render_pdf(report: Report) -> bytes:
    """The full assessment report as PDF bytes."""
    a = report.assessment
    doc = _Document(report, footer_text=f"{a.title} · Tocsin")
    doc.add_page()
    if a.is_example:
        doc.banner("ILLUSTRATIVE EXAMPLE: not an official assessment of any State.")
    doc.set_font(_FONT, "B", 16)
    doc.multi_cell(0, 8, a.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.paragraph(_meta(report), size=8.5)
    team = ", ".join(a.team) or "not recorded"
    civil = " (civil society included)" if a.civil_society_included else ""
    doc.paragraph(
        f"Team: {team}{civil}. Generated {report.generated_at:%Y-%m-%d %H:%M} UTC.", size=8
    )

    doc.heading("1. Executive summary")
    if a.summary:
        doc.paragraph(a.summary)
    doc.bullets(report.key_findings)

    doc.heading("2. Risk profile")
    doc.chart(profile_chart(report.profile, fmt="png"), width=175)
    doc.grid(
        ["Factor", "Level", "Trend", "Rated", "Drivers"],
        [
            (
                f"{f.code} {f.title}",
                f.level.value.replace("_", " "),
                f.trend.value if f.trend else "-",
                f"{f.n_rated}/{f.n_indicators}",
                ", ".join(f.drivers),
            )
            for f in report.profile.factors
        ],
        (80, 20, 20, 15, 45),
    )
    doc.grid(
        ["Crime", "Level", "Specific factors", "Drivers"],
        [
            (
                c.label + (" (most at risk)" if c.most_at_risk else ""),
                c.level.value.replace("_", " "),
                ", ".join(c.factors),
                ", ".join(c.drivers),
            )
            for c in report.profile.crimes
        ],
        (70, 25, 35, 50),
    )

    doc.heading("3. Forecast and monitoring")
    forecast = report.monitoring.forecast
    if forecast is None:
        doc.paragraph("No statistical forecast is available for this country.")
    else:
        doc.paragraph(
            f"Statistical forecast ({forecast.model} {forecast.model_version}, data to "
            f"{forecast.data_year}): {forecast.risk:.1%} risk of a new mass killing, rank "
            f"{forecast.rank} of {forecast.n_countries}: {forecast.band.value} band."
        )
    doc.bullets([f"[{s.kind}] {s.text}" for s in report.statements_by_weight])
    if report.monitoring.signals_by_factor:
        doc.grid(
            ["Factor", "Risk Signals in the period", "Strongest"],
            [
                (code, str(int(v["n"])), f"{v['max_strength']:.2f}")
                for code, v in report.monitoring.signals_by_factor.items()
            ],
            (40, 70, 70),
        )
    else:
        doc.paragraph("No monitoring Signals are stored for the period.", size=8, style="I")

    doc.heading("4. Vulnerable populations")
    if a.populations:
        doc.grid(
            ["Group", "Kind", "Where", "Size", "Risk factors", "Notes"],
            [
                (
                    p.name,
                    p.kind.value.replace("_", " "),
                    ", ".join(p.areas) or "not recorded",
                    (f"{p.size:,}" if p.size is not None else "unknown")
                    + (f" ({p.size_note})" if p.size_note else ""),
                    ", ".join(p.factor_codes),
                    p.description,
                )
                for p in a.populations
            ],
            (30, 20, 22, 38, 25, 45),
        )
    else:
        doc.paragraph("No vulnerable population recorded yet.")

    doc.heading("5. Structures of resilience (§§35–64)")
    doc.grid(
        ["Structure", "Rating", "Data (source, year)", "Gaps"],
        [
            (
                f"{s.title} ({s.paragraphs}; {', '.join(s.options)})"
                + (f"\n{s.rationale}" if s.rationale else ""),
                s.rating,
                "\n".join(s.data),
                "\n".join(s.gaps),
            )
            for s in report.structures
        ],
        (52, 16, 62, 50),
        size=7,
    )

    doc.heading("6. Indicators rated")
    doc.grid(
        ["Code", "Indicator", "Rating", "Trend", "Conf.", "Rationale", "Evidence"],
        report.rated_indicators,
        (10, 40, 15, 15, 12, 52, 36),
        size=6.8,
    )
    doc.paragraph(
        f"Not rated (unknown): {len(report.unrated_codes)} indicators — "
        + ", ".join(report.unrated_codes)
        + ".",
        size=7,
        style="I",
    )

    doc.heading("7. Recommended actions")
    doc.grid(
        ["#", "Policy option", "Report", "Why", "Decision"],
        [
            (
                str(o.rank),
                f"{o.option_id} {o.title} ({o.kind})",
                o.paragraph_label,
                o.reasons,
                o.decision,
            )
            for o in report.options
        ],
        (7, 58, 17, 80, 18),
    )
    if a.actions:
        doc.grid(
            ["Action", "Option", "Owner", "Due", "Status", "Outcome"],
            [
                (
                    f"{x.id}. {x.description}",
                    x.option_id,
                    x.owner,
                    str(x.due_date or ""),
                    x.status.value.replace("_", " "),
                    x.outcome,
                )
                for x in a.actions
            ],
            (60, 14, 34, 20, 20, 32),
        )
    doc.paragraph("§71 checklist", size=9, style="B")
    doc.grid(
        ["Step", "Status", "Note"],
        [(f"{i} {t}", s.replace("_", " "), n) for i, t, s, n in report.steps],
        (70, 25, 85),
    )

    doc.heading("8. Sources cited")
    if report.sources:
        doc.grid(
            ["Kind", "Source", "Grade", "Cited for"],
            [(s.kind, s.label, s.grade or "", ", ".join(s.cited_by)) for s in report.sources],
            (18, 112, 12, 38),
            size=7,
        )
    else:
        doc.paragraph("No evidence linked yet.")

    doc.heading("Annex: methodology")
    for title, text in METHOD_NOTES:
        doc.paragraph(f"{title}. {text}", size=8.5)
    doc.paragraph(
        "Risk factors and indicators: UN Framework of Analysis for Atrocity Crimes (2014), in "
        "Tocsin's own words. Policy options and §71 steps: report of the Secretary-General "
        "A/67/929–S/2013/399.",
        size=7.5,
        style="I",
    )
    return bytes(doc.output())


def render_brief_pdf(report: Report) -> bytes:
    """The one-page country brief as PDF bytes (long lists are cut to fit one page)."""
    a = report.assessment
    doc = _Document(report, footer_text=f"Country brief · {a.title} · Tocsin")
    doc.set_auto_page_break(auto=False)
    doc.add_page()
    if a.is_example:
        doc.banner("ILLUSTRATIVE EXAMPLE: not an official assessment of any State.")
    doc.set_font(_FONT, "B", 15)
    doc.multi_cell(
        0, 7, f"Country brief: {report.country_name}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    doc.paragraph(f"{a.title} · {_meta(report)}", size=8)
    at_risk = [c.label.lower() for c in report.profile.crimes if c.most_at_risk]
    doc.paragraph(
        f"Overall risk: {report.profile.overall.value.replace('_', ' ')}"
        + (f" · most at risk: {', '.join(at_risk)}" if at_risk else ""),
        size=11,
        style="B",
    )
    doc.chart(profile_chart(report.profile, fmt="png", compact=True), width=150)
    doc.paragraph("Key findings", size=9.5, style="B")
    doc.bullets([_cut(f, 260) for f in report.key_findings[:5]], size=8)
    doc.paragraph("Forecast and monitoring", size=9.5, style="B")
    doc.bullets([_cut(s.text, 220) for s in report.statements_by_weight[:3]], size=8)
    doc.paragraph("Recommended first actions", size=9.5, style="B")
    doc.bullets(
        [
            f"{o.option_id} {o.title} ({o.paragraph_label}; {o.decision})"
            for o in report.first_options[:3]
        ]
        + [
            f"Action {x.id}: {_cut(x.description, 90)} ({x.owner or 'no owner'}, "
            f"due {x.due_date or 'not set'}, {x.status.value.replace('_', ' ')})"
            for x in a.actions[:3]
        ],
        size=8,
    )
    gaps = [s.title for s in report.structures if not s.data]
    if gaps:
        doc.paragraph("Data gaps", size=9.5, style="B")
        doc.paragraph(
            _cut(
                f"{len(report.unrated_codes)} of {report.profile.n_indicators} indicators not "
                f"rated; no bundled data for: {', '.join(gaps)}.",
                400,
            ),
            size=8,
        )
    return bytes(doc.output())


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
