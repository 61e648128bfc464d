"""Reading the uploaded file into a table (CSV in any usual encoding, or XLSX), and the directory that
matches the organisation and category names written in it.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from samhandling.core.models import Helsefellesskap, Organisation, OrganisationType
from samhandling.core.permissions import community_organisations

from ..models import (
    Category,
)
from .columns import MAX_COLUMNS, MAX_ROWS, PATH_SEPARATORS, FileRefused, _norm

# --- reading the file --------------------------------------------------------------------------------------------


@dataclass
class Table:
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number as the user sees it, cells)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel's "CSV (semikolondelt)" on Norwegian Windows writes Windows-1252.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileRefused(
            _("The file could not be read as text. Save it as “CSV UTF-8” and try again."), "encoding"
        ) from None


def _read_csv(data: bytes) -> list[tuple[int, list[Any]]]:
    text = _decode(data)
    lines = text.splitlines()
    first = lines[0] if lines else ""
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:  # Excel's separator hint; not a row
        delimiter = first.strip()[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        counts = {separator: first.count(separator) for separator in (";", ",", "\t")}
        delimiter = max(counts, key=lambda separator: (counts[separator], separator == ";"))
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise FileRefused(_("The file could not be read as CSV."), "csv") from None
    # Excel hides the hint line too, so the rows are numbered as if it were not there.
    return list(enumerate(records, start=1))


def _read_xlsx(data: bytes) -> list[tuple[int, list[Any]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises zip, XML and key errors for files that are not workbooks
        raise FileRefused(_("The file could not be read as an Excel workbook (.xlsx)."), "xlsx") from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read what is there
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values[:MAX_COLUMNS])
            if not all(_blank(cell) for cell in cells):
                rows.append((number, cells))
            if len(rows) > MAX_ROWS + 1:  # the header and one row too many: enough to refuse the file
                break
        return rows
    finally:
        workbook.close()


def read_table(data: bytes, filename: str) -> Table:
    """The header and the non-empty rows of a CSV or XLSX file."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        records = _read_xlsx(data)
    elif suffix == ".csv":
        records = _read_csv(data)
    else:
        raise FileRefused(_("Choose a CSV file (.csv) or an Excel workbook (.xlsx)."), "type")
    records = [(number, cells) for number, cells in records if not all(_blank(cell) for cell in cells)]
    if not records:
        raise FileRefused(_("The file is empty."), "empty")
    header_row, header_cells = records[0]
    headers = ["" if _blank(cell) else str(cell).strip() for cell in header_cells]
    return Table(header_row=header_row, headers=headers, rows=records[1:])


# --- organisations and categories ----------------------------------------------------------------------------------


def _acronym(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[0].isalnum())


class Directory:
    """The community's organisations, looked up by the ways a spreadsheet names them."""

    def __init__(self, community: Helsefellesskap) -> None:
        organisations = community_organisations(community).exclude(type=OrganisationType.SECRETARIAT)
        self.by_id: dict[int, Organisation] = {organisation.pk: organisation for organisation in organisations}
        self.names = {pk: self._keys(organisation) - {""} for pk, organisation in self.by_id.items()}
        self.keys: dict[str, set[int]] = defaultdict(set)
        for pk, keys in self.names.items():
            for key in keys:
                self.keys[key].add(pk)

    @staticmethod
    def _keys(organisation: Organisation) -> set[str]:
        names = {organisation.name, organisation.short_name} - {""}
        keys = {_norm(name) for name in names}
        if organisation.parent_id:
            return keys
        for number in (organisation.municipality_number, organisation.district_number, organisation.org_number):
            if number:
                keys |= {number, number.lstrip("0")}
        if organisation.type == OrganisationType.KOMMUNE:  # "Tønsberg kommune"
            keys |= {_norm(name) + " kommune" for name in names}
        if organisation.type == OrganisationType.BYDEL:  # "Bydel Frogner"
            keys |= {"bydel " + _norm(name).removeprefix("bydel ") for name in names}
        if organisation.type in (OrganisationType.HF, OrganisationType.PRIVATE_HOSPITAL):
            for name in names:
                bare = _norm(name).removesuffix(" hf")
                keys |= {bare, bare + " hf"}
                if len(_acronym(name)) >= 3:  # "SiV" for Sykehuset i Vestfold
                    keys.add(_acronym(name).casefold())
        return keys

    def chain(self, organisation: Organisation) -> list[Organisation]:
        """The organisation and the ones above it, top first."""
        chain, node = [], organisation
        while node is not None:
            chain.append(node)
            node = self.by_id.get(node.parent_id) if node.parent_id else None
        return list(reversed(chain))

    def label(self, organisation: Organisation) -> str:
        return " › ".join(node.name for node in self.chain(organisation))

    def _matches_path(self, organisation: Organisation, above: list[str]) -> bool:
        """The segments before the last must name organisations above this one, in order (levels may be skipped)."""
        wanted = iter(_norm(segment) for segment in above)
        target = next(wanted, None)
        for node in self.chain(organisation)[:-1]:
            if target is not None and target in self.names[node.pk]:
                target = next(wanted, None)
        return target is None

    def resolve(self, value: str) -> list[Organisation]:
        segments = [segment for segment in PATH_SEPARATORS.split(value.strip()) if segment]
        if not segments:
            return []
        candidates = [self.by_id[pk] for pk in self.keys.get(_norm(segments[-1]), ())]
        if len(segments) > 1:
            candidates = [org for org in candidates if self._matches_path(org, segments[:-1])]
        return sorted(candidates, key=self.label)


def _category_index(community: Helsefellesskap) -> dict[str, set[int]]:
    index: dict[str, set[int]] = defaultdict(set)
    for category in Category.objects.filter(helsefellesskap=community):
        for key in (category.code, category.name_nb, category.name_nn):
            index[_norm(key)].add(category.pk)
    return index
