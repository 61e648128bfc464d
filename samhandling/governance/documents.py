"""The documents of a meeting: the notice (innkalling) with its agenda, attachment list and case papers, and the
minutes (referat), each as PDF (WeasyPrint) and DOCX (python-docx) from one content model; the invitation and the
yearly meeting plan as iCalendar (icalendar).

Everything is written in the active language, so a nynorsk user gets a nynorsk notice. Nothing here checks
permissions, stores anything or writes the audit log: the services call these functions inside their own
transaction, after the status change, and store the bytes as an immutable `DocumentVersion`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The print helpers of the deviation reports (local-only URL fetcher, translated "Page x of y", Word fields) serve
# every WeasyPrint and python-docx document of the project; they are imported rather than copied.
from samhandling.core.documents import (
    docx_page_counter,
    docx_repeat_header,
    local_only_fetcher,
    page_counter,
)

from .models import (
    ActionPoint,
    AgendaItem,
    AttendanceStatus,
    Body,
    BodyMember,
    DocumentKind,
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
    """The marking of a confidential or internal item or attachment ("" for a public one).

    The legal ground ("§ 13", "§ 14 …") is printed when the object records one; the model does not have that field
    yet, so confidential items read "Unntatt offentlighet" until it does."""
    if obj.visibility == Visibility.CONFIDENTIAL:
        basis = getattr(obj, "exemption_basis", "")
        if basis:
            return _("Exempt from public access, cf. the Freedom of Information Act %(basis)s") % {"basis": basis}
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
            owner=str(point.owner),
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


def render_html(document: MeetingDocument) -> str:
    return render_to_string(
        "governance/print/document.html",
        {
            "doc": document,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
            "page_counter": page_counter(),
        },
    )


def _pdf(document: MeetingDocument) -> bytes:
    from weasyprint import HTML

    html = HTML(string=render_html(document), base_url=str(settings.BASE_DIR), url_fetcher=local_only_fetcher())
    # Tagged PDF: headings and tables reach screen readers.
    return html.write_pdf(pdf_tags=True)


def notice_pdf(
    meeting: Meeting,
    *,
    public: bool = False,
    confidential: bool = True,
    version: int | None = None,
    reason: str = "",
) -> bytes:
    """The notice with agenda, attachment list and case papers as an A4 PDF. `public=True` leaves out internal and
    confidential items and attachments (the public archive); `confidential=False` leaves out only the confidential
    ones (for observers, who may not read them)."""
    return _pdf(build_notice(meeting, public=public, confidential=confidential, version=version, reason=reason))


def minutes_pdf(
    meeting: Meeting,
    *,
    public: bool = False,
    confidential: bool = True,
    version: int | None = None,
    reason: str = "",
) -> bytes:
    """The minutes as an A4 PDF; "draft" until the meeting's status is minutes_approved."""
    return _pdf(build_minutes(meeting, public=public, confidential=confidential, version=version, reason=reason))


# --- DOCX -------------------------------------------------------------------------------------------------------------

INK, ACCENT, MUTED, RULE_COLOUR, SHADE = "1E2B3C", "003A6E", "4B5563", "8A99AD", "E8EEF5"
WARNING = "A31A1A"


