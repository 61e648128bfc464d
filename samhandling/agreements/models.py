"""Samarbeidsavtaler: a community's overarching agreement and its delavtaler, each with versions (draft, on hearing,
adopted, replaced) whose text is numbered clauses, each clause naming the points of helse- og omsorgstjenesteloven
§ 6-2 it covers; and the approval of a version by each party (the municipal councils and the hospital board).

An adopted version is never changed: a correction is a new version with a reason."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samhandling.core.models import Helsefellesskap, Organisation
from samhandling.core.workflow import Action, Workflow

# Helse- og omsorgstjenesteloven § 6-2 first paragraph, points 1–13 (12 and 13 apply from 1 August 2022); short
# paraphrases for the coverage table (see docs: the exact wording is on Lovdata).
LEGAL_POINTS = {
    1: _("Which health and care tasks each level is responsible for, and the measures each party shall carry out"),
    2: _("Cooperation on admission, discharge, habilitation, rehabilitation and learning and coping services"),
    3: _("Guidelines for admission to hospital"),
    4: _("The municipality's 24-hour emergency stay (døgnopphold for øyeblikkelig hjelp)"),
    5: _("Patients ready for discharge"),
    6: _("Mutual knowledge transfer, information exchange, professional networks and job shadowing"),
    7: _("Cooperation on research and education"),
    8: _("Cooperation on midwifery services"),
    9: _("Cooperation on IT solutions"),
    10: _("Cooperation on prevention"),
    11: _("Emergency preparedness plans and the acute medical chain"),
    12: _("How the parties together plan and develop services"),
    13: _("Services for children and young people with complex needs"),
}


class AgreementKind(models.TextChoices):
    OVERARCHING = "overarching", _("Overarching agreement")
    SUB = "sub", _("Sub-agreement (delavtale)")


class Agreement(models.Model):
    helsefellesskap = models.ForeignKey(
        Helsefellesskap, verbose_name=_("health community"), on_delete=models.PROTECT, related_name="agreements"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AgreementKind.choices)
    title = models.CharField(_("title"), max_length=300)
    parties = models.ManyToManyField(Organisation, verbose_name=_("parties"), related_name="+")
    review_date = models.DateField(_("next review"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("agreement")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:agreement_detail", args=[self.pk])


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    HEARING = "hearing", _("On hearing")
    ADOPTED = "adopted", _("Adopted")
    REPLACED = "replaced", _("Replaced")


class AgreementVersion(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    reason = models.TextField(_("what changed and why"), blank=True)
    valid_from = models.DateField(_("applies from"), null=True, blank=True)
    adopted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "-number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="agreements_version_number")]

    def __str__(self) -> str:
        return f"{self.agreement} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("agreements:version_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


VERSION_WORKFLOW = Workflow(
    model=AgreementVersion,
    statuses=VersionStatus,
    transitions={
        VersionStatus.DRAFT: [VersionStatus.HEARING, VersionStatus.ADOPTED],
        VersionStatus.HEARING: [VersionStatus.DRAFT, VersionStatus.ADOPTED],
        VersionStatus.ADOPTED: [VersionStatus.REPLACED],
        VersionStatus.REPLACED: [],
    },
    actions=[
        Action("hearing", "agreements.manage_agreement", target=VersionStatus.HEARING, label=_("Send on hearing")),
        Action("adopt", "agreements.manage_agreement", target=VersionStatus.ADOPTED, label=_("Record adoption")),
        Action("approve", "agreements.manage_agreement", frozenset({VersionStatus.ADOPTED}), label=_("Approval")),
        Action(
            "remind",
            "agreements.manage_agreement",
            frozenset({VersionStatus.ADOPTED}),
            label=_("Remind the parties that have not approved"),
        ),
    ],
    audit_prefix="agreements.version",
    community=lambda version: version.agreement.helsefellesskap,
    tones={
        VersionStatus.DRAFT: "warning",
        VersionStatus.HEARING: "info",
        VersionStatus.ADOPTED: "success",
        VersionStatus.REPLACED: "neutral",
    },
)


class Clause(models.Model):
    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="clauses")
    position = models.PositiveSmallIntegerField(default=0)
    number = models.CharField(_("number"), max_length=12)
    heading = models.CharField(_("heading"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    legal_points = models.JSONField(_("§ 6-2 points"), default=list, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.heading}"


class Approval(models.Model):
    """One party's approval of an adopted version: the body that approved it, when, and the signed copy."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="approvals")
    party = models.ForeignKey(Organisation, verbose_name=_("party"), on_delete=models.PROTECT, related_name="+")
    approved_by = models.CharField(_("approved by"), max_length=200, help_text=_("For example Kommunestyret."))
    approved_on = models.DateField(_("date"))
    signed_copy = models.FileField(_("signed copy"), upload_to="agreements/signed/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["party__name"]
        constraints = [models.UniqueConstraint(fields=["version", "party"], name="agreements_one_approval_per_party")]

    def __str__(self) -> str:
        return f"{self.party}: {self.version}"


class ApprovalReminder(models.Model):
    """The secretariat reminded a party that has not approved an adopted version yet: one row per party and day, so
    pressing the button twice on one day reminds once. `mailed_at` is claimed by the task that sends the e-mail."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="reminders")
    party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")  # the party's contacts reminded
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "party__name"]
        constraints = [
            models.UniqueConstraint(fields=["version", "party", "day"], name="agreements_one_reminder_per_party_day")
        ]

    def __str__(self) -> str:
        return f"{self.party}: {self.version} ({self.day})"


# --- Høringssvar: joint consultation responses ----------------------------------------------------------------------


class ConsultationStatus(models.TextChoices):
    OPEN = "open", _("Open for input")
    SENT = "sent", _("Sent")
    ARCHIVED = "archived", _("Archived")


class Consultation(models.Model):
    """A consultation (høring) an external body sends the community: the document consulted on, the questions, who
    is invited to give input before the internal deadline, and the joint response the secretariat composes from the
    inputs. A sent response is never changed."""

    helsefellesskap = models.ForeignKey(
        Helsefellesskap, verbose_name=_("health community"), on_delete=models.PROTECT, related_name="consultations"
    )
    title = models.CharField(_("title"), max_length=300)
    external_body = models.CharField(_("consulting body"), max_length=200)
    document = models.FileField(_("document consulted on"), upload_to="agreements/consultations/", blank=True)
    document_url = models.URLField(_("link to the document"), max_length=500, blank=True)
    external_deadline = models.DateField(_("deadline of the consultation"))
    internal_deadline = models.DateField(_("deadline for input"))
    invited_bodies = models.ManyToManyField(
        "governance.Body", verbose_name=_("invited bodies"), blank=True, related_name="+"
    )
    invited_organisations = models.ManyToManyField(
        Organisation, verbose_name=_("invited organisations"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ConsultationStatus.choices, default=ConsultationStatus.OPEN
    )
    agenda_item = models.ForeignKey(
        "governance.AgendaItem",
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-external_deadline", "-pk"]
        verbose_name = _("consultation")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(internal_deadline__lte=models.F("external_deadline")),
                name="agreements_consultation_deadlines",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:consultation_detail", args=[self.pk])


CONSULTATION_WORKFLOW = Workflow(
    model=Consultation,
    statuses=ConsultationStatus,
    transitions={
        ConsultationStatus.OPEN: [ConsultationStatus.SENT, ConsultationStatus.ARCHIVED],
        ConsultationStatus.SENT: [ConsultationStatus.ARCHIVED],
        ConsultationStatus.ARCHIVED: [],
    },
    actions=[
        Action("give_input", "agreements.give_input", frozenset({ConsultationStatus.OPEN}), label=_("Give input")),
        Action("edit", "agreements.manage_consultation", frozenset({ConsultationStatus.OPEN}), label=_("Edit")),
        Action(
            "compose",
            "agreements.manage_consultation",
            frozenset({ConsultationStatus.OPEN}),
            label=_("Compose the response"),
        ),
        Action(
            "agenda",
            "agreements.manage_consultation",
            frozenset({ConsultationStatus.OPEN}),
            label=_("Put on an agenda"),
        ),
        Action("send", "agreements.manage_consultation", target=ConsultationStatus.SENT, label=_("Mark as sent")),
        Action("archive", "agreements.manage_consultation", target=ConsultationStatus.ARCHIVED, label=_("Archive")),
    ],
    audit_prefix="agreements.consultation",
    community=lambda consultation: consultation.helsefellesskap,
    tones={
        ConsultationStatus.OPEN: "info",
        ConsultationStatus.SENT: "success",
        ConsultationStatus.ARCHIVED: "neutral",
    },
)


class Question(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("question"))
    response = models.TextField(_("joint response"), blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ConsultationInput(models.Model):
    """One invited member's input to one question; kept after the deadline, editable until it."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="inputs")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("input"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["question", "author"], name="agreements_one_input_per_question")]

    def __str__(self) -> str:
        return f"{self.author}: {self.question}"
