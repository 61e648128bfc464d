"""Reading SSB's population projections (table 14288 and its successors, from the Statistikkbank or PxWebApi v2) in
JSON-stat 2.0 or CSV into the projection's population shape, all or nothing, with errors as codes.

`jsonstat_cells()` decodes any JSON-stat 2.0 dataset (dense or sparse values, index as list or object, the value
order of the spec: the last dimension varies fastest). `read_projection()` then finds SSB's dimensions (region,
sex, age, year, and ContentsCode, whose values are the alternatives such as MMMM or LLML), maps 2020–2023
municipality codes to 2024 ones, and checks that every area has every sex × age 0–105 × year.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from samhandling.indicators.engine import areas, contract

from .population import OPEN_AGE, RESULT_SCHEMA

MAX_ERRORS = 100


@dataclass(frozen=True)
class ReadError:
    code: str
    params: dict = field(default_factory=dict)
    row: int | None = None  # 1-based data row (CSV) or cell number (JSON-stat)
    column: str | None = None


class ProjectionRefused(Exception):
    def __init__(self, errors: list[ReadError], total: int | None = None):
        super().__init__(errors[0].code if errors else "refused")
        self.errors = errors[:MAX_ERRORS]
        self.total_errors = total if total is not None else len(errors)


# --- JSON-stat 2.0 ---------------------------------------------------------------------------------------------


def _categories(dimension: dict) -> list[str]:
    category = dimension.get("category") or {}
    index = category.get("index")
    if isinstance(index, list):
        return [str(code) for code in index]
    if isinstance(index, dict):
        return [code for code, _position in sorted(index.items(), key=lambda item: item[1])]
    labels = category.get("label") or {}
    if len(labels) == 1:  # a single category may be given by its label alone
        return [str(next(iter(labels)))]
    raise ProjectionRefused([ReadError("jsonstat_dimension", {"dimension": dimension.get("label", "")})])


def jsonstat_cells(document: dict) -> tuple[list[str], list[tuple[tuple[str, ...], object]]]:
    """The dimension ids and every (codes, value) cell of a JSON-stat 2.0 dataset, in the spec's value order."""
    if not isinstance(document, dict) or document.get("class") != "dataset" or "id" not in document:
        raise ProjectionRefused([ReadError("not_jsonstat")])
    ids = [str(i) for i in document["id"]]
    dimensions = document.get("dimension") or {}
    if set(ids) - set(dimensions):
        raise ProjectionRefused([ReadError("not_jsonstat")])
    categories = [_categories(dimensions[i]) for i in ids]
    sizes = document.get("size") or [len(c) for c in categories]
    if [len(c) for c in categories] != list(sizes):
        raise ProjectionRefused([ReadError("jsonstat_size")])
    values = document.get("value")
    combinations = itertools.product(*categories)
    if values == []:  # a metadata response (PxWebApi's /metadata): dimensions, no values
        return ids, []
    if isinstance(values, list):
        total = 1
        for size in sizes:
            total *= size
        if len(values) != total:
            raise ProjectionRefused([ReadError("jsonstat_size")])
        return ids, list(zip(combinations, values, strict=True))
    if isinstance(values, dict):  # sparse: flat index → value
        cells = []
        for position, codes in enumerate(combinations):
            key = str(position)
            if key in values:
                cells.append((codes, values[key]))
        return ids, cells
    raise ProjectionRefused([ReadError("not_jsonstat")])


# --- SSB's dimensions ------------------------------------------------------------------------------------------

REGION_NAMES = ("region", "kommune", "kommunenummer", "bydel")
SEX_NAMES = ("kjonn", "kjønn", "kjonn", "sex")
AGE_NAMES = ("alder", "age")
YEAR_NAMES = ("tid", "år", "aar", "year", "time")
CONTENT_NAMES = ("contentscode", "statistikkvariabel", "alternativ")
VALUE_NAMES = ("value", "verdi", "antall", "personer", "framskrevet folkemengde")
CODE = re.compile(r"^\s*(?:K-)?([0-9A-Za-z+]+)")


def _find(names: list[str], wanted: tuple[str, ...], role: list[str] | None = None) -> str | None:
    if role:
        return role[0]
    for name in names:
        if name.lower() in wanted:
            return name
    return None


