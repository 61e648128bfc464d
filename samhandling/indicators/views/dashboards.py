"""Thin views for the dashboards: the country, each health community, municipality and district, one indicator
across the communities, and the export of any of them. Each view serves both the logged-in pages and the public
pages under /styringsinformasjon/offentlig/ (`public=True`: the published run only, small numbers hidden)."""

import functools
import hashlib
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from samhandling.core.http import community_by_slug_or_redirect, parse_id
from samhandling.core.permissions import can, require

from .. import charts, exports, selectors, services
from ..access import sees_raw_values
from ..engine import intervals
from ..forms import ComparisonGroupForm, IndicatorChoiceForm, MapChoiceForm
from ..models import ComparisonGroup, Level
from .common import page


def dashboard_view(view):
    """Public pages need nothing; the logged-in pages need a log-in and the dashboard rule. Adds `raw` and `run`."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, public: bool = False, **kwargs):
        if not public:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require(request.user, "indicators.view_dashboards")
        raw = not public and sees_raw_values(request.user)
        run_id = None if public else parse_id(request.GET.get("kjoring"))
        if not public and request.GET.get("kjoring") and run_id is None:
            raise Http404
        run = selectors.run_for(request.user, public=public, run_id=run_id)
        return view(request, *args, public=public, raw=raw, run=run, **kwargs)

    return require_GET(wrapped)


def _name(public: bool, name: str) -> str:
    return f"indicators:{'public_' if public else ''}{name}"


def area_url(area: selectors.Area, public: bool) -> str:
    if area.level == Level.LAND:
        return reverse(_name(public, "home"))
    if area.level == Level.HELSEFELLESSKAP:
        return reverse(_name(public, "community"), args=[area.slug])
    if area.level == Level.KOMMUNE:
        return reverse(_name(public, "municipality"), args=[area.code])
    return reverse(_name(public, "district"), args=[area.code])


def _common(request, *, public: bool, raw: bool, run, crumbs=None) -> dict:
    language = get_language()
    return {
        **page(request, "dashboards", with_tabs=raw and not public, crumbs=crumbs),
        "public": public,
        "raw": raw,
        "run": run,
        "language": language,
        "home_url": reverse(_name(public, "home")),
        "other_view_url": reverse(_name(not public, "home")),
        "run_query": f"kjoring={run.pk}" if run is not None and raw and request.GET.get("kjoring") else "",
        "analyst_nav": raw and not public,
    }


def _chart_rows(pairs, label: str, *, highlight: str | None = None) -> list[dict]:
    """Bars for a chart from (area, cell): hidden and missing values are left out of the chart (the table says why)."""
    return [
        {
            "label": area.name,
            "value": round(cell.value, 3),
            "highlight": area.code == highlight,
            **_limits(cell),
        }
        for area, cell in pairs
        if cell is not None and cell.value is not None
    ]


def _limits(cell) -> dict:
    """The 95 % limits for an error bar (only where the cell has them: a hidden cell has no value and no limits)."""
    if cell.ci_low is None or cell.ci_high is None:
        return {}
    return {"low": round(cell.ci_low, 3), "high": round(cell.ci_high, 3)}


def _indicator_detail(run, area, indicator, *, raw: bool, public: bool) -> dict:
    """The charts and tables of one indicator on an area page: trend, comparison, municipalities, centrality."""
    language = get_language()
    years = selectors.run_years(run)
    latest = years[-1] if years else None
    unit_title = selectors.unit_label(indicator.unit)
    target = getattr(indicator, "target", None)
    target_label = _("Target") if target is not None else ""
    country = selectors.country()
    name = indicator.name(language)

    series_areas = [area]
    if area.municipality is not None:
        series_areas.append(area.municipality)
    if area.community is not None:
        series_areas.append(area.community)
    if area.level != Level.LAND:
        series_areas.append(country)
    trend = selectors.trend(run, indicator, series_areas, raw=raw)
    points = [
        {"year": year, "value": round(cell.value, 3), "series": a.name, **_limits(cell)}
        for a in series_areas
        for year, cell in trend[a.key]
        if cell is not None and cell.value is not None
    ]
    detail = {
        "indicator": indicator,
        "name": name,
        "description": indicator.description(language),
        "unit_title": unit_title,
        "direction": selectors.direction_text(indicator),
        "ranked": getattr(indicator, "higher_is_better", None) is not None,
        "target": target,
        "years": years,
        "latest_year": latest,
        "trend_areas": [(a, trend[a.key]) for a in series_areas],
        "trend_chart": charts.trend_chart(
            points,
            title=_("%(indicator)s over the years") % {"indicator": name},
            unit_title=unit_title,
            target=target,
            target_label=target_label,
            synthetic=run.synthetic,
        )
        if points
        else None,
        "comparisons": [],
    }
    detail.update(_tertial_detail(run, indicator, series_areas, name=name, unit_title=unit_title, raw=raw))

    def comparison(key: str, title: str, areas: list, highlight: str | None, links: bool = True) -> None:
        ranked = selectors.indicator_ranking(run, indicator, areas, latest, raw=raw)
        if not ranked:
            return
        national = selectors.indicator_ranking(run, indicator, [country], latest, raw=raw)
        national_cell = national[0].cell if national else None
        national_value = national_cell.value if national_cell is not None else None
        bars = _chart_rows([(r.area, r.cell) for r in ranked], title, highlight=highlight)
        detail["comparisons"].append(
            {
                "key": key,
                "title": title,
                "rows": [(r, area_url(r.area, public) if links else "") for r in ranked],
                "country": national_cell,
                "chart": charts.comparison_chart(
                    bars,
                    title=title,
                    unit_title=unit_title,
                    country=national_value,
                    country_label=_("Norway"),
                    target=target,
                    target_label=target_label,
                    synthetic=run.synthetic,
                )
                if bars
                else None,
                "highlight": highlight,
            }
        )

    if area.level in (Level.LAND, Level.HELSEFELLESSKAP):
        comparison(
            "communities",
            _("The 19 health communities, %(year)s") % {"year": latest},
            selectors.communities(),
            area.code if area.level == Level.HELSEFELLESSKAP else None,
        )
    if area.level == Level.HELSEFELLESSKAP:
        comparison(
            "municipalities",
            _("Municipalities in %(area)s, %(year)s") % {"area": area.name, "year": latest},
            selectors.municipalities_of(area),
            None,
        )
    if area.level == Level.KOMMUNE and area.community is not None:
        comparison(
            "municipalities",
            _("Municipalities in %(area)s, %(year)s") % {"area": area.community.name, "year": latest},
            selectors.municipalities_of(area.community),
            area.code,
        )
        districts = selectors.districts_of(area)
        if districts:
            comparison(
                "districts",
                _("City districts in %(area)s, %(year)s") % {"area": area.name, "year": latest},
                districts,
                None,
            )
    if area.level == Level.BYDEL and area.municipality is not None:
        comparison(
            "districts",
            _("City districts in %(area)s, %(year)s") % {"area": area.municipality.name, "year": latest},
            selectors.districts_of(area.municipality),
            area.code,
        )
    if area.level in (Level.LAND, Level.HELSEFELLESSKAP):
        municipalities = selectors.municipalities_of(area) if area.level == Level.HELSEFELLESSKAP else None
        detail["centrality"] = selectors.centrality_breakdown(
            run, indicator, latest, municipalities=municipalities, raw=raw
        )
    return detail


def _tertial_detail(run, indicator, areas: list, *, name: str, unit_title: str, raw: bool) -> dict:
    """The tertial table (and its chart) of one indicator, when the run stored tertial values for it. Rates per
    1 000 are the four months' count over the population on 1 January, not annualised, so a yearly target of a
    rate would not apply; a share's target (per cent) does."""
    table = selectors.tertials(run, indicator, areas, raw=raw)
    target = getattr(indicator, "target", None) if indicator.unit == "percent" else None
    if not table.columns:
        return {"tertials": None}
    points = [
        {"year": f"{year} {period}", "value": round(cell.value, 3), "series": area.name, **_limits(cell)}
        for area, cells in table.rows
        for (year, period), (_period, cell) in zip(table.columns, cells, strict=True)
        if period != selectors.ONE_YEAR and cell is not None and cell.value is not None
    ]
    chart = (
        charts.trend_chart(
            points,
            title=_("%(indicator)s by tertial") % {"indicator": name},
            unit_title=unit_title,
            target=target,
            target_label=_("Target") if target is not None else "",
            synthetic=run.synthetic,
            x_title=_("Tertial"),
        )
        if points
        else None
    )
    return {"tertials": table, "tertial_chart": chart}


