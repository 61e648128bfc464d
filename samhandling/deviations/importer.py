"""Import of earlier cases from the spreadsheet a secretariat kept before the platform (CSV or XLSX), all or nothing.

Every row is checked first; the errors come back with the row number and column header the user sees in the
spreadsheet (the header row is row 1). Only a file without errors is written, in one transaction: an ImportBatch,
the cases (source "import", no reporter, reference numbers from the same counter as submitted cases), one history
event each and one audit event with counts. A cell that holds a fødselsnummer or D-nummer refuses the whole file.

The file's columns (header names are matched case-insensitively; the variants in `COLUMNS` are accepted too):

    Dato*          date of the event: dd.mm.åååå, åååå-mm-dd or an Excel date
    Meldt dato     date the deviation was sent (default: Dato)
    Fra*           sending organisation: municipality name or number, hospital short or full name, or a unit
                   written as "Organisasjon › Enhet" (">" works too)
    Til*           receiving organisation, written the same way
    Kategori*      category code (EPI) or name
    Hendelsestype  hendelse | nestenhendelse | risikoforhold (default hendelse)
    Fysisk skade   ingen | lav | moderat | alvorlig | død | vet ikke (default vet ikke)
    Psykisk skade  ingen | lav | moderat | alvorlig | vet ikke (default vet ikke)
    Status         besvart | lukket | avsluttet | ikke samhandlingsavvik | duplikat (default avsluttet)
    Besvart dato   date of the answer
    Beskrivelse    what happened (free text)
    Svar           the answer given (free text)
    Saksnummer     the case number in the old spreadsheet (kept as the external case id)
"""

import csv
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samhandling.core import audit
from samhandling.core.identity import looks_like_national_id
from samhandling.core.models import Helsefellesskap, Organisation, OrganisationType, User
from samhandling.core.permissions import can, community_organisations, require, rule
from samhandling.core.workdays import add_working_days

from . import services
from .models import (
    CaseEvent,
    Category,
    Deviation,
    EventKind,
    EventType,
    ImportBatch,
    PhysicalHarm,
    PsychologicalHarm,
    Status,
    YesNoUnknown,
)

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 100
MAX_ERRORS = 100
MAX_TEXT = 8000
EXTENSIONS = (".csv", ".xlsx")
EXAMPLE_CASE_NUMBER = "EKSEMPEL"
PATH_SEPARATORS = re.compile(r"\s*[›»>]\s*")
# Eleven digits, possibly written 6 + 5 with a space: what a fødselsnummer or D-nummer looks like in a cell.
NATIONAL_ID_CANDIDATE = re.compile(r"(?<!\d)\d{6} ?\d{5}(?!\d)")


@rule("deviations.import")
def _import(user, community) -> bool:
    """Importing earlier cases is the community's secretariat's (or administrator's) job."""
    return can(user, "deviations.configure", community)


audit.register_actions({"deviations.import.completed": gettext_lazy("Imported earlier deviations from a file")})


# --- the columns ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the header written in the template; the file format is Norwegian whatever the user's language
    required: bool
    aliases: tuple[str, ...]
    help: Any


