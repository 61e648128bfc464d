"""The shared core: organisations and their units, the 19 helsefellesskap, people, memberships with roles,
reference data (population, catchment areas, code changes) and the audit log every service writes to."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    RHF = "rhf", _("Regional health authority")
    HF = "hf", _("Hospital trust")
    PRIVATE_HOSPITAL = "private_hospital", _("Private non-profit hospital")
    CLINIC = "clinic", _("Clinic")
    DEPARTMENT = "department", _("Department")
    KOMMUNE = "kommune", _("Municipality")
    BYDEL = "bydel", _("City district")
    MUNICIPAL_SERVICE = "municipal_service", _("Municipal service or unit")
    GP_OFFICE = "gp_office", _("GP office")
    LEGEVAKT = "legevakt", _("Out-of-hours emergency clinic")
    CONTRACT_SPECIALIST = "contract_specialist", _("Contract specialist")
    SECRETARIAT = "secretariat", _("Secretariat")
    OTHER = "other", _("Other organisation")


HOSPITAL_TYPES = frozenset({OrganisationType.HF, OrganisationType.PRIVATE_HOSPITAL})

# Which unit types may sit under which parent types (HF → klinikk → avdeling; kommune → tjeneste/enhet).
UNIT_PARENT_TYPES: dict[str, frozenset[str]] = {
    OrganisationType.CLINIC: HOSPITAL_TYPES,
    OrganisationType.DEPARTMENT: HOSPITAL_TYPES | {OrganisationType.CLINIC, OrganisationType.DEPARTMENT},
    OrganisationType.MUNICIPAL_SERVICE: frozenset(
        {OrganisationType.KOMMUNE, OrganisationType.BYDEL, OrganisationType.MUNICIPAL_SERVICE}
    ),
    OrganisationType.BYDEL: frozenset({OrganisationType.KOMMUNE}),
    OrganisationType.HF: frozenset({OrganisationType.RHF}),
    OrganisationType.PRIVATE_HOSPITAL: frozenset({OrganisationType.RHF}),
}

# Top-level organisation types the secretariat may add to a community (the rest come from reference data).
ADDABLE_TOP_LEVEL_TYPES = (
    OrganisationType.GP_OFFICE,
    OrganisationType.LEGEVAKT,
    OrganisationType.CONTRACT_SPECIALIST,
    OrganisationType.OTHER,
)


class Organisation(models.Model):
    """One table for every party: RHF, HF, kommune, bydel, GP office … and their units (via `parent`)."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    type = models.CharField(_("type"), max_length=32, choices=OrganisationType.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The top-level organisation this one belongs to (itself when it has no parent); kept by save().
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Natural key for reference data ("kommune:0301", "hospital:OUS"); empty for organisations users create.
    reference_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    municipality_number = models.CharField(_("municipality number"), max_length=4, blank=True)
    district_number = models.CharField(_("district number"), max_length=6, blank=True)
    org_number = models.CharField(_("organisation number"), max_length=9, blank=True)
    county_number = models.CharField(max_length=2, blank=True)
    county_name = models.CharField(_("county"), max_length=100, blank=True)
    centrality_class = models.PositiveSmallIntegerField(_("centrality class"), null=True, blank=True)
    centrality_index = models.PositiveSmallIntegerField(_("centrality index"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["type", "municipality_number"]),
            models.Index(fields=["root", "type"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="organisation_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if self.parent_id:
            parent_root = Organisation.objects.filter(pk=self.parent_id).values_list("root_id", flat=True).first()
            self.root_id = parent_root or self.parent_id
        super().save(*args, **kwargs)
        if not self.parent_id and self.root_id != self.pk:
            self.root_id = self.pk
            Organisation.objects.filter(pk=self.pk).update(root=self)

    def get_absolute_url(self) -> str:
        if self.type == OrganisationType.KOMMUNE:
            return reverse("core:municipality", args=[self.municipality_number])
        if self.type == OrganisationType.BYDEL:
            return reverse("core:district", args=[self.district_number])
        return reverse("core:organisation", args=[self.pk])

    @property
    def is_reference(self) -> bool:
        return self.reference_key is not None

    @property
    def display_short_name(self) -> str:
        return self.short_name or self.name

    def ancestors(self) -> list["Organisation"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class Helsefellesskap(models.Model):
    """A health community: hospital trust(s), the municipalities around them, and a shared secretariat."""

    reference_key = models.CharField(max_length=64, unique=True, editable=False)
    code = models.CharField(
        _("code"), max_length=3, unique=True, help_text=_("Three letters, used in reference numbers.")
    )
    slug = models.SlugField(unique=True)
    # Slugs the community had before (the first ones dropped æ, ø and å: "frde"); old links redirect to the new one.
    previous_slugs = models.JSONField(default=list, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    regional_health_authority = models.ForeignKey(
        Organisation,
        verbose_name=_("regional health authority"),
        on_delete=models.PROTECT,
        related_name="helsefellesskap_in_region",
        limit_choices_to={"type": OrganisationType.RHF},
    )
    members = models.ManyToManyField(Organisation, related_name="helsefellesskap", blank=True)
    secretariat = models.OneToOneField(
        Organisation,
        verbose_name=_("secretariat"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="secretariat_of",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("health community")
        verbose_name_plural = _("health communities")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:helsefellesskap", args=[self.slug])


NORWEGIAN_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})


def community_slug(name: str) -> str:
    """A URL slug that keeps Norwegian letters readable: "Førde" → "forde", "Østfold" → "ostfold"."""
    from django.utils.text import slugify

    return slugify(name.translate(NORWEGIAN_LETTERS))


class CatchmentService(models.TextChoices):
    SOMATIC = "somatic", _("Somatic care")
    CHILD_PSYCHIATRY = "child_psychiatry", _("Child and adolescent mental health")
    ADULT_PSYCHIATRY = "adult_psychiatry", _("Adult mental health")


class CatchmentArea(models.Model):
    """Which hospital serves a municipality or city district, per kind of service (SKDE's lists)."""

    area = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="catchment")
    service = models.CharField(max_length=24, choices=CatchmentService.choices)
    hospital = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="catchment_of")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "service"], name="catchment_one_hospital_per_area")]

    def __str__(self) -> str:
        return f"{self.area} → {self.hospital} ({self.service})"


class Sex(models.TextChoices):
    FEMALE = "K", _("Women")
    MALE = "M", _("Men")


class PopulationCount(models.Model):
    """Residents on 1 January of `year`, by sex and single-year age (105 means 105 or older); SSB 07459/10826."""

    area = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="population")
    year = models.PositiveSmallIntegerField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    age = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "year", "sex", "age"], name="population_unique_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.year} {self.sex} {self.age}: {self.count}"


class MunicipalityCodeChange(models.Model):
    """The 2023 → 2024 municipality code map (1:1 except Ålesund, which split)."""

    code_2023 = models.CharField(max_length=4)
    name_2023 = models.CharField(max_length=100)
    code_2024 = models.CharField(max_length=4)
    name_2024 = models.CharField(max_length=100)
    weight = models.DecimalField(max_digits=5, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code_2023", "code_2024"], name="code_change_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.code_2023} {self.name_2023} → {self.code_2024} {self.name_2024}"


class Language(models.TextChoices):
    BOKMAL = "nb", _("Bokmål")
    NYNORSK = "nn", _("Nynorsk")


class User(AbstractUser):
    """A person. Log-in by password or through OpenID Connect: `external_issuer` and `external_subject` are the
    identity bound at the first sign-in (by verified e-mail address, or by HPR number for HelseID)."""

    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.BOKMAL)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    hpr_number = models.CharField(
        _("HPR number"),
        max_length=9,
        blank=True,
        db_index=True,
        validators=[RegexValidator(r"^\d{1,9}$", _("An HPR number is up to nine digits."))],
        help_text=_("Health personnel's number in the Health Personnel Register; used to sign in with HelseID."),
    )
    external_issuer = models.CharField(max_length=200, blank=True, editable=False)
    external_subject = models.CharField(max_length=255, blank=True, editable=False)
    # Raised whenever the user's roles, organisations or communities change; part of the key of the per-user
    # answers that pages reuse between requests (core/access_cache.py).
    access_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["external_issuer", "external_subject"],
                condition=~Q(external_subject=""),
                name="user_unique_external_identity",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    DEVIATION_CONTACT = "deviation_contact", _("Deviation contact point")
    LEADER = "leader", _("Leader")
    SECRETARIAT = "secretariat", _("Secretariat")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")


class Membership(models.Model):
    """A user's role in an organisation or unit. Roles are data; `core.permissions` reads them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"


class AuditEvent(models.Model):
    """One row per change (and per showing of patient-identifying data), written by services, never updated."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=300, blank=True)
    helsefellesskap = models.ForeignKey(
        Helsefellesskap, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["helsefellesskap", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class WorkerHeartbeat(models.Model):
    """A running task worker says it is alive every few seconds; a task whose worker stopped beating is run again."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class PeriodicSchedule(models.Model):
    """When a periodic task (reminders, webhooks, the digest) is due next; workers claim a slot with a conditional
    UPDATE of `next_run_at`, so with several workers each slot is enqueued once."""

    name = models.CharField(max_length=200, primary_key=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} → {self.next_run_at:%Y-%m-%d %H:%M}"
