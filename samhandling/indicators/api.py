"""The open, read-only API of styringsinformasjon: the published run's results as JSON-stat 2.0 and CSV, filtered by
indicator, level, area, year and period, with the small-number rule of the public pages (a hidden cell has no
number at all: null with the status ":" in JSON-stat, empty cells and `suppressed` true in CSV). No log-in; only the
published run; nothing here writes. Described by an OpenAPI 3.1 document (`openapi_schema`)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import selectors
from .exports import period_label
from .models import Level, Result, Run

API_VERSION = "1"
HIDDEN_STATUS = ":"  # the JSON-stat/Eurostat convention for a confidential value
MEASURES = ("value", "ci_low", "ci_high", "value_std", "std_ci_low", "std_ci_high", "numerator", "denominator")
PERIODS = ("1y", "3y", "T1", "T2", "T3")  # T1 January–April, T2 May–August, T3 September–December
MAX_VALUES = 2_000_000  # a request that would build more cells than this is refused: narrow it with the filters


class BadFilter(ValueError):
    """A filter the API cannot read; the message names the parameter."""


@dataclass(frozen=True)
class Filters:
    indicators: tuple[str, ...]
    levels: tuple[str, ...]
    areas: tuple[str, ...]
    years: tuple[int, ...]
    period: str


def _list(query, name: str) -> list[str]:
    values = []
    for raw in query.getlist(name):
        values.extend(part.strip() for part in raw.split(",") if part.strip())
    return values


def parse_filters(query) -> Filters:
    """indikator, niva, omrade, aar (repeated or comma-separated) and periode (1y, 3y or T1–T3, default 1y)."""
    known = {i.id for i in selectors.catalogue()}
    indicators = _list(query, "indikator")
    if unknown := [i for i in indicators if i not in known]:
        raise BadFilter(f"indikator: unknown indicator(s) {', '.join(unknown[:5])}")
    levels = _list(query, "niva")
    if unknown := [level for level in levels if level not in Level.values]:
        raise BadFilter(f"niva: unknown level(s) {', '.join(unknown[:5])}; use {', '.join(Level.values)}")
    years = []
    for text in _list(query, "aar"):
        if not text.isdigit() or len(text) != 4:
            raise BadFilter(f"aar: {text[:10]!r} is not a year (four digits)")
        years.append(int(text))
    period = (query.get("periode") or "1y").strip()
    if period not in PERIODS:
        raise BadFilter("periode: use 1y, 3y, T1, T2 or T3")
    areas = [area[:32] for area in _list(query, "omrade")]
    return Filters(tuple(indicators), tuple(levels), tuple(areas), tuple(sorted(set(years))), period)


def rows(run: Run, filters: Filters) -> list[dict]:
    """The result rows of the published run that match the filters, with the public small-number rule applied."""
    results = Result.objects.filter(run=run, period=filters.period)
    if filters.indicators:
        results = results.filter(indicator__in=filters.indicators)
    if filters.levels:
        results = results.filter(level__in=filters.levels)
    if filters.areas:
        results = results.filter(area__in=filters.areas)
    if filters.years:
        results = results.filter(year__in=filters.years)
    units = {i.id: i.unit for i in selectors.catalogue()}
    out = []
    for row in results.order_by("indicator", "level", "area", "year").values(*selectors._COLUMNS):
        cell = selectors.make_cell(row, units.get(row["indicator"], "percent"), raw=False)
        out.append(
            {
                "indicator": row["indicator"],
                "level": row["level"],
                "area": row["area"],
                "year": row["year"],
                "period": row["period"],
                "suppressed": cell.hidden,
                "significance": cell.significance,
                **{measure: getattr(cell, measure) for measure in MEASURES},
            }
        )
    return out


def _names(found: list[dict]) -> dict[tuple[str, str], str]:
    by_level: dict[str, set[str]] = {}
    for row in found:
        by_level.setdefault(row["level"], set()).add(row["area"])
    names = {}
    for level, codes in by_level.items():
        for code, name in selectors.area_names(level, codes).items():
            names[(level, code)] = name
    return names


def _measure_labels() -> dict[str, str]:
    return {
        "value": _("Value"),
        "ci_low": _("Lower confidence limit (95 per cent)"),
        "ci_high": _("Upper confidence limit (95 per cent)"),
        "value_std": _("Age-standardised value"),
        "std_ci_low": _("Age-standardised, lower confidence limit (95 per cent)"),
        "std_ci_high": _("Age-standardised, upper confidence limit (95 per cent)"),
        "numerator": _("Numerator"),
        "denominator": _("Denominator"),
    }


def jsonstat(run: Run, filters: Filters, found: list[dict]) -> dict:
    """One JSON-stat 2.0 dataset: dimensions indikator × omrade × aar × periode × maal (dense values, row-major)."""
    language = get_language()
    catalogue = {i.id: i for i in selectors.catalogue()}
    indicators = [i for i in catalogue if any(r["indicator"] == i for r in found)]
    names = _names(found)
    area_keys = sorted({(r["level"], r["area"]) for r in found}, key=lambda k: (list(Level.values).index(k[0]), k[1]))
    # An area's id is its code; codes are unique across levels (NO, community keys, 4- and 6-digit numbers).
    areas = [code for _level, code in area_keys]
    years = sorted({r["year"] for r in found})
    sizes = [len(indicators), len(areas), len(years), 1, len(MEASURES)]
    total = 1
    for size in sizes:
        total *= size
    if total > MAX_VALUES:
        raise BadFilter("too many values: narrow the request with indikator, niva, omrade or aar")
    position = {
        "indicator": {key: n for n, key in enumerate(indicators)},
        "area": {key: n for n, key in enumerate(areas)},
        "year": {key: n for n, key in enumerate(years)},
    }
    values: list[float | None] = [None] * total
    status: dict[str, str] = {}
    significance: dict[str, str] = {}
    stride = len(MEASURES)
    for row in found:
        base = (
            (position["indicator"][row["indicator"]] * len(areas) + position["area"][row["area"]]) * len(years)
            + position["year"][row["year"]]
        ) * stride
        for offset, measure in enumerate(MEASURES):
            if row["suppressed"]:
                status[str(base + offset)] = HIDDEN_STATUS
            else:
                values[base + offset] = row[measure]
        if row["significance"]:
            significance[str(base)] = row["significance"]
    measure_labels = _measure_labels()
    dataset = {
        "version": "2.0",
        "class": "dataset",
        "label": _("Management information for the health communities, run %(run)s") % {"run": run.pk},
        "source": _("Samhandling, published results (data set version %(version)s)") % {"version": run.dataset_version},
        "updated": (run.published_at or run.created_at).isoformat(timespec="seconds"),
        "note": [
            _("Values based on fewer than 5 cases are hidden: null, with the status “:”."),
            _("Synthetic data: the numbers are invented and say nothing about real patients or areas."),
        ]
        if run.synthetic
        else [_("Values based on fewer than 5 cases are hidden: null, with the status “:”.")],
        "id": ["indikator", "omrade", "aar", "periode", "maal"],
        "size": sizes,
        "role": {"time": ["aar"], "geo": ["omrade"], "metric": ["maal"]},
        "dimension": {
            "indikator": {
                "label": _("Indicator"),
                "category": {
                    "index": indicators,
                    "label": {key: catalogue[key].name(language) for key in indicators},
                },
                "extension": {"unit": {key: catalogue[key].unit for key in indicators}},
            },
            "omrade": {
                "label": _("Area"),
                "category": {
                    "index": areas,
                    "label": {code: names.get((level, code), code) for level, code in area_keys},
                },
                "extension": {"level": {code: level for level, code in area_keys}},
            },
            "aar": {"label": _("Year"), "category": {"index": [str(y) for y in years]}},
            "periode": {
                "label": _("Period"),
                "category": {"index": [filters.period], "label": {filters.period: _period_label(filters.period)}},
            },
            "maal": {
                "label": _("Measure"),
                "category": {
                    "index": list(MEASURES),
                    "label": {key: str(measure_labels[key]) for key in MEASURES},
                    "unit": {
                        key: {"decimals": 0 if key in ("numerator", "denominator") else 2, "label": _unit_text(key)}
                        for key in MEASURES
                    },
                },
            },
        },
        "value": values,
        "extension": {
            "run": run.pk,
            "definition_version": run.definition_version,
            "synthetic": run.synthetic,
            # The marking against the country, by the index of the row's first measure ("value").
            "significance": significance,
        },
    }
    if status:
        dataset["status"] = status
    return dataset


def _unit_text(measure: str) -> str:
    if measure in ("numerator", "denominator"):
        return str(_("count"))
    return str(_("the indicator's unit (per 1,000 inhabitants or per cent)"))


def _period_label(period: str) -> str:
    return str(period_label(period))


CSV_COLUMNS = (
    "indicator",
    "level",
    "area",
    "area_name",
    "year",
    "period",
    *MEASURES,
    "significance",
    "suppressed",
)


def csv_text(found: list[dict]) -> str:
    """Machine CSV: dot decimal, a header of codes, empty cells for hidden and missing numbers."""
    names = _names(found)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in found:
        record = {**row, "area_name": names.get((row["level"], row["area"]), row["area"])}
        writer.writerow(
            [
                ("true" if record[c] else "false") if c == "suppressed" else ("" if record[c] is None else record[c])
                for c in CSV_COLUMNS
            ]
        )
    return buffer.getvalue()


def openapi_schema(base: str) -> dict:
    """The OpenAPI 3.1 description of the API (English: it is read by developers and tools)."""
    filters = [
        {
            "name": "indikator",
            "in": "query",
            "description": "Indicator id(s), repeated or comma-separated (see /indikatorer.json).",
            "schema": {"type": "string"},
        },
        {
            "name": "niva",
            "in": "query",
            "description": "Level(s): land, helsefellesskap, kommune, bydel.",
            "schema": {"type": "string"},
        },
        {
            "name": "omrade",
            "in": "query",
            "description": "Area code(s): NO, a community key, a 4-digit municipality or 6-digit district number.",
            "schema": {"type": "string"},
        },
        {"name": "aar", "in": "query", "description": "Year(s), four digits.", "schema": {"type": "string"}},
        {
            "name": "periode",
            "in": "query",
            "description": (
                "1y (default), 3y (three-year values of small municipalities) or T1, T2, T3 (tertials: January–April, "
                "May–August, September–December, for the indicators that have them). Tertial rates per 1,000 are not "
                "annualised: the four months' count over the population on 1 January."
            ),
            "schema": {"type": "string", "enum": list(PERIODS), "default": "1y"},
        },
    ]
    error = {"description": "A filter could not be read.", "content": {"application/json": {}}}
    none = {"description": "No results are published."}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Samhandling – styringsinformasjon",
            "version": API_VERSION,
            "description": (
                "The published indicator results of the health communities, read-only and without log-in. Values "
                "based on fewer than 5 cases are hidden: JSON-stat gives null with the status ':' and CSV an empty "
                "cell with suppressed=true. Each value carries its 95 % confidence interval and, where the "
                "indicator has a direction, the marking against the country (better, similar, worse)."
            ),
            "license": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
        },
        "servers": [{"url": base}],
        "paths": {
            "/resultater.json": {
                "get": {
                    "summary": "Results as a JSON-stat 2.0 dataset",
                    "parameters": filters,
                    "responses": {
                        "200": {
                            "description": "JSON-stat 2.0 dataset: indikator × omrade × aar × periode × maal.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JsonStat"}}},
                        },
                        "400": error,
                        "404": none,
                    },
                }
            },
            "/resultater.csv": {
                "get": {
                    "summary": "Results as CSV, one row per indicator, area, year and period",
                    "parameters": filters,
                    "responses": {
                        "200": {
                            "description": "CSV, UTF-8, header: " + ",".join(CSV_COLUMNS),
                            "content": {"text/csv": {}},
                        },
                        "400": error,
                        "404": none,
                    },
                }
            },
            "/indikatorer.json": {
                "get": {
                    "summary": "The indicator catalogue: ids, names, units, direction and target",
                    "responses": {"200": {"description": "A list of indicators.", "content": {"application/json": {}}}},
                }
            },
        },
        "components": {
            "schemas": {
                "JsonStat": {
                    "type": "object",
                    "description": "A JSON-stat 2.0 dataset (https://json-stat.org/full/).",
                    "required": ["version", "class", "id", "size", "dimension", "value"],
                    "properties": {
                        "version": {"const": "2.0"},
                        "class": {"const": "dataset"},
                        "id": {"type": "array", "items": {"type": "string"}},
                        "size": {"type": "array", "items": {"type": "integer"}},
                        "dimension": {"type": "object"},
                        "value": {"type": "array", "items": {"type": ["number", "null"]}},
                        "status": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                }
            }
        },
    }


def catalogue_json() -> list[dict]:
    language = get_language()
    return [
        {
            "id": i.id,
            "name": i.name(language),
            "description": i.description(language),
            "unit": i.unit,
            "group": i.group,
            "standardised": i.standardised,
            "higher_is_better": i.higher_is_better,
            "target": i.target,
        }
        for i in selectors.catalogue()
    ]