class _Word:
    """Builds the DOCX with real Word headings (Heading 1–3, so the navigation pane and screen readers work) and
    real tables (Table Grid, with the header row repeated on each page)."""

    def __init__(self, document: MeetingDocument):
        from docx import Document
        from docx.shared import Cm, Pt

        self.doc = document
        self.word = Document()
        section = self.word.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin, section.bottom_margin = Cm(2.2), Cm(2)
        self.width = Cm(21 - 4.4)
        styles = self.word.styles
        normal = styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(10.5)
        normal.paragraph_format.space_after = Pt(3)
        for name, size in (("Heading 1", 18), ("Heading 2", 13), ("Heading 3", 11)):
            style = styles[name]
            style.font.name = "Calibri"
            style.font.size = Pt(size)
            style.font.bold = True
            style.font.color.rgb = self._rgb(ACCENT)
            style.paragraph_format.space_before = Pt(12 if name != "Heading 3" else 8)
            style.paragraph_format.space_after = Pt(3)
        self._language()

    @staticmethod
    def _rgb(hex_colour: str):
        from docx.shared import RGBColor

        return RGBColor.from_string(hex_colour)

    def _language(self) -> None:
        from docx.oxml.ns import qn

        language = "nn-NO" if translation.get_language() == "nn" else "nb-NO"
        run_properties = self.word.styles["Normal"].element.get_or_add_rPr()
        lang = run_properties.find(qn("w:lang"))
        if lang is None:
            lang = run_properties.makeelement(qn("w:lang"), {})
            run_properties.append(lang)
        lang.set(qn("w:val"), language)
        properties = self.word.core_properties
        # No person in the metadata: the community is the author.
        properties.title = self.doc.full_title
        properties.subject = self.doc.body_name
        properties.author = properties.last_modified_by = self.doc.community
        properties.comments = ""
        properties.language = language

    def header_footer(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
        from docx.shared import Pt

        section = self.word.sections[0]
        header = section.header.paragraphs[0]
        header.paragraph_format.tab_stops.add_tab_stop(self.width, WD_TAB_ALIGNMENT.RIGHT)
        right = self.doc.full_title + (f" · {_('Draft')}" if self.doc.is_draft else "")
        run = header.add_run(f"{self.doc.community}\t{right}")
        run.font.size = Pt(8)
        run.font.color.rgb = self._rgb(MUTED)
        footer = section.footer.paragraphs[0]
        footer.paragraph_format.tab_stops.add_tab_stop(self.width, WD_TAB_ALIGNMENT.RIGHT)
        footer.alignment = WD_ALIGN_PARAGRAPH.LEFT
        docx_page_counter(footer, f"{self.doc.body_name} · {_('Document date')} {self.doc.made_on}\t")
        for run in footer.runs:
            run.font.size = Pt(8)
            run.font.color.rgb = self._rgb(MUTED)

    # small pieces

    def paragraph(self, text: str = "", *, bold=False, italic=False, colour=None, size=None, container=None):
        from docx.shared import Pt

        target = container if container is not None else self.word
        paragraph = target.add_paragraph()
        if text:
            run = paragraph.add_run(text)
            run.bold, run.italic = bold, italic
            if colour:
                run.font.color.rgb = self._rgb(colour)
            if size:
                run.font.size = Pt(size)
        return paragraph

    def blocks(self, blocks: list[Block], container=None) -> None:
        target = container if container is not None else self.word
        for block in blocks:
            if block.is_list:
                for item in block.items:
                    target.add_paragraph(item, style="List Bullet")
            else:
                paragraph = target.add_paragraph()
                for index, line in enumerate(block.text.split("\n")):
                    if index:
                        paragraph.runs[-1].add_break()  # the author's line break
                    paragraph.add_run(line)

    @staticmethod
    def shade(cell, colour: str = SHADE) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), colour)
        cell._tc.get_or_add_tcPr().append(shading)

    def table(self, widths_cm: list[float], rows: int):
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.shared import Cm

        table = self.word.add_table(rows=rows, cols=len(widths_cm))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        for row in table.rows:
            for cell, width in zip(row.cells, widths_cm, strict=True):
                cell.width = Cm(width)
        return table

    @staticmethod
    def cell_text(cell, text: str, *, bold=False, size=None) -> None:
        from docx.shared import Pt

        paragraph = cell.paragraphs[0] if not cell.paragraphs[0].text else cell.add_paragraph()
        run = paragraph.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)

    # the parts of the document

    def head(self) -> None:
        from docx.shared import Pt

        doc = self.doc
        body = self.paragraph(doc.body_name, bold=True, colour=ACCENT, size=11)
        body.paragraph_format.space_after = Pt(0)
        self.word.add_heading(doc.title, level=1)
        if doc.status:
            self.paragraph(doc.status, bold=True, colour=WARNING if doc.is_draft or doc.kind == NOTICE else ACCENT)
        for note in (doc.version_note, doc.public_note):
            if note:
                self.paragraph(note, italic=True, colour=MUTED)
        table = self.table([3.6, 13.0], len(doc.fields))
        for row, item in zip(table.rows, doc.fields, strict=True):
            label, value = row.cells
            self.shade(label)
            self.cell_text(label, item.label, bold=True)
            for line in item.lines:
                self.cell_text(value, line)

    def agenda(self) -> None:
        doc = self.doc
        self.word.add_heading(doc.agenda_heading, level=2)
        table = self.table([2.6, 10.2, 3.8], 1 + len(doc.entries))
        docx_repeat_header(table.rows[0])
        for cell, text in zip(table.rows[0].cells, (_("Item no."), _("Item"), _("Responsible")), strict=True):
            self.shade(cell)
            self.cell_text(cell, text, bold=True)
        for row, entry in zip(table.rows[1:], doc.entries, strict=True):
            number, item, responsible = row.cells
            self.cell_text(number, entry.number or "–", bold=True)
            for extra in (entry.kind, entry.attachments):
                if extra:
                    self.cell_text(number, extra, size=8.5)
            self.cell_text(item, entry.title, bold=True)
            if entry.marking:
                paragraph = item.add_paragraph()
                run = paragraph.add_run(entry.marking)
                run.bold = True
                run.font.color.rgb = self._rgb(WARNING)
            for link in entry.links:
                item.add_paragraph().add_run(link).italic = True
            self.blocks(entry.summary, item)
            if entry.discussion:
                self.blocks(entry.discussion, item)
            if entry.conclusion_label:
                item.add_paragraph().add_run(f"{entry.conclusion_label}:").bold = True
                self.blocks(entry.conclusion, item)
            if entry.outcome:
                item.add_paragraph().add_run(entry.outcome).bold = True
            for action in entry.actions:
                line = _("Follow-up: %(what)s – %(owner)s") % {"what": action.description, "owner": action.owner}
                if action.due:
                    line += ", " + _("due %(date)s") % {"date": action.due}
                item.add_paragraph(line, style="List Bullet")
            for person in entry.responsible:
                self.cell_text(responsible, person)

    def attachment_list(self) -> None:
        if self.doc.kind != NOTICE:
            return
        self.word.add_heading(_("Attachments"), level=2)
        if not self.doc.attachments:
            self.paragraph(_("None"))
        for listed in self.doc.attachments:
            text = _("Item %(number)s: %(title)s") % {"number": listed.item_number or "–", "title": listed.title}
            if listed.marking:
                text += f" ({listed.marking})"
            self.word.add_paragraph(text, style="List Number")

    def papers(self) -> None:
        for paper in self.doc.papers:
            kicker = self.paragraph(f"{_('Case paper')} · {_('Date')}: {paper.date}", colour=MUTED, size=9)
            kicker.paragraph_format.page_break_before = True  # each case paper on its own page
            table = self.table([3.2, 3.6, 4.2, 5.6], 2)
            headers = (_("Item no."), _("Meeting body"), _("Type of item"), _("Case officer"))
            values = (paper.number or "–", paper.body, paper.kind, paper.officer)
            docx_repeat_header(table.rows[0])
            for cell, text in zip(table.rows[0].cells, headers, strict=True):
                self.shade(cell)
                self.cell_text(cell, text, bold=True)
            for cell, text in zip(table.rows[1].cells, values, strict=True):
                self.cell_text(cell, text)
            self.word.add_heading(paper.title, level=2)
            if paper.marking:
                self.paragraph(paper.marking, bold=True, colour=WARNING)
            for link in paper.links:
                self.paragraph(link, italic=True)
            for section in paper.sections:
                self.word.add_heading(section.heading, level=3)
                self.blocks(section.blocks)
            if paper.attachments:
                self.word.add_heading(_("Attachments"), level=3)
                for title in paper.attachments:
                    self.word.add_paragraph(title, style="List Bullet")

    def render(self) -> bytes:
        self.header_footer()
        self.head()
        self.agenda()
        self.attachment_list()
        self.papers()
        buffer = io.BytesIO()
        self.word.save(buffer)
        return buffer.getvalue()


