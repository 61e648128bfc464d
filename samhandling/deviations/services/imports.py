"""Writing an import of earlier cases: all or nothing, in one transaction, with numbers from the same counter as
submitted cases, one history event each and one audit event with counts.
"""

from collections import Counter, defaultdict
from datetime import date, datetime, time
from pathlib import PurePath

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samhandling.core import audit
from samhandling.core.models import Helsefellesskap, User
from samhandling.core.permissions import require
from samhandling.core.workdays import add_working_days

from .. import imports
from ..imports.columns import FileRefused, ImportResult, _Errors
from ..imports.reading import read_table
from ..imports.validation import ImportRow, validate
from ..models import (
    CaseEvent,
    Deviation,
    EventKind,
    ImportBatch,
    Status,
    YesNoUnknown,
)
from .common import allocate_references, record_answer_facts, settings_for

# --- writing -------------------------------------------------------------------------------------------------------


def _at(day: date | None) -> datetime | None:
    """Midday, so the date stays the same in every time zone the statistics may use."""
    return timezone.make_aware(datetime.combine(day, time(12))) if day else None


def _write(*, actor: User, community: Helsefellesskap, filename: str, rows: list[ImportRow]) -> ImportBatch:
    rules = settings_for(community)
    batch = ImportBatch.objects.create(
        helsefellesskap=community, imported_by=actor, filename=filename, row_count=len(rows)
    )
    rows = sorted(rows, key=lambda row: (row.sent_on, row.row))  # numbers follow the dates within each year
    by_year: dict[int, list[ImportRow]] = defaultdict(list)
    for row in rows:
        by_year[row.sent_on.year].append(row)
    references: dict[int, str] = {}
    for year, group in sorted(by_year.items()):
        for row, reference in zip(group, allocate_references(community, year, len(group)), strict=True):
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
            record_answer_facts(case)
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
        limit = imports.MAX_FILE_SIZE  # read from the package at call time, so it can be lowered in one place
        data = uploaded_file.read(limit + 1)
        if len(data) > limit:
            raise FileRefused(_("The file is larger than 10 MB."), "size")
        table = read_table(data, filename)
    except FileRefused as refused:
        errors.add(None, "", refused.message, refused.code)
    else:
        result.row_count = len(table.rows)
        settings_for(community)  # the community's starting categories exist before they are looked up
        rows, result.ignored_columns = validate(community, table, errors)
        if not errors.count:
            result.batch = _write(actor=actor, community=community, filename=filename, rows=rows)
    # In the order of the spreadsheet; problems with the whole file first.
    result.errors = sorted(errors.shown, key=lambda error: (error.row is not None, error.row or 0))
    result.error_count = errors.count
    if not result.ok:
        transaction.set_rollback(True)  # all or nothing: not even the settings created on first use stay
    return result


audit.register_actions({"deviations.import.completed": gettext_lazy("Imported earlier deviations from a file")})