def _deferred(context: dict, compute, names: tuple[str, ...]) -> None:
    """Put `names` in the context as callables that run `compute()` (once) only when the template asks for them.
    They stand inside the page's `{% cache %}` block (see `_page_key`), so a cached page skips building its
    choosers, numbers and charts as well as rendering them (they were most of the page's CPU)."""
    result: dict = {}

    def value(name: str):
        if not result:
            result.update(compute())
        return result[name]

    for name in names:
        context[name] = functools.partial(value, name)


def _page_key(request, view: str, run, *, public: bool, raw: bool, params: tuple[str, ...], extra=()) -> str:
    """The key of a page's cached body (`{% cache … page_key %}` around the whole of `{% block page %}`).

    The body is the same for everyone who sees the same run with the same choice in the same language and
    audience, so a cached page builds neither its choosers nor its numbers. The key holds the run's identity and
    publication state, the language, the audience, the page's own query parameters (as typed: a bad value gives
    its own key and the page's fallback), the generation of the kept areas (a renamed municipality or a community's
    new member is shown at once in this process, and within ten minutes in the others) and `extra` (the area, or a
    user's own comparison groups)."""
    query = tuple((name, request.GET.get(name, "")[:100]) for name in ("kjoring", *params))
    state = (run.pk, run.created_at.isoformat(), run.status) if run is not None else None
    parts = (view, state, get_language(), public, raw, query, selectors.area_generation(), *extra)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


