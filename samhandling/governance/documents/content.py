"""The content model of a meeting's documents: the notice (innkalling) with agenda, attachment list and case
papers, and the minutes (referat), built once in the active language and rendered by `pdf` and `docx`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The print helpers of the deviation reports (local-only URL fetcher, translated "Page x of y", Word fields) serve
# every WeasyPrint and python-docx document of the project; they are imported rather than copied.
from ..models import (
    EXEMPTION_SECTIONS,
    ActionPoint,
    AgendaItem,
    AttendanceStatus,
    BodyMember,
    DocumentKind,
    ExemptionBasis,
    ItemKind,
    Meeting,
    MeetingStatus,
    MemberRole,
    Outcome,
    StandardItem,
    Visibility,
    current_members_q,
)

NOTICE, MINUTES = DocumentKind.NOTICE, DocumentKind.MINUTES
PDF_CONTENT_TYPE = "application/pdf"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ICS_CONTENT_TYPE = "text/calendar"
OSLO = ZoneInfo("Europe/Oslo")
# A meeting planned without an end time is shown as two hours long in calendars (the usual SSU meeting).
DEFAULT_DURATION = timedelta(hours=2)
PRODID = "-//Samhandling//Møter og saker//NO"

# The order in which the notice's "To" lists the seats.
ROLE_ORDER = [
    MemberRole.LEADER,
    MemberRole.DEPUTY_LEADER,
    MemberRole.MEMBER,
    MemberRole.DEPUTY,
    MemberRole.OBSERVER,
    MemberRole.SECRETARY,
]


# --- content shared by PDF and DOCX ----------------------------------------------------------------------------------


@dataclass
class Block:
    """A paragraph, or a bulleted list when the author wrote lines starting with "-", "•" or "*"."""

    text: str = ""
    items: list[str] = field(default_factory=list)

    @property
    def is_list(self) -> bool:
        return bool(self.items)


BULLET = re.compile(r"^\s*(?:[-•*–]|o)\s+")


def text_blocks(text: str) -> list[Block]:
    """Plain text as paragraphs (split at blank lines) and bulleted lists; single line breaks are kept."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        paragraph: list[str] = []
        for line in lines:
            if BULLET.match(line):
                if paragraph:
                    blocks.append(Block(text="\n".join(paragraph)))
                    paragraph = []
                if not blocks or not blocks[-1].is_list:
                    blocks.append(Block())
                blocks[-1].items.append(BULLET.sub("", line))
            else:
                if blocks and blocks[-1].is_list and not paragraph and line.startswith(" "):
                    blocks[-1].items[-1] += " " + line.strip()  # a wrapped bullet line
                    continue
                paragraph.append(line.strip())
        if paragraph:
            blocks.append(Block(text="\n".join(paragraph)))
    return blocks


@dataclass
class Field:
    """A row of the document's head table (Til, Dato/sted, Referent …): a label and its lines."""

    label: str
    lines: list[str]


@dataclass
class Action:
    description: str
    owner: str
    due: str
    done: bool


@dataclass
class Entry:
    """One item of the agenda (notice) or of the minutes: a row of the Saksnr | Sak | Ansvar table."""

    number: str
    title: str
    kind: str
    marking: str
    responsible: list[str]
    attachments: str = ""
    summary: list[Block] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    discussion: list[Block] = field(default_factory=list)
    conclusion_label: str = ""
    conclusion: list[Block] = field(default_factory=list)
    outcome: str = ""
    actions: list[Action] = field(default_factory=list)
    withdrawn: bool = False


@dataclass
class Listed:
    """An attachment in the notice's numbered list."""

    item_number: str
    title: str
    marking: str


@dataclass
class Section:
    heading: str
    blocks: list[Block]
    emphasis: bool = False  # the proposed decision stands out, as the secretariat's template does


@dataclass
class Paper:
    """A saksframlegg: the header table Saksnr | Møteorgan | Type sak | Saksbehandler and its sections."""

    number: str
    body: str
    kind: str
    officer: str
    title: str
    marking: str
    date: str
    sections: list[Section]
    attachments: list[str]
    links: list[str]


