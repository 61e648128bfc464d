"""An invented but realistic year of meetings for Helsefellesskap Vestfold: partnerskapsmøte, SSU and three FSUs,
with members, numbered items, decisions, deferrals, follow-ups, forwarding, action points, approved minutes and a
planned next meeting. Everything goes through the services a secretariat uses; running it twice changes nothing.

All people are invented (the demo personas plus invented names); the topics follow the domain notes."""

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from samhandling.core.models import Helsefellesskap, Organisation, User
from samhandling.governance import services
from samhandling.governance.models import (
    AgendaItem,
    AttendanceStatus,
    Body,
    BodyKind,
    ItemKind,
    Meeting,
    MemberRole,
    Outcome,
    StandardItem,
    Visibility,
)

COMMUNITY = "VES"
SSU_NAME = "Strategisk samarbeidsutvalg"
EMAIL_DOMAIN = "demo.samhandling.invalid"

BODIES = {
    "partnership": (BodyKind.PARTNERSHIP_MEETING, "Partnerskapsmøtet", "Partnerskapsmøtet", "", None, 1),
    "ssu": (BodyKind.SSU, SSU_NAME, "SSU", "", "partnership", 5),
    "fsu_kt": (
        BodyKind.FSU,
        "Faglig samarbeidsutvalg for kvalitet og tjenesteutvikling",
        "FSU-KT",
        "Kvalitet og tjenesteutvikling",
        "ssu",
        6,
    ),
    "fsu_bu": (BodyKind.FSU, "Faglig samarbeidsutvalg for barn og unge", "FSU-BU", "Barn og unge", "ssu", 4),
    "fsu_ph": (
        BodyKind.FSU,
        "Faglig samarbeidsutvalg for psykisk helse og rus",
        "FSU-PHR",
        "Psykisk helse og rus",
        "ssu",
        4,
    ),
}

# body, username or invented name, role, organisation reference key (or free text after "text:")
MEMBERS = [
    ("partnership", "Bente Lie", MemberRole.LEADER, "kommune:3905"),
    ("partnership", "Tor Arne Kvam", MemberRole.DEPUTY_LEADER, "hospital:Vestfold"),
    ("partnership", "Siri Holm", MemberRole.MEMBER, "kommune:3909"),
    ("partnership", "Jon Eik", MemberRole.MEMBER, "kommune:3907"),
    ("partnership", "Marit Sand", MemberRole.MEMBER, "text:Brukerutvalget"),
    ("partnership", "sigrid", MemberRole.SECRETARY, "secretariat:VES"),
    ("ssu", "Tor Arne Kvam", MemberRole.LEADER, "hospital:Vestfold"),
    ("ssu", "Geir Lunde", MemberRole.DEPUTY_LEADER, "kommune:3911"),
    ("ssu", "hilde", MemberRole.MEMBER, "hospital:Vestfold"),
    ("ssu", "ingrid", MemberRole.MEMBER, "kommune:3905"),
    ("ssu", "Hanne Moe", MemberRole.MEMBER, "kommune:3901"),
    ("ssu", "Knut Rød", MemberRole.MEMBER, "kommune:3903"),
    ("ssu", "Liv Aune", MemberRole.MEMBER, "text:Brukerutvalget"),
    ("ssu", "Øyvind Brenna", MemberRole.DEPUTY, "kommune:3909"),
    ("ssu", "lars", MemberRole.OBSERVER, "text:Praksiskonsulentordningen (fastlegene)"),
    ("ssu", "Camilla Foss", MemberRole.OBSERVER, "text:Leder av FSU-KT"),
    ("ssu", "sigrid", MemberRole.SECRETARY, "secretariat:VES"),
    ("fsu_kt", "Camilla Foss", MemberRole.LEADER, "kommune:3907"),
    ("fsu_kt", "per", MemberRole.MEMBER, "hospital:Vestfold"),
    ("fsu_kt", "turid", MemberRole.MEMBER, "kommune:3905"),
    ("fsu_kt", "Anne Grethe Dal", MemberRole.MEMBER, "kommune:3909"),
    ("fsu_kt", "sigrid", MemberRole.SECRETARY, "secretariat:VES"),
    ("fsu_bu", "Sverre Nygård", MemberRole.LEADER, "hospital:Vestfold"),
    ("fsu_bu", "Ida Kristoffersen", MemberRole.MEMBER, "kommune:3911"),
    ("fsu_bu", "Elin Bakken", MemberRole.MEMBER, "text:Ungdomsrådet"),
    ("fsu_ph", "Henrik Aas", MemberRole.LEADER, "kommune:3901"),
    ("fsu_ph", "kari", MemberRole.MEMBER, "kommune:3905"),
    ("fsu_ph", "Randi Vold", MemberRole.MEMBER, "hospital:Vestfold"),
]