COLUMNS = (
    Column(
        "occurred_on",
        "Dato",
        True,
        ("dato", "hendelsesdato", "dato for hendelse", "dato for hendelsen", "hendingsdato", "dato hendelse"),
        gettext_lazy("Date of the event: dd.mm.yyyy, yyyy-mm-dd or an Excel date."),
    ),
    Column(
        "sent_on",
        "Meldt dato",
        False,
        ("meldt dato", "meldt", "dato meldt", "meldedato", "sendt dato", "sendt", "dato sendt"),
        gettext_lazy("Date the deviation was sent. Empty: the date of the event."),
    ),
    Column(
        "sender",
        "Fra",
        True,
        ("fra", "avsender", "meldt fra", "fra virksomhet", "fra organisasjon", "meldende virksomhet"),
        gettext_lazy(
            "The sending organisation: a municipality's name or number, the hospital's short or full name, or a unit "
            "written as “Organisation › Unit”."
        ),
    ),
    Column(
        "receiver",
        "Til",
        True,
        ("til", "mottaker", "meldt til", "til virksomhet", "til organisasjon", "mottakende virksomhet"),
        gettext_lazy("The receiving organisation, written the same way."),
    ),
    Column(
        "category",
        "Kategori",
        True,
        ("kategori", "kategorikode", "kategori kode", "avvikskategori", "type avvik"),
        gettext_lazy("The category's code (for example EPI) or its name."),
    ),
    Column(
        "event_type",
        "Hendelsestype",
        False,
        ("hendelsestype", "type hendelse", "hendingstype", "type hending"),
        gettext_lazy("hendelse, nestenhendelse or risikoforhold. Empty: hendelse."),
    ),
    Column(
        "harm_physical",
        "Fysisk skade",
        False,
        ("fysisk skade", "skade fysisk", "fysisk"),
        gettext_lazy("ingen, lav, moderat, alvorlig, død or vet ikke. Empty: vet ikke."),
    ),
    Column(
        "harm_psychological",
        "Psykisk skade",
        False,
        ("psykisk skade", "skade psykisk", "psykisk"),
        gettext_lazy("ingen, lav, moderat, alvorlig or vet ikke. Empty: vet ikke."),
    ),
    Column(
        "status",
        "Status",
        False,
        ("status", "saksstatus"),
        gettext_lazy("besvart, lukket, avsluttet, ikke samhandlingsavvik or duplikat. Empty: avsluttet (closed)."),
    ),
    Column(
        "answered_on",
        "Besvart dato",
        False,
        ("besvart dato", "besvart", "dato besvart", "svardato", "svar dato", "dato svar"),
        gettext_lazy("Date of the answer; not before the date sent."),
    ),
    Column(
        "description",
        "Beskrivelse",
        False,
        ("beskrivelse", "beskrivelse av hendelsen", "hva skjedde", "skildring", "kva skjedde"),
        gettext_lazy("What happened. Never the patient's name or number."),
    ),
    Column(
        "answer",
        "Svar",
        False,
        ("svar", "tilbakemelding", "svar til melder"),
        gettext_lazy("The answer that was given."),
    ),
    Column(
        "external_case_id",
        "Saksnummer",
        False,
        ("saksnummer", "saksnr", "saksnr.", "sak nr", "referanse", "løpenummer", "lopenummer", "id"),
        gettext_lazy(
            "The case number in the old spreadsheet, kept with the case. The same number cannot be imported twice."
        ),
    ),
)
REQUIRED = tuple(column for column in COLUMNS if column.required)

# Headers that name people (patients or reporters): such columns are refused, not silently ignored.
PERSON_HEADERS = frozenset(
    {
        "navn",
        "pasient",
        "pasientnavn",
        "pasientens navn",
        "navn på pasient",
        "pasient-id",
        "pasientid",
        "fnr",
        "fødselsnr",
        "fødselsnummer",
        "personnr",
        "personnummer",
        "d-nummer",
        "dnr",
        "melder",
        "meldernavn",
        "melders navn",
        "navn på melder",
    }
)

EVENT_TYPES = {
    "hendelse": EventType.INCIDENT,
    "uønsket hendelse": EventType.INCIDENT,
    "hending": EventType.INCIDENT,
    "uønskt hending": EventType.INCIDENT,
    "nestenhendelse": EventType.NEAR_MISS,
    "nesten-hendelse": EventType.NEAR_MISS,
    "nesten hendelse": EventType.NEAR_MISS,
    "nestenhending": EventType.NEAR_MISS,
    "nesten-hending": EventType.NEAR_MISS,
    "nestenulykke": EventType.NEAR_MISS,
    "risikoforhold": EventType.UNSAFE_CONDITION,
    "risikotilhøve": EventType.UNSAFE_CONDITION,
}
PHYSICAL_HARM = {
    "ingen": PhysicalHarm.NONE,
    "ingen skade": PhysicalHarm.NONE,
    "lav": PhysicalHarm.LOW,
    "liten": PhysicalHarm.LOW,
    "moderat": PhysicalHarm.MODERATE,
    "middels": PhysicalHarm.MODERATE,
    "alvorlig": PhysicalHarm.SEVERE,
    "betydelig": PhysicalHarm.SEVERE,
    "død": PhysicalHarm.FATAL,
    "dødelig": PhysicalHarm.FATAL,
    "vet ikke": PhysicalHarm.UNKNOWN,
    "veit ikkje": PhysicalHarm.UNKNOWN,
    "ukjent": PhysicalHarm.UNKNOWN,
}
PSYCHOLOGICAL_HARM = {key: PsychologicalHarm(value) for key, value in PHYSICAL_HARM.items() if value != "fatal"}
STATUSES = {
    "besvart": Status.ANSWERED,
    "svart": Status.ANSWERED,
    "lukket": Status.CLOSED,
    "lukka": Status.CLOSED,
    "avsluttet": Status.CLOSED,
    "avslutta": Status.CLOSED,
    "ikke samhandlingsavvik": Status.NOT_DEVIATION,
    "ikkje samhandlingsavvik": Status.NOT_DEVIATION,
    "ikke avvik": Status.NOT_DEVIATION,
    "ikkje avvik": Status.NOT_DEVIATION,
    "duplikat": Status.DUPLICATE,
}
IMPORTABLE_STATUSES = frozenset({Status.ANSWERED, Status.CLOSED, Status.NOT_DEVIATION, Status.DUPLICATE})
# The values offered in the template's drop-down lists and named in error messages (the synonyms above work too).
ALLOWED = {
    "event_type": ("hendelse", "nestenhendelse", "risikoforhold"),
    "harm_physical": ("ingen", "lav", "moderat", "alvorlig", "død", "vet ikke"),
    "harm_psychological": ("ingen", "lav", "moderat", "alvorlig", "vet ikke"),
    "status": ("besvart", "lukket", "avsluttet", "ikke samhandlingsavvik", "duplikat"),
}


