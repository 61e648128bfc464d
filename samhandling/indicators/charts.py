"""Vega-Lite specs for the dashboards (Altair, cached like core's charts): a trend over the years and a ranked
comparison of areas, with the country's value and the target drawn as rules. Hidden values never reach a spec."""

import altair as alt
from django.utils.translation import gettext as _

from samhandling.core.charts import cached_spec

HIGHLIGHT, OTHER, COUNTRY_COLOUR, TARGET_COLOUR = "#0062ba", "#9fb4cc", "#1e2b3c", "#c01b1b"
SERIES_COLOURS = ["#0062ba", "#c36b00", "#1e2b3c", "#2e7d32"]


def _title(title: str, synthetic: bool) -> alt.TitleParams:
    return alt.TitleParams(text=title, subtitle=[_("Synthetic data")] if synthetic else [], anchor="start")


def _rule(value: float, label: str, colour: str, *, horizontal: bool, at_end: bool = False) -> alt.LayerChart:
    """A dashed reference line with its label; `at_end` puts the label at the other end, so two rules never overlap."""
    data = alt.Data(values=[{"value": value, "label": label}])
    position = alt.X("value:Q") if horizontal else alt.Y("value:Q")
    rule = (
        alt.Chart(data)
        .mark_rule(color=colour, strokeDash=[6, 4], strokeWidth=2)
        .encode(
            **({"x": position} if horizontal else {"y": position}),
            tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("value:Q", title=" ", format=",.1f")],
        )
    )
    if horizontal:
        across = alt.value({"expr": "height"}) if at_end else alt.value(0)
        text_style = {"align": "left", "baseline": "top" if at_end else "bottom", "dx": 4, "dy": 2 if at_end else -2}
        anchor = {"x": position, "y": across}
    else:
        across = alt.value({"expr": "width"}) if at_end else alt.value(0)
        text_style = {"align": "right" if at_end else "left", "baseline": "bottom", "dx": -4 if at_end else 4, "dy": -2}
        anchor = {"y": position, "x": across}
    text = alt.Chart(data).mark_text(color=colour, fontSize=11, **text_style).encode(**anchor, text="label:N")
    return alt.layer(rule, text)


@cached_spec
def trend_chart(
    points: list[dict],
    *,
    title: str,
    unit_title: str,
    target: float | None,
    target_label: str,
    synthetic: bool,
    x_title: str | None = None,
) -> dict:
    """Lines over the years, one per area ({"year", "value", "series"}); the target, if any, as a red rule. With
    `x_title` the "year" is any ordered label (the tertials: "2024 T1")."""
    series = list(dict.fromkeys(point["series"] for point in points))
    x_title = x_title or _("Year")
    lines = (
        alt.Chart(alt.Data(values=points))
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title=x_title, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=unit_title, scale=alt.Scale(zero=True)),
            color=alt.Color(
                "series:N",
                sort=series,
                title=None,
                scale=alt.Scale(domain=series, range=SERIES_COLOURS[: len(series)] or SERIES_COLOURS),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("series:N", title=_("Area")),
                alt.Tooltip("year:O", title=x_title),
                alt.Tooltip("value:Q", title=unit_title, format=",.1f"),
            ],
        )
    )
    layers = [lines]
    if any("low" in point for point in points):
        # The 95 % interval of each point as a vertical error bar in its series' colour.
        layers.append(
            alt.Chart(alt.Data(values=[p for p in points if "low" in p]))
            .mark_rule(strokeWidth=1.5, opacity=0.7)
            .encode(
                x=alt.X("year:O"),
                y=alt.Y("low:Q"),
                y2="high:Q",
                color=alt.Color("series:N", sort=series, legend=None),
                tooltip=[
                    alt.Tooltip("series:N", title=_("Area")),
                    alt.Tooltip("year:O", title=x_title),
                    alt.Tooltip("value:Q", title=unit_title, format=",.1f"),
                    alt.Tooltip("low:Q", title=_("Lower limit (95 per cent)"), format=",.1f"),
                    alt.Tooltip("high:Q", title=_("Upper limit (95 per cent)"), format=",.1f"),
                ],
            )
        )
    if target is not None:
        layers.append(_rule(target, target_label, TARGET_COLOUR, horizontal=False))
    chart = (
        alt.layer(*layers, title=_title(title, synthetic))
        .properties(width="container", height=260)
        .configure_view(stroke=None)
    )
    return chart.to_dict(validate=False)