@dataclass
class Item:
    title: str
    kind: str = ItemKind.INFORMATION
    description: str = ""
    background: str = ""
    assessment: str = ""
    proposed: str = ""
    responsible: list[tuple[str, str]] = field(default_factory=list)
    outcome: str = Outcome.NOTED
    conclusion: str = ""
    visibility: str = Visibility.PUBLIC
    key: str = ""  # to refer to it later (follow-ups, forwarding)
    follows_up: str = ""
    forward_to: str = ""
    action: tuple[str, str, int] | None = None  # owner username, description, days after the meeting
    attachment: str = ""


# (days from today, body, items). Meetings in the past are held and minuted; those ahead are planned.
TIMELINE = [
    (
        -300,
        "ssu",
        [
            Item(
                "Handlingsplan for helsefellesskapet",
                ItemKind.DECISION,
                "Sekretariatet legger fram forslag til handlingsplan for året.",
                background="Partnerskapsmøtet vedtok strategiplanen i fjor. Handlingsplanen konkretiserer tiltakene "
                "for de fire prioriterte pasientgruppene.",
                assessment="Planen er forankret i FSU-ene. Tiltakene har eier og frist.",
                proposed="Handlingsplanen vedtas og legges fram for partnerskapsmøtet.",
                responsible=[("Sigrid Vik", "Sekretariatet")],
                outcome=Outcome.DECIDED,
                conclusion="Handlingsplanen vedtas og legges fram for partnerskapsmøtet.",
                attachment="Utkast til handlingsplan",
            ),
            Item(
                "Utskrivningsklare pasienter og overliggerdøgn",
                description="SiV orienterer om utviklingen i overliggerdøgn siste halvår.",
                responsible=[("Tor Arne Kvam", "Sykehuset i Vestfold")],
                conclusion="Saken tas til orientering. Kommunene melder tilbake om kapasitet før neste møte.",
            ),
        ],
    ),
    (
        -250,
        "fsu_kt",
        [
            Item(
                "Kartlegging av håndtering av samhandlingsavvik",
                ItemKind.DISCUSSION,
                "Hvordan brukes samhandlingsavvik til læring i virksomhetene i dag?",
                responsible=[("Camilla Foss", "Sandefjord kommune")],
                conclusion="FSU-KT kartlegger praksis i kommunene og på sykehuset.",
                action=("turid", "Sende ut kartlegging til kommunenes kontaktpunkter", 30),
            ),
        ],
    ),
    (
        -200,
        "ssu",
        [
            Item(
                "Digital hjemmeoppfølging – søknad om midler",
                ItemKind.DECISION,
                "Velferdsteknologiprosjektet ønsker å søke Helsedirektoratet om midler til spredning.",
                background="Søknaden krever samarbeid mellom fastleger, hjemmetjenesten og sykehuset, og forankring i "
                "helsefellesskapet.",
                proposed="SSU stiller seg bak søknaden.",
                responsible=[("Anne Grethe Dal", "Larvik kommune")],
                outcome=Outcome.DECIDED,
                conclusion="SSU stiller seg bak søknaden. Kommunene og SiV forankrer den i egne organisasjoner.",
                key="dho",
            ),
            Item(
                "Økonomiske rammer for felles stilling i sekretariatet",
                ItemKind.DECISION,
                "Fordeling av kostnader mellom partene.",
                proposed="Kostnadene fordeles etter innbyggertall.",
                outcome=Outcome.DECIDED,
                conclusion="Kostnadene fordeles etter innbyggertall. Saken er unntatt offentlighet til avtalen er "
                "signert.",
                visibility=Visibility.CONFIDENTIAL,
            ),
            Item(
                "Innspill til agenda for partnerskapsmøtet",
                ItemKind.DISCUSSION,
                "SSU gir innspill til tema for partnerskapsmøtet.",
                conclusion="Sekretariatet setter opp agenda med status for handlingsplanen og framskrivinger.",
            ),
        ],
    ),
    (
        -160,
        "fsu_kt",
        [
            Item(
                "Revidert prosedyre for samhandlingsavvik",
                ItemKind.DECISION,
                "Prosedyren er fra 2014 og må oppdateres.",
                background="Prosedyren er fra 2014. Kommunikasjonen skjer nå digitalt, og ansvaret må tydeliggjøres.",
                assessment="En digital løsning for samhandlingsavvik vil gi bedre oversikt og læring.",
                proposed="Revidert prosedyre anbefales for SSU.",
                responsible=[("Camilla Foss", "Leder FSU-KT")],
                outcome=Outcome.FORWARDED,
                conclusion="FSU-KT anbefaler prosedyren. Saken sendes SSU for beslutning.",
                forward_to="ssu",
                attachment="Revidert prosedyre for samhandlingsavvik",
            ),
        ],
    ),
    (
        -150,
        "partnership",
        [
            Item(
                "Status for handlingsplanen",
                description="Sekretariatet presenterer status for tiltakene.",
                responsible=[("Sigrid Vik", "Sekretariatet")],
                conclusion="Partnerskapsmøtet tar status til orientering.",
            ),
            Item(
                "Framskrivinger av behov for helse- og omsorgstjenester",
                description="Analysegruppen presenterer framskrivinger mot 2040.",
                responsible=[("Anders Berg", "Sykehuset i Vestfold")],
                conclusion="Framskrivingene legges til grunn for arbeidet med neste handlingsplan.",
            ),
        ],
    ),
    (
        -120,
        "ssu",
        [
            Item(
                "Status for fastlegeordningen",
                ItemKind.DISCUSSION,
                "Fast post to ganger i året: rekruttering, vikarer og alderssammensetning.",
                responsible=[("Lars Fjell", "Praksiskonsulent")],
                conclusion="SSU ber kommunene dele tiltak for rekruttering.",
                key="fastlege",
            ),
            Item(
                "ParkinsonNet i Vestfold",
                description="Koordinatorene orienterer om oppstart av nettverket.",
                responsible=[("Randi Vold", "Sykehuset i Vestfold")],
                conclusion="Saken tas til orientering.",
            ),
        ],
    ),
    (
        -90,
        "fsu_bu",
        [
            Item(
                "Samarbeid om barn og unge med sammensatte behov",
                ItemKind.DISCUSSION,
                "Oppfølging av ny plikt i lov om kommunale helse- og omsorgstjenester § 6-2 nr. 13.",
                responsible=[("Sverre Nygård", "Sykehuset i Vestfold")],
                conclusion="Arbeidsgruppe nedsettes. Forslag til delavtale legges fram i neste møte.",
                action=("hilde", "Foreslå deltakere fra sykehuset til arbeidsgruppen", 21),
            ),
        ],
    ),
    (
        -60,
        "fsu_ph",
        [
            Item(
                "Pakkeforløp psykisk helse og rus – erfaringer",
                description="Erfaringer fra kommunene og DPS.",
                responsible=[("Henrik Aas", "Horten kommune")],
                conclusion="Saken tas til orientering.",
            ),
        ],
    ),
    (
        -40,
        "ssu",
        [
            Item(
                "Digital hjemmeoppfølging – status",
                description="Prosjektet har fått innvilget midler og er i gang med spredning.",
                responsible=[("Anne Grethe Dal", "Larvik kommune")],
                conclusion="Saken tas til orientering. Prosjektet rapporterer igjen om et halvt år.",
                follows_up="dho",
                action=("ingrid", "Melde inn hvilke hjemmetjenester som vil delta i neste fase", 45),
            ),
            Item(
                "Mulige forbedringsområder i samhandlingen mellom psykisk helsevern og kommunene",
                ItemKind.DISCUSSION,
                "Klinikken orienterer om utfordringer og utviklingsoppgaver.",
                responsible=[("Randi Vold", "Sykehuset i Vestfold")],
                outcome=Outcome.DEFERRED,
                conclusion="Saken ble utsatt til neste møte.",
            ),
        ],
    ),
    (-20, "fsu_kt", []),
    (10, "ssu", []),
    (35, "fsu_kt", []),
    (60, "fsu_bu", []),
    (75, "fsu_ph", []),
    (160, "partnership", []),
]


