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


def test_a_spec_is_reused_for_the_same_inputs_and_rebuilt_when_a_number_changes():
    from django.utils import translation

    bands = [{"band": "0–4", "start": 0, "K": 1, "M": 2}]
    first = population_pyramid(bands, title="X")
    assert population_pyramid(bands, title="X") == first
    changed = population_pyramid([{**bands[0], "K": 5}], title="X")
    assert sorted(row["count"] for row in changed["data"]["values"]) == [2, 5]
    with translation.override("nn"):
        assert population_pyramid(bands, title="X")["encoding"]["y"]["title"] == "Alder"
