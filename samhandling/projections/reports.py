"""The report "Framskriving for <area>" of a finished run, as PDF (WeasyPrint, charts as SVG by vl-convert) and as
Word (python-docx): what it was computed from, the summary and each service's table. Built from the same selectors
as the results page, so small numbers hidden there are hidden here."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samhandling.core.documents import docx_page_counter, docx_repeat_header, local_only_fetcher, page_counter

from . import charts, selectors


@dataclass
class ProjectionReport:
    title: str
    area: object
    run: object
    results: list
    facts: list[tuple[str, str]]
    factors: list[dict]
    generated_on: object


def build(run, area, user) -> ProjectionReport:
    inputs = run.inputs
    results = selectors.run_results(run, area, user)
    facts = [
        (_("Scenario"), run.scenario.name),
        (
            _("Population"),
            f"{inputs['population']['name']} {inputs['population']['alternative']} "
            f"({_('version')} {inputs['population']['version']})",
        ),
        (_("Data set"), f"{inputs['dataset']['name']} ({_('version')} {inputs['dataset']['version']})"),
        (_("Base years"), ", ".join(str(y) for y in inputs["scenario"]["base_years"])),
        (_("Monte Carlo"), _("%(draws)s draws, seed %(seed)s") % {"draws": inputs["draws"], "seed": inputs["seed"]}),
    ]
    return ProjectionReport(
        title=_("Projection for %(area)s") % {"area": area.name},
        area=area,
        run=run,
        results=results,
        facts=facts,
        factors=selectors.describe_factors(selectors.run_factors(run)),
        generated_on=timezone.localdate(),
    )


def render_pdf(report: ProjectionReport) -> bytes:
    import vl_convert
    from weasyprint import HTML

    sections = []
    for result in report.results:
        chart = None
        if result.points:
            spec = charts.service_chart(
                result.points, title=result.name, unit_title=result.unit, synthetic=report.run.synthetic
            )
            spec = {**spec, "width": 480}
            svg = vl_convert.vegalite_to_svg(spec)
            chart = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        sections.append({"result": result, "chart": chart})
    html = render_to_string(
        "projections/report.html",
        {
            "report": report,
            "sections": sections,
            "language": translation.get_language(),
            "page_counter": page_counter(),
        },
    )
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=local_only_fetcher())
    return document.write_pdf(pdf_tags=True)


def _table(document, headers: list[str], rows: list[list[str]]) -> None:
    grid = document.add_table(rows=1 + len(rows), cols=len(headers))
    grid.style = "Table Grid"
    for index, header in enumerate(headers):
        grid.rows[0].cells[index].text = header
    docx_repeat_header(grid.rows[0])
    for row_index, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            grid.rows[row_index].cells[index].text = str(value)


def render_docx(report: ProjectionReport) -> bytes:
    from docx import Document

    document = Document()
    document.core_properties.title = report.title
    document.add_heading(report.title, level=0)
    if report.run.synthetic:
        document.add_paragraph(_("Synthetic data"))
    for label, value in report.facts:
        document.add_paragraph(f"{label}: {value}")
    document.add_heading(_("Change factors"), level=1)
    if report.factors:
        _table(
            document,
            [_("Service"), _("Change factor"), _("Change (%)"), _("80 % interval"), _("As"), _("Shift to")],
            [
                [f["service_name"], f["category_name"], f["change"], f["interval"], f["timing"], f["shift"] or "–"]
                for f in report.factors
            ],
        )
    else:
        document.add_paragraph(_("No change factors: population change only."))
    document.add_heading(_("Summary"), level=1)
    summary = []
    for result in report.results:
        if result.hidden:
            summary.append([result.name, _("Hidden: the base rate rests on fewer than 5 cases."), "", "", ""])
        else:
            summary.append(
                [
                    f"{result.name} ({result.unit})",
                    f"{result.first_row['value']} ({result.first_row['year']})",
                    f"{result.target_row['value']} ({result.target_row['year']})",
                    f"{result.target_row['p10']}–{result.target_row['p90']}",
                    result.change or "–",
                ]
            )
    _table(document, [_("Service"), _("First year"), _("Last year"), _("80 % interval"), _("Change, %")], summary)
    for result in report.results:
        if result.hidden:
            continue
        document.add_heading(result.name, level=1)
        headers = [_("Year"), _("Population change only"), _("Scenario"), _("80 % interval")]
        if result.capacity_kind:
            headers.append(result.capacity_name)
        rows = []
        for row in result.rows:
            line = [str(row["year"]), row["demo"], row["value"], f"{row['p10']}–{row['p90']}"]
            if result.capacity_kind:
                line.append(row["capacity"])
            rows.append(line)
        _table(document, headers, rows)
    docx_page_counter(document.sections[0].footer.paragraphs[0])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