def _norm(value: Any) -> str:
    """Compare names and codes without regard to case, repeated spaces or a trailing colon/asterisk."""
    return " ".join(str(value).replace("\xa0", " ").split()).strip(" :*").casefold()


def _choice(mapping: dict, value: str, choices) -> str | None:
    key = _norm(value)
    if key in mapping:
        return mapping[key]
    return key if key in choices.values else None  # the stored codes work too (incident, closed …)


# --- results ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int | None  # as the spreadsheet shows it (header = 1); None for a problem with the whole file
    column: str  # the header as written in the file ("" for the whole row or file)
    message: str
    code: str


@dataclass
class ImportResult:
    filename: str
    row_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    batch: ImportBatch | None = None

    @property
    def ok(self) -> bool:
        return self.batch is not None

    @property
    def errors_not_shown(self) -> int:
        return self.error_count - len(self.errors)


class _Errors:
    def __init__(self) -> None:
        self.shown: list[RowError] = []
        self.count = 0

    def add(self, row: int | None, column: str, message: str, code: str) -> None:
        self.count += 1
        if len(self.shown) < MAX_ERRORS:
            self.shown.append(RowError(row, column, message, code))


class FileRefused(Exception):
    """The file cannot be read as a table at all."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


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


# --- writing -------------------------------------------------------------------------------------------------------


def _at(day: date | None) -> datetime | None:
    """Midday, so the date stays the same in every time zone the statistics may use."""
    return timezone.make_aware(datetime.combine(day, time(12))) if day else None


def _write(*, actor: User, community: Helsefellesskap, filename: str, rows: list[ImportRow]) -> ImportBatch:
    rules = services.settings_for(community)
    batch = ImportBatch.objects.create(
        helsefellesskap=community, imported_by=actor, filename=filename, row_count=len(rows)
    )
    rows = sorted(rows, key=lambda row: (row.sent_on, row.row))  # numbers follow the dates within each year
    by_year: dict[int, list[ImportRow]] = defaultdict(list)
    for row in rows:
        by_year[row.sent_on.year].append(row)
    references: dict[int, str] = {}
    for year, group in sorted(by_year.items()):
        for row, reference in zip(group, services.allocate_references(community, year, len(group)), strict=True):
            references[row.row] = reference
    deadlines: dict[tuple[date, int], date] = {}

    def deadline(day: date, days: int) -> date:
        if (day, days) not in deadlines:
            deadlines[day, days] = add_working_days(day, days)
        return deadlines[day, days]

    cases = []
    for row in rows:
        case = Deviation(
            helsefellesskap=community,
            reference=references[row.row],
            status=row.status,
            reporter=None,
            source="import",
            import_batch=batch,
            reporter_unit=row.sender,
            receiver=row.receiver,
            occurred_on=row.occurred_on,
            description=row.description,
            category_id=row.category_id,
            event_type=row.event_type,
            harm_physical=row.harm_physical,
            harm_psychological=row.harm_psychological,
            patient_involved=YesNoUnknown.UNKNOWN,
            answer=row.answer,
            acknowledge_deadline=deadline(row.sent_on, rules.acknowledge_days),
            answer_deadline=deadline(row.sent_on, rules.answer_days),
            submitted_at=_at(row.sent_on),
            answered_at=_at(row.answered_on),
            closed_at=_at(row.answered_on or row.sent_on) if row.status == Status.CLOSED else None,
            external_case_id=row.external_case_id,
        )
        if case.answered_at:
            services.record_answer_facts(case)
        cases.append(case)
    Deviation.objects.bulk_create(cases, batch_size=500)
    if any(case.pk is None for case in cases):  # databases that do not return ids from a bulk insert
        ids = dict(Deviation.objects.filter(import_batch=batch).values_list("reference", "pk"))
        for case in cases:
            case.pk = ids[case.reference]
    note = _("Imported from %(filename)s") % {"filename": filename}
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(deviation_id=case.pk, kind=EventKind.STATUS, actor=actor, to_status=case.status, text=note)
            for case in cases
        ],
        batch_size=500,
    )
    audit.record(
        actor=actor,
        action="deviations.import.completed",
        target=batch,
        helsefellesskap=community,
        data={
            "rows": len(cases),
            "statuses": dict(Counter(case.status for case in cases)),
            "years": {str(year): len(group) for year, group in sorted(by_year.items())},
        },
    )
    return batch


@transaction.atomic
def deviation_import(*, actor: User, community: Helsefellesskap, uploaded_file) -> ImportResult:
    """Check every row of the secretariat's spreadsheet; write all of it, or nothing and say why, row by row."""
    require(actor, "deviations.import", community)
    filename = PurePath(uploaded_file.name or "").name[:255]
    result = ImportResult(filename=filename)
    errors = _Errors()
    try:
        data = uploaded_file.read(MAX_FILE_SIZE + 1)
        if len(data) > MAX_FILE_SIZE:
            raise FileRefused(_("The file is larger than 10 MB."), "size")
        table = read_table(data, filename)
    except FileRefused as refused:
        errors.add(None, "", refused.message, refused.code)
    else:
        result.row_count = len(table.rows)
        services.settings_for(community)  # the community's starting categories exist before they are looked up
        rows, result.ignored_columns = validate(community, table, errors)
        if not errors.count:
            result.batch = _write(actor=actor, community=community, filename=filename, rows=rows)
    # In the order of the spreadsheet; problems with the whole file first.
    result.errors = sorted(errors.shown, key=lambda error: (error.row is not None, error.row or 0))
    result.error_count = errors.count
    if not result.ok:
        transaction.set_rollback(True)  # all or nothing: not even the settings created on first use stay
    return result