@dataclass
class MeetingDocument:
    kind: str
    community: str
    body_name: str
    title: str  # "Innkalling SSU"
    full_title: str  # "Innkalling SSU 22.09.2026", in the page header and the metadata
    made_on: str
    fields: list[Field]
    agenda_heading: str
    entries: list[Entry]
    attachments: list[Listed] = field(default_factory=list)
    papers: list[Paper] = field(default_factory=list)
    status: str = ""
    is_draft: bool = False
    version_note: str = ""
    public: bool = False
    public_note: str = ""


def _short_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _time(value: time) -> str:
    return formats.time_format(value, "TIME_FORMAT")


def _when(meeting: Meeting) -> str:
    """'torsdag 22. september 2026, kl. 13:30–15:30'."""
    day = formats.date_format(meeting.date, "l j. F Y")
    start = _("at %(time)s") % {"time": _time(meeting.start_time)}
    if meeting.end_time:
        return _("%(day)s, %(start)s–%(end)s") % {"day": day, "start": start, "end": _time(meeting.end_time)}
    return f"{day}, {start}"


def exemption_marking(obj) -> str:
    """The marking of a confidential or internal item or attachment ("" for a public one), with the item's legal
    ground when one is recorded (an attachment carries its item's)."""
    if obj.visibility == Visibility.CONFIDENTIAL:
        basis = getattr(obj, "exemption_basis", None)
        if basis is None and hasattr(obj, "item"):
            basis = obj.item.exemption_basis
        if basis == ExemptionBasis.OFFL_13:
            return _(
                "Exempt from public access, cf. the Freedom of Information Act § 13 and the Public Administration "
                "Act § 13 (1) no. 1"
            )
        if basis in EXEMPTION_SECTIONS:
            return _("Exempt from public access, cf. the Freedom of Information Act § %(section)s") % {
                "section": EXEMPTION_SECTIONS[basis]
            }
        return _("Exempt from public access")
    if obj.visibility == Visibility.INTERNAL:
        return _("Internal – not for publication")
    return ""


def _person(member: BodyMember) -> str:
    organisation = member.display_organisation
    return f"{member.display_name} ({organisation})" if organisation else member.display_name


def _members(meeting: Meeting) -> list[BodyMember]:
    """The seats valid on the meeting day, in the order of ROLE_ORDER."""
    seats = meeting.body.members.filter(current_members_q(meeting.date)).select_related("user", "organisation")
    return sorted(seats, key=lambda seat: (ROLE_ORDER.index(seat.role), seat.display_name))


def _role_line(role: str, people: list[str]) -> str:
    """'Leder: Hilde Strand (Sykehuset i Vestfold)' — a role, singular or plural, and its people."""
    count, names = len(people), "; ".join(people)
    lines = {
        MemberRole.LEADER: ngettext("Chair: %(names)s", "Chairs: %(names)s", count),
        MemberRole.DEPUTY_LEADER: ngettext("Deputy chair: %(names)s", "Deputy chairs: %(names)s", count),
        MemberRole.MEMBER: ngettext("Member: %(names)s", "Members: %(names)s", count),
        MemberRole.DEPUTY: ngettext("Deputy member: %(names)s", "Deputy members: %(names)s", count),
        MemberRole.OBSERVER: ngettext("Observer: %(names)s", "Observers: %(names)s", count),
        MemberRole.SECRETARY: ngettext("Secretary: %(names)s", "Secretaries: %(names)s", count),
    }
    return lines[role] % {"names": names}


def _addressees(members: list[BodyMember]) -> list[str]:
    """One line per role, in ROLE_ORDER."""
    lines = []
    for role in ROLE_ORDER:
        people = [_person(member) for member in members if member.role == role]
        if people:
            lines.append(_role_line(role, people))
    return lines


def _shown(obj, *, public: bool, confidential: bool) -> bool:
    """Whether an item or attachment belongs in this variant: the public one holds public things only; the one for
    observers (confidential=False) leaves out what only voting members and the secretariat may read."""
    if public:
        return obj.visibility == Visibility.PUBLIC
    return confidential or obj.visibility != Visibility.CONFIDENTIAL


