"""Every write of the cooperation agreements: one function per use case, keyword-only, the acting user explicit, one
transaction each with its audit event. A version's status moves through its workflow; an adopted version is never
changed (a correction is a new version with a reason)."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samhandling.core import audit
from samhandling.core.models import Helsefellesskap, User
from samhandling.core.permissions import require

from .models import (
    LEGAL_POINTS,
    VERSION_WORKFLOW,
    Agreement,
    AgreementKind,
    AgreementVersion,
    Approval,
    Clause,
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
        "agreements.agreement.revision_started": gettext_lazy("Started the revision of an agreement"),
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
