"""Row-by-row checks of an import: every error with the row number and column header the user sees, and the rows
ready to write when there are none.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from samhandling.core.identity import looks_like_national_id
from samhandling.core.models import Helsefellesskap, Organisation

from ..models import (
    Deviation,
    EventType,
    PhysicalHarm,
    PsychologicalHarm,
    Status,
)
from .columns import (
    ALLOWED,
    COLUMNS,
    EVENT_TYPES,
    EXAMPLE_CASE_NUMBER,
    IMPORTABLE_STATUSES,
    MAX_ROWS,
    MAX_TEXT,
    NATIONAL_ID_CANDIDATE,
    PERSON_HEADERS,
    PHYSICAL_HARM,
    PSYCHOLOGICAL_HARM,
    REQUIRED,
    STATUSES,
    _choice,
    _Errors,
    _norm,
)
from .reading import Directory, Table, _blank, _category_index

# --- validating the rows ------------------------------------------------------------------------------------------


@dataclass
class ImportRow:
    row: int
    occurred_on: date
    sent_on: date
    answered_on: date | None
    sender: Organisation
    receiver: Organisation
    category_id: int
    event_type: str
    harm_physical: str
    harm_psychological: str
    status: str
    description: str
    answer: str
    external_case_id: str


DATE_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})$")
DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(value: Any) -> date:
    """A date from a cell: an Excel date, dd.mm.yyyy (also d.m.yy, with / or -) or yyyy-mm-dd; a time is ignored."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        if 32874 <= value < 2958466:  # an Excel serial date (from 1990) whose cell lost its date format
            return from_excel(value).date()
        raise ValueError(value)
    text = str(value).strip().split("T")[0].split(" ")[0]
    if match := DATE_DAY_FIRST.match(text):
        day, month, year = (int(part) for part in match.groups())
        year = year + 2000 if year < 100 else year
        return date(year, month, day)
    if match := DATE_ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
        return date(year, month, day)
    raise ValueError(value)


def _text(value: Any) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _has_national_id(value: Any) -> bool:
    if _blank(value) or isinstance(value, (date, datetime, bool)):
        return False
    if isinstance(value, (int, float)):
        digits = str(int(value))
        # A number cell drops the leading zero of a fødselsnummer born on the 1st–9th.
        candidates = [digits, digits.zfill(11)] if len(digits) == 10 else [digits]
        return any(len(c) == 11 and looks_like_national_id(c) for c in candidates)
    return any(looks_like_national_id(match.group()) for match in NATIONAL_ID_CANDIDATE.finditer(str(value)))


def _map_headers(table: Table, errors: _Errors) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """Column key → index and → header as written, and the headers that are ignored."""
    alias_to_key = {alias: column.key for column in COLUMNS for alias in (*column.aliases, _norm(column.header))}
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    ignored: list[str] = []
    for index, header in enumerate(table.headers):
        if not header:
            continue
        key = alias_to_key.get(_norm(header))
        if _norm(header) in PERSON_HEADERS or "fødselsn" in _norm(header) or "personn" in _norm(header):
            errors.add(
                table.header_row,
                header,
                _(
                    "The column “%(column)s” seems to hold names or numbers of people. Patient identity and names "
                    "must not be imported: remove the column."
                )
                % {"column": header},
                "person_column",
            )
        elif key is None:
            ignored.append(header)
        elif key in positions:
            errors.add(
                table.header_row,
                header,
                _("The column “%(column)s” appears twice.") % {"column": header},
                "duplicate_column",
            )
        else:
            positions[key], written[key] = index, header
    for column in REQUIRED:
        if column.key not in positions:
            errors.add(
                table.header_row,
                column.header,
                _("The column “%(column)s” is missing.") % {"column": column.header},
                "missing_column",
            )
    return positions, written, ignored


