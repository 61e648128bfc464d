"""Every write of the cooperation agreements: one function per use case, keyword-only, the acting user explicit, one
transaction each with its audit event. A version's status moves through its workflow; an adopted version is never
changed (a correction is a new version with a reason)."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samhandling.core import audit
from samhandling.core.models import Helsefellesskap, Membership, Role, User
from samhandling.core.permissions import require
from samhandling.core.queue import enqueue_on_commit

from .models import (
    CONSULTATION_WORKFLOW,
    LEGAL_POINTS,
    VERSION_WORKFLOW,
    Agreement,
    AgreementKind,
    AgreementVersion,
    Approval,
    ApprovalReminder,
    Clause,
    Consultation,
    ConsultationInput,
    ConsultationStatus,
    Question,
    VersionStatus,
)

audit.register_actions(
    {
        "agreements.agreement.created": gettext_lazy("Registered a cooperation agreement"),
        "agreements.version.created": gettext_lazy("Wrote a new version of an agreement"),
        "agreements.version.updated": gettext_lazy("Changed a draft version of an agreement"),
        "agreements.version.hearing": gettext_lazy("Sent an agreement version on hearing"),
        "agreements.version.draft": gettext_lazy("Took an agreement version back to draft"),
        "agreements.version.adopted": gettext_lazy("Recorded the adoption of an agreement version"),
        "agreements.version.replaced": gettext_lazy("An agreement version was replaced by a newer one"),
        "agreements.approval.recorded": gettext_lazy("Recorded a party's approval of an agreement"),
        "agreements.approval.reminded": gettext_lazy("Reminded a party that has not approved an agreement"),
        "agreements.agreement.revision_started": gettext_lazy("Started the revision of an agreement"),
        "agreements.consultation.created": gettext_lazy("Opened a consultation"),
        "agreements.consultation.input": gettext_lazy("Gave input to a consultation"),
        "agreements.consultation.updated": gettext_lazy("Changed a consultation"),
        "agreements.consultation.composed": gettext_lazy("Wrote the joint consultation response"),
        "agreements.consultation.on_agenda": gettext_lazy("Put a consultation response on an agenda"),
        "agreements.consultation.sent": gettext_lazy("Marked a consultation response as sent"),
        "agreements.consultation.archived": gettext_lazy("Archived a consultation"),
    }
)

HEADING = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(\S.*)$")
POINTS = re.compile(r"^§\s*6-2\s*:\s*(.*)$")


def parse_clauses(text: str) -> list[dict]:
    """Numbered clauses from the agreement text: a line "3 Heading" or "3.1 Heading" starts a clause, a line
    "§ 6-2: 2, 5" under it names the points of the law it covers, the other lines are its text."""
    clauses: list[dict] = []
    errors = []
    for line_no, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        heading, points = HEADING.match(line), POINTS.match(line)
        if heading:
            clauses.append({"number": heading.group(1), "heading": heading.group(2), "lines": [], "points": []})
        elif points:
            if not clauses:
                errors.append(_("Line %(line)s: “§ 6-2:” must come under a numbered clause.") % {"line": line_no})
                continue
            for part in filter(None, (p.strip() for p in points.group(1).split(","))):
                if not part.isdigit() or int(part) not in LEGAL_POINTS:
                    errors.append(
                        _("Line %(line)s: “%(point)s” is not a point 1–13 of § 6-2.") % {"line": line_no, "point": part}
                    )
                else:
                    clauses[-1]["points"].append(int(part))
        elif line:
            if not clauses:
                errors.append(
                    _("Line %(line)s: the text must start with a numbered clause, such as “1 Formål”.")
                    % {"line": line_no}
                )
                continue
            clauses[-1]["lines"].append(line)
    if not clauses and not errors:
        errors.append(_("Write the agreement's clauses, each starting with its number, such as “1 Formål”."))
    if errors:
        raise ValidationError({"text": errors})
    return [
        {
            "number": c["number"],
            "heading": c["heading"][:300],
            "text": "\n".join(c["lines"]),
            "legal_points": sorted(set(c["points"])),
        }
        for c in clauses
    ]


def version_text(version: AgreementVersion) -> str:
    """The version's clauses written back as the text the form takes."""
    parts = []
    for clause in version.clauses.all():
        lines = [f"{clause.number} {clause.heading}"]
        if clause.legal_points:
            lines.append("§ 6-2: " + ", ".join(str(p) for p in clause.legal_points))
        if clause.text:
            lines.append(clause.text)
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _record(*, actor, action: str, target, community: Helsefellesskap, data=None) -> None:
    audit.record(actor=actor, action=action, target=target, helsefellesskap=community, data=data)