@cached_spec
def comparison_chart(
    bars: list[dict],
    *,
    title: str,
    unit_title: str,
    country: float | None,
    country_label: str,
    target: float | None,
    target_label: str,
    synthetic: bool,
) -> dict:
    """Horizontal bars in the given order ({"label", "value", "highlight"}); the country and the target as rules."""
    order = [bar["label"] for bar in bars]
    chart_bars = (
        alt.Chart(alt.Data(values=bars))
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X("value:Q", title=unit_title, scale=alt.Scale(zero=True)),
            color=alt.condition("datum.highlight", alt.value(HIGHLIGHT), alt.value(OTHER)),
            tooltip=[alt.Tooltip("label:N", title=_("Area")), alt.Tooltip("value:Q", title=unit_title, format=",.1f")],
        )
    )
    layers = [chart_bars]
    if any("low" in bar for bar in bars):
        layers.append(
            alt.Chart(alt.Data(values=[bar for bar in bars if "low" in bar]))
            .mark_errorbar(ticks=True, color=COUNTRY_COLOUR)
            .encode(
                y=alt.Y("label:N", sort=order, title=None),
                x=alt.X("low:Q", title=unit_title),
                x2="high:Q",
                tooltip=[
                    alt.Tooltip("label:N", title=_("Area")),
                    alt.Tooltip("value:Q", title=unit_title, format=",.1f"),
                    alt.Tooltip("low:Q", title=_("Lower limit (95 per cent)"), format=",.1f"),
                    alt.Tooltip("high:Q", title=_("Upper limit (95 per cent)"), format=",.1f"),
                ],
            )
        )
    if country is not None:
        layers.append(_rule(country, country_label, COUNTRY_COLOUR, horizontal=True))
    if target is not None:
        layers.append(_rule(target, target_label, TARGET_COLOUR, horizontal=True, at_end=True))
    chart = (
        alt.layer(*layers, title=_title(title, synthetic))
        .properties(width="container", height={"step": 22})
        .configure_view(stroke=None)
    )
    return chart.to_dict(validate=False)


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 32, 3


