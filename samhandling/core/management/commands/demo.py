"""Create the demo: Helsefellesskap Vestfold with invented units and people in realistic roles, and print their
log-ins. Everything goes through the same services a secretariat uses; running it twice changes nothing."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from samhandling.core import services
from samhandling.core.models import Helsefellesskap, Membership, Organisation, OrganisationType, Role, User

DEMO_PASSWORD = "demo-samhandling-2026"
DEMO_DOMAIN = "demo.samhandling.invalid"
COMMUNITY = "VES"

# (parent reference key or unit path, unit name, unit type). Invented unit names in a real hospital and municipality.
UNITS = [
    ("hospital:Vestfold", "Medisinsk klinikk (demo)", OrganisationType.CLINIC),
    ("Medisinsk klinikk (demo)", "Medisinsk sengepost (demo)", OrganisationType.DEPARTMENT),
    ("hospital:Vestfold", "Klinikk for psykisk helse og rus (demo)", OrganisationType.CLINIC),
    ("kommune:3905", "Hjemmetjenesten Tønsberg sentrum (demo)", OrganisationType.MUNICIPAL_SERVICE),
    ("kommune:3905", "Tildelingskontoret Tønsberg (demo)", OrganisationType.MUNICIPAL_SERVICE),
    ("kommune:3909", "Larvik helsehus (demo)", OrganisationType.MUNICIPAL_SERVICE),
    ("kommune:1804", "Hjemmetjenesten Bodø (demo)", OrganisationType.MUNICIPAL_SERVICE),
]
GP_OFFICE = "Kaldnes legesenter (demo)"

# username, first name, last name, title, organisation, roles. All people are invented.
PEOPLE = [
    ("kari", "Kari", "Nordmann", "Sykepleier", "Hjemmetjenesten Tønsberg sentrum (demo)", [Role.REPORTER]),
    ("ingrid", "Ingrid", "Bakke", "Enhetsleder", "Hjemmetjenesten Tønsberg sentrum (demo)", [Role.LEADER]),
    ("lars", "Lars", "Fjell", "Fastlege", GP_OFFICE, [Role.REPORTER, Role.LEADER]),
    ("per", "Per", "Hansen", "Kvalitetsrådgiver", "Medisinsk klinikk (demo)", [Role.DEVIATION_CONTACT]),
    ("hilde", "Hilde", "Strand", "Avdelingsleder", "Medisinsk sengepost (demo)", [Role.LEADER, Role.REPORTER]),
    (
        "turid",
        "Turid",
        "Lund",
        "Kontaktpunkt samhandlingsavvik",
        "kommune:3905",
        [Role.DEVIATION_CONTACT],
    ),
    ("sigrid", "Sigrid", "Vik", "Seniorrådgiver, sekretariatet", "secretariat:VES", [Role.SECRETARIAT]),
    ("anders", "Anders", "Berg", "Analytiker", "hospital:Vestfold", [Role.ANALYST]),
    ("tove", "Tove", "Haug", "Systemansvarlig", "secretariat:VES", [Role.ADMIN]),
    ("ola", "Ola", "Nilsen", "Sykepleier", "Hjemmetjenesten Bodø (demo)", [Role.REPORTER]),
]


class Command(BaseCommand):
    help = "Create the demo health community's invented units and people (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-cases", action="store_true", help="Also create invented deviations (demo_deviations)."
        )

    def handle(self, *args, with_cases: bool = False, **options):
        if not Helsefellesskap.objects.filter(code=COMMUNITY).exists():
            call_command("load_reference_data", stdout=self.stdout)
        with transaction.atomic():
            self._create()
        if with_cases:
            call_command("demo_deviations", history=True, stdout=self.stdout)
        self._print_logins()

    def _create(self) -> None:
        community = Helsefellesskap.objects.get(code=COMMUNITY)
        bodo = Helsefellesskap.objects.get(members__municipality_number="1804", members__type="kommune")
        system = self._system_user()
        by_name = {org.reference_key: org for org in Organisation.objects.exclude(reference_key=None)}
        for parent_key, name, type_ in UNITS:
            parent = by_name.get(parent_key) or Organisation.objects.get(name=parent_key)
            target = bodo if parent_key == "kommune:1804" else community
            if not Organisation.objects.filter(parent=parent, name=name).exists():
                services.organisation_create(actor=system, helsefellesskap=target, parent=parent, name=name, type=type_)
        if not Organisation.objects.filter(name=GP_OFFICE).exists():
            services.organisation_create(
                actor=system, helsefellesskap=community, name=GP_OFFICE, type=OrganisationType.GP_OFFICE
            )
        for username, first, last, title, organisation_name, roles in PEOPLE:
            organisation = by_name.get(organisation_name) or Organisation.objects.get(name=organisation_name)
            user = User.objects.filter(username=username).first()
            if user is None:
                user = services.user_create(
                    actor=system,
                    organisation=organisation,
                    role=roles[0],
                    username=username,
                    email=f"{username}@{DEMO_DOMAIN}",
                    first_name=first,
                    last_name=last,
                    title=title,
                )
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            for role in roles:
                if not Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
                    services.membership_grant(actor=system, user=user, organisation=organisation, role=role)

    def _system_user(self) -> User:
        """The platform operator who sets up the demo: a superuser that cannot log in with a password."""
        user, created = User.objects.get_or_create(
            username="drift",
            defaults={"first_name": "Drift", "last_name": "(demo)", "is_superuser": True, "is_staff": True},
        )
        if created:
            user.set_unusable_password()
            user.save()
        return user

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo log-ins (invented people; all share one password):"))
        self.stdout.write(f"  password: {DEMO_PASSWORD}")
        names = {org.reference_key: org.name for org in Organisation.objects.exclude(reference_key=None)}
        for username, first, last, title, organisation_key, roles in PEOPLE:
            organisation = names.get(organisation_key, organisation_key)
            role_names = ", ".join(str(Role(role).label) for role in roles)
            self.stdout.write(f"  {username:<8} {first} {last}, {title} – {organisation} [{role_names}]")
        self.stdout.write("")