@transaction.atomic
def agreement_create(
    *, actor: User, community: Helsefellesskap, kind: str, title: str, parties=(), review_date: date | None = None
) -> Agreement:
    require(actor, "agreements.manage", community)
    errors = {}
    if kind not in AgreementKind.values:
        errors["kind"] = _("Choose the kind of agreement.")
    if not (title or "").strip():
        errors["title"] = _("Give the agreement a title.")
    parties = list(parties)
    if not parties:
        errors["parties"] = _("Choose the parties to the agreement.")
    if errors:
        raise ValidationError(errors)
    agreement = Agreement.objects.create(
        helsefellesskap=community, kind=kind, title=title.strip(), review_date=review_date
    )
    agreement.parties.set(parties)
    _record(actor=actor, action="agreements.agreement.created", target=agreement, community=community)
    return agreement


def _set_clauses(version: AgreementVersion, clauses: list[dict]) -> None:
    version.clauses.all().delete()
    Clause.objects.bulk_create(Clause(version=version, position=i, **c) for i, c in enumerate(clauses, start=1))


@transaction.atomic
def version_create(*, actor: User, agreement: Agreement, text: str, reason: str = "") -> AgreementVersion:
    """A new draft version from the agreement text; after the first version, a reason is required."""
    require(actor, "agreements.manage_agreement", agreement)
    Agreement.objects.select_for_update().get(pk=agreement.pk)  # one new number at a time
    clauses = parse_clauses(text)
    number = (agreement.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    if number > 1 and not (reason or "").strip():
        raise ValidationError({"reason": _("Say what changed and why.")})
    version = AgreementVersion.objects.create(
        agreement=agreement, number=number, reason=(reason or "").strip(), created_by=actor
    )
    _set_clauses(version, clauses)
    _record(
        actor=actor,
        action="agreements.version.created",
        target=version,
        community=agreement.helsefellesskap,
        data={"clauses": len(clauses)},
    )
    return version


@transaction.atomic
def version_update(*, actor: User, version: AgreementVersion, text: str, reason: str = "") -> AgreementVersion:
    require(actor, "agreements.manage_agreement", version)
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_editable:
        raise ValidationError(_("Only a draft can be changed: write a new version instead."))
    clauses = parse_clauses(text)
    version.reason = (reason or "").strip()
    version.save()
    _set_clauses(version, clauses)
    _record(
        actor=actor, action="agreements.version.updated", target=version, community=version.agreement.helsefellesskap
    )
    return version


@transaction.atomic
def version_move(*, actor: User, version: AgreementVersion, to: str) -> AgreementVersion:
    """On hearing, or back to draft."""
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if to == VersionStatus.HEARING:
        VERSION_WORKFLOW.require(actor, version, "hearing")
    else:
        require(actor, "agreements.manage_agreement", version)
        if to != VersionStatus.DRAFT:
            raise ValidationError(_("Choose what to do with the version."))
    VERSION_WORKFLOW.move(version, to, actor=actor)
    return version


@transaction.atomic
def version_adopt(*, actor: User, version: AgreementVersion, valid_from: date) -> AgreementVersion:
    """The version is adopted and applies from `valid_from`; the version adopted before it is replaced."""
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    VERSION_WORKFLOW.require(actor, version, "adopt")
    if valid_from is None:
        raise ValidationError({"valid_from": _("Give the date from which the version applies.")})
    for earlier in AgreementVersion.objects.select_for_update().filter(
        agreement=version.agreement, status=VersionStatus.ADOPTED
    ):
        VERSION_WORKFLOW.move(earlier, VersionStatus.REPLACED, actor=actor, data={"by": version.number})
    version.valid_from = valid_from
    version.adopted_at = timezone.now()
    VERSION_WORKFLOW.move(version, VersionStatus.ADOPTED, actor=actor, data={"valid_from": valid_from.isoformat()})
    return version


@transaction.atomic
def approval_record(
    *, actor: User, version: AgreementVersion, party, approved_by: str, approved_on: date, upload=None
) -> Approval:
    """A party's approval of an adopted version, with the body that approved it and the signed copy (a PDF)."""
    from samhandling.governance.services import check_attachment

    VERSION_WORKFLOW.require(actor, version, "approve")
    errors = {}
    if party is None or not version.agreement.parties.filter(pk=party.pk).exists():
        errors["party"] = _("Choose one of the parties to the agreement.")
    elif version.approvals.filter(party=party).exists():
        errors["party"] = _("This party's approval is already recorded.")
    if not (approved_by or "").strip():
        errors["approved_by"] = _("Name the body that approved the agreement, such as Kommunestyret.")
    if approved_on is None:
        errors["approved_on"] = _("Give the date of the approval.")
    content = None
    if upload is not None:
        upload.seek(0)
        content = upload.read()
        try:
            check_attachment(upload.name, content)
        except ValidationError as error:
            errors["signed_copy"] = error.messages
    if errors:
        raise ValidationError(errors)
    approval = Approval(
        version=version, party=party, approved_by=approved_by.strip(), approved_on=approved_on, recorded_by=actor
    )
    if content is not None:
        approval.signed_copy.save(upload.name, ContentFile(content), save=False)
    approval.save()
    _record(
        actor=actor,
        action="agreements.approval.recorded",
        target=approval,
        community=version.agreement.helsefellesskap,
        data={"party": party.pk, "version": version.number},
    )
    return approval


# Who is reminded on behalf of a party: the people who hold the leader's or the administrator's role in the party
# organisation itself (the rådmann's office, the hospital's management), not in its units, and those who hold a
# current seat for the party in one of the community's bodies (its SSU or partnership representatives).
REMINDED_ROLES = (Role.LEADER, Role.ADMIN)


def party_contacts(party, community: Helsefellesskap, today: date | None = None) -> list[User]:
    from samhandling.governance.models import BodyMember
    from samhandling.governance.models.bodies import current_members_q

    by_role = Membership.objects.filter(organisation=party, role__in=REMINDED_ROLES).values("user")
    by_seat = (
        BodyMember.objects.filter(current_members_q(today or timezone.localdate()), organisation=party)
        .filter(body__helsefellesskap=community, body__is_active=True, user__isnull=False)
        .values("user")
    )
    return list(User.objects.filter(Q(pk__in=by_role) | Q(pk__in=by_seat), is_active=True).distinct().order_by("pk"))


@transaction.atomic
def approval_remind(
    *, actor: User, version: AgreementVersion, base_url: str = "", today: date | None = None
) -> list[ApprovalReminder]:
    """Remind every party of an adopted version that has not approved it yet: their contacts see it in "Mine
    oppgaver" and get an e-mail (a task, after commit). Once per party and day: a second press the same day reminds
    nobody again. Returns the reminders made now."""
    from . import tasks

    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    VERSION_WORKFLOW.require(actor, version, "remind")
    today = today or timezone.localdate()
    approved = set(version.approvals.values_list("party_id", flat=True))
    made = []
    for party in version.agreement.parties.exclude(pk__in=approved).order_by("name"):
        contacts = party_contacts(party, version.agreement.helsefellesskap, today)
        reminder, created = ApprovalReminder.objects.get_or_create(
            version=version, party=party, day=today, defaults={"sent_by": actor}
        )
        if not created:
            continue
        reminder.recipients.set(contacts)
        made.append(reminder)
        _record(
            actor=actor,
            action="agreements.approval.reminded",
            target=version,
            community=version.agreement.helsefellesskap,
            data={"party": party.pk, "version": version.number, "recipients": len(contacts)},
        )
        if contacts:
            enqueue_on_commit(tasks.send_approval_reminder, reminder.pk, base_url)
    if not made and not version.agreement.parties.exclude(pk__in=approved).exists():
        raise ValidationError(_("Every party has approved this version."))
    return made


def send_approval_reminder(*, reminder_id: int, base_url: str) -> int:
    """The e-mail of one reminder to each of the party's contacts; the reminder row is claimed first (a conditional
    UPDATE), so a task run twice sends nothing twice. Returns how many e-mails went."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    if not ApprovalReminder.objects.filter(pk=reminder_id, mailed_at__isnull=True).update(mailed_at=timezone.now()):
        return 0
    reminder = ApprovalReminder.objects.select_related("version__agreement", "party").get(pk=reminder_id)
    version = reminder.version
    link = base_url.rstrip("/") + reverse("agreements:version_detail", args=[version.pk]) if base_url else ""
    sent = 0
    for user in reminder.recipients.filter(is_active=True).exclude(email="").order_by("pk"):
        with translation.override(user.language):
            context = {
                "agreement": version.agreement.title,
                "number": version.number,
                "party": reminder.party.name,
                "link": link,
            }
            subject = _("Reminder: approval of “%(agreement)s”") % context
            send_mail(subject, render_to_string("agreements/email/approval_reminder.txt", context), None, [user.email])
        sent += 1
    return sent


@transaction.atomic
def agreement_start_revision(*, actor: User, agreement: Agreement, body):
    """The revision case: a decision item in the queue of the chosen body (its next meeting takes it), with the
    agreement, its current version and the review date in the case text."""
    from samhandling.governance import services as governance
    from samhandling.governance.models import ItemKind

    require(actor, "agreements.manage_agreement", agreement)
    if body is None or body.helsefellesskap_id != agreement.helsefellesskap_id:
        raise ValidationError({"body": _("Choose a body of the community.")})
    current = agreement.versions.filter(status=VersionStatus.ADOPTED).first()
    item = governance.item_create(
        actor=actor,
        body=body,
        kind=ItemKind.DECISION,
        title=_("Revision of %(agreement)s") % {"agreement": agreement.title},
        description=_("The secretariat proposes to revise the agreement (version %(version)s in force).")
        % {"version": current.number if current else "–"},
        proposed_decision=_("The revision of the agreement is started; the secretariat brings a draft."),
        case_officer=actor,
    )
    _record(
        actor=actor,
        action="agreements.agreement.revision_started",
        target=agreement,
        community=agreement.helsefellesskap,
        data={"item": item.pk, "body": body.pk},
    )
    return item


# --- Høringssvar ---------------------------------------------------------------------------------------------------

CONSULTATION_DOCUMENTS = ("pdf", "docx")
MAX_QUESTIONS = 50


def parse_questions(text: str) -> list[str]:
    """The questions, one a line (blank lines and list marks such as "1." or "-" are dropped)."""
    questions = []
    for raw in (text or "").splitlines():
        line = re.sub(r"^\s*(?:\d+[.)]|[-*•])\s*", "", raw).strip()
        if line:
            questions.append(line)
    if not questions:
        raise ValidationError({"questions": _("Write at least one question, one a line.")})
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError({"questions": _("Write at most %(count)s questions.") % {"count": MAX_QUESTIONS}})
    return questions


def check_consultation(
    *, title: str, external_body: str, external_deadline, internal_deadline, questions: str, document=None, url=""
) -> list[str]:
    """Every error of a new consultation at its field; the parsed questions when there are none."""
    from samhandling.governance.services import check_attachment

    errors: dict[str, list] = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the consultation a title.")]
    if not (external_body or "").strip():
        errors["external_body"] = [_("Name the body that asks, such as Helsedirektoratet.")]
    if external_deadline is None:
        errors["external_deadline"] = [_("Give the deadline of the consultation.")]
    if internal_deadline is None:
        errors["internal_deadline"] = [_("Give the deadline for input from the members.")]
    elif external_deadline is not None and internal_deadline > external_deadline:
        errors["internal_deadline"] = [_("The deadline for input must come before the deadline of the consultation.")]
    if document is None and not (url or "").strip():
        errors["document"] = [_("Upload the document consulted on, or give a link to it.")]
    if document is not None:
        extension = (document.name or "").rsplit(".", 1)[-1].lower()
        document.seek(0)
        content = document.read()
        if extension not in CONSULTATION_DOCUMENTS:
            errors["document"] = [_("Upload a PDF or Word (DOCX) file.")]
        else:
            try:
                check_attachment(document.name, content)
            except ValidationError as error:
                errors["document"] = error.messages
    parsed = []
    try:
        parsed = parse_questions(questions)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return parsed


@transaction.atomic
def consultation_create(
    *,
    actor: User,
    community: Helsefellesskap,
    title: str,
    external_body: str,
    external_deadline: date,
    internal_deadline: date,
    questions: str,
    document=None,
    document_url: str = "",
    invited_bodies=(),
    invited_organisations=(),
) -> Consultation:
    """A consultation open for input from the invited bodies' members and the invited organisations' people."""
    require(actor, "agreements.manage_consultations", community)
    parsed = check_consultation(
        title=title,
        external_body=external_body,
        external_deadline=external_deadline,
        internal_deadline=internal_deadline,
        questions=questions,
        document=document,
        url=document_url,
    )
    bodies, organisations = list(invited_bodies), list(invited_organisations)
    if not bodies and not organisations:
        raise ValidationError({"invited_bodies": _("Invite at least one body or organisation.")})
    if any(body.helsefellesskap_id != community.pk for body in bodies):
        raise ValidationError({"invited_bodies": _("Choose bodies of the community.")})
    consultation = Consultation(
        helsefellesskap=community,
        title=title.strip(),
        external_body=external_body.strip(),
        external_deadline=external_deadline,
        internal_deadline=internal_deadline,
        document_url=(document_url or "").strip(),
        created_by=actor,
    )
    if document is not None:
        document.seek(0)
        consultation.document.save(document.name, ContentFile(document.read()), save=False)
    consultation.save()
    consultation.invited_bodies.set(bodies)
    consultation.invited_organisations.set(organisations)
    Question.objects.bulk_create(
        Question(consultation=consultation, position=i, text=text) for i, text in enumerate(parsed, start=1)
    )
    _record(
        actor=actor,
        action="agreements.consultation.created",
        target=consultation,
        community=community,
        data={"questions": len(parsed), "bodies": len(bodies), "organisations": len(organisations)},
    )
    return consultation


@transaction.atomic
def consultation_update(
    *,
    actor: User,
    consultation: Consultation,
    title: str,
    external_body: str,
    external_deadline: date,
    internal_deadline: date,
    document_url: str = "",
    invited_bodies=(),
    invited_organisations=(),
) -> Consultation:
    """Correct an open consultation: its title, the body that asks, the deadlines (a later deadline for input, say),
    the link and who is invited. The questions and the uploaded document stay, so no input loses its question."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    CONSULTATION_WORKFLOW.require(actor, consultation, "edit")
    check_consultation(
        title=title,
        external_body=external_body,
        external_deadline=external_deadline,
        internal_deadline=internal_deadline,
        questions="(unchanged)",
        url=document_url or ("-" if consultation.document else ""),
    )
    bodies, organisations = list(invited_bodies), list(invited_organisations)
    if not bodies and not organisations:
        raise ValidationError({"invited_bodies": _("Invite at least one body or organisation.")})
    if any(body.helsefellesskap_id != consultation.helsefellesskap_id for body in bodies):
        raise ValidationError({"invited_bodies": _("Choose bodies of the community.")})
    consultation.title, consultation.external_body = title.strip(), external_body.strip()
    consultation.external_deadline, consultation.internal_deadline = external_deadline, internal_deadline
    consultation.document_url = (document_url or "").strip()
    consultation.save()
    consultation.invited_bodies.set(bodies)
    consultation.invited_organisations.set(organisations)
    _record(
        actor=actor,
        action="agreements.consultation.updated",
        target=consultation,
        community=consultation.helsefellesskap,
        data={"internal_deadline": internal_deadline.isoformat(), "external_deadline": external_deadline.isoformat()},
    )
    return consultation


@transaction.atomic
def consultation_give_input(*, actor: User, consultation: Consultation, answers: dict[int, str]) -> int:
    """The actor's input per question ({question id: text}); an empty text removes the actor's input to that
    question. Until the internal deadline, while the consultation is open. Returns the number of inputs kept."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    CONSULTATION_WORKFLOW.require(actor, consultation, "give_input")
    questions = {q.pk: q for q in consultation.questions.all()}
    if set(answers) - set(questions):
        raise ValidationError(_("Answer the questions of this consultation."))
    kept = 0
    for pk, text in answers.items():
        text = (text or "").strip()
        if text:
            ConsultationInput.objects.update_or_create(question=questions[pk], author=actor, defaults={"text": text})
            kept += 1
        else:
            ConsultationInput.objects.filter(question=questions[pk], author=actor).delete()
    _record(
        actor=actor,
        action="agreements.consultation.input",
        target=consultation,
        community=consultation.helsefellesskap,
        data={"answered": kept},
    )
    return kept


@transaction.atomic
def consultation_compose(*, actor: User, consultation: Consultation, responses: dict[int, str]) -> Consultation:
    """The joint response, a text per question ({question id: text}); only while the consultation is open."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    CONSULTATION_WORKFLOW.require(actor, consultation, "compose")
    questions = {q.pk: q for q in consultation.questions.all()}
    if set(responses) - set(questions):
        raise ValidationError(_("Answer the questions of this consultation."))
    for pk, text in responses.items():
        question = questions[pk]
        question.response = (text or "").strip()
        question.save(update_fields=["response"])
    _record(
        actor=actor,
        action="agreements.consultation.composed",
        target=consultation,
        community=consultation.helsefellesskap,
        data={"answered": sum(1 for q in questions.values() if q.response)},
    )
    return consultation


@transaction.atomic
def consultation_to_agenda(*, actor: User, consultation: Consultation, meeting, fmt: str = "pdf"):
    """A decision item on `meeting` (the SSU's or the partnership meeting's) with the joint response attached as it
    stands now; the same path as the action plan's status report (governance's item and attachment services)."""
    from samhandling.governance import services as governance
    from samhandling.governance.models import ItemKind, ItemOrigin, Visibility

    from . import documents

    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    CONSULTATION_WORKFLOW.require(actor, consultation, "agenda")
    if meeting is None or meeting.body.helsefellesskap_id != consultation.helsefellesskap_id:
        raise ValidationError({"meeting": _("Choose a meeting of one of the community's bodies.")})
    if not consultation.questions.exclude(response="").exists():
        raise ValidationError({"meeting": _("Write the joint response before it goes on an agenda.")})
    content = documents.consultation_response(consultation, fmt)
    deadline = date_format(consultation.external_deadline, "SHORT_DATE_FORMAT")
    item = governance.item_from_document(
        actor=actor,
        body=meeting.body,
        meeting=meeting,
        kind=ItemKind.DECISION,
        title=_("Consultation response: %(title)s") % {"title": consultation.title},
        description=_(
            "Consultation from %(body)s with deadline %(deadline)s. The secretariat proposes a joint response from "
            "the members' inputs."
        )
        % {"body": consultation.external_body, "deadline": deadline},
        proposed_decision=_("The joint consultation response is approved and sent to %(body)s.")
        % {"body": consultation.external_body},
        visibility=Visibility.INTERNAL,
        document=governance.Document(
            documents.response_filename(consultation, fmt), content, documents.response_title(consultation)
        ),
        origin=governance.Origin(ItemOrigin.CONSULTATION, consultation.title, consultation.get_absolute_url()),
    )
    consultation.agenda_item = item
    consultation.save(update_fields=["agenda_item"])
    _record(
        actor=actor,
        action="agreements.consultation.on_agenda",
        target=consultation,
        community=consultation.helsefellesskap,
        data={"meeting": meeting.pk, "item": item.pk, "format": fmt},
    )
    return item


@transaction.atomic
def consultation_move(*, actor: User, consultation: Consultation, to: str) -> Consultation:
    """Mark the response sent (it is then never changed) or archive the consultation."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if to == ConsultationStatus.SENT:
        CONSULTATION_WORKFLOW.require(actor, consultation, "send")
        if not consultation.questions.exclude(response="").exists():
            raise ValidationError(_("Write the joint response before it is marked as sent."))
        consultation.sent_at = timezone.now()
    elif to == ConsultationStatus.ARCHIVED:
        CONSULTATION_WORKFLOW.require(actor, consultation, "archive")
    else:
        raise ValidationError(_("Choose what to do with the consultation."))
    CONSULTATION_WORKFLOW.move(consultation, to, actor=actor)
    return consultation