def _items(meeting: Meeting, *, public: bool, confidential: bool) -> list[AgendaItem]:
    items = (
        meeting.items.order_by("position", "pk")
        .select_related("case_officer", "follows_up", "forwarded_from__body", "deferred_from", "body")
        .prefetch_related("responsibles__user", "attachments")
    )
    return [item for item in items if _shown(item, public=public, confidential=confidential)]


def _attachments(item: AgendaItem, *, public: bool, confidential: bool) -> list:
    return [a for a in item.attachments.all() if _shown(a, public=public, confidential=confidential)]


def _previous_minutes(item: AgendaItem, *, public: bool) -> str:
    """The minutes an "approve the minutes" item approves, as a line of the attachment list (when written)."""
    earlier = item.approves_minutes_of
    if item.standard != StandardItem.APPROVE_MINUTES or earlier is None:
        return ""
    documents = earlier.documents.filter(kind=MINUTES)
    if public:
        documents = documents.filter(is_approved=True)
    if not documents.exists():
        return ""
    return _("Minutes %(meeting)s") % {"meeting": f"{earlier.body} {_short_date(earlier.date)}"}


def _responsible(item: AgendaItem) -> list[str]:
    return [str(person) for person in item.responsibles.all()]


def _links(item: AgendaItem) -> list[str]:
    links = []
    if item.follows_up_id and item.follows_up.number:
        links.append(_("Follow-up of item %(number)s") % {"number": item.follows_up.number})
    if item.deferred_from_id and item.deferred_from.number:
        links.append(_("Deferred from item %(number)s") % {"number": item.deferred_from.number})
    if item.forwarded_from_id:
        source = item.forwarded_from
        links.append(
            _("Forwarded from %(body)s, item %(number)s") % {"body": source.body, "number": source.number or "–"}
            if source.number
            else _("Forwarded from %(body)s") % {"body": source.body}
        )
    return links


def _kind(item: AgendaItem) -> str:
    return str(ItemKind(item.kind).label) if item.kind else ""


def _variant_note(public: bool, confidential: bool, public_note: str) -> str:
    if public:
        return public_note
    return "" if confidential else _("Confidential items are left out of this version.")


def _next_version(meeting: Meeting, kind: str) -> int:
    latest = meeting.documents.filter(kind=kind).aggregate(latest=Max("version"))["latest"]
    return (latest or 0) + 1


def _version_note(version: int, reason: str) -> str:
    if version <= 1:
        return ""
    if reason:
        return _("Version %(version)s. Reason for the new version: %(reason)s") % {"version": version, "reason": reason}
    return _("Version %(version)s") % {"version": version}


def _apologies_to(meeting: Meeting, members: list[BodyMember]) -> list[str]:
    """The secretary (or, without one, the minute taker) with an e-mail address: where absence is reported."""
    contacts = [
        f"{member.display_name} ({member.contact_email})" if member.contact_email else member.display_name
        for member in members
        if member.role == MemberRole.SECRETARY
    ]
    if not contacts and meeting.minute_taker_id and meeting.minute_taker.email:
        contacts = [f"{meeting.minute_taker_display} ({meeting.minute_taker.email})"]
    return contacts


def _head_fields(
    meeting: Meeting, members: list[BodyMember], *, attachment_count: int = 0, attendance: list[Field] | None = None
) -> list[Field]:
    """The head table as in the secretariat's Word template. The notice: Til, Dato/sted, Møteleder, Forfall meldes
    til, Referent, Vedlegg. The minutes (with `attendance`): Dato/sted, Til stede, Forfall, Vara, Møteleder,
    Referent."""
    notice = attendance is None
    rows = []
    if notice and (addressees := _addressees(members)):
        rows.append(Field(_("To"), addressees))
    where = [_when(meeting)]
    if meeting.place:
        where.append(meeting.place)
    if meeting.video_link:
        where.append(_("Video meeting: %(link)s") % {"link": meeting.video_link})
    rows.append(Field(_("Date/place"), where))
    rows.extend(attendance or [])
    if chairs := [member.display_name for member in members if member.role == MemberRole.LEADER]:
        rows.append(Field(_("Chair of the meeting"), chairs))
    if notice and (contacts := _apologies_to(meeting, members)):
        rows.append(Field(_("Apologies to"), contacts))
    if meeting.minute_taker_display:
        rows.append(Field(_("Minute taker"), [meeting.minute_taker_display]))
    if notice:
        count = attachment_count
        listed = (
            ngettext("%(count)s attachment (listed below)", "%(count)s attachments (listed below)", count)
            % {"count": count}
            if count
            else _("None")
        )
        rows.append(Field(_("Attachments"), [listed]))
    return rows