def _docx(document: MeetingDocument) -> bytes:
    return _Word(document).render()


def notice_docx(
    meeting: Meeting,
    *,
    public: bool = False,
    confidential: bool = True,
    version: int | None = None,
    reason: str = "",
) -> bytes:
    """The notice as a Word document with the same content as the PDF."""
    return _docx(build_notice(meeting, public=public, confidential=confidential, version=version, reason=reason))


def minutes_docx(
    meeting: Meeting,
    *,
    public: bool = False,
    confidential: bool = True,
    version: int | None = None,
    reason: str = "",
) -> bytes:
    """The minutes as a Word document with the same content as the PDF."""
    return _docx(build_minutes(meeting, public=public, confidential=confidential, version=version, reason=reason))


def document_filename(meeting: Meeting, kind: str, fmt: str, *, public: bool = False) -> str:
    """'innkalling-ssu-2026-09-22.pdf' in the active language."""
    what = _("notice") if kind == NOTICE else _("minutes")
    suffix = f"-{_('public')}" if public else ""
    return f"{slugify(f'{what} {meeting.body}')}-{meeting.date:%Y-%m-%d}{suffix}.{fmt}"


# --- iCalendar --------------------------------------------------------------------------------------------------------


def _uid(meeting: Meeting) -> str:
    # Stable for the meeting's life, so each new version of the invitation replaces the earlier one in calendars.
    return f"samhandling-meeting-{meeting.pk}@{meeting.body.helsefellesskap.code.lower()}.samhandling"


