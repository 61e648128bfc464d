"""Reads of the meeting module that views share, each already filtered by what the user may see (`*_for(user, pk)`
raise Http404 outside it), and the public archive's reads, which show only what has been published: meetings whose
notice has gone out, public items and attachments, notices and approved minutes."""

from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from samhandling.core.models import Helsefellesskap

from .access import access_for
from .models import (
    BEFORE_MEETING,
    ActionPoint,
    ActionPointStatus,
    AgendaItem,
    Attachment,
    Attendance,
    Body,
    BodyKind,
    BodyMember,
    DocumentKind,
    DocumentVersion,
    Meeting,
    MeetingStatus,
    Visibility,
    current_members_q,
)

# Meetings the public may know of: the notice has gone out (a cancelled meeting only if it had).
PUBLISHED_STATUSES = [
    MeetingStatus.NOTICE_SENT,
    MeetingStatus.HELD,
    MeetingStatus.MINUTES_DRAFTED,
    MeetingStatus.MINUTES_APPROVED,
]


def _one(queryset: QuerySet, pk):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# --- bodies and members --------------------------------------------------------------------------------------------


def bodies_for(user, community: Helsefellesskap | None = None) -> QuerySet[Body]:
    access = access_for(user)
    if access.user_id is None:
        return Body.objects.none()
    bodies = Body.objects.filter(access.bodies_q()).select_related("helsefellesskap", "parent")
    if community is not None:
        bodies = bodies.filter(helsefellesskap=community)
    return bodies.order_by("helsefellesskap__name", "kind", "name")


def body_for(user, pk) -> Body:
    return _one(bodies_for(user), pk)


def managed_bodies(user) -> QuerySet[Body]:
    access = access_for(user)
    return Body.objects.filter(helsefellesskap__in=access.managed_community_ids).select_related("helsefellesskap")


def members_of(body: Body, on: date | None = None) -> QuerySet[BodyMember]:
    """Seats valid on a day (today when not given), chair first."""
    on = on or timezone.localdate()
    return all_members_of(body).filter(current_members_q(on))


def all_members_of(body: Body) -> QuerySet[BodyMember]:
    role_order = ["leader", "deputy_leader", "member", "deputy", "observer", "secretary"]
    from django.db.models import Case, IntegerField, Value, When

    order = Case(*[When(role=role, then=Value(i)) for i, role in enumerate(role_order)], output_field=IntegerField())
    return (
        body.members.select_related("user", "organisation")
        .annotate(role_order=order)
        .order_by("role_order", "user__first_name", "name", "pk")
    )


# --- meetings ------------------------------------------------------------------------------------------------------


def meetings_for(user, *, body: Body | None = None, year: int | None = None, upcoming: bool | None = None):
    access = access_for(user)
    meetings = Meeting.objects.filter(access.visible_meetings_q()).select_related("body", "body__helsefellesskap")
    if body is not None:
        meetings = meetings.filter(body=body)
    if year is not None:
        meetings = meetings.filter(date__year=year)
    today = timezone.localdate()
    if upcoming is True:
        meetings = meetings.filter(date__gte=today).exclude(status=MeetingStatus.CANCELLED)
    elif upcoming is False:
        meetings = meetings.filter(date__lt=today)
        return meetings.order_by("-date", "-start_time")
    return meetings.order_by("date", "start_time")


def meeting_for(user, pk) -> Meeting:
    return _one(meetings_for(user), pk)


def year_plan(user, body: Body, year: int) -> QuerySet[Meeting]:
    return meetings_for(user, body=body, year=year)


def previous_meeting(meeting: Meeting) -> Meeting | None:
    from .services import previous_meeting_of

    return previous_meeting_of(meeting)


def next_meeting(meeting: Meeting) -> Meeting | None:
    later = meeting.body.meetings.exclude(status=MeetingStatus.CANCELLED).exclude(pk=meeting.pk)
    later = later.filter(Q(date__gt=meeting.date) | Q(date=meeting.date, start_time__gt=meeting.start_time))
    return later.order_by("date", "start_time").first()


# --- items and attachments -----------------------------------------------------------------------------------------


def _items_for(user) -> QuerySet[AgendaItem]:
    access = access_for(user)
    return AgendaItem.objects.filter(access.visible_items_q()).select_related(
        "body", "body__helsefellesskap", "meeting", "case_officer"
    )


def _with_parts(items: QuerySet[AgendaItem], attachments: QuerySet[Attachment]) -> QuerySet[AgendaItem]:
    return items.prefetch_related(
        "responsibles__user",
        Prefetch("attachments", queryset=attachments.order_by("order", "pk"), to_attr="visible_attachments"),
    )


def attachments_visible_to(user) -> QuerySet[Attachment]:
    access = access_for(user)
    if access.user_id is None:
        return Attachment.objects.none()
    return Attachment.objects.filter(access.visible_attachments_q())


def agenda(user, meeting: Meeting) -> list[AgendaItem]:
    """The items of a meeting the user may see, in agenda order, with responsibles and visible attachments."""
    items = _items_for(user).filter(meeting=meeting).order_by("position", "pk")
    return list(_with_parts(items, attachments_visible_to(user)))