class _RowChecker:
    """Checks one row at a time against the community's organisations and categories."""

    def __init__(self, community: Helsefellesskap, written: dict[str, str], errors: _Errors) -> None:
        self.community = community
        self.written = written
        self.errors = errors
        self.directory = Directory(community)
        self.categories = _category_index(community)
        self.today = timezone.localdate()
        self.case_numbers: dict[str, int] = {}
        self.resolved: dict[str, list[Organisation]] = {}

    def error(self, row: int, key: str, message: str, code: str) -> None:
        self.errors.add(row, self.written.get(key, ""), message, code)

    def date(self, row: int, key: str, value: Any) -> date | None:
        if _blank(value):
            return None
        try:
            parsed = parse_date(value)
        except (ValueError, OverflowError):
            self.error(
                row,
                key,
                _("“%(value)s” is not a date. Write it as dd.mm.yyyy, for example 14.03.2024.")
                % {"value": _text(value)[:40]},
                "date",
            )
            return None
        if parsed > self.today:
            self.error(row, key, _("The date cannot be in the future."), "future")
            return None
        return parsed

    def organisation(self, row: int, key: str, value: Any) -> Organisation | None:
        text = _text(value)
        if not text:
            return None
        if text not in self.resolved:
            self.resolved[text] = self.directory.resolve(text)
        found = self.resolved[text]
        if len(found) == 1:
            return found[0]
        if not found:
            self.error(
                row,
                key,
                _("“%(value)s” is not an organisation or unit in %(community)s.")
                % {"value": text[:200], "community": self.community.name},
                "unknown_organisation",
            )
        else:
            names = "; ".join(self.directory.label(org) for org in found[:5])
            self.error(
                row,
                key,
                _("“%(value)s” fits more than one organisation: %(names)s. Write it as “Organisation › Unit”.")
                % {"value": text[:200], "names": names},
                "ambiguous_organisation",
            )
        return None

    def choice(self, row: int, key: str, value: Any, mapping: dict, choices, default: str) -> str:
        if _blank(value):
            return default
        found = _choice(mapping, _text(value), choices)
        if found is None:
            allowed = ", ".join(ALLOWED[key])
            self.error(
                row,
                key,
                _("“%(value)s” is not one of the values allowed here: %(allowed)s.")
                % {"value": _text(value)[:40], "allowed": allowed},
                "choice",
            )
            return default
        return found

    def text(self, row: int, key: str, value: Any, limit: int = MAX_TEXT) -> str:
        text = _text(value)
        if len(text) > limit:
            self.error(row, key, _("The text is longer than %(limit)s characters.") % {"limit": limit}, "too_long")
        return text

    def check(self, row: int, cells: dict[str, Any], withheld: set[str]) -> ImportRow | None:
        """`withheld`: cells already refused for holding a fødselsnummer, so no message repeats their content."""
        before = self.errors.count
        cells = {key: None if key in withheld else value for key, value in cells.items()}
        for key in ("occurred_on", "sender", "receiver", "category"):
            if key not in withheld and _blank(cells.get(key)):
                self.error(row, key, _("This cell must be filled in."), "required")
        occurred_on = self.date(row, "occurred_on", cells.get("occurred_on"))
        sent_on = self.date(row, "sent_on", cells.get("sent_on")) or occurred_on
        answered_on = self.date(row, "answered_on", cells.get("answered_on"))
        if occurred_on and sent_on and sent_on < occurred_on:
            self.error(row, "sent_on", _("The date sent cannot be before the date of the event."), "order")
        if answered_on and sent_on and answered_on < sent_on:
            self.error(row, "answered_on", _("The date of the answer cannot be before the date sent."), "order")
        sender = self.organisation(row, "sender", cells.get("sender"))
        receiver = self.organisation(row, "receiver", cells.get("receiver"))
        if sender and receiver and sender.root_id == receiver.root_id:
            self.error(
                row,
                "receiver",
                _(
                    "The sender and the receiver belong to the same organisation (%(name)s). A samhandlingsavvik "
                    "concerns another organisation."
                )
                % {"name": self.directory.chain(sender)[0].name},
                "same_organisation",
            )
        category_id = self.category(row, cells.get("category"))
        event_type = self.choice(row, "event_type", cells.get("event_type"), EVENT_TYPES, EventType, EventType.INCIDENT)
        harm_physical = self.choice(
            row, "harm_physical", cells.get("harm_physical"), PHYSICAL_HARM, PhysicalHarm, PhysicalHarm.UNKNOWN
        )
        harm_psychological = self.choice(
            row,
            "harm_psychological",
            cells.get("harm_psychological"),
            PSYCHOLOGICAL_HARM,
            PsychologicalHarm,
            PsychologicalHarm.UNKNOWN,
        )
        status = self.choice(row, "status", cells.get("status"), STATUSES, Status, Status.CLOSED)
        if status not in IMPORTABLE_STATUSES:
            self.error(row, "status", _("Only finished cases can be imported."), "open_status")
        description = self.text(row, "description", cells.get("description"))
        answer = self.text(row, "answer", cells.get("answer"))
        external_case_id = self.case_number(row, cells.get("external_case_id"))
        if self.errors.count > before:
            return None
        return ImportRow(
            row=row,
            occurred_on=occurred_on,
            sent_on=sent_on,
            answered_on=answered_on,
            sender=sender,
            receiver=receiver,
            category_id=category_id,
            event_type=event_type,
            harm_physical=harm_physical,
            harm_psychological=harm_psychological,
            status=status,
            description=description,
            answer=answer,
            external_case_id=external_case_id,
        )

    def category(self, row: int, value: Any) -> int | None:
        text = _text(value)
        if not text:
            return None
        found = self.categories.get(_norm(text), set())
        if not found:  # "EPI – Epikrise mangler …": the code before the dash
            code = re.split(r"\s+[-–]\s+", text, maxsplit=1)[0]
            found = self.categories.get(_norm(code), set())
        if len(found) == 1:
            return next(iter(found))
        self.error(
            row,
            "category",
            _("“%(value)s” is not a category in %(community)s. Use one of the codes on the settings page.")
            % {"value": text[:80], "community": self.community.name},
            "unknown_category",
        )
        return None

    def case_number(self, row: int, value: Any) -> str:
        number = self.text(row, "external_case_id", value, limit=100)
        if not number:
            return ""
        if number.casefold() == EXAMPLE_CASE_NUMBER.casefold():
            self.error(
                row, "external_case_id", _("This is the template's example row. Delete it before importing."), "example"
            )
        elif number in self.case_numbers:
            self.error(
                row,
                "external_case_id",
                _("The case number %(number)s is also on row %(row)s.")
                % {"number": number, "row": self.case_numbers[number]},
                "duplicate_case_number",
            )
        else:
            self.case_numbers[number] = row
        return number