def _start_end(meeting: Meeting) -> tuple[datetime, datetime]:
    start = datetime.combine(meeting.date, meeting.start_time, tzinfo=OSLO)
    end = (
        datetime.combine(meeting.date, meeting.end_time, tzinfo=OSLO) if meeting.end_time else start + DEFAULT_DURATION
    )
    return start, end


def _sequence(meeting: Meeting) -> int:
    """0 for the first notice, then one more for each new version of it (and one more once cancelled)."""
    versions = meeting.documents.filter(kind=NOTICE).aggregate(latest=Max("version"))["latest"] or 1
    return versions - 1 + (1 if meeting.status == MeetingStatus.CANCELLED else 0)


def _summary(meeting: Meeting) -> str:
    return meeting.title or _("Meeting in %(body)s") % {"body": meeting.body}


def _organizer(meeting: Meeting):
    from icalendar import vCalAddress

    secretary = next(
        (m for m in _members(meeting) if m.role == MemberRole.SECRETARY and m.contact_email),
        None,
    )
    if secretary is not None:
        name, email = secretary.display_name, secretary.contact_email
    else:
        name, email = meeting.body.helsefellesskap.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    organizer = vCalAddress(f"mailto:{email}")
    organizer.params["CN"] = name
    return organizer


def _event(meeting: Meeting, *, base_url: str, sequence: int | None, video_link: bool = True):
    """One VEVENT; without `video_link` the meeting's join link is left out (the public feed: anyone may read it)."""
    from icalendar import Event

    start, end = _start_end(meeting)
    event = Event()
    event.add("uid", _uid(meeting))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", _summary(meeting))
    event.add("sequence", _sequence(meeting) if sequence is None else sequence)
    link_shown = meeting.video_link if video_link else ""
    location = meeting.place or link_shown
    if location:
        event.add("location", location)
    lines = [meeting.body.name, _when(meeting)]
    if link_shown:
        lines.append(_("Video meeting: %(link)s") % {"link": link_shown})
    if base_url:
        link = base_url.rstrip("/") + meeting.get_absolute_url()
        event.add("url", link)
        lines.append(_("Agenda and case papers: %(link)s") % {"link": link})
    event.add("description", "\n".join(lines))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _calendar(method: str, *events, name: str = ""):
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
        calendar.add("x-wr-timezone", "Europe/Oslo")
    for event in events:
        calendar.add_component(event)
    # The VTIMEZONE for Europe/Oslo, so calendars without the tz database still place the meeting right.
    calendar.add_missing_timezones()
    return calendar


def meeting_invitation_ics(
    meeting: Meeting,
    recipient: BodyMember | None = None,
    *,
    base_url: str = "",
    sequence: int | None = None,
) -> bytes:
    """The invitation (METHOD:REQUEST; METHOD:CANCEL once the meeting is cancelled) with a UID stable per meeting
    and SEQUENCE counting the notice's versions; ORGANIZER and ATTENDEE when a recipient is given."""
    from icalendar import vCalAddress

    event = _event(meeting, base_url=base_url, sequence=sequence)
    if recipient is not None and recipient.contact_email:
        event.add("organizer", _organizer(meeting))
        attendee = vCalAddress(f"mailto:{recipient.contact_email}")
        attendee.params["CN"] = recipient.display_name
        attendee.params["CUTYPE"] = "INDIVIDUAL"
        optional = recipient.role in (MemberRole.DEPUTY, MemberRole.OBSERVER)
        attendee.params["ROLE"] = "OPT-PARTICIPANT" if optional else "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = "NEEDS-ACTION"
        # Replies are not read by the platform: absence is reported to the secretariat.
        attendee.params["RSVP"] = "FALSE"
        event.add("attendee", attendee)
    method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    return _calendar(method, event).to_ical()


def body_calendar_ics(body: Body, year: int | None = None, *, base_url: str = "") -> bytes:
    """The body's meeting plan as a subscribable feed (METHOD:PUBLISH): every meeting of `year`, or from the start
    of this year on when no year is given; cancelled meetings stay in with STATUS:CANCELLED. The feed is public, so
    it never carries video links: members get theirs in the invitation."""
    meetings = body.meetings.select_related("body__helsefellesskap").order_by("date", "start_time")
    if year is None:
        meetings = meetings.filter(date__year__gte=timezone.localdate().year)
        name = _("Meeting plan %(body)s") % {"body": body.name}
    else:
        meetings = meetings.filter(date__year=year)
        name = _("Meeting plan %(body)s %(year)s") % {"body": body.name, "year": year}
    events = [_event(meeting, base_url=base_url, sequence=None, video_link=False) for meeting in meetings]
    return _calendar("PUBLISH", *events, name=name).to_ical()