def _code(text: object) -> str:
    """The code in 'K-3103', '3103 Stavanger' or '3103'."""
    match = CODE.match(str(text))
    return match.group(1) if match else str(text).strip()


def _sex(text: str) -> str | None:
    code = _code(text).upper()
    return {"1": "M", "2": "K", "M": "M", "K": "K"}.get(code)


def _age(text: str) -> int | None:
    code = _code(text).rstrip("+")
    if not code.isdigit():
        return None
    return min(int(code), OPEN_AGE)


class _Reader:
    def __init__(self, alternative: str | None):
        self.alternative = alternative
        self.errors: list[ReadError] = []
        self.total = 0
        self.kommuner = contract.kommuner_2024()
        self.bydeler = contract.bydeler_2024()
        self.changes: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for old, new, weight in contract.kommune_changes():
            self.changes[old].append((new, weight))
        self.cells: dict[tuple[str, str, str, int, int], float] = defaultdict(float)
        self.alternatives: set[str] = set()

    def error(self, code: str, *, row: int | None = None, column: str | None = None, **params) -> None:
        self.total += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(ReadError(code, params, row, column))

    def add(self, number: int, region, sex, age, year, content, value) -> None:
        if content is not None:
            self.alternatives.add(_code(content))
            if self.alternative and _code(content) != self.alternative:
                return
        code = _code(region)
        if code in self.bydeler:
            targets = [("bydel", code, 1.0)]
        elif code in self.kommuner:
            targets = [("kommune", code, 1.0)]
        elif code in self.changes:
            targets = [("kommune", new, weight) for new, weight in self.changes[code]]
        elif code in ("0", "00", "0000", "Landet", "NO"):
            return  # the country's own rows: the land level is summed from the municipalities
        else:
            self.error("unknown_region", row=number, column="region", value=str(region))
            return
        kjonn = _sex(sex)
        if kjonn is None:
            if _code(sex) in ("0", "1+2", "T"):
                return  # both sexes together: summed from the two
            self.error("bad_sex", row=number, column="kjonn", value=str(sex))
            return
        alder = _age(age)
        if alder is None:
            self.error("bad_age", row=number, column="alder", value=str(age))
            return
        try:
            aar = int(_code(year))
        except ValueError:
            self.error("bad_year", row=number, column="aar", value=str(year))
            return
        if value in (None, "", ".", "..", ":"):
            self.error("missing_value", row=number, column="antall")
            return
        try:
            antall = float(str(value).replace(" ", "").replace(",", "."))
        except ValueError:
            self.error("bad_value", row=number, column="antall", value=str(value))
            return
        if antall < 0:
            self.error("bad_value", row=number, column="antall", value=str(value))
            return
        for level, area, weight in targets:
            self.cells[(level, area, kjonn, alder, aar)] += antall * weight

    def table(self, communities: pa.Table) -> pa.Table:
        if len(self.alternatives) > 1 and not self.alternative:
            self.error("choose_alternative", alternatives=", ".join(sorted(self.alternatives)))
        elif self.alternative and self.alternatives and self.alternative not in self.alternatives:
            self.error("unknown_alternative", value=self.alternative, alternatives=", ".join(sorted(self.alternatives)))
        if not self.cells and not self.errors:
            self.error("empty")
        if self.errors:
            raise ProjectionRefused(self.errors, self.total)
        years = sorted({key[4] for key in self.cells})
        present = defaultdict(set)
        for level, area, kjonn, alder, aar in self.cells:
            present[(level, area)].add((kjonn, alder, aar))
        expected = {(k, a, y) for k in ("K", "M") for a in range(OPEN_AGE + 1) for y in years}
        for (_level, area), keys in sorted(present.items()):
            missing = expected - keys
            if missing:
                kjonn, alder, aar = min(missing)
                self.error("incomplete", area=area, count=len(missing), example=f"{kjonn} {alder} {aar}")
        if self.errors:
            raise ProjectionRefused(self.errors, self.total)
        return _with_rollups(self.cells, communities)


