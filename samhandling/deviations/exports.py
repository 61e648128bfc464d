"""De-identified exports of samhandlingsavvik: the rows a user may take out for one community and period, and the
CSV (what Norwegian Excel opens: UTF-8 with BOM, semicolons, dd.mm.yyyy) and XLSX writers for them.

A row holds codes, organisations, dates and deadlines only: never free text, never a person, never the patient.
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, NamedTuple

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, override
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from samhandling.core import audit
from samhandling.core.models import Helsefellesskap, OrganisationType, User
from samhandling.core.permissions import can

from .access import sees_whole_community, visible_deviations
from .models import (
    EXCLUDED_FROM_STATISTICS,
    Deviation,
    EventType,
    PhysicalHarm,
    PsychologicalHarm,
    Status,
    YesNoUnknown,
)
from .selectors import sent_between

# Never sent: nothing the receiving side or the statistics know of.
NEVER_SENT = (Status.DRAFT, Status.AWAITING_LEADER)

# The only columns read from the database; free text, people and patient identity are simply not among them.
_FIELDS = (
    "reference",
    "status",
    "helsefellesskap__code",
    "category__code",
    "category__name_nb",
    "category__name_nn",
    "event_type",
    "harm_physical",
    "harm_psychological",
    "patient_involved",
    "reporter_unit_id",
    "reporter_unit__name",
    "reporter_unit__root_id",
    "reporter_unit__root__name",
    "reporter_unit__root__type",
    "receiver_id",
    "receiver__name",
    "receiver__root_id",
    "receiver__root__name",
    "receiver__root__type",
    "occurred_on",
    "submitted_at",
    "acknowledged_at",
    "answered_at",
    "closed_at",
    "acknowledge_deadline",
    "answer_deadline",
)
CHUNK_SIZE = 2000


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One de-identified case: codes (labels are looked up when written) and local dates."""

    reference: str
    status: str
    community_code: str
    category_code: str
    category_name_nb: str
    category_name_nn: str
    event_type: str
    harm_physical: str
    harm_psychological: str
    patient_involved: str
    sender_organisation: str
    sender_type: str
    sender_unit: str  # empty when the case was sent from the organisation itself
    receiver_organisation: str
    receiver_type: str
    receiver_unit: str
    occurred_on: date
    sent_at: datetime
    acknowledged_on: date | None
    answered_on: date | None
    closed_on: date | None
    acknowledge_deadline: date | None
    answer_deadline: date | None
    overdue: bool

    @property
    def sent_on(self) -> date:
        return timezone.localdate(self.sent_at)

    @property
    def answered_in_time(self) -> bool | None:
        """Unknown (None) until answered, or when the case has no answer deadline."""
        if self.answered_on is None or self.answer_deadline is None:
            return None
        return self.answered_on <= self.answer_deadline

    @property
    def in_statistics(self) -> bool:
        return self.status not in EXCLUDED_FROM_STATISTICS


# --- which cases -------------------------------------------------------------------------------------------------


def export_cases(user: User, community: Helsefellesskap | None, start: date, end: date) -> QuerySet[Deviation]:
    """The sent cases of `community` the user may export, sent from `start` to `end` (both local dates, inclusive)."""
    if community is None or not can(user, "deviations.view_statistics", community):
        return Deviation.objects.none()
    cases = Deviation.objects.all() if sees_whole_community(user, community) else visible_deviations(user)
    return (
        cases.filter(helsefellesskap=community, **sent_between(start, end))
        .exclude(status__in=NEVER_SENT)
        .order_by("submitted_at", "pk")
    )


class _Deadlines(NamedTuple):
    status: str
    acknowledge_deadline: date | None
    answer_deadline: date | None


