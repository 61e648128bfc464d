"""Vega-Lite specs for framskrivning (Altair, cached like core's charts): a population pyramid that moves through
the years with a slider, and a service's projected activity with its 80 % interval. Every chart has its table."""

import altair as alt
from django.utils.translation import gettext as _

from samhandling.core.charts import cached_spec

WOMEN_COLOUR, MEN_COLOUR, LINE_COLOUR, BAND_COLOUR, DEMO_COLOUR = "#0062ba", "#c36b00", "#0062ba", "#9fc3e7", "#1e2b3c"


def _title(title: str, synthetic: bool) -> alt.TitleParams:
    return alt.TitleParams(text=title, subtitle=[_("Synthetic data")] if synthetic else [], anchor="start")


@cached_spec
def moving_pyramid(rows: list[dict], *, title: str, first_year: int, last_year: int, start_year: int) -> dict:
    """Residents by 5-year band, women right and men left, one year at a time chosen with a slider."""
    women, men = _("Women"), _("Men")
    values = []
    for row in rows:
        values.append({"year": row["year"], "band": row["band"], "sex": women, "value": row["K"], "count": row["K"]})
        values.append({"year": row["year"], "band": row["band"], "sex": men, "value": -row["M"], "count": row["M"]})
    order = [row["band"] for row in sorted({r["band"]: r for r in rows}.values(), key=lambda r: -r["start"])]
    year = alt.param(
        name="year",
        value=start_year,
        bind=alt.binding_range(min=first_year, max=last_year, step=1, name=_("Year") + " "),
    )
    chart = (
        alt.Chart(alt.Data(values=values), title=title)
        .mark_bar()
        .encode(
            y=alt.Y("band:O", sort=order, title=_("Age")),
            x=alt.X("value:Q", title=_("Residents"), axis=alt.Axis(labelExpr="abs(datum.value)", format="d")),
            color=alt.Color(
                "sex:N",
                title=None,
                scale=alt.Scale(domain=[women, men], range=[WOMEN_COLOUR, MEN_COLOUR]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("year:O", title=_("Year")),
                alt.Tooltip("band:O", title=_("Age")),
                alt.Tooltip("sex:N", title=_("Sex")),
                alt.Tooltip("count:Q", title=_("Residents"), format=",d"),
            ],
        )
        .add_params(year)
        .transform_filter("datum.year == year")
        .properties(width="container", height=380)
        .configure_view(stroke=None)
    )
    return chart.to_dict(validate=False)


@cached_spec
def service_chart(points: list[dict], *, title: str, unit_title: str, synthetic: bool) -> dict:
    """The scenario's value as a line, its 80 % interval as a band and the demographic projection dashed."""
    data = alt.Data(values=points)
    x = alt.X("year:O", title=_("Year"), axis=alt.Axis(labelAngle=0))
    band = alt.Chart(data).mark_area(color=BAND_COLOUR, opacity=0.6).encode(x=x, y="p10:Q", y2="p90:Q")
    line = (
        alt.Chart(data)
        .mark_line(color=LINE_COLOUR, point=True)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=unit_title, scale=alt.Scale(zero=True)),
            tooltip=[
                alt.Tooltip("year:O", title=_("Year")),
                alt.Tooltip("value:Q", title=_("Scenario"), format=",.0f"),
                alt.Tooltip("p10:Q", title=_("10th percentile"), format=",.0f"),
                alt.Tooltip("p90:Q", title=_("90th percentile"), format=",.0f"),
                alt.Tooltip("demo:Q", title=_("Population change only"), format=",.0f"),
            ],
        )
    )
    demo = alt.Chart(data).mark_line(color=DEMO_COLOUR, strokeDash=[6, 4]).encode(x=x, y="demo:Q")
    chart = (
        alt.layer(band, demo, line, title=_title(title, synthetic))
        .properties(width="container", height=240)
        .configure_view(stroke=None)
    )
    return chart.to_dict(validate=False)