def _weekday(day: date) -> date:
    """The first Tuesday, Wednesday or Thursday from `day`: bodies meet midweek."""
    while day.weekday() not in (1, 2, 3):
        day += timedelta(days=1)
    return day


def _tiny_pdf(title: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<h1>{title}</h1><p>Vedlegg i demoen (oppdiktet innhold).</p>").write_pdf()


class Command(BaseCommand):
    help = "Create an invented year of meetings for the demo community (safe to run again)."

    def handle(self, *args, **options):
        if not User.objects.filter(username="sigrid").exists():
            call_command("demo", stdout=self.stdout)
        community = Helsefellesskap.objects.get(code=COMMUNITY)
        if Body.objects.filter(helsefellesskap=community, name=SSU_NAME).exists():
            self.stdout.write("The demo meetings are already there.")
            return
        # The demo invents people with invented addresses: no mail leaves the machine.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
            self._create(community)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {Body.objects.filter(helsefellesskap=community).count()} bodies, "
                f"{Meeting.objects.filter(body__helsefellesskap=community).count()} meetings and "
                f"{AgendaItem.objects.filter(body__helsefellesskap=community).count()} agenda items."
            )
        )

    def _create(self, community: Helsefellesskap) -> None:
        self.sigrid = User.objects.get(username="sigrid")
        self.today = timezone.localdate()
        self.bodies: dict[str, Body] = {}
        for key, (kind, name, short, topic, parent, per_year) in BODIES.items():
            self.bodies[key] = services.body_create(
                actor=self.sigrid,
                community=community,
                kind=kind,
                name=name,
                short_name=short,
                topic=topic,
                parent=self.bodies.get(parent),
                may_forward_to=[self.bodies[parent]] if parent else [],
                meetings_per_year=per_year,
            )
        self._members()
        # "Fast post to ganger i året": in the month of the next SSU meeting and six months later.
        next_days = min(days for days, body, _ in TIMELINE if body == "ssu" and days > 0)
        month = _weekday(self.today + timedelta(days=next_days)).month
        services.recurring_item_create(
            actor=self.sigrid,
            body=self.bodies["ssu"],
            title="Status for fastlegeordningen",
            kind=ItemKind.DISCUSSION,
            months=[month, (month + 5) % 12 + 1],
            description="Fast post to ganger i året: rekruttering, vikarer og alderssammensetning.",
            responsible_name="Lars Fjell (praksiskonsulent)",
        )
        self.items: dict[str, AgendaItem] = {}
        for days, body_key, items in TIMELINE:
            self._meeting(self.bodies[body_key], _weekday(self.today + timedelta(days=days)), items)
        self._deviation_report()

    def _members(self) -> None:
        start = date(self.today.year - 2, 1, 1)
        organisations = {org.reference_key: org for org in Organisation.objects.exclude(reference_key=None)}
        users = {user.username: user for user in User.objects.all()}
        for body_key, who, role, where in MEMBERS:
            user = users.get(who)
            organisation = organisations.get(where) if not where.startswith("text:") else None
            email = "" if user else f"{who.lower().replace(' ', '.')}@{EMAIL_DOMAIN}"
            services.member_add(
                actor=self.sigrid,
                body=self.bodies[body_key],
                role=role,
                user=user,
                name="" if user else who,
                email=email.replace("ø", "o").replace("å", "a").replace("æ", "ae"),
                organisation=organisation,
                represents_text=where[5:] if where.startswith("text:") else "",
                valid_from=start,
            )

    def _meeting(self, body: Body, day: date, items: list[Item]) -> Meeting:
        sigrid = self.sigrid
        meeting = services.meeting_plan(
            actor=sigrid,
            body=body,
            date=day,
            start_time=time(13, 30) if body.kind != BodyKind.PARTNERSHIP_MEETING else time(12, 0),
            end_time=time(15, 30) if body.kind != BodyKind.PARTNERSHIP_MEETING else time(15, 0),
            place="Sykehuset i Vestfold, møterom 028" if day.month % 2 else "Nøtterøy kulturhus, Lillesalen",
            video_link="https://video.example.invalid/ssu" if body.kind == BodyKind.SSU else "",
            minute_taker=sigrid,
        )
        created = []
        for spec in items:
            item = services.item_create(
                actor=sigrid,
                body=body,
                meeting=meeting,
                title=spec.title,
                kind=spec.kind,
                description=spec.description,
                background=spec.background,
                assessment=spec.assessment,
                proposed_decision=spec.proposed,
                proposed_conclusion=spec.conclusion if spec.outcome == Outcome.NOTED else spec.proposed,
                visibility=spec.visibility,
                case_officer=sigrid,
                responsibles=[{"name": name, "organisation_name": org} for name, org in spec.responsible],
                follows_up=self.items.get(spec.follows_up),
            )
            if spec.attachment:
                from django.core.files.uploadedfile import SimpleUploadedFile

                upload = SimpleUploadedFile(f"{spec.attachment}.pdf", _tiny_pdf(spec.attachment))
                services.attachment_add(actor=sigrid, item=item, upload=upload, title=spec.attachment)
            if spec.key:
                self.items[spec.key] = item
            created.append((item, spec))
        if day > self.today:
            return meeting
        services.meeting_send_notice(actor=sigrid, meeting=meeting)
        services.meeting_mark_held(actor=sigrid, meeting=meeting)
        self._attendance(meeting)
        specs = {item.pk: spec for item, spec in created}
        for item in meeting.items.order_by("position"):
            self._outcome(item, specs.get(item.pk))
        services.meeting_draft_minutes(actor=sigrid, meeting=meeting)
        if body.kind == BodyKind.PARTNERSHIP_MEETING:
            # Meets once a year: the minutes are approved by circulation, not at the next meeting.
            services.meeting_approve_minutes(actor=sigrid, meeting=meeting)
        return meeting

    def _attendance(self, meeting: Meeting) -> None:
        seats = list(meeting.body.members.all())
        deputy = next((seat for seat in seats if seat.role == MemberRole.DEPUTY), None)
        rows = []
        for index, seat in enumerate(seat for seat in seats if seat.role != MemberRole.DEPUTY):
            if index == 2 and deputy is not None:
                rows.append({"member": seat, "status": AttendanceStatus.SUBSTITUTE, "substitute": deputy})
            elif index == 3:
                rows.append({"member": seat, "status": AttendanceStatus.ABSENT, "note": "Meldt forfall"})
            else:
                rows.append({"member": seat, "status": AttendanceStatus.PRESENT})
        services.attendance_record(actor=self.sigrid, meeting=meeting, rows=rows)

    def _outcome(self, item: AgendaItem, spec: Item | None) -> None:
        sigrid = self.sigrid
        if spec is None:
            if item.standard == StandardItem.ANY_OTHER_BUSINESS:
                outcome, conclusion = Outcome.NOTED, "Ingen saker under eventuelt."
            elif item.standard:
                outcome, conclusion = Outcome.DECIDED, item.proposed_conclusion
            else:  # a deferred, forwarded or recurring item that arrived by itself
                outcome = Outcome.DECIDED if item.forwarded_from_id else Outcome.NOTED
                conclusion = (
                    "Revidert prosedyre godkjennes. Det innhentes informasjon om digital håndtering av "
                    "samhandlingsavvik."
                    if item.forwarded_from_id
                    else "Saken tas til orientering."
                )
            services.item_record_outcome(actor=sigrid, item=item, outcome=outcome, conclusion=conclusion)
            return
        services.item_record_outcome(
            actor=sigrid,
            item=item,
            outcome=spec.outcome,
            conclusion=spec.conclusion,
            forward_to=self.bodies.get(spec.forward_to),
            forward_note=spec.conclusion if spec.forward_to else "",
        )
        if spec.action:
            username, description, days = spec.action
            services.action_point_create(
                actor=sigrid,
                item=item,
                owner=User.objects.get(username=username),
                description=description,
                due_date=item.meeting.date + timedelta(days=days),
            )

    def _deviation_report(self) -> None:
        """The half-year deviation report on the next SSU agenda (the half-year just ended)."""
        next_ssu = self.bodies["ssu"].meetings.filter(date__gt=self.today).order_by("date").first()
        year, half = (self.today.year, 1) if self.today.month > 6 else (self.today.year - 1, 2)
        services.item_from_deviation_report(actor=self.sigrid, meeting=next_ssu, year=year, half=half)
