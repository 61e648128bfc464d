"""Nyhetsbrev: newsletters of a community (or the national level) with sections, subscribers (double opt-in, with
their history), issues, contributions (innspill) from members, and one delivery row per subscriber and issue.

Every status field moves through its `Workflow` only; deliveries are claimed one by one (decision 28's pattern)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samhandling.core.models import Helsefellesskap, Language
from samhandling.core.workflow import Action, Workflow


class Newsletter(models.Model):
    """A newsletter. `helsefellesskap` empty means the national newsletter for all communities."""

    helsefellesskap = models.ForeignKey(
        Helsefellesskap,
        verbose_name=_("health community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="newsletters",
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(unique=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    default_language = models.CharField(
        _("default language"), max_length=2, choices=Language.choices, default=Language.BOKMAL
    )
    sender_name = models.CharField(_("sender name"), max_length=100, blank=True)
    editors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("editors"), blank=True, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("newsletter:archive", args=[self.slug])


class Section(models.Model):
    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("title"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["newsletter", "title"], name="newsletter_section_unique")]

    def __str__(self) -> str:
        return self.title


# --- subscribers ---------------------------------------------------------------------------------------------------


class SubscriptionStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("Not confirmed")
    CONFIRMED = "confirmed", _("Subscribed")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")


class Subscriber(models.Model):
    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="subscribers")
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.BOKMAL)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.UNCONFIRMED,
        db_index=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["newsletter", "email"], name="newsletter_subscriber_unique")]

    def __str__(self) -> str:
        # Never the address: this text goes to the audit log.
        return str(_("Subscriber %(number)s") % {"number": self.pk})


class SubscriptionChange(models.Model):
    """The subscriber's history: every status it has had, when and how (form, link, one-click, editor)."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="history")
    previous = models.CharField(max_length=20, blank=True, choices=SubscriptionStatus.choices)
    new = models.CharField(max_length=20, choices=SubscriptionStatus.choices)
    via = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.subscriber_id}: {self.previous} → {self.new}"


def _subscriber_history(subscriber, *, previous, to, actor, text):
    SubscriptionChange.objects.create(subscriber=subscriber, previous=previous, new=to, via=text[:20])


def _newsletter_community(obj):
    newsletter = obj if isinstance(obj, Newsletter) else getattr(obj, "newsletter", None)
    if newsletter is None and hasattr(obj, "issue"):
        newsletter = obj.issue.newsletter
    return newsletter.helsefellesskap if newsletter else None


SUBSCRIBER_WORKFLOW = Workflow(
    model=Subscriber,
    statuses=SubscriptionStatus,
    transitions={
        SubscriptionStatus.UNCONFIRMED: {SubscriptionStatus.CONFIRMED, SubscriptionStatus.UNSUBSCRIBED},
        SubscriptionStatus.CONFIRMED: {SubscriptionStatus.UNSUBSCRIBED},
        SubscriptionStatus.UNSUBSCRIBED: {SubscriptionStatus.UNCONFIRMED},
    },
    audit_prefix="newsletter.subscriber",
    history=_subscriber_history,
    community=_newsletter_community,
    tones={SubscriptionStatus.CONFIRMED: "success", SubscriptionStatus.UNSUBSCRIBED: "neutral"},
)


# --- issues ---------------------------------------------------------------------------------------------------------


class IssueStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Issue(models.Model):
    newsletter = models.ForeignKey(Newsletter, on_delete=models.PROTECT, related_name="issues")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=80)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    intro = models.TextField(_("introduction"), blank=True, max_length=10000)
    input_deadline = models.DateField(_("deadline for contributions"), null=True, blank=True)
    period_start = models.DateField(_("important dates from"))
    period_end = models.DateField(_("important dates to"))
    important_dates = models.TextField(_("important dates"), blank=True, max_length=10000)
    status = models.CharField(_("status"), max_length=20, choices=IssueStatus.choices, default=IssueStatus.DRAFT)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    to_send = models.PositiveIntegerField(default=0)
    base_url = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["newsletter", "slug"], name="newsletter_issue_slug_unique")]
        verbose_name = _("issue")
        verbose_name_plural = _("issues")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("newsletter:issue_edit", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("newsletter:public_issue", args=[self.newsletter.slug, self.slug])


ISSUE_WORKFLOW = Workflow(
    model=Issue,
    statuses=IssueStatus,
    transitions={
        IssueStatus.DRAFT: {IssueStatus.SCHEDULED, IssueStatus.SENDING, IssueStatus.CANCELLED},
        IssueStatus.SCHEDULED: {IssueStatus.DRAFT, IssueStatus.SENDING, IssueStatus.CANCELLED},
        IssueStatus.SENDING: {IssueStatus.SENT},
        IssueStatus.SENT: set(),
        IssueStatus.CANCELLED: set(),
    },
    actions=[
        Action("edit", "newsletter.edit", frozenset({IssueStatus.DRAFT, IssueStatus.SCHEDULED}), None, _("Edit")),
        Action("schedule", "newsletter.edit", frozenset({IssueStatus.DRAFT}), IssueStatus.SCHEDULED, _("Schedule")),
        Action("unschedule", "newsletter.edit", frozenset({IssueStatus.SCHEDULED}), IssueStatus.DRAFT, _("Unschedule")),
        Action(
            "send",
            "newsletter.edit",
            frozenset({IssueStatus.DRAFT, IssueStatus.SCHEDULED}),
            IssueStatus.SENDING,
            _("Send now"),
        ),
        Action(
            "cancel",
            "newsletter.edit",
            frozenset({IssueStatus.DRAFT, IssueStatus.SCHEDULED}),
            IssueStatus.CANCELLED,
            _("Cancel the issue"),
        ),
    ],
    audit_prefix="newsletter.issue",
    community=_newsletter_community,
    tones={IssueStatus.SENT: "success", IssueStatus.SCHEDULED: "info", IssueStatus.SENDING: "warning"},
)


# --- contributions ----------------------------------------------------------------------------------------------------


class ContributionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    HELD = "held", _("Held for a later issue")
    DECLINED = "declined", _("Declined")


class Contribution(models.Model):
    """An innspill from a member: text (sanitised HTML), a link and the issue it is wished for; the editor accepts
    (and may edit) it, holds it for a later issue or declines it, with a message back."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="contributions")
    issue = models.ForeignKey(
        Issue, verbose_name=_("issue"), null=True, blank=True, on_delete=models.SET_NULL, related_name="contributions"
    )
    section = models.ForeignKey(
        Section, verbose_name=_("section"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="newsletter_contributions"
    )
    helsefellesskap = models.ForeignKey(
        Helsefellesskap, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=20000)
    link = models.URLField(_("link"), blank=True)
    link_text = models.CharField(_("link text"), max_length=200, blank=True)
    # Served only through the application (`views.contribution_image`): public once the issue is sent.
    image = models.ImageField(_("picture"), upload_to="newsletter/%Y/", blank=True)
    image_alt = models.CharField(_("picture description (alt text)"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ContributionStatus.choices,
        default=ContributionStatus.SUBMITTED,
        db_index=True,
    )
    editor_message = models.TextField(_("message to the contributor"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "created_at", "pk"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")

    def __str__(self) -> str:
        return self.title


CONTRIBUTION_WORKFLOW = Workflow(
    model=Contribution,
    statuses=ContributionStatus,
    transitions={
        ContributionStatus.SUBMITTED: {
            ContributionStatus.ACCEPTED,
            ContributionStatus.HELD,
            ContributionStatus.DECLINED,
        },
        ContributionStatus.HELD: {ContributionStatus.ACCEPTED, ContributionStatus.DECLINED},
        ContributionStatus.ACCEPTED: {ContributionStatus.HELD, ContributionStatus.ACCEPTED},
        ContributionStatus.DECLINED: set(),
    },
    actions=[
        Action(
            "decide",
            "newsletter.edit",
            frozenset({ContributionStatus.SUBMITTED, ContributionStatus.HELD, ContributionStatus.ACCEPTED}),
            None,
            _("Decide"),
        ),
    ],
    audit_prefix="newsletter.contribution",
    community=_newsletter_community,
    tones={
        ContributionStatus.ACCEPTED: "success",
        ContributionStatus.HELD: "warning",
        ContributionStatus.DECLINED: "danger",
        ContributionStatus.SUBMITTED: "info",
    },
)


# --- deliveries -------------------------------------------------------------------------------------------------------


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")


class Delivery(models.Model):
    """One issue to one subscriber: claimed before it is sent, marked after, so a sender killed and started again
    sends only what is still pending (and nobody twice)."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["issue", "subscriber"], name="newsletter_delivery_once")]
        indexes = [models.Index(fields=["issue", "status"], name="newsletter_delivery_queue")]

    def __str__(self) -> str:
        return f"{self.issue_id}/{self.subscriber_id} ({self.status})"


DELIVERY_WORKFLOW = Workflow(
    model=Delivery,
    statuses=DeliveryStatus,
    transitions={
        DeliveryStatus.PENDING: {DeliveryStatus.SENDING},
        DeliveryStatus.SENDING: {DeliveryStatus.SENT, DeliveryStatus.PENDING, DeliveryStatus.SENDING},
        DeliveryStatus.SENT: set(),
    },
)
