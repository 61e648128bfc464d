"""The standing structure: the module's settings per community, bodies (partnerskapsmøte, SSU, FSU), their case
number counters and their members (seats)."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samhandling.core.models import Helsefellesskap, Organisation

DEFAULT_CASE_NUMBER_FORMAT = "{year}.{seq}"


# The formats seen in real minutes: 2022.21, 2022/21, 21-22, 21/22.
CASE_NUMBER_FORMATS = [
    ("{year}.{seq}", "2022.21"),
    ("{year}/{seq}", "2022/21"),
    ("{seq:02d}-{yy}", "21-22"),
    ("{seq}/{yy}", "21/22"),
]


def format_case_number(fmt: str, year: int, seq: int) -> str:
    return fmt.format(year=year, yy=f"{year % 100:02d}", seq=seq)


class GovernanceSettings(models.Model):
    """Per-community settings of the meeting module."""

    helsefellesskap = models.OneToOneField(
        Helsefellesskap, on_delete=models.CASCADE, related_name="governance_settings"
    )
    case_number_format = models.CharField(
        _("case number format"),
        max_length=20,
        choices=CASE_NUMBER_FORMATS,
        default=DEFAULT_CASE_NUMBER_FORMAT,
    )

    def __str__(self) -> str:
        return f"{self.helsefellesskap}"


class BodyKind(models.TextChoices):
    PARTNERSHIP_MEETING = "partnership_meeting", _("Partnership meeting")
    SSU = "ssu", _("Strategic collaboration committee (SSU)")
    FSU = "fsu", _("Professional collaboration committee (FSU)")
    OTHER = "other", _("Other body")


class Body(models.Model):
    """A partnerskapsmøte, SSU, FSU or other body of one community. Case numbers run per body and year."""

    helsefellesskap = models.ForeignKey(
        Helsefellesskap, verbose_name=_("health community"), on_delete=models.PROTECT, related_name="bodies"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=30, blank=True, help_text=_("For example FSU-KT."))
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    mandate = models.TextField(_("mandate"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    may_forward_to = models.ManyToManyField(
        "self",
        verbose_name=_("may forward items to"),
        symmetrical=False,
        blank=True,
        related_name="receives_from",
    )
    meetings_per_year = models.PositiveSmallIntegerField(_("planned meetings per year"), default=4)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["helsefellesskap__name", "kind", "name"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        constraints = [
            models.UniqueConstraint(fields=["helsefellesskap", "name"], name="governance_body_unique_name"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:body_detail", args=[self.pk])


class ItemCounter(models.Model):
    """The last case number used per body and year; claimed with one conditional UPDATE (never reused)."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["body", "year"], name="governance_counter_unique_year")]

    def __str__(self) -> str:
        return f"{self.body} {self.year}: {self.last_number}"


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Chair")
    DEPUTY_LEADER = "deputy_leader", _("Deputy chair")
    MEMBER = "member", _("Member")
    DEPUTY = "deputy", _("Deputy member")
    OBSERVER = "observer", _("Observer")
    SECRETARY = "secretary", _("Secretary")


# Roles that read confidential items (observers do not).
CONFIDENTIAL_ROLES = frozenset(
    {MemberRole.LEADER, MemberRole.DEPUTY_LEADER, MemberRole.MEMBER, MemberRole.DEPUTY, MemberRole.SECRETARY}
)


class BodyMember(models.Model):
    """A seat in a body for a period. A person without a user account is kept by name and e-mail."""

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="body_memberships",
    )
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("Only when the person has no user."))
    email = models.EmailField(_("e-mail"), blank=True)
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("represents"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="body_seats",
    )
    represents_text = models.CharField(
        _("represents (other)"),
        max_length=200,
        blank=True,
        help_text=_("For example the user committee or a union, when not an organisation in the register."),
    )
    valid_from = models.DateField(_("from"), default=date.today)
    valid_to = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["body", "role", "name", "user__first_name"]
        verbose_name = _("body member")
        verbose_name_plural = _("body members")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="governance_member_user_or_name"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="governance_member_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return str(self.user) if self.user_id else self.name

    @property
    def display_organisation(self) -> str:
        return self.organisation.name if self.organisation_id else self.represents_text

    @property
    def contact_email(self) -> str:
        return self.email or (self.user.email if self.user_id else "")

    def is_current(self, on: date | None = None) -> bool:
        on = on or date.today()
        return self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)


def current_members_q(on: date, prefix: str = "") -> Q:
    """Q for seats valid on a day (prefix e.g. "members__" when filtering bodies)."""
    return Q(**{f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )
