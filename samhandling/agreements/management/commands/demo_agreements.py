"""Vestfold's cooperation agreements for the demo, after the revision that reduced 13 documents to 4: the
overarching agreement (version 1 of 2021 replaced by version 2 with points 12 and 13 of § 6-2), approved by the
hospital board and four of the six municipal councils so far; a delavtale on admission and discharge; a draft
delavtale on IT; and an open consultation (høring) with members' input. Everything goes through the services;
running it twice changes nothing. The texts are short invented paraphrases, not the real agreements."""

from datetime import date, timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from samhandling.agreements import services
from samhandling.agreements.models import Agreement, Clause, Consultation, VersionStatus
from samhandling.core.models import Helsefellesskap, Organisation, OrganisationType, User

OVERARCHING_V1 = """1 Formål
Avtalen skal bidra til at pasienter og brukere mottar et helhetlig tilbud om helse- og omsorgstjenester.
2 Ansvars- og oppgavefordeling
§ 6-2: 1
Partene har ansvar for de tjenestene de etter lov og forskrift skal yte.
3 Innleggelse, utskrivning, habilitering og rehabilitering
§ 6-2: 2, 3, 5
Partene følger delavtalen om innleggelse og utskrivning.
4 Døgnopphold for øyeblikkelig hjelp
§ 6-2: 4
Kommunene har tilbud om øyeblikkelig hjelp døgnopphold.
5 Kunnskapsoverføring og hospitering
§ 6-2: 6, 7
Partene legger til rette for hospitering og felles fagdager.
6 Svangerskap, fødsel og barsel
§ 6-2: 8
7 Forebygging
§ 6-2: 10
8 Beredskap og akuttmedisinsk kjede
§ 6-2: 11
9 Avvik
Avvik i samhandlingen meldes og behandles etter felles prosedyre."""

OVERARCHING_V2 = (
    OVERARCHING_V1
    + """
10 Felles planlegging og utvikling av tjenester
§ 6-2: 12
Helsefellesskapet utarbeider årlige handlingsplaner.
11 Barn og unge med sammensatte behov
§ 6-2: 13
Partene samarbeider om tjenester til barn og unge med behov for tjenester fra begge nivåer."""
)


OVERARCHING_TITLE = "Overordnet samarbeidsavtale mellom kommunene i Vestfold og Sykehuset i Vestfold HF"