# What each page's body shows beyond the shared context: built by _area_body, _map_body and _funnel_body.
AREA_BODY = (
    "subareas",
    "form",
    "map_url",
    "funnel_url",
    "national_url",
    "similar_url",
    "chosen_indicator",
    "indicator_page",
    "dashboard",
    "detail",
)


def _area_page(request, area: selectors.Area, *, public: bool, raw: bool, run) -> HttpResponse:
    query = f"?kjoring={run.pk}" if run is not None and raw and request.GET.get("kjoring") else ""
    crumbs = [
        (a.name, area_url(a, public) + query)
        for a in (selectors.country(), area.community, area.municipality)
        if a is not None and a.key != area.key
    ]
    context = _common(request, public=public, raw=raw, run=run, crumbs=[*crumbs, (area.name, None)] if crumbs else [])
    context["area"] = area
    context["export_query"] = f"niva={area.level}&omrade={area.code}"
    context["export_csv"] = reverse(_name(public, "export"), args=["csv"])
    context["export_xlsx"] = reverse(_name(public, "export"), args=["xlsx"])
    context["page_key"] = _page_key(
        request, "area", run, public=public, raw=raw, params=("indikator",), extra=(area.key,)
    )
    _deferred(context, lambda: _area_body(request, area, public=public, raw=raw, run=run), AREA_BODY)
    return render(request, "indicators/area.html", context)


