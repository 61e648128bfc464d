"""Vega-Lite chart specs built with Altair. Templates embed the spec as JSON and always show a table beside it."""

import hashlib
import json
from functools import wraps

import altair as alt
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def cached_spec(builder):
    """Building a spec with Altair costs ~15 ms; the same inputs in the same language give the same spec, so keep it.

    The key is a hash of the inputs themselves, so a changed number is a new key: never a stale chart."""

    @wraps(builder)
    def wrapper(*args, **kwargs):
        material = json.dumps([builder.__name__, get_language(), args, kwargs], sort_keys=True, default=str)
        key = "core.chart." + hashlib.sha256(material.encode()).hexdigest()[:32]
        spec = cache.get(key)
        if spec is None:
            spec = builder(*args, **kwargs)
            cache.set(key, spec, 60 * 60)
        return spec

    return wrapper


@cached_spec
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
    return chart.to_dict(validate=False)


@cached_spec
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
    return chart.to_dict(validate=False)


DOCUMENT_FONT = "DejaVu Sans"


def document_bar_chart(
    rows: list[dict],
    *,
    series: list[str],
    colours: list[str],
    value_title: str,
    horizontal: bool = True,
    width: int = 300,
) -> dict:
    """A static bar chart for printed documents (rendered with vl-convert, so fixed sizes and a local font).

    Each row is {"label", "series", "value", "text"}: `text` is the number as the document's table prints it, drawn
    at the end of the bar. A hidden number has value None: no bar, only its text (e.g. "<5"), so the chart never
    shows more than the table beside it.
    """
    data = alt.Data(values=rows)
    order = list(dict.fromkeys(row["label"] for row in rows))
    category = alt.Y if horizontal else alt.X
    amount = alt.X if horizontal else alt.Y
    offset = alt.YOffset if horizontal else alt.XOffset
    axis = alt.Axis(labelLimit=380) if horizontal else alt.Axis(labelAngle=0, labelLimit=80)
    position = {
        # An explicit order: the bars of hidden numbers are left out, which would otherwise move their labels last.
        ("y" if horizontal else "x"): category("label:N", title=None, sort=order, axis=axis),
        **({("yOffset" if horizontal else "xOffset"): offset("series:N", sort=series)} if len(series) > 1 else {}),
    }
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            **position,
            **{
                ("x" if horizontal else "y"): amount(
                    "value:Q", title=value_title, axis=alt.Axis(format="d", tickMinStep=1)
                )
            },
            color=alt.Color(
                "series:N",
                sort=series,
                scale=alt.Scale(domain=series, range=colours),
                legend=alt.Legend(orient="top", title=None) if len(series) > 1 else None,
            ),
        )
    )
    label_style = (
        {"align": "left", "baseline": "middle", "dx": 3} if horizontal else {"align": "center", "baseline": "bottom"}
    )
    numbers = (
        alt.Chart(data)
        .transform_calculate(at="datum.value == null ? 0 : datum.value")
        .mark_text(fontSize=11, color="#1e2b3c", **label_style, **({} if horizontal else {"dy": -3}))
        .encode(**position, **{("x" if horizontal else "y"): amount("at:Q")}, text="text:N")
    )
    step = 15 if len(series) > 1 else 20  # with an offset, the step is each bar's, not each group's
    size = {"width": width, "height": {"step": step}} if horizontal else {"width": {"step": 44}, "height": 200}
    chart = (
        alt.layer(bars, numbers)
        .properties(**size)
        .configure(font=DOCUMENT_FONT, background="white")
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=11, titleFontSize=11, labelColor="#1e2b3c", titleColor="#1e2b3c")
        .configure_legend(labelFontSize=11, symbolType="square")
    )
    return chart.to_dict(validate=False)
