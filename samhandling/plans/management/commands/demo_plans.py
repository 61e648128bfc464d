"""Vestfold's action plan for the demo: this year's plan, approved in the SSU item "Handlingsplan for
helsefellesskapet" and published, with the themes and measures of the real Vestfold plan (Ung Arena+, Vitality, the
patient pathways) and their reported status; a goal measured by the readmission indicator; and next year's draft
copied from it with the unfinished measures carried over. Everything goes through the services; running it twice
changes nothing. People are the demo personas or invented names."""

from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from samhandling.core.models import Helsefellesskap, User
from samhandling.governance.models import AgendaItem, Body, BodyKind
from samhandling.plans import services
from samhandling.plans.models import ActionPlan, MeasureStatus, PriorityGroup

COMMUNITY = "VES"

# theme → [(goal, indicator or "", [(measure, target group, body short name, owner username or name, status, text)])]
PLAN = {
    PriorityGroup.CHILDREN: [
        (
            "En samhandlingsmodell for unge 13–25 år som integrerer kommunale tjenester og spesialisthelsetjenesten",
            "",
            [
                (
                    "Ung Arena+ Vestfold",
                    "Unge og unge voksne 13–25 år med risiko for psykososiale problemer",
                    "FSU-BU",
                    "Guro Eksempel",
                    MeasureStatus.IN_PROGRESS,
                    "Innsiktsrapport og faseplan for tjenesteutvikling er godkjent i SSU. Tønsberg kommune er "
                    "pilotkommune; oppstart av tiltak er planlagt i løpet av året.",
                ),
            ],
        ),
    ],
    PriorityGroup.MENTAL_HEALTH: [
        (
            "Gode overganger og trygg utskriving for pasienter med alvorlige psykiske lidelser og rusproblemer",
            "",
            [
                (
                    "Pasientforløp for pasienter i tvungent psykisk helsevern uten døgnopphold",
                    "Pasienter i tvungent psykisk helsevern uten døgnopphold",
                    "FSU-PHR",
                    "kari",
                    MeasureStatus.DELAYED,
                    "Arbeidet med tjenestemodellen er ikke igangsatt. En arbeidsgruppe planlegges med oppstart "
                    "til høsten.",
                ),
                (
                    "Pasientforløp for barn og ungdom med spiseforstyrrelse",
                    "Barn og ungdom med spiseforstyrrelse",
                    "FSU-BU",
                    "Astrid Solberg",
                    MeasureStatus.IN_PROGRESS,
                    "Arbeidsgruppen har hatt tre møter og kartlagt tiltak i kommunene før henvisning til BUP.",
                ),
                (
                    "Utskriving og oppfølging av brukere med behov for legemiddelassistert rusbehandling",
                    "Brukere med behov for legemiddelassistert rusbehandling",
                    "FSU-PHR",
                    "Nils Aas",
                    MeasureStatus.COMPLETED,
                    "Det er utarbeidet en tjenestemodell og en avtale med alle Vestfoldkommunene. Arbeidet er "
                    "avsluttet.",
                ),
            ],
        ),
    ],
    PriorityGroup.ELDERLY: [
        (
            "Færre reinnleggelser innen 30 dager for skrøpelige eldre og multisyke",
            "reinnleggelse_30d",
            [
                (
                    "Prosjekt Vitality: forsterket oppfølging etter utskrivning",
                    "Skrøpelige eldre og personer med flere kroniske lidelser",
                    "SSU",
                    "ingrid",
                    MeasureStatus.IN_PROGRESS,
                    "Startet i samarbeid mellom Larvik kommune og SiV; Horten og Sandefjord er de neste kommunene.",
                ),
            ],
        ),
    ],
    PriorityGroup.ACUTE: [
        (
            "En felles forståelse av den akuttmedisinske kjeden i Vestfold",
            "",
            [
                (
                    "Kartlegging av legevakt, KAD og akuttmottak",
                    "",
                    "SSU",
                    "per",
                    MeasureStatus.NOT_STARTED,
                    "",
                ),
            ],
        ),
    ],
    PriorityGroup.QUALITY: [
        (
            "Styringsdata for utvikling og oppfølging av tjenestene",
            "",
            [
                (
                    "Felles indikatorsett for helsefellesskapet",
                    "",
                    "FSU-KT",
                    "per",
                    MeasureStatus.IN_PROGRESS,
                    "Indikatorene for utskrivningsklare pasienter og reinnleggelser er publisert.",
                ),
            ],
        ),
    ],
}


class Command(BaseCommand):
    help = "Create Vestfold's demo action plans (this year's published, next year's draft)."

    def handle(self, *args, **options):
        if not User.objects.filter(username="sigrid").exists():
            call_command("demo", stdout=self.stdout)
        community = Helsefellesskap.objects.get(code=COMMUNITY)
        if not Body.objects.filter(helsefellesskap=community, kind=BodyKind.SSU).exists():
            call_command("demo_governance", stdout=self.stdout)
        year = timezone.localdate().year
        if ActionPlan.objects.filter(helsefellesskap=community, start_year=year).exists():
            self.stdout.write("The demo action plans are already there.")
            return
        with transaction.atomic():
            self._create(community, year)
        self.stdout.write(
            self.style.SUCCESS(f"Created {ActionPlan.objects.filter(helsefellesskap=community).count()} action plans.")
        )

    def _create(self, community: Helsefellesskap, year: int) -> None:
        sigrid = User.objects.get(username="sigrid")
        bodies = {b.short_name: b for b in Body.objects.filter(helsefellesskap=community)}
        plan = services.plan_create(
            actor=sigrid,
            community=community,
            title=f"Handlingsplan for Helsefellesskapet {year}",
            start_year=year,
            end_year=year,
            introduction=(
                "Handlingsplanen angir hvilke temaer helsefellesskapet prioriterer i perioden. Strategisk "
                "samarbeidsutvalg er styringsgruppe for tiltak som utvikles i regi av helsefellesskapet."
            ),
        )
        community_key = f"helsefellesskap:{community.reference_key}"
        for theme in plan.themes.all():
            for goal_title, indicator, measures in PLAN.get(theme.priority_group, []):
                goal_fields = {}
                if indicator:
                    goal_fields = {
                        "indicator": indicator,
                        "areas": [community_key, "kommune:3907", "kommune:3909"],
                        "baseline_year": year - 2,
                        "target_value": 10.0,
                    }
                goal = services.goal_create(actor=sigrid, theme=theme, title=goal_title, **goal_fields)
                for title, target_group, body, owner, status, text in measures:
                    user = User.objects.filter(username=owner).first()
                    measure = services.measure_create(
                        actor=sigrid,
                        goal=goal,
                        title=title,
                        target_group=target_group,
                        responsible_body=bodies.get(body),
                        owner=user,
                        owner_name="" if user else owner,
                        start_date=date(year, 1, 1),
                        due_date=date(year, 12, 31),
                    )
                    if status != MeasureStatus.NOT_STARTED:
                        services.measure_report_status(actor=user or sigrid, measure=measure, status=status, text=text)
        item = (
            AgendaItem.objects.filter(body__helsefellesskap=community, title="Handlingsplan for helsefellesskapet")
            .exclude(meeting=None)
            .order_by("meeting__date")
            .first()
        )
        if item is not None:
            plan = services.plan_approve(actor=sigrid, plan=plan, item=item)
            plan = services.plan_publish(actor=sigrid, plan=plan)
        services.plan_copy_to_next_year(actor=sigrid, plan=plan)