def _area_body(request, area: selectors.Area, *, public: bool, raw: bool, run) -> dict:
    """Everything of an area page below its heading: built only when the page's cached body is missing."""
    context: dict = dict.fromkeys(AREA_BODY)
    if area.level == Level.HELSEFELLESSKAP:
        context["subareas"] = [(m, area_url(m, public)) for m in selectors.municipalities_of(area)]
    elif area.level == Level.KOMMUNE:
        context["subareas"] = [(d, area_url(d, public)) for d in selectors.districts_of(area)]
    elif area.level == Level.LAND:
        context["subareas"] = [(c, area_url(c, public)) for c in selectors.communities()]
    if run is not None:
        indicators = selectors.catalogue()
        form = IndicatorChoiceForm(request.GET or None, indicators=indicators, language=get_language())
        chosen = form.cleaned_data["indikator"] if form.is_valid() else indicators[0].id if indicators else None
        if form.is_bound and not form.is_valid():
            form = IndicatorChoiceForm(indicators=indicators, language=get_language())
        form.initial = {"indikator": chosen}
        scope = area.community or (area if area.level == Level.HELSEFELLESSKAP else None)
        query = "?" + urlencode({"fellesskap": scope.code}) if scope is not None else ""
        context["map_url"] = reverse(_name(public, "map")) + query
        context["funnel_url"] = reverse(_name(public, "funnel")) + query
        context["national_url"] = reverse(_name(public, "national"))
        if area.level == Level.KOMMUNE and area.centrality_class:
            context["similar_url"] = (
                reverse(_name(public, "funnel")) + "?" + urlencode({"sentralitet": area.centrality_class})
            )
        context["form"] = form
        indicator = selectors.indicator_or_404(chosen) if chosen else None
        context["chosen_indicator"] = chosen or ""
        if chosen:
            context["indicator_page"] = reverse(_name(public, "indicator"), args=[chosen])
        dashboard = selectors.area_dashboard(run, area, raw=raw)
        for _group, rows in dashboard.groups:
            for row in rows:
                values = [cell.value if cell is not None else None for _year, cell in row.trend]
                row.spark = charts.sparkline(values, target=getattr(row.indicator, "target", None))
        context["dashboard"] = dashboard
        context["detail"] = _indicator_detail(run, area, indicator, raw=raw, public=public) if indicator else None
    return context


@dashboard_view
def home(request, *, public, raw, run):
    return _area_page(request, selectors.country(), public=public, raw=raw, run=run)


@dashboard_view
def community(request, slug: str, *, public, raw, run):
    # An old slug (before æ/ø/å were transliterated) answers 301 to today's address.
    community = community_by_slug_or_redirect(request, slug)
    return _area_page(request, selectors.community_area(community), public=public, raw=raw, run=run)


@dashboard_view
def municipality(request, number: str, *, public, raw, run):
    return _area_page(request, selectors.municipality_area(number), public=public, raw=raw, run=run)


@dashboard_view
def district(request, number: str, *, public, raw, run):
    return _area_page(request, selectors.district_area(number), public=public, raw=raw, run=run)


@dashboard_view
def indicator(request, indicator_id: str, *, public, raw, run):
    """One indicator: the 19 communities ranked, the country over the years, and the centrality classes."""
    chosen = selectors.indicator_or_404(indicator_id)
    name = chosen.name(get_language())
    query = f"?kjoring={run.pk}" if run is not None and raw and request.GET.get("kjoring") else ""
    crumbs = [(_("Norway"), reverse(_name(public, "home")) + query), (name, None)]
    context = _common(request, public=public, raw=raw, run=run, crumbs=crumbs)
    context["area"] = selectors.country()
    context["export_query"] = f"indikator={chosen.id}"
    context["export_csv"] = reverse(_name(public, "export"), args=["csv"])
    context["export_xlsx"] = reverse(_name(public, "export"), args=["xlsx"])
    context["chosen"] = chosen
    context["name"] = name
    if run is not None:
        context["detail"] = _indicator_detail(run, selectors.country(), chosen, raw=raw, public=public)
    return render(request, "indicators/indicator.html", context)


@dashboard_view
def export(request, fmt: str, *, public, raw, run):
    """CSV or XLSX of an area (niva + omrade) or of an indicator (indikator); suppressed values are blank."""
    return exports.export_response(request, fmt, run=run, raw=raw, public=public)


# --- map and funnel plot ------------------------------------------------------------------------------------------


