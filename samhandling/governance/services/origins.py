"""Items made from another module's document: the projection report, the deviation half-year report, the action
plan's status report and the joint consultation response all reach an agenda by this one path."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from samhandling.core.models import User
from samhandling.core.permissions import require

from ..models import BEFORE_MEETING, AgendaItem, Body, ItemKind, ItemOrigin, Meeting, Visibility
from .agenda import _new_item
from .attachments import _store_attachment
from .common import _record


@dataclass(frozen=True)
class Origin:
    """Where the document came from: the module (an `ItemOrigin`), the source's name and a link back to it."""

    kind: str
    name: str
    url: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ItemOrigin.values or not self.kind:
            raise ValueError(f"unknown item origin {self.kind!r}")
        if self.url and not self.url.startswith("/"):
            raise ValueError("an origin links to a page of this site (a path)")


@dataclass(frozen=True)
class Document:
    """The document to attach: its file name (the extension says its type), bytes and title on the agenda."""

    filename: str
    content: bytes
    title: str = ""


@transaction.atomic
def item_from_document(
    *,
    actor: User,
    body: Body,
    title: str,
    document: Document,
    origin: Origin,
    meeting: Meeting | None = None,
    kind: str = ItemKind.INFORMATION,
    description: str = "",
    proposed_decision: str = "",
    proposed_conclusion: str = "",
    visibility: str = Visibility.INTERNAL,
    data: dict | None = None,
) -> AgendaItem:
    """An item with `document` attached, in `body`'s queue of unscheduled items or on `meeting` (an upcoming meeting
    of the same body), recording where it came from; one audit event for the item and its attachment."""
    require(actor, "governance.manage_body", body)
    if meeting is not None and (meeting.body_id != body.pk or meeting.status not in BEFORE_MEETING):
        raise ValidationError({"meeting": _("Choose an upcoming meeting of the chosen body, or none for the queue.")})
    item = _new_item(
        actor=actor,
        body=body,
        meeting=meeting,
        title=title,
        kind=kind,
        description=description,
        proposed_decision=proposed_decision,
        proposed_conclusion=proposed_conclusion,
        visibility=visibility,
        case_officer=actor,
        origin=origin.kind,
        origin_name=origin.name.strip()[:300],
        origin_url=origin.url[:500],
    )
    attachment = _store_attachment(
        item=item,
        name=document.filename,
        content=document.content,
        title=document.title or title,
        visibility=visibility,
        actor=actor,
    )
    _record(
        actor=actor,
        action="governance.item.added_from_document",
        target=item,
        body=body,
        data={
            "origin": origin.kind,
            "meeting": meeting.pk if meeting else None,
            "number": item.number,
            "attachment": attachment.pk,
            "size": attachment.size,
            **(data or {}),
        },
    )
    return item


@transaction.atomic
def item_from_deviation_report(
    *, actor: User, meeting: Meeting, year: int, half: int, version: str = "published"
) -> AgendaItem:
    """An orientering item with the deviation module's half-year report attached (the report as it is now)."""
    from samhandling.deviations import reports

    require(actor, "governance.manage_meeting", meeting)
    if half not in (1, 2):
        raise ValidationError({"half": _("Choose the first or second half of the year.")})
    community = meeting.body.helsefellesskap
    filename, content, _content_type = reports.generate_report(
        community, reports.HALF_YEAR, year, half, version, reports.PDF
    )
    period = reports.half_label(year, half)
    return item_from_document(
        actor=actor,
        body=meeting.body,
        meeting=meeting,
        kind=ItemKind.INFORMATION,
        title=_("Samhandlingsavvik: report for %(period)s") % {"period": period},
        description=_("The secretariat presents the deviation statistics for %(period)s.") % {"period": period},
        proposed_conclusion=_("The report is noted."),
        visibility=Visibility.PUBLIC if version == reports.PUBLISHED else Visibility.INTERNAL,
        document=Document(filename, content, reports.report_title(reports.HALF_YEAR, year, half)),
        origin=Origin(ItemOrigin.DEVIATION_REPORT, period, reverse("deviations:reports")),
        data={"year": year, "half": half, "version": version},
    )