def import_batches(community: Helsefellesskap):
    """The community's earlier imports, newest first (for the import page)."""
    return ImportBatch.objects.filter(helsefellesskap=community).select_related("imported_by")[:20]


# --- the template ---------------------------------------------------------------------------------------------------


def _example_values(community: Helsefellesskap) -> dict[str, Any]:
    tops = community_organisations(community).filter(parent__isnull=True)
    municipality = tops.filter(type=OrganisationType.KOMMUNE).order_by("name").first()
    hospital = tops.filter(type__in=[OrganisationType.HF, OrganisationType.PRIVATE_HOSPITAL]).order_by("name").first()
    category = Category.objects.filter(helsefellesskap=community, is_active=True).order_by("order", "code").first()
    year = timezone.localdate().year - 1
    return {
        "occurred_on": date(year, 3, 14),
        "sent_on": date(year, 3, 15),
        "sender": municipality.name if municipality else "Kommune",
        "receiver": hospital.display_short_name if hospital else "Sykehus",
        "category": category.code if category else "ANN",
        "event_type": "hendelse",
        "harm_physical": "ingen",
        "harm_psychological": "vet ikke",
        "status": "besvart",
        "answered_on": date(year, 4, 2),
        "description": "Pasienten kom hjem uten epikrise.",
        "answer": "Rutinen for utsending av epikrise er gjennomgått med avdelingen.",
        "external_case_id": EXAMPLE_CASE_NUMBER,
    }


def template_workbook(community: Helsefellesskap) -> bytes:
    """An XLSX with the headers, one example row (refused if left in) and a sheet that explains each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    services.settings_for(community)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Avvik"
    sheet.append([column.header for column in COLUMNS])
    example = _example_values(community)
    sheet.append([example[column.key] for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet[f"{letter}1"].font = Font(bold=True)
        sheet.column_dimensions[letter].width = 40 if column.key in ("description", "answer") else 18
        if isinstance(example[column.key], date):
            sheet[f"{letter}2"].number_format = "DD.MM.YYYY"
    sheet.freeze_panes = "A2"
    codes = list(Category.objects.filter(helsefellesskap=community, is_active=True).values_list("code", flat=True))
    lists = {**ALLOWED, "category": codes}
    for index, column in enumerate(COLUMNS, start=1):
        values = lists.get(column.key)
        formula = '"' + ",".join(values) + '"' if values else ""
        if not values or len(formula) > 255:  # Excel's limit for a list written in the rule
            continue
        rule = DataValidation(type="list", formula1=formula, allow_blank=True, errorStyle="warning")
        letter = get_column_letter(index)
        rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(rule)
    guide = workbook.create_sheet("Forklaring")
    guide.append([_("Column"), _("Required"), _("What to write")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        guide.append([column.header, _("Yes") if column.required else _("No"), str(column.help)])
    guide.append([])
    guide.append(
        [
            _(
                "Only the first sheet is imported. Never write a patient's name, fødselsnummer or D-nummer: a file "
                "with a fødselsnummer or D-nummer in any cell is refused."
            )
        ]
    )
    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["B"].width = 10
    guide.column_dimensions["C"].width = 100
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
