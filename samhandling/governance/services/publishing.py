"""The notice and the minutes as frozen document versions: send, redraft, approve and correct."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from samhandling.core.models import User
from samhandling.core.permissions import require
from samhandling.core.workflow import TransitionError

from .. import documents
from ..models import (
    BEFORE_MEETING,
    MEETING_WORKFLOW,
    MS,
    AgendaItem,
    DocumentKind,
    DocumentVersion,
    Meeting,
    Outcome,
    StandardItem,
)
from .common import _record, _require_text
from .mail import _mail_members
from .meetings import _ensure_held
from .numbering import _agenda, _number_unnumbered


def _snapshot(meeting: Meeting) -> dict:
    return {
        "status": meeting.status,
        "date": meeting.date.isoformat(),
        "start_time": meeting.start_time.isoformat(timespec="minutes"),
        "end_time": meeting.end_time.isoformat(timespec="minutes") if meeting.end_time else "",
        "place": meeting.place,
        "video_link": meeting.video_link,
        "items": [
            {
                "pk": item.pk,
                "number": item.number,
                "title": item.title,
                "kind": item.kind,
                "visibility": item.visibility,
                "outcome": item.outcome,
                "conclusion": item.conclusion,
            }
            for item in _agenda(meeting)
        ],
    }


def _publish(meeting: Meeting, kind: str, *, actor: User, reason: str = "", approved: bool = False) -> DocumentVersion:
    """Generate the document (members', observers' and public variants) and store it as the next immutable version."""
    number = (
        DocumentVersion.objects.filter(meeting=meeting, kind=kind).aggregate(last=Max("version"))["last"] or 0
    ) + 1
    stamp = {"version": number, "reason": reason}
    return DocumentVersion.objects.create(
        meeting=meeting,
        kind=kind,
        version=number,
        reason=reason,
        is_approved=approved,
        pdf=documents.render(kind, "pdf", "members", meeting=meeting, **stamp),
        docx=documents.render(kind, "docx", "members", meeting=meeting, **stamp),
        restricted_pdf=documents.render(kind, "pdf", "observers", meeting=meeting, **stamp),
        restricted_docx=documents.render(kind, "docx", "observers", meeting=meeting, **stamp),
        public_pdf=documents.render(kind, "pdf", "public", meeting=meeting, **stamp),
        public_docx=documents.render(kind, "docx", "public", meeting=meeting, **stamp),
        snapshot=_snapshot(meeting),
        published_by=actor,
    )


@transaction.atomic
def meeting_send_notice(*, actor: User, meeting: Meeting, reason: str = "", base_url: str = "") -> DocumentVersion:
    """Fix the agenda (numbers), freeze the notice as a new document version and invite the members.

    The first notice moves the meeting to "notice sent"; a later one needs a reason and is sent as a new version,
    the earlier versions kept."""
    require(actor, "governance.manage_meeting", meeting)
    if meeting.status == MS.PLANNED:
        MEETING_WORKFLOW.move(meeting, MS.NOTICE_SENT, actor=actor)
        action = "governance.meeting.notice_published"
    elif meeting.status == MS.NOTICE_SENT:
        reason = _require_text(reason, "reason", _("Say what has changed since the last notice."))
        action = "governance.meeting.notice_resent"
    else:
        raise TransitionError(_("The notice can only be sent before the meeting is held."))
    _number_unnumbered(meeting)
    meeting.notice_sent_at = timezone.now()
    meeting.save(update_fields=["notice_sent_at", "updated_at"])
    version = _publish(meeting, DocumentKind.NOTICE, actor=actor, reason=reason.strip())
    _record(
        actor=actor,
        action=action,
        target=meeting,
        body=meeting.body,
        data={"version": version.version, "reason": version.reason},
    )
    _mail_members(meeting, base_url, "notice", version.version)
    return version


@transaction.atomic
def meeting_draft_minutes(*, actor: User, meeting: Meeting, reason: str = "", base_url: str = "") -> DocumentVersion:
    """Share the draft minutes with the members (a new draft version each time)."""
    require(actor, "governance.manage_meeting", meeting)
    if meeting.status in BEFORE_MEETING:
        _ensure_held(meeting, actor)
    if meeting.status == MS.HELD:
        MEETING_WORKFLOW.move(meeting, MS.MINUTES_DRAFTED, actor=actor)
    elif meeting.status == MS.MINUTES_DRAFTED:
        reason = _require_text(reason, "reason", _("Say what has changed in the draft."))
        _record(actor=actor, action="governance.meeting.minutes_redrafted", target=meeting, body=meeting.body)
    else:
        raise TransitionError(_("Approved minutes are corrected, not drafted again."))
    missing = meeting.items.filter(outcome=Outcome.NONE).exclude(standard=StandardItem.ANY_OTHER_BUSINESS)
    if missing.exists():
        raise ValidationError(
            _("Record the outcome of every item first (missing: %(numbers)s).")
            % {"numbers": ", ".join(item.number or item.title for item in missing)}
        )
    version = _publish(meeting, DocumentKind.MINUTES, actor=actor, reason=reason.strip())
    _mail_members(meeting, base_url, "minutes", version.version)
    return version


@transaction.atomic
def meeting_approve_minutes(
    *, actor: User, meeting: Meeting, approved_by_item: AgendaItem | None = None
) -> DocumentVersion:
    """The minutes become final and public: normally when the next meeting decides its "approval of the minutes"
    item; for a body's last meeting of a period the secretariat may approve them directly (e.g. after circulation)."""
    require(actor, "governance.manage_meeting", meeting)
    MEETING_WORKFLOW.move(
        meeting,
        MS.MINUTES_APPROVED,
        actor=actor,
        data={"approved_by_item": approved_by_item.number if approved_by_item else ""},
    )
    meeting.minutes_approved_at = timezone.now()
    meeting.minutes_approved_by_item = approved_by_item
    meeting.save(update_fields=["minutes_approved_at", "minutes_approved_by_item", "updated_at"])
    return _publish(meeting, DocumentKind.MINUTES, actor=actor, approved=True)


@transaction.atomic
def minutes_correct(*, actor: User, meeting: Meeting, reason: str, conclusions: dict[int, str]) -> DocumentVersion:
    """Correct approved minutes: change conclusions and publish a new approved version with the reason."""
    require(actor, "governance.manage_meeting", meeting)
    if meeting.status != MS.MINUTES_APPROVED:
        raise TransitionError(_("Only approved minutes are corrected; change the draft instead."))
    reason = _require_text(reason, "reason", _("Say why the approved minutes are corrected."))
    items = {item.pk: item for item in meeting.items.filter(pk__in=list(conclusions))}
    if set(conclusions) - set(items):
        raise ValidationError({"conclusions": _("Only items of this meeting can be corrected.")})
    for pk, text in conclusions.items():
        items[pk].conclusion = text.strip()
        items[pk].save(update_fields=["conclusion", "updated_at"])
    version = _publish(meeting, DocumentKind.MINUTES, actor=actor, reason=reason, approved=True)
    _record(
        actor=actor,
        action="governance.meeting.minutes_corrected",
        target=meeting,
        body=meeting.body,
        data={"version": version.version, "reason": reason, "items": [items[pk].number for pk in conclusions]},
    )
    return version