def item_for(user, pk) -> AgendaItem:
    return _one(_with_parts(_items_for(user), attachments_visible_to(user)), pk)


def queue_for(user, body: Body) -> QuerySet[AgendaItem]:
    """Items waiting for a meeting of the body (deferred, forwarded, registered without a date)."""
    return _items_for(user).filter(body=body, meeting__isnull=True).order_by("created_at", "pk")


def attachments_for(user, item: AgendaItem) -> QuerySet[Attachment]:
    if not access_for(user).sees_item(item):
        return Attachment.objects.none()
    return attachments_visible_to(user).filter(item=item).order_by("order", "pk")


def attachment_for(user, pk) -> Attachment:
    attachment = _one(Attachment.objects.select_related("item", "item__body", "item__meeting"), pk)
    if not access_for(user).sees_attachment(attachment):
        raise Http404
    return attachment


def follow_up_chain(user, item: AgendaItem) -> tuple[list[AgendaItem], list[AgendaItem]]:
    """(earlier, later): the items this one follows up, was deferred or forwarded from (oldest first), and the items
    that follow it up or carry it on (in date order). Only items the user may see; cycles are impossible to loop on."""
    visible = _items_for(user)
    earlier, seen, current = [], {item.pk}, item
    while True:
        parent_id = current.follows_up_id or current.deferred_from_id or current.forwarded_from_id
        if parent_id is None or parent_id in seen:
            break
        seen.add(parent_id)
        parent = AgendaItem.objects.select_related("meeting", "body").filter(pk=parent_id).first()
        if parent is None:
            break
        if visible.filter(pk=parent.pk).exists():
            earlier.append(parent)
        current = parent
    earlier.reverse()
    later, frontier = [], [item.pk]
    while frontier:
        children = list(
            AgendaItem.objects.filter(
                Q(follows_up__in=frontier) | Q(deferred_from__in=frontier) | Q(forwarded_from__in=frontier)
            )
            .exclude(pk__in=seen)
            .select_related("meeting", "body")
        )
        seen.update(child.pk for child in children)
        frontier = [child.pk for child in children]
        visible_ids = set(visible.filter(pk__in=frontier).values_list("pk", flat=True))
        later.extend(child for child in children if child.pk in visible_ids)
    later.sort(key=lambda child: (child.meeting.date if child.meeting else date.max, child.pk))
    return earlier, later


# --- documents and attendance --------------------------------------------------------------------------------------


def documents_for(user, meeting: Meeting, kind: str | None = None) -> QuerySet[DocumentVersion]:
    """Published versions of the notice and minutes (members see drafts and every version), newest first.
    The bytes are deferred: load them only to serve a download."""
    if not access_for(user).sees_meeting(meeting):
        return DocumentVersion.objects.none()
    documents = meeting.documents.defer("pdf", "docx", "public_pdf", "public_docx").select_related("published_by")
    if kind is not None:
        documents = documents.filter(kind=kind)
    return documents.order_by("kind", "-version")


def document_for(user, pk) -> DocumentVersion:
    document = _one(DocumentVersion.objects.select_related("meeting", "meeting__body"), pk)
    if not access_for(user).sees_meeting(document.meeting):
        raise Http404
    return document


def document_content(user, document: DocumentVersion, fmt: str) -> bytes:
    """The variant of a stored document this user may read: observers get the one without confidential items."""
    if access_for(user).sees_confidential(document.meeting.body):
        content = document.pdf if fmt == "pdf" else document.docx
    else:
        content = document.restricted_pdf if fmt == "pdf" else document.restricted_docx
        if not content:  # a version stored before observers had their own variant: the public one is safe
            content = document.public_pdf if fmt == "pdf" else document.public_docx
    return bytes(content)


def latest_document(user, meeting: Meeting, kind: str) -> DocumentVersion | None:
    return documents_for(user, meeting, kind).first()


def attendance_for(user, meeting: Meeting) -> QuerySet[Attendance]:
    if not access_for(user).sees_meeting(meeting):
        return Attendance.objects.none()
    return meeting.attendance.select_related("member__user", "member__organisation", "substitute__user")


# --- action points -------------------------------------------------------------------------------------------------


def action_points_for(user, *, status: str | None = ActionPointStatus.OPEN) -> QuerySet[ActionPoint]:
    """The user's own action points (all statuses when `status` is None), soonest due first."""
    if access_for(user).user_id is None:
        return ActionPoint.objects.none()
    points = ActionPoint.objects.filter(owner=user).select_related("item", "item__meeting", "item__body")
    if status is not None:
        points = points.filter(status=status)
    return points.order_by("due_date", "pk")


def action_points_of_item(user, item: AgendaItem) -> QuerySet[ActionPoint]:
    if not access_for(user).sees_item(item):
        return ActionPoint.objects.none()
    return item.action_points.select_related("owner").order_by("due_date", "pk")


# --- the public archive: published only ----------------------------------------------------------------------------