def build_notice(
    meeting: Meeting, *, public: bool = False, confidential: bool = True, version: int | None = None, reason: str = ""
) -> MeetingDocument:
    """The notice's content: head table, agenda, numbered attachment list and a case paper per item that has one."""
    body = meeting.body
    items = _items(meeting, public=public, confidential=confidential)
    members = _members(meeting)
    entries, listed, papers = [], [], []
    for item in items:
        attachments = _attachments(item, public=public, confidential=confidential)
        titles = [(a.title, exemption_marking(a)) for a in attachments]
        if minutes := _previous_minutes(item, public=public):
            titles.insert(0, (minutes, ""))
        listed.extend(Listed(item.number, title, marking) for title, marking in titles)
        withdrawn = item.outcome == Outcome.WITHDRAWN
        proposal = item.proposed_conclusion or item.proposed_decision
        entries.append(
            Entry(
                number=item.number,
                title=item.title,
                kind=_kind(item) if not item.standard else "",
                marking=exemption_marking(item),
                responsible=_responsible(item),
                attachments=ngettext("%(count)s attachment", "%(count)s attachments", len(titles))
                % {"count": len(titles)}
                if titles
                else "",
                summary=text_blocks(item.description),
                links=_links(item),
                conclusion_label=_("Proposed conclusion") if proposal and not withdrawn else "",
                conclusion=text_blocks(proposal) if not withdrawn else [],
                outcome=_("Withdrawn") if withdrawn else "",
                withdrawn=withdrawn,
            )
        )
        sections = [
            Section(heading, text_blocks(text), emphasis)
            for heading, text, emphasis in (
                (_("Background"), item.background, False),
                (_("Assessment"), item.assessment, False),
                (_("Proposed decision"), item.proposed_decision, True),
            )
            if text.strip()
        ]
        if sections and not withdrawn:
            papers.append(
                Paper(
                    number=item.number,
                    body=str(body),
                    kind=_kind(item),
                    officer=item.case_officer_display or ", ".join(_responsible(item)),
                    title=item.title,
                    marking=exemption_marking(item),
                    date=_short_date(meeting.date),
                    sections=sections,
                    attachments=[title for title, _marking in titles],
                    links=_links(item),
                )
            )
    version = version or _next_version(meeting, NOTICE)
    title = _("Notice %(body)s") % {"body": body}
    return MeetingDocument(
        kind=NOTICE,
        community=body.helsefellesskap.name,
        body_name=body.name,
        title=title,
        full_title=f"{title} {_short_date(meeting.date)}",
        made_on=_short_date(timezone.localdate()),
        fields=_head_fields(meeting, members, attachment_count=len(listed)),
        agenda_heading=_("Agenda"),
        entries=entries,
        attachments=listed,
        papers=papers,
        status=_("Cancelled: %(reason)s") % {"reason": meeting.cancelled_reason}
        if meeting.status == MeetingStatus.CANCELLED
        else "",
        version_note=_version_note(version, reason),
        public=public,
        public_note=_variant_note(
            public, confidential, _("Public version: items and attachments exempt from public access are left out.")
        ),
    )


def _attendance_fields(meeting: Meeting) -> list[Field]:
    """Til stede / Forfall / Vara from the attendance record; a substitute's member counts as absent."""
    present, absent, substitutes = [], [], []
    rows = meeting.attendance.select_related("member__user", "member__organisation", "substitute__user")
    for row in rows:
        organisation = row.member.display_organisation if row.member_id else row.organisation_name
        who = f"{row.display_name} ({organisation})" if organisation else row.display_name
        note = f" – {row.note}" if row.note else ""
        if row.status == AttendanceStatus.PRESENT:
            present.append(who + note)
        elif row.status == AttendanceStatus.ABSENT:
            absent.append(who + note)
        else:
            absent.append(who)
            substitutes.append(
                _("%(substitute)s for %(member)s") % {"substitute": row.substitute_display, "member": row.display_name}
                + note
            )
    fields = [Field(_("Present"), present or [_("Not recorded")])]
    if absent:
        fields.append(Field(_("Apologies"), absent))
    if substitutes:
        fields.append(Field(_("Substitutes"), substitutes))
    return fields


