"""Invented samhandlingsavvik for the demo community, in every stage of the loop (safe to run again)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from samhandling.core.models import Helsefellesskap, Organisation, User
from samhandling.deviations import services
from samhandling.deviations.models import Category, Deviation
from samhandling.deviations.services.demo import MARKER, deviation_demo_history

# reporter, reporter unit, receiver, category, days ago, description, what happens next
CASES = [
    (
        "kari",
        "Hjemmetjenesten Tønsberg sentrum (demo)",
        "Medisinsk klinikk (demo)",
        "EPI",
        12,
        "Pasienten kom hjem på fredag ettermiddag uten epikrise. Hjemmesykepleien fikk ikke vite om endret "
        "insulindose før mandag.",
        "answered",
    ),
    (
        "kari",
        "Hjemmetjenesten Tønsberg sentrum (demo)",
        "Medisinsk sengepost (demo)",
        "LM",
        6,
        "Legemiddellisten som fulgte pasienten hadde to preparater som var seponert under oppholdet.",
        "needs_info",
    ),
    (
        "lars",
        "Kaldnes legesenter (demo)",
        "Medisinsk klinikk (demo)",
        "INN",
        3,
        "Henvisningen ble returnert uten begrunnelse, og pasienten fikk ikke time.",
        "acknowledged",
    ),
    (
        "hilde",
        "Medisinsk sengepost (demo)",
        "Tildelingskontoret Tønsberg (demo)",
        "VARSEL",
        2,
        "Melding om utskrivningsklar pasient ble sendt, men kommunen svarte ikke før etter to døgn.",
        "submitted",
    ),
    (
        "kari",
        "Hjemmetjenesten Tønsberg sentrum (demo)",
        "Medisinsk klinikk (demo)",
        "HJM",
        1,
        "Pasienten ble skrevet ut uten at nødvendig seng og rullestol var bestilt.",
        "draft",
    ),
]


class Command(BaseCommand):
    help = "Create invented samhandlingsavvik in Helsefellesskap Vestfold for the demo."

    def add_arguments(self, parser):
        parser.add_argument(
            "--history",
            action="store_true",
            help="Also two years of finished cases with a seasonal rhythm, for the statistics and the reports.",
        )

    def handle(self, *args, history: bool = False, **options):
        community = Helsefellesskap.objects.get(code="VES")
        if history:
            self._history(community)
        if Deviation.objects.filter(helsefellesskap=community).exclude(external_case_id=MARKER).exists():
            self.stdout.write("Demo deviations exist already; nothing changed.")
            return
        services.settings_for(community)
        people = {
            user.username: user for user in User.objects.filter(username__in=["kari", "lars", "hilde", "per", "turid"])
        }
        # The invented people have no real mailboxes; the demo sends no e-mail.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
            for username, unit, receiver, code, days_ago, text, stage in CASES:
                self._create(community, people, username, unit, receiver, code, days_ago, text, stage)
        self.stdout.write(self.style.SUCCESS(f"{len(CASES)} demo deviations created."))

    def _history(self, community) -> None:
        people = {
            user.username: user for user in User.objects.filter(username__in=["kari", "lars", "hilde", "per", "turid"])
        }
        organisation = {
            name: Organisation.objects.get(name=name)
            for name in {unit for _u, unit, _r, *_ in CASES} | {receiver for _u, _n, receiver, *_ in CASES}
        }
        routes = [
            (
                people[username],
                organisation[unit],
                organisation[receiver],
                people["turid"] if "Tildelingskontoret" in receiver else people["per"],
            )
            for username, unit, receiver, *_rest in CASES
        ]
        created = deviation_demo_history(community=community, routes=routes, today=timezone.localdate())
        if created:
            self.stdout.write(self.style.SUCCESS(f"{created} finished demo deviations over two years created."))

    def _create(self, community, people, username, unit, receiver, code, days_ago, text, stage):
        reporter = people[username]
        data = {
            "reporter_unit": Organisation.objects.get(name=unit),
            "receiver": Organisation.objects.get(name=receiver),
            "occurred_on": timezone.localdate() - timedelta(days=days_ago),
            "occurred_time": None,
            "description": text,
            "category": Category.objects.get(helsefellesskap=community, code=code),
            "agreement_clause": "Tjenesteavtale 5" if code in ("EPI", "LM", "VARSEL") else "",
            "immediate_action": "",
            "event_type": "incident",
            "harm_physical": "none" if code != "LM" else "low",
            "harm_psychological": "unknown",
            "patient_involved": "yes",
            "reporter_hidden": False,
            "reporter_hidden_reason": "",
            "patient_id": "",
            "patient_name": "",
        }
        case = services.deviation_save_draft(actor=reporter, data=data)
        if stage == "draft":
            return
        case = services.deviation_send(actor=reporter, case=case)
        contact = people["turid"] if "Tildelingskontoret" in receiver else people["per"]
        if stage == "submitted":
            return
        case = services.deviation_acknowledge(actor=contact, case=case)
        if stage == "acknowledged":
            return
        if stage == "needs_info":
            services.deviation_request_information(
                actor=contact, case=case, question="Hvilke to preparater gjelder det, og hvem oppdaget feilen?"
            )
            return
        services.deviation_add_measure(
            actor=contact,
            case=case,
            description="Epikrise sendes før pasienten forlater avdelingen.",
            responsible="Seksjonsleder sengepost",
        )
        services.deviation_answer(
            actor=contact,
            case=case,
            answer="Takk for meldingen. Epikrisen ble forsinket fordi legen gikk av vakt. Vi har innført at epikrise "
            "skal være sendt før utskrivning på fredager, og fulgt opp med legene.",
        )