def _choices(request, run, *, levels: bool, groups=()) -> tuple[MapChoiceForm, dict]:
    """The map's or funnel's choosers, bound to the query; invalid or absent choices fall back to the defaults
    (the first indicator, the latest year, municipalities, the whole country)."""
    indicators = selectors.catalogue()
    years = selectors.run_years(run)
    communities = selectors.communities()
    options = {
        "indicators": indicators,
        "years": years,
        "communities": communities,
        "language": get_language(),
        "groups": groups,
    }
    defaults = {
        "indikator": indicators[0].id if indicators else "",
        "aar": years[-1] if years else None,
        "niva": Level.KOMMUNE,
        "fellesskap": "",
        "sentralitet": None,
        "gruppe": None,
    }
    form = MapChoiceForm({**defaults, **request.GET.dict()}, levels=levels, **options)
    chosen = dict(defaults)
    if form.is_valid():
        chosen.update({key: value for key, value in form.cleaned_data.items() if value not in (None,)})
    else:
        form = MapChoiceForm(defaults, levels=levels, **options)
        form.is_valid()
    chosen["niva"] = chosen.get("niva") or Level.KOMMUNE
    chosen["community"] = next((c for c in communities if c.code == chosen.get("fellesskap")), None)
    chosen["group"] = next((g for g in groups if g.pk == chosen.get("gruppe")), None)
    return form, chosen


MAP_PARAMS = ("indikator", "aar", "niva", "fellesskap")
MAP_BODY = (
    "form",
    "indicator",
    "name",
    "year",
    "level",
    "community",
    "unit_title",
    "direction",
    "title",
    "rows",
    "country",
    "chart",
)


@dashboard_view
def map_view(request, *, public, raw, run):
    """A choropleth of every municipality (or the communities as merged areas) for one indicator and year, with the
    same numbers in a table beside it; hidden areas are hatched, never coloured."""
    crumbs = [(_("Norway"), reverse(_name(public, "home"))), (_("Map"), None)]
    context = _common(request, public=public, raw=raw, run=run, crumbs=crumbs)
    context["page_key"] = _page_key(request, "map", run, public=public, raw=raw, params=MAP_PARAMS)
    if run is not None:
        _deferred(context, lambda: _map_body(request, run, public=public, raw=raw), MAP_BODY)
    return render(request, "indicators/map.html", context)


def _map_body(request, run, *, public: bool, raw: bool) -> dict:
    """The map page's choosers, numbers and chart: built only when the page's cached body is missing."""
    form, chosen = _choices(request, run, levels=True)
    indicator = selectors.indicator_or_404(chosen["indikator"])
    name = indicator.name(get_language())
    level, community, year = chosen["niva"], chosen["community"], chosen["aar"]
    title = _("%(indicator)s, %(year)s") % {"indicator": name, "year": year}
    unit_title, direction = selectors.unit_label(indicator.unit), _map_direction(indicator)
    rows = selectors.level_cells(run, indicator, level, year, raw=raw)
    return {
        "form": form,
        "indicator": indicator,
        "name": name,
        "year": year,
        "level": level,
        "community": community,
        "unit_title": unit_title,
        "direction": direction,
        "title": title,
        "rows": [(row, _row_url(row, level, public)) for row in rows],
        "country": selectors.country_cell(run, indicator, year, raw=raw),
        "chart": charts.choropleth(
            [_map_datum(row) for row in rows],
            map_url=static(MAP_FILE),
            by_community=level == Level.HELSEFELLESSKAP,
            outline=community.code if community else None,
            title=title,
            legend_title=[unit_title, direction],
            higher_is_better=indicator.higher_is_better,
            hidden_label=_("hidden"),
            no_value_label=_("no value"),
            synthetic=run.synthetic,
        ),
    }


MAP_FILE = "maps/kommuner_2024.topo.json"


def _map_datum(row: selectors.MapRow) -> dict:
    """What the map draws of one area: a hidden cell carries no number, no limits and no display text."""
    cell = row.cell
    if cell is None or cell.hidden:
        return {"code": row.code, "name": row.name, "hidden": bool(cell and cell.hidden)}
    return {
        "code": row.code,
        "name": row.name,
        "value": round(cell.value, 3) if cell.value is not None else None,
        "display": cell.display,
        "hidden": False,
    }