def _check_national_ids(table: Table, errors: _Errors) -> set[tuple[int, int]]:
    """Every cell of every column, known or not: a fødselsnummer or D-nummer refuses the file.

    Returns the (row, column index) of those cells. A header holding one is blanked, so no message repeats it."""
    found = {
        (number, index)
        for number, cells in [(table.header_row, table.headers), *table.rows]
        for index, value in enumerate(cells)
        if _has_national_id(value)
    }
    table.headers = ["" if (table.header_row, index) in found else h for index, h in enumerate(table.headers)]
    for number, index in sorted(found):
        errors.add(
            number,
            table.headers[index] if index < len(table.headers) else "",
            _(
                "The cell holds a fødselsnummer or D-nummer. Patient identity must not be imported: remove it from "
                "the file."
            ),
            "national_id",
        )
    return found


def validate(community: Helsefellesskap, table: Table, errors: _Errors) -> tuple[list[ImportRow], list[str]]:
    """The rows ready to write, and the ignored columns. Errors are collected in `errors`."""
    if len(table.rows) > MAX_ROWS:
        errors.add(
            None,
            "",
            _("The file has more than %(limit)s rows. Split it into smaller files.") % {"limit": MAX_ROWS},
            "rows",
        )
        return [], []
    with_national_id = _check_national_ids(table, errors)
    positions, written, ignored = _map_headers(table, errors)
    if any(column.key not in positions for column in REQUIRED):
        return [], ignored
    if not table.rows:
        errors.add(None, "", _("The file has no rows below the header."), "no_rows")
        return [], ignored
    checker = _RowChecker(community, written, errors)
    rows = []
    for number, cells in table.rows:
        values = {key: cells[index] if index < len(cells) else None for key, index in positions.items()}
        withheld = {key for key, index in positions.items() if (number, index) in with_national_id}
        checked = checker.check(number, values, withheld)
        if checked is not None:
            rows.append(checked)
    numbers = [row.external_case_id for row in rows if row.external_case_id]
    if numbers:
        already = set(
            Deviation.objects.filter(
                helsefellesskap=community, source="import", external_case_id__in=numbers
            ).values_list("external_case_id", flat=True)
        )
        for row in rows:
            if row.external_case_id in already:
                errors.add(
                    row.row,
                    written["external_case_id"],
                    _("A case with the case number %(number)s has already been imported.")
                    % {"number": row.external_case_id},
                    "already_imported",
                )
    return rows, ignored