def public_communities() -> QuerySet[Helsefellesskap]:
    return Helsefellesskap.objects.filter(bodies__is_active=True).distinct().order_by("name")


def public_bodies(community: Helsefellesskap) -> QuerySet[Body]:
    return community.bodies.filter(is_active=True).select_related("parent").order_by("kind", "name")


def _public_meetings(community: Helsefellesskap) -> QuerySet[Meeting]:
    published = Q(status__in=PUBLISHED_STATUSES) | Q(status=MeetingStatus.CANCELLED, notice_sent_at__isnull=False)
    return Meeting.objects.filter(published, body__helsefellesskap=community, body__is_active=True).select_related(
        "body"
    )


def public_upcoming_meetings(community: Helsefellesskap, today: date | None = None) -> QuerySet[Meeting]:
    """Meetings to come. Dates, times and places of planned meetings are public (the yearly plan is)."""
    today = today or timezone.localdate()
    return (
        Meeting.objects.filter(body__helsefellesskap=community, body__is_active=True, date__gte=today)
        .exclude(status=MeetingStatus.CANCELLED, notice_sent_at__isnull=True)
        .select_related("body")
        .order_by("date", "start_time")
    )


def public_meetings(community: Helsefellesskap, *, body: Body | None = None, year: int | None = None):
    meetings = _public_meetings(community)
    if body is not None:
        meetings = meetings.filter(body=body)
    if year is not None:
        meetings = meetings.filter(date__year=year)
    return meetings.order_by("-date", "-start_time")


def public_meeting(community: Helsefellesskap, pk) -> Meeting:
    return _one(_public_meetings(community), pk)


def public_items(meeting: Meeting) -> QuerySet[AgendaItem]:
    """Public items of a published meeting. Show outcomes only when `meeting.is_minutes_final`."""
    if meeting.status not in PUBLISHED_STATUSES and meeting.notice_sent_at is None:
        return AgendaItem.objects.none()
    public_attachments_qs = Attachment.objects.filter(visibility=Visibility.PUBLIC)
    items = meeting.items.filter(visibility=Visibility.PUBLIC).order_by("position", "pk")
    return _with_parts(items, public_attachments_qs)


def public_exempt_items(meeting: Meeting) -> QuerySet[AgendaItem]:
    """The numbered items of a published meeting that the public archive lists only by number and legal ground, so
    no number seems to be missing ("Sak 2027.4 – unntatt offentlighet (offl. § 14)"). Nothing else of them."""
    if meeting.status not in PUBLISHED_STATUSES and meeting.notice_sent_at is None:
        return AgendaItem.objects.none()
    return (
        meeting.items.exclude(visibility=Visibility.PUBLIC)
        .exclude(sequence=None)
        .only("pk", "number", "position", "exemption_basis", "visibility", "meeting")
        .order_by("position", "pk")
    )


def public_attachments(item: AgendaItem) -> QuerySet[Attachment]:
    if item.visibility != Visibility.PUBLIC or item.meeting is None or item.meeting.notice_sent_at is None:
        return Attachment.objects.none()
    return item.attachments.filter(visibility=Visibility.PUBLIC).order_by("order", "pk")


def public_attachment(community: Helsefellesskap, pk) -> Attachment:
    attachment = _one(
        Attachment.objects.filter(
            visibility=Visibility.PUBLIC,
            item__visibility=Visibility.PUBLIC,
            item__meeting__notice_sent_at__isnull=False,
            item__body__helsefellesskap=community,
        ).select_related("item"),
        pk,
    )
    return attachment


def _public_documents() -> QuerySet[DocumentVersion]:
    return DocumentVersion.objects.filter(Q(kind=DocumentKind.NOTICE) | Q(kind=DocumentKind.MINUTES, is_approved=True))


def public_documents(meeting: Meeting) -> list[DocumentVersion]:
    """The latest notice and every approved version of the minutes (newest first). Serve `public_pdf/docx` only."""
    documents = _public_documents().filter(meeting=meeting).defer("pdf", "docx", "public_pdf", "public_docx")
    notice = documents.filter(kind=DocumentKind.NOTICE).order_by("-version").first()
    minutes = list(documents.filter(kind=DocumentKind.MINUTES).order_by("-version"))
    return ([notice] if notice else []) + minutes


def public_document(community: Helsefellesskap, pk) -> DocumentVersion:
    return _one(_public_documents().filter(meeting__body__helsefellesskap=community).select_related("meeting"), pk)


def upcoming_steering_meetings(community: Helsefellesskap) -> QuerySet[Meeting]:
    """Upcoming meetings of the community's SSU and partnership meeting, soonest first: where the action plan's status
    report and a joint consultation response are put on the agenda."""
    return (
        Meeting.objects.filter(
            body__helsefellesskap=community,
            body__kind__in=[BodyKind.SSU, BodyKind.PARTNERSHIP_MEETING],
            status__in=BEFORE_MEETING,
            date__gte=timezone.localdate(),
        )
        .select_related("body")
        .order_by("date")
    )