def _row_url(row: selectors.MapRow, level: str, public: bool) -> str:
    if level == Level.KOMMUNE:
        return reverse(_name(public, "municipality"), args=[row.code])
    return ""


def _map_direction(indicator) -> str:
    if indicator.higher_is_better is True:
        return _("higher is better, darker colour")
    if indicator.higher_is_better is False:
        return _("lower is better, darker colour")
    return _("neither higher nor lower is better")


FUNNEL_BODY = (
    "form",
    "indicator",
    "name",
    "year",
    "community",
    "group",
    "title",
    "unit_title",
    "denominator_title",
    "country",
    "rows",
    "chart",
)
FUNNEL_PARAMS = ("indikator", "aar", "fellesskap", "sentralitet", "gruppe")


@dashboard_view
def funnel(request, *, public, raw, run):
    """A funnel plot: each municipality's value against its population, with 95 % and 99.8 % control limits around
    the country's value, so a small municipality is not flagged for what chance alone explains."""
    crumbs = [(_("Norway"), reverse(_name(public, "home"))), (_("Funnel plot"), None)]
    context = _common(request, public=public, raw=raw, run=run, crumbs=crumbs)
    # A signed-in user may compare with one of their own groups (never on the public pages): they are among the
    # choices, so a user's groups (each made once, never edited) are part of the key of the cached page.
    groups = selectors.comparison_groups(request.user) if run is not None and not public else []
    mine = (request.user.pk, tuple(g.pk for g in groups)) if groups else ()
    context["page_key"] = _page_key(request, "funnel", run, public=public, raw=raw, params=FUNNEL_PARAMS, extra=mine)
    if run is not None:
        _deferred(context, lambda: _funnel_body(request, run, groups, public=public, raw=raw), FUNNEL_BODY)
    return render(request, "indicators/funnel.html", context)


def _funnel_body(request, run, groups, *, public: bool, raw: bool) -> dict:
    """The funnel page's choosers, numbers and chart: built only when the page's cached body is missing."""
    form, chosen = _choices(request, run, levels=False, groups=groups)
    indicator = selectors.indicator_or_404(chosen["indikator"])
    name = indicator.name(get_language())
    community, year, centrality = chosen["community"], chosen["aar"], chosen.get("sentralitet")
    group = chosen["group"]
    codes = selectors.municipality_codes(community=community, centrality_class=centrality)
    if group is not None:
        codes = [code for code in group.municipalities if codes is None or code in codes]
    if community:
        title = _("%(indicator)s in the municipalities of %(community)s, %(year)s") % {
            "indicator": name,
            "community": community.name,
            "year": year,
        }
    else:
        title = _("%(indicator)s in every municipality, %(year)s") % {"indicator": name, "year": year}
    if centrality:
        title = _("%(title)s, centrality class %(class)s") % {"title": title, "class": centrality}
    if group is not None:
        title = _("%(title)s, group “%(group)s”") % {"title": title, "group": group.name}
    return {
        "form": form,
        "indicator": indicator,
        "name": name,
        "year": year,
        "community": community,
        "group": group,
        "title": title,
        "unit_title": selectors.unit_label(indicator.unit),
        "denominator_title": _denominator_title(indicator),
        **_funnel_numbers(run, indicator, year, codes, raw=raw, title=title),
    }