class Command(BaseCommand):
    help = "Create Vestfold's demo cooperation agreements."

    def handle(self, *args, **options):
        if not User.objects.filter(username="sigrid").exists():
            call_command("demo", stdout=self.stdout)
        community = Helsefellesskap.objects.get(code="VES")
        if Consultation.objects.filter(helsefellesskap=community).exists():
            self.stdout.write("The demo consultation is already there.")
        else:
            with transaction.atomic():
                self._create_consultation(community)
            self.stdout.write(self.style.SUCCESS("Created the demo consultation."))
        if Agreement.objects.filter(helsefellesskap=community).exists():
            self.stdout.write("The demo agreements are already there.")
        else:
            with transaction.atomic():
                self._create(community)
            self.stdout.write(
                self.style.SUCCESS(f"Created {Agreement.objects.filter(helsefellesskap=community).count()} agreements.")
            )
        linked = self._link_deviations(community)
        if linked:
            self.stdout.write(self.style.SUCCESS(f"Linked {linked} demo deviations to agreement clauses."))

    def _link_deviations(self, community: Helsefellesskap) -> int:
        """Some of the demo's deviation history names the clauses of the agreements in force: most the discharge
        clause of the delavtale, a few its admission clause, and three the overarching agreement's deviation clause
        (fewer than 5: shown as "<5" on the agreement page)."""
        from samhandling.deviations.services.demo import deviation_demo_link_clauses

        in_force = {
            (clause.version.agreement.title, clause.number): clause.pk
            for clause in Clause.objects.filter(
                version__agreement__helsefellesskap=community, version__status=VersionStatus.ADOPTED
            ).select_related("version__agreement")
        }
        wanted = [
            (("Delavtale om innleggelse og utskrivning", "2"), ["VARSEL", "UT", "EPI"], 24),
            (("Delavtale om innleggelse og utskrivning", "1"), ["INN"], 7),
            ((OVERARCHING_TITLE, "9"), ["KOM"], 3),
        ]
        links = [(in_force[key], codes, count) for key, codes, count in wanted if key in in_force]
        return deviation_demo_link_clauses(community=community, links=links) if links else 0

    def _create_consultation(self, community: Helsefellesskap) -> None:
        """An open consultation from the Ministry, inviting the SSU (when the demo meetings are there), the hospital
        and Tønsberg kommune; kari and hilde have given input, the secretariat has begun the response."""
        from samhandling.governance.models import Body, BodyKind

        sigrid = User.objects.get(username="sigrid")
        today = timezone.localdate()
        consultation = services.consultation_create(
            actor=sigrid,
            community=community,
            title="Høring – forslag til endringer i regelverket om helsefellesskap",
            external_body="Helse- og omsorgsdepartementet",
            external_deadline=today + timedelta(days=35),
            internal_deadline=today + timedelta(days=14),
            questions="Støtter dere forslaget om å lovfeste helsefellesskapene?\n"
            "Hvilke konsekvenser får forslaget for tjenestene?\nAndre innspill og tilbakemeldinger?",
            document_url="https://www.regjeringen.no/no/dokumenter/horinger/",
            invited_bodies=Body.objects.filter(helsefellesskap=community, kind=BodyKind.SSU),
            invited_organisations=Organisation.objects.filter(reference_key__in=["hospital:Vestfold", "kommune:3905"]),
        )
        first, second, _other = consultation.questions.all()
        services.consultation_give_input(
            actor=User.objects.get(username="kari"),
            consultation=consultation,
            answers={
                first.pk: "Ja. Hjemmetjenesten ønsker at avtalene blir mer forpliktende.",
                second.pk: "Mer tid til samhandlingsmøter og opplæring.",
            },
        )
        services.consultation_give_input(
            actor=User.objects.get(username="hilde"),
            consultation=consultation,
            answers={first.pk: "Vi støtter forslaget, men ber om tydelig ansvarsdeling mellom nivåene."},
        )
        services.consultation_compose(
            actor=sigrid,
            consultation=consultation,
            responses={first.pk: "Helsefellesskapet støtter forslaget og ber om tydelig ansvarsdeling."},
        )

    def _create(self, community: Helsefellesskap) -> None:
        sigrid = User.objects.get(username="sigrid")
        hospital = Organisation.objects.get(reference_key="hospital:Vestfold")
        municipalities = list(community.members.filter(type=OrganisationType.KOMMUNE).order_by("name"))
        parties = [hospital, *municipalities]
        overarching = services.agreement_create(
            actor=sigrid,
            community=community,
            kind="overarching",
            title=OVERARCHING_TITLE,
            parties=parties,
            review_date=date(2027, 6, 30),
        )
        v1 = services.version_create(actor=sigrid, agreement=overarching, text=OVERARCHING_V1)
        services.version_adopt(actor=sigrid, version=v1, valid_from=date(2021, 4, 1))
        v2 = services.version_create(
            actor=sigrid,
            agreement=overarching,
            text=OVERARCHING_V2,
            reason="Revisjon av samarbeidsavtaler: nye punkter 12 og 13 i § 6-2 fra 1. august 2022.",
        )
        services.version_move(actor=sigrid, version=v2, to="hearing")
        v2 = services.version_adopt(actor=sigrid, version=v2, valid_from=date(2023, 1, 1))
        services.approval_record(
            actor=sigrid, version=v2, party=hospital, approved_by="Styret", approved_on=date(2022, 12, 14)
        )
        for day, municipality in enumerate(municipalities[:4], start=1):
            services.approval_record(
                actor=sigrid,
                version=v2,
                party=municipality,
                approved_by="Kommunestyret",
                approved_on=date(2023, 2, day * 3),
            )
        discharge = services.agreement_create(
            actor=sigrid,
            community=community,
            kind="sub",
            title="Delavtale om innleggelse og utskrivning",
            parties=parties,
        )
        version = services.version_create(
            actor=sigrid,
            agreement=discharge,
            text="1 Innleggelse\n§ 6-2: 3\nHenvisning følger felles rutine.\n"
            "2 Utskrivningsklare pasienter\n§ 6-2: 2, 5\nKommunen varsles samme dag pasienten er utskrivningsklar.",
        )
        services.version_adopt(actor=sigrid, version=version, valid_from=date(2023, 1, 1))
        it = services.agreement_create(
            actor=sigrid, community=community, kind="sub", title="Delavtale om IKT-samarbeid", parties=parties
        )
        services.version_create(
            actor=sigrid,
            agreement=it,
            text="1 Felles IKT-løsninger\n§ 6-2: 9\nPartene bruker elektronisk meldingsutveksling.",
        )