def _local_date(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value is not None else None


def rows(cases: QuerySet[Deviation], *, today: date | None = None) -> Iterator[ExportRow]:
    """De-identified rows for `cases`: one query, read in chunks, never a query per row."""
    today = today or timezone.localdate()
    for values in cases.values_list(*_FIELDS).iterator(chunk_size=CHUNK_SIZE):
        v = dict(zip(_FIELDS, values, strict=True))
        if v["submitted_at"] is None:  # never sent (possible only for a single case passed in by the caller)
            continue
        yield ExportRow(
            reference=v["reference"] or "",
            status=v["status"],
            community_code=v["helsefellesskap__code"],
            category_code=v["category__code"],
            category_name_nb=v["category__name_nb"],
            category_name_nn=v["category__name_nn"],
            event_type=v["event_type"],
            harm_physical=v["harm_physical"],
            harm_psychological=v["harm_psychological"],
            patient_involved=v["patient_involved"],
            sender_organisation=v["reporter_unit__root__name"],
            sender_type=v["reporter_unit__root__type"],
            sender_unit=v["reporter_unit__name"] if v["reporter_unit_id"] != v["reporter_unit__root_id"] else "",
            receiver_organisation=v["receiver__root__name"],
            receiver_type=v["receiver__root__type"],
            receiver_unit=v["receiver__name"] if v["receiver_id"] != v["receiver__root_id"] else "",
            occurred_on=v["occurred_on"],
            sent_at=v["submitted_at"],
            acknowledged_on=_local_date(v["acknowledged_at"]),
            answered_on=_local_date(v["answered_at"]),
            closed_on=_local_date(v["closed_at"]),
            acknowledge_deadline=v["acknowledge_deadline"],
            answer_deadline=v["answer_deadline"],
            # The model's own rule, applied to the values (it reads only the status and the two deadlines).
            overdue=Deviation.is_overdue(
                _Deadlines(v["status"], v["acknowledge_deadline"], v["answer_deadline"]), today
            ),
        )


def export_rows(user: User, community: Helsefellesskap | None, start: date, end: date) -> Iterator[ExportRow]:
    """Selector: the de-identified rows of a community and period for this user."""
    return rows(export_cases(user, community, start, end))


# --- columns -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: Any  # a lazy translation
    value: Any  # (row, labels) -> str | date | None
    width: int


class Labels:
    """Every label an export needs, translated once per export, so writing a row costs no translation lookups."""

    def __init__(self) -> None:
        self.nynorsk = get_language() == "nn"
        self.status = {value: str(label) for value, label in Status.choices}
        self.event_type = {value: str(label) for value, label in EventType.choices}
        self.physical = {value: str(label) for value, label in PhysicalHarm.choices}
        self.psychological = {value: str(label) for value, label in PsychologicalHarm.choices}
        self.yes_no_unknown = {value: str(label) for value, label in YesNoUnknown.choices}
        self.organisation_type = {value: str(label) for value, label in OrganisationType.choices}
        self.yes, self.no = _("Yes"), _("No")

    def boolean(self, value: bool | None) -> str:
        if value is None:
            return ""
        return self.yes if value else self.no

    def category(self, row: ExportRow) -> str:
        return row.category_name_nn if self.nynorsk else row.category_name_nb


COLUMNS: tuple[Column, ...] = (
    Column(gettext_lazy("Reference"), lambda r, t: r.reference, 16),
    Column(gettext_lazy("Status"), lambda r, t: t.status.get(r.status, r.status), 22),
    Column(gettext_lazy("Category code"), lambda r, t: r.category_code, 10),
    Column(gettext_lazy("Category"), lambda r, t: t.category(r), 40),
    Column(gettext_lazy("Type of event"), lambda r, t: t.event_type.get(r.event_type, r.event_type), 26),
    Column(gettext_lazy("Physical harm"), lambda r, t: t.physical.get(r.harm_physical, r.harm_physical), 12),
    Column(
        gettext_lazy("Psychological harm"),
        lambda r, t: t.psychological.get(r.harm_psychological, r.harm_psychological),
        12,
    ),
    Column(
        gettext_lazy("Patient involved"),
        lambda r, t: t.yes_no_unknown.get(r.patient_involved, r.patient_involved),
        10,
    ),
    Column(gettext_lazy("Sending organisation"), lambda r, t: r.sender_organisation, 30),
    Column(
        gettext_lazy("Type of sending organisation"),
        lambda r, t: t.organisation_type.get(r.sender_type, r.sender_type),
        18,
    ),
    Column(gettext_lazy("Sending unit"), lambda r, t: r.sender_unit, 30),
    Column(gettext_lazy("Receiving organisation"), lambda r, t: r.receiver_organisation, 30),
    Column(
        gettext_lazy("Type of receiving organisation"),
        lambda r, t: t.organisation_type.get(r.receiver_type, r.receiver_type),
        18,
    ),
    Column(gettext_lazy("Receiving unit"), lambda r, t: r.receiver_unit, 30),
    Column(gettext_lazy("Date of the event"), lambda r, t: r.occurred_on, 12),
    Column(gettext_lazy("Date sent"), lambda r, t: r.sent_on, 12),
    Column(gettext_lazy("Date acknowledged"), lambda r, t: r.acknowledged_on, 12),
    Column(gettext_lazy("Date answered"), lambda r, t: r.answered_on, 12),
    Column(gettext_lazy("Date closed"), lambda r, t: r.closed_on, 12),
    Column(gettext_lazy("Acknowledgement deadline"), lambda r, t: r.acknowledge_deadline, 12),
    Column(gettext_lazy("Answer deadline"), lambda r, t: r.answer_deadline, 12),
    Column(gettext_lazy("Answered within the deadline"), lambda r, t: t.boolean(r.answered_in_time), 10),
    Column(gettext_lazy("Overdue now"), lambda r, t: t.boolean(r.overdue), 10),
    Column(gettext_lazy("Included in statistics"), lambda r, t: t.boolean(r.in_statistics), 10),
)

DATE_FORMAT = "%d.%m.%Y"
XLSX_DATE_FORMAT = "dd.mm.yyyy"
# A cell that starts like a formula is shown as text, so a crafted organisation name cannot run in a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def headers() -> list[str]:
    return [str(column.header) for column in COLUMNS]


def cells(row: ExportRow, labels: Labels) -> list[str | date | None]:
    return [column.value(row, labels) for column in COLUMNS]


# --- CSV ---------------------------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value: str | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    return _text(value)


def csv_chunks(export: Iterable[ExportRow], *, language: str | None = None, batch: int = 1000) -> Iterator[str]:
    """The CSV as text chunks (BOM first), for a StreamingHttpResponse; rows are read as the chunks are sent."""
    with override(language or get_language()):
        labels, header = Labels(), headers()
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(header)
    lines: list[str] = []
    for row in export:
        lines.append(writer.writerow([_csv_cell(value) for value in cells(row, labels)]))
        if len(lines) >= batch:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


# --- XLSX --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportInfo:
    """What the first sheet says about the extract."""

    community: Helsefellesskap
    start: date
    end: date
    whole_community: bool


def _sheet_title(text: str) -> str:
    return "".join(ch for ch in text if ch not in "[]:*?/\\")[:31] or "Sheet"


def write_xlsx(export: Iterable[ExportRow], info: ExportInfo, target: IO[bytes]) -> int:
    """Write the workbook (an information sheet, then the data sheet) to `target`; returns the number of rows.

    Write-only mode keeps memory flat for large extracts: rows go to disk as they are appended."""
    bold = Font(bold=True)
    workbook = Workbook(write_only=True)
    about = workbook.create_sheet(_sheet_title(_("About the extract")))
    data = workbook.create_sheet(_sheet_title(_("Deviations")))
    labels = Labels()

    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 70
    data.freeze_panes = "A2"  # must be set before the first row is written
    for index, column in enumerate(COLUMNS, start=1):
        data.column_dimensions[get_column_letter(index)].width = column.width

    def header_cell(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(data, value=text)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    data.append([header_cell(text) for text in headers()])
    count = 0
    for row in export:
        values = []
        for value in cells(row, labels):
            if isinstance(value, date):
                cell = WriteOnlyCell(data, value=value)
                cell.number_format = XLSX_DATE_FORMAT
                values.append(cell)
            elif isinstance(value, str) and value.startswith(_FORMULA_START):
                # Force text: openpyxl would otherwise take a leading "=" as a formula.
                cell = WriteOnlyCell(data, value=_text(value))
                cell.data_type = "s"
                values.append(cell)
            else:
                values.append(value)
        data.append(values)
        count += 1
    if count:
        data.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"

    def labelled(label: str, value: Any) -> list:
        cell = WriteOnlyCell(about, value=label)
        cell.font = bold
        return [cell, value]

    marking = WriteOnlyCell(about, value=_("De-identified extract"))
    marking.font = Font(bold=True, size=14)
    about.append([marking])
    about.append([])
    about.append(labelled(_("Health community"), info.community.name))
    about.append(
        labelled(_("Period"), f"{info.start.strftime(DATE_FORMAT)}–{info.end.strftime(DATE_FORMAT)}"),
    )
    about.append(labelled(_("Created"), timezone.localtime().strftime(f"{DATE_FORMAT} %H:%M")))
    about.append(labelled(_("Number of deviations"), count))
    scope = (
        _("Every deviation in the health community sent in the period.")
        if info.whole_community
        else _("The deviations sent in the period that you may open.")
    )
    about.append(labelled(_("Contents"), scope))
    about.append(
        labelled(
            _("Left out"),
            _(
                "Drafts and reports awaiting the leader. No free text, no names of persons and no patient "
                "identity are included."
            ),
        )
    )
    workbook.save(target)
    return count


# --- the audit event every export writes ------------------------------------------------------------------------

EXPORT_ACTIONS = {
    "deviations.export.csv": gettext_lazy("Exported deviations (CSV)"),
    "deviations.export.xlsx": gettext_lazy("Exported deviations (Excel)"),
    "deviations.export.fhir": gettext_lazy("Exported deviations (FHIR)"),
    "deviations.export.fhir_case": gettext_lazy("Exported a deviation (FHIR)"),
}
audit.register_actions(EXPORT_ACTIONS)


@transaction.atomic
def export_record(
    *,
    actor: User,
    action: str,
    community: Helsefellesskap,
    start: date | None = None,
    end: date | None = None,
    count: int | None = None,
    case: Deviation | None = None,
    extra: dict | None = None,
) -> None:
    """Log that something was exported: the period and the number of rows, never what they contained."""
    if action not in EXPORT_ACTIONS:
        raise ValueError(action)
    data: dict[str, Any] = dict(extra or {})
    if start is not None and end is not None:
        data.update(start=start.isoformat(), end=end.isoformat())
    if count is not None:
        data["rows"] = count
    audit.record(actor=actor, action=action, target=case, helsefellesskap=community, data=data)
