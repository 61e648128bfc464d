"""Case numbers and agenda order: numbers are claimed from a counter row with one conditional UPDATE and never
reused; standard items sort first and last."""

from datetime import date

from django.db.models import F

from ..models import (
    MS,
    AgendaItem,
    Body,
    ItemCounter,
    Meeting,
    format_case_number,
)
from .common import _LAST_RANK, _RANK, settings_for


def allocate_item_numbers(body: Body, year: int, count: int = 1) -> list[int]:
    """Claim `count` consecutive case numbers of a body and year with one atomic UPDATE; concurrent claims wait for
    each other on the counter row, so no number is ever handed out twice, and none is ever taken back."""
    if count < 1:
        return []
    ItemCounter.objects.get_or_create(body=body, year=year)
    ItemCounter.objects.filter(body=body, year=year).update(last_number=F("last_number") + count)
    last = ItemCounter.objects.get(body=body, year=year).last_number
    return list(range(last - count + 1, last + 1))


def release_item_numbers(body: Body, year: int, sequences: list[int]) -> bool:
    """Give back claimed numbers that were never published, but only when they are the last ones claimed of the
    year (one conditional UPDATE), so no gap is left and no published number is ever handed out again."""
    if not sequences:
        return False
    low, high = min(sequences), max(sequences)
    if sorted(sequences) != list(range(low, high + 1)):
        return False
    return bool(ItemCounter.objects.filter(body=body, year=year, last_number=high).update(last_number=low - 1))


def _number(items: list[AgendaItem], body: Body, year: int) -> None:
    if not items:
        return
    fmt = settings_for(body.helsefellesskap).case_number_format
    for item, sequence in zip(items, allocate_item_numbers(body, year, len(items)), strict=True):
        item.year, item.sequence = year, sequence
        item.number = format_case_number(fmt, year, sequence)
        item.save(update_fields=["year", "sequence", "number", "updated_at"])


def _agenda(meeting: Meeting) -> list[AgendaItem]:
    return list(meeting.items.order_by("position", "pk"))


def _rank(item: AgendaItem) -> int:
    return _RANK.get(item.standard, _LAST_RANK)


def _reorder(meeting: Meeting, ordinary: list[AgendaItem] | None = None) -> list[AgendaItem]:
    """Give the meeting's items positions 1…n: standard opening items, ordinary items (in the given order, or as
    they were), any other business last."""
    items = _agenda(meeting)
    if ordinary is not None:
        order = {item.pk: index for index, item in enumerate(ordinary)}
        items.sort(key=lambda item: (_rank(item), order.get(item.pk, len(order)), item.position, item.pk))
    else:
        items.sort(key=lambda item: (_rank(item), item.position, item.pk))
    changed = []
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["position"])
    return items


def _agenda_fixed(meeting: Meeting) -> bool:
    """The agenda is fixed (numbers claimed) once the notice has gone or the secretariat has numbered it."""
    return meeting.status != MS.PLANNED or meeting.items.filter(sequence__isnull=False).exists()


def _number_unnumbered(meeting: Meeting) -> list[AgendaItem]:
    items = [item for item in _reorder(meeting) if item.sequence is None]
    _number(items, meeting.body, meeting.date.year)
    return items


def _place(item: AgendaItem, meeting: Meeting) -> None:
    """Put an item on a meeting before any other business, numbering it at once when the agenda is fixed."""
    item.meeting = meeting
    item.position = 10_000
    item.save(update_fields=["meeting", "position", "updated_at"])
    _reorder(meeting)
    if item.sequence is None and _agenda_fixed(meeting):
        _number([item], meeting.body, meeting.date.year)


def _next_open_meeting(body: Body, after: date | None = None) -> Meeting | None:
    """The body's next meeting whose agenda is still open (planned, notice not sent)."""
    meetings = body.meetings.filter(status=MS.PLANNED)
    if after is not None:
        meetings = meetings.filter(date__gt=after)
    return meetings.order_by("date", "start_time").first()


def _to_next_meeting_or_queue(item: AgendaItem, after: date | None) -> None:
    meeting = _next_open_meeting(item.body, after)
    if meeting is not None:
        _place(item, meeting)