def _funnel_numbers(run, indicator, year, codes, *, raw: bool, title: str) -> dict:
    """The funnel's rows (each with its place against the limits), the country's value and the chart."""
    rows = selectors.level_cells(run, indicator, Level.KOMMUNE, year, raw=raw, codes=codes)
    country = selectors.country_cell(run, indicator, year, raw=raw)
    funnel_rows, points, limits = [], [], []
    if country is not None and country.value is not None:
        sizes = [row.cell.denominator for row in rows if row.cell and not row.cell.hidden and row.cell.denominator]
        if sizes:
            low, high = max(min(sizes) * 0.8, 1.0), max(sizes) * 1.25
            steps = 60
            grid = [low * (high / low) ** (i / steps) for i in range(steps + 1)]
            limits = intervals.funnel_limits(indicator.unit, country.value, indicator.factor, grid)
        for row in rows:
            cell = row.cell
            if cell is None or cell.hidden or cell.value is None or not cell.denominator:
                funnel_rows.append((row, None))
                continue
            bounds = intervals.funnel_limits(indicator.unit, country.value, indicator.factor, [cell.denominator])[0]
            place = _funnel_place(cell.value, bounds)
            funnel_rows.append((row, place))
            points.append(
                {
                    "label": row.name,
                    "denominator": cell.denominator,
                    "value": round(cell.value, 3),
                    "outside": str(place),
                }
            )
    return {
        "country": country,
        "rows": funnel_rows,
        "chart": charts.funnel_chart(
            points,
            limits,
            centre=round(country.value, 3),
            title=title,
            unit_title=selectors.unit_label(indicator.unit),
            x_title=_denominator_title(indicator),
            centre_label=_("Norway"),
            places=[str(_("Within the limits")), str(_("Above the limits")), str(_("Below the limits"))],
            synthetic=run.synthetic,
        )
        if points and limits
        else None,
    }


def _funnel_place(value: float, bounds: dict) -> str:
    if value > bounds["high_99_8"]:
        return str(_("Above the limits"))
    if value < bounds["low_99_8"]:
        return str(_("Below the limits"))
    return str(_("Within the limits"))


def _denominator_title(indicator) -> str:
    return _("Population") if indicator.kind in ("events", "persons") else _("Cases counted (denominator)")


@dashboard_view
def national(request, *, public, raw, run):
    """All 19 communities side by side for every indicator, each value with its interval and its marking."""
    crumbs = [(_("Norway"), reverse(_name(public, "home"))), (_("All health communities"), None)]
    context = _common(request, public=public, raw=raw, run=run, crumbs=crumbs)
    if not public and can(request.user, "deviations.view_national_statistics"):
        context["deviations_url"] = reverse("indicators:national_deviations")
    if run is not None:
        indicators, rows, country, year = selectors.national_matrix(run, raw=raw)
        context.update(
            indicators=indicators,
            rows=[(row, area_url(row.area, public)) for row in rows],
            country=country,
            year=year,
            map_url=reverse(_name(public, "map")) + "?niva=helsefellesskap",
        )
    return render(request, "indicators/national.html", context)


# --- comparison groups --------------------------------------------------------------------------------------------


def _municipality_choices() -> list[tuple[str, str]]:
    from samhandling.core.models import Organisation, OrganisationType

    return list(
        Organisation.objects.filter(type=OrganisationType.KOMMUNE)
        .order_by("name")
        .values_list("municipality_number", "name")
    )


@login_required
def groups(request):
    """The user's own comparison groups: make one (a name and municipalities), use it in the funnel plot, delete it."""
    require(request.user, "indicators.manage_groups")
    form = ComparisonGroupForm(request.POST or None, municipalities=_municipality_choices())
    if request.method == "POST" and form.is_valid():
        try:
            services.group_create(
                actor=request.user, name=form.cleaned_data["name"], municipalities=form.cleaned_data["municipalities"]
            )
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                for message in messages:
                    form.add_error(field_name if field_name in form.fields else None, message)
        else:
            return redirect("indicators:groups")
    crumbs = [(_("Norway"), reverse("indicators:home")), (_("My comparison groups"), None)]
    context = {
        **page(request, "dashboards", with_tabs=False, crumbs=crumbs),
        "form": form,
        "groups": selectors.comparison_groups(request.user),
        "funnel_url": reverse("indicators:funnel"),
        "names": dict(_municipality_choices()),
    }
    return render(request, "indicators/groups.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def group_delete(request, pk: int):
    group = get_object_or_404(ComparisonGroup, pk=pk, owner=request.user)
    services.group_delete(actor=request.user, group=group)
    return redirect("indicators:groups")