def sparkline(values: list[float | None], *, target: float | None = None) -> dict | None:
    """A small trend line for an overview tile, as SVG coordinates (drawn by the template, no script): a hidden or
    missing year is a gap in the line, never a zero. None with fewer than two values to draw."""
    shown = [value for value in values if value is not None]
    if len(shown) < 2:
        return None
    low, high = (
        min([*shown, *([target] if target is not None else [])]),
        max([*shown, *([target] if target is not None else [])]),
    )
    low = min(low, 0.0) if low >= 0 and low < high * 0.25 else low
    span = (high - low) or 1.0
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(values) - 1, 1)

    def y(value: float) -> float:
        return round(SPARK_HEIGHT - SPARK_PAD - (value - low) / span * (SPARK_HEIGHT - 2 * SPARK_PAD), 1)

    segments: list[list[tuple[float, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append((round(SPARK_PAD + index * step, 1), y(value)))
    lines = [" ".join(f"{x},{y_}" for x, y_ in segment) for segment in segments if len(segment) > 1]
    dots = [point for segment in segments for point in segment]
    # Coordinates as plain strings: a template would print a float with the reader's decimal comma.
    return {
        "width": SPARK_WIDTH,
        "height": SPARK_HEIGHT,
        "lines": lines,
        "dots": [(str(x), str(y_)) for x, y_ in dots],
        "target_y": str(y(target)) if target is not None else None,
    }


# --- the map and the funnel plot ---------------------------------------------------------------------------------

HATCH = "url(#skjult-hatch)"  # the pattern is defined once in the map page (indicators/_hatch.html)
NO_VALUE_COLOUR = "#e5e7eb"
MAP_CREDIT = "Kart: © Kartverket (CC BY 4.0)"
BETTER_SCHEME = "yellowgreenblue"  # pale = worse, dark blue = better (reversed where lower is better)
NEUTRAL_SCHEME = "purples"


@cached_spec
def choropleth(
    rows: list[dict],
    *,
    map_url: str,
    by_community: bool,
    outline: str | None,
    title: str,
    legend_title: list[str],
    higher_is_better: bool | None,
    hidden_label: str,
    no_value_label: str,
    synthetic: bool,
) -> dict:
    """Municipalities coloured by value ({"code", "name", "value", "display", "hidden"}), keyed by municipality
    number, or by the community's key with `by_community` (each municipality takes its community's colour and the
    communities' outlines are drawn over them: merged areas). A hidden area is hatched, never coloured; an area
    without a value is grey. `outline` is a community key drawn with a heavy line."""
    key = "properties.hf" if by_community else "id"
    shapes = alt.Data(url=map_url, format=alt.DataFormat(type="topojson", feature="kommuner"))
    lines = alt.Data(url=map_url, format=alt.DataFormat(type="topojson", feature="helsefellesskap"))
    if higher_is_better is None:
        scale = alt.Scale(scheme=NEUTRAL_SCHEME)
    else:
        scale = alt.Scale(scheme=BETTER_SCHEME, reverse=not higher_is_better)
    projection = {"type": "transverseMercator", "rotate": [-15, 0, 0]}
    fill = alt.Color(
        "value:Q",
        scale=scale,
        title=legend_title,
        legend=alt.Legend(orient="top-left", direction="vertical", gradientLength=140, titleLimit=260),
        condition=[
            {"test": "datum.hidden === true", "value": HATCH},
            {"test": "!isValid(datum.value)", "value": NO_VALUE_COLOUR},
        ],
    )
    base = (
        alt.Chart(shapes)
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.4, invalid=None)
        .transform_lookup(
            lookup=key,
            from_=alt.LookupData(alt.Data(values=rows), "code", ["name", "value", "display", "hidden"]),
        )
        .transform_calculate(
            label="isValid(datum.name) ? datum.name : datum.properties.name",
            shown=f"datum.hidden === true ? {json_text(hidden_label)} : "
            f"(isValid(datum.display) ? datum.display : {json_text(no_value_label)})",
        )
        .encode(
            color=fill,
            tooltip=[alt.Tooltip("label:N", title=_("Area")), alt.Tooltip("shown:N", title=_("Value"))],
        )
        .project(**projection)
    )
    layers = [base]
    if by_community:
        layers.append(
            alt.Chart(lines)
            .mark_geoshape(filled=False, stroke="#1e2b3c", strokeWidth=0.9, aria=False)
            .project(**projection)
        )
    if outline:
        layers.append(
            alt.Chart(lines)
            .mark_geoshape(filled=False, stroke="#000000", strokeWidth=2.2, aria=False)
            .transform_filter(alt.FieldEqualPredicate(field="id", equal=outline))
            .project(**projection)
        )
    credit = (
        alt.Chart(alt.Data(values=[{"text": MAP_CREDIT}]))
        .mark_text(align="right", baseline="bottom", fontSize=10, color="#374151", dx=-2, dy=-2, aria=False)
        .encode(text="text:N", x=alt.value({"expr": "width"}), y=alt.value({"expr": "height"}))
    )
    layers.append(credit)
    chart = (
        alt.layer(*layers, title=_title(title, synthetic))
        .properties(width="container", height=560)
        .configure_view(stroke=None)
    )
    return chart.to_dict(validate=False)


def json_text(text: str) -> str:
    """A string literal for a Vega expression."""
    import json

    return json.dumps(str(text), ensure_ascii=False)


@cached_spec
def funnel_chart(
    points: list[dict],
    limits: list[dict],
    *,
    centre: float,
    title: str,
    unit_title: str,
    x_title: str,
    centre_label: str,
    places: list[str],
    synthetic: bool,
) -> dict:
    """Value against denominator ({"label", "denominator", "value", "outside"}) with the 95 % and 99.8 % control
    limits around the country's value ({"denominator", "low_95", "high_95", "low_99_8", "high_99_8"})."""
    limit_rows = []
    for row in limits:
        for name, low, high in (("95 %", "low_95", "high_95"), ("99,8 %", "low_99_8", "high_99_8")):
            limit_rows.append({"denominator": row["denominator"], "limit": name, "side": "low", "y": row[low]})
            limit_rows.append({"denominator": row["denominator"], "limit": name, "side": "high", "y": row[high]})
    x = alt.X("denominator:Q", title=x_title, scale=alt.Scale(type="log"))
    # The limits of the smallest areas shoot up; the axis follows the points (and the centre), the limits are clipped.
    top = max([point["value"] for point in points] + [centre]) * 1.15 or 1.0
    y_scale = alt.Scale(domain=[0, top], nice=True)
    lines = (
        alt.Chart(alt.Data(values=limit_rows))
        .mark_line(strokeWidth=1.2, clip=True)
        .encode(
            x=x,
            y=alt.Y("y:Q", title=unit_title, scale=y_scale),
            detail="side:N",
            strokeDash=alt.StrokeDash(
                "limit:N",
                title=_("Control limits"),
                scale=alt.Scale(domain=["95 %", "99,8 %"], range=[[6, 3], [2, 2]]),
                legend=alt.Legend(orient="top"),
            ),
            color=alt.value("#6b7280"),
        )
    )
    centre_rule = (
        alt.Chart(alt.Data(values=[{"y": centre, "label": centre_label}]))
        .mark_rule(color=COUNTRY_COLOUR, strokeWidth=1.5)
        .encode(y="y:Q", tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("y:Q", title=" ", format=",.1f")])
    )
    dots = (
        alt.Chart(alt.Data(values=points))
        .mark_point(filled=True, size=60, opacity=0.9)
        .encode(
            x=x,
            y=alt.Y("value:Q", scale=y_scale),
            shape=alt.Shape(
                "outside:N",
                title=_("Against the outer limits"),
                scale=alt.Scale(domain=places, range=["circle", "triangle-up", "triangle-down"]),
                legend=alt.Legend(orient="top"),
            ),
            color=alt.Color(
                "outside:N",
                title=_("Against the outer limits"),
                scale=alt.Scale(domain=places, range=[HIGHLIGHT, TARGET_COLOUR, "#c36b00"]),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=_("Area")),
                alt.Tooltip("value:Q", title=unit_title, format=",.1f"),
                alt.Tooltip("denominator:Q", title=x_title, format=",.0f"),
                alt.Tooltip("outside:N", title=" "),
            ],
        )
    )
    chart = (
        alt.layer(lines, centre_rule, dots, title=_title(title, synthetic))
        .properties(width="container", height=360)
        .configure_view(stroke=None)
    )
    return chart.to_dict(validate=False)