def _outcome(item: AgendaItem) -> str:
    if item.outcome == Outcome.NOTED:
        return _("Noted")
    if item.outcome == Outcome.WITHDRAWN:
        return _("Withdrawn")
    if item.outcome == Outcome.DEFERRED:
        later = item.deferred_to.select_related("meeting__body").order_by("pk").first()
        if later and later.meeting_id:
            return _("Deferred to %(meeting)s") % {"meeting": f"{later.meeting.body} {_short_date(later.meeting.date)}"}
        return _("Deferred to a later meeting")
    if item.outcome == Outcome.FORWARDED:
        copy = item.forwarded_to.select_related("body").order_by("pk").first()
        if copy:
            return _("Forwarded to %(body)s") % {"body": copy.body}
        return _("Forwarded")
    if not item.outcome:
        return _("Not dealt with")
    return ""


def _conclusion_label(item: AgendaItem) -> str:
    is_decision = item.outcome == Outcome.DECIDED and item.kind in (ItemKind.DECISION, ItemKind.APPROVAL)
    return _("Resolution") if is_decision else _("Conclusion")


def _actions(item: AgendaItem) -> list[Action]:
    points: list[ActionPoint] = list(item.action_points.select_related("owner").order_by("due_date", "pk"))
    return [
        Action(
            description=point.description,
            owner=point.owner_display,
            due=_short_date(point.due_date),
            done=point.status == "done",
        )
        for point in points
    ]


def _approval_status(meeting: Meeting) -> str:
    if meeting.status != MeetingStatus.MINUTES_APPROVED:
        return _("Not approved (draft)")
    by_item = meeting.minutes_approved_by_item
    if by_item is not None and by_item.meeting_id:
        later = by_item.meeting
        text = _("Approved at the meeting on %(date)s") % {"date": _short_date(later.date)}
        if by_item.number:
            text += ", " + _("item %(number)s") % {"number": by_item.number}
        return text
    return _("Approved on %(date)s") % {"date": _short_date(meeting.minutes_approved_at or timezone.localdate())}


def build_minutes(
    meeting: Meeting, *, public: bool = False, confidential: bool = True, version: int | None = None, reason: str = ""
) -> MeetingDocument:
    """The minutes' content: attendance, and per item the discussion, the decision or conclusion, the outcome and
    the action points; with the approval status and the version."""
    body = meeting.body
    members = _members(meeting)
    entries = []
    for item in _items(meeting, public=public, confidential=confidential):
        conclusion = text_blocks(item.conclusion)
        entries.append(
            Entry(
                number=item.number,
                title=item.title,
                kind=_kind(item) if not item.standard else "",
                marking=exemption_marking(item),
                responsible=_responsible(item),
                links=_links(item),
                discussion=text_blocks(item.discussion),
                conclusion_label=_conclusion_label(item) if conclusion else "",
                conclusion=conclusion,
                outcome=_outcome(item),
                actions=_actions(item),
                withdrawn=item.outcome == Outcome.WITHDRAWN,
            )
        )
    fields = _head_fields(meeting, members, attendance=_attendance_fields(meeting))
    version = version or _next_version(meeting, MINUTES)
    title = _("Minutes %(body)s") % {"body": body}
    return MeetingDocument(
        kind=MINUTES,
        community=body.helsefellesskap.name,
        body_name=body.name,
        title=f"{title} {_short_date(meeting.date)}",
        full_title=f"{title} {_short_date(meeting.date)}",
        made_on=_short_date(timezone.localdate()),
        fields=fields,
        agenda_heading=_("Items dealt with"),
        entries=entries,
        status=_approval_status(meeting),
        is_draft=meeting.status != MeetingStatus.MINUTES_APPROVED,
        version_note=_version_note(version, reason),
        public=public,
        public_note=_variant_note(
            public, confidential, _("Public version: items exempt from public access are left out.")
        ),
    )


# --- PDF --------------------------------------------------------------------------------------------------------------
