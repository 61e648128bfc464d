"""Vega-Lite chart specs built with Altair. Templates embed the spec as JSON and always show a table beside it."""

import altair as alt
from django.utils.translation import gettext as _


def population_pyramid(bands: list[dict], *, title: str) -> dict:
    """Residents by age band with women to the right and men to the left (men drawn as negative values)."""
    women, men = _("Women"), _("Men")
    rows = []
    for band in bands:
        rows.append(
            {"band": band["band"], "start": band["start"], "sex": women, "value": band["K"], "count": band["K"]}
        )
        rows.append({"band": band["band"], "start": band["start"], "sex": men, "value": -band["M"], "count": band["M"]})
    order = [band["band"] for band in sorted(bands, key=lambda b: -b["start"])]
    chart = (
        alt.Chart(alt.Data(values=rows), title=title)
        .mark_bar()
        .encode(
            y=alt.Y("band:O", sort=order, title=_("Age")),
            x=alt.X("value:Q", title=_("Residents"), axis=alt.Axis(labelExpr="abs(datum.value)", format="d")),
            color=alt.Color(
                "sex:N",
                title=None,
                scale=alt.Scale(domain=[women, men], range=["#0062ba", "#c36b00"]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("band:O", title=_("Age")),
                alt.Tooltip("sex:N", title=_("Sex")),
                alt.Tooltip("count:Q", title=_("Residents"), format=",d"),
            ],
        )
        .properties(width="container", height=360)
        .configure_view(stroke=None)
    )
    return chart.to_dict()


def bar_chart(rows: list[dict], *, x: str, y: str, x_title: str, y_title: str, title: str) -> dict:
    """A plain vertical bar chart of `rows` (the page shows the same rows as a table)."""
    chart = (
        alt.Chart(alt.Data(values=rows), title=title)
        .mark_bar(color="#0062ba")
        .encode(
            x=alt.X(f"{x}:O", title=x_title),
            y=alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format="d", tickMinStep=1)),
            tooltip=[alt.Tooltip(f"{x}:O", title=x_title), alt.Tooltip(f"{y}:Q", title=y_title)],
        )
        .properties(width="container", height=280)
        .configure_view(stroke=None)
    )
    return chart.to_dict()
