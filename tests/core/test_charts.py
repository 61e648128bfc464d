"""Chart specs are built without Altair's run-time schema check (it costs ~100 ms a chart); the check runs here."""

import altair as alt

from samhandling.core.charts import bar_chart, population_pyramid


def test_the_population_pyramid_is_valid_vega_lite_and_keeps_every_number():
    bands = [{"band": "0–4", "start": 0, "K": 120, "M": 130}, {"band": "90+", "start": 90, "K": 40, "M": 15}]
    spec = population_pyramid(bands, title="Tønsberg")
    alt.Chart.from_dict(spec, validate=True)
    counts = sorted(row["count"] for row in spec["data"]["values"])
    assert counts == [15, 40, 120, 130]


def test_the_bar_chart_is_valid_vega_lite():
    spec = bar_chart(
        [{"month": "2026-01", "count": 3}], x="month", y="count", x_title="Måned", y_title="Avvik", title="Avvik"
    )
    alt.Chart.from_dict(spec, validate=True)
    assert spec["data"]["values"] == [{"month": "2026-01", "count": 3}]