def _with_rollups(cells: dict, communities: pa.Table) -> pa.Table:
    """Cells plus the communities whose every municipality is present and the country when all of them are."""
    community_of = dict(
        zip(communities["kommune"].to_pylist(), communities["helsefellesskap"].to_pylist(), strict=True)
    )
    members = defaultdict(set)
    for kommune, community in community_of.items():
        members[community].add(kommune)
    municipal = {area for (level, area, *_rest) in cells if level == "kommune"}
    complete = {community for community, codes in members.items() if codes <= municipal}
    rows = dict(cells)
    for (level, area, kjonn, alder, aar), antall in cells.items():
        if level != "kommune":
            continue
        community = community_of.get(area)
        if community in complete:
            key = ("helsefellesskap", community, kjonn, alder, aar)
            rows[key] = rows.get(key, 0.0) + antall
        if municipal >= set(community_of):
            key = ("land", areas.LAND, kjonn, alder, aar)
            rows[key] = rows.get(key, 0.0) + antall
    ordered = sorted(rows.items(), key=lambda item: (item[0][0], item[0][1], item[0][4], item[0][2], item[0][3]))
    columns = list(zip(*((lv, ar, y, k, a, v) for (lv, ar, k, a, y), v in ordered), strict=True))
    return pa.Table.from_arrays(
        [
            pa.array(columns[0], pa.string()),
            pa.array(columns[1], pa.string()),
            pa.array(columns[2], pa.int64()),
            pa.array(columns[3], pa.string()),
            pa.array(columns[4], pa.int64()),
            pa.array(columns[5], pa.float64()),
            pa.array([True] * len(ordered), pa.bool_()),
        ],
        schema=RESULT_SCHEMA,
    )


def _from_jsonstat(document: dict, reader: _Reader) -> None:
    ids, cells = jsonstat_cells(document)
    role = document.get("role") or {}
    names = {
        "region": _find(ids, REGION_NAMES, role.get("geo")),
        "sex": _find(ids, SEX_NAMES),
        "age": _find(ids, AGE_NAMES),
        "year": _find(ids, YEAR_NAMES, role.get("time")),
        "content": _find(ids, CONTENT_NAMES, role.get("metric")),
    }
    for key in ("region", "sex", "age", "year"):
        if names[key] is None:
            raise ProjectionRefused([ReadError("missing_dimension", {"dimension": key})])
    position = {name: ids.index(name) for name in ids}
    for number, (codes, value) in enumerate(cells, start=1):
        content = codes[position[names["content"]]] if names["content"] else None
        reader.add(
            number,
            codes[position[names["region"]]],
            codes[position[names["sex"]]],
            codes[position[names["age"]]],
            codes[position[names["year"]]],
            content,
            value,
        )


def _from_csv(text: str, reader: _Reader) -> None:
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().strip('"') for h in next(rows, [])]
    lowered = [h.lower() for h in header]

    def column(wanted: tuple[str, ...]) -> int | None:
        for index, name in enumerate(lowered):
            if name in wanted:
                return index
        return None

    found = {
        "region": column(REGION_NAMES),
        "sex": column(SEX_NAMES),
        "age": column(AGE_NAMES),
        "year": column(YEAR_NAMES),
        "content": column(CONTENT_NAMES),
        "value": column(VALUE_NAMES),
    }
    if found["value"] is None and header:
        found["value"] = len(header) - 1  # SSB names the value column after the statistic: the last column
    for key in ("region", "sex", "age", "year"):
        if found[key] is None:
            raise ProjectionRefused([ReadError("missing_column", {"column": key})])
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            reader.error("bad_row", row=number, count=len(row), expected=len(header))
            continue
        reader.add(
            number,
            row[found["region"]],
            row[found["sex"]],
            row[found["age"]],
            row[found["year"]],
            row[found["content"]] if found["content"] is not None else None,
            row[found["value"]],
        )


def read_projection(path: Path, *, alternative: str | None = None, communities: pa.Table | None = None) -> pa.Table:
    """An SSB projection file (.json JSON-stat 2.0, or .csv) as population.RESULT_SCHEMA rows (all projected).

    Raises ProjectionRefused with every problem found (up to MAX_ERRORS); nothing is returned half read."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    reader = _Reader(alternative.strip().upper() if alternative else None)
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            raise ProjectionRefused([ReadError("not_jsonstat")]) from None
        _from_jsonstat(document, reader)
    else:
        _from_csv(text, reader)
    return reader.table(areas.kommune_helsefellesskap() if communities is None else communities)
