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

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy

from ..models import (
    EventType,
    ImportBatch,
    PhysicalHarm,
    PsychologicalHarm,
    Status,
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
