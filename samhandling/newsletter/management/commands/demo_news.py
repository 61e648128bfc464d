"""Invented events and newsletters for the demo: Vestfold's and national events (one full, with a waiting list), the
national newsletter in bokmål with a sent issue in the archive and a December issue being prepared, and Vestfold's
newsletter in nynorsk. Everything goes through the services; running it twice changes nothing.

All people and addresses are invented (the demo personas and names at demo.samhandling.invalid)."""

from datetime import datetime, time, timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from samhandling.core.models import Helsefellesskap, User
from samhandling.events import mail as event_mail
from samhandling.events import services as events
from samhandling.events.models import Event
from samhandling.newsletter import mail as news_mail
from samhandling.newsletter import services
from samhandling.newsletter.models import Newsletter, Subscriber, SubscriptionStatus

NATIONAL_SLUG = "nyhetsbrev-for-helsefellesskap"
DOMAIN = "demo.samhandling.invalid"
PEOPLE = ["Astrid Berg", "Jonas Lie", "Mona Dahl", "Per Haugen", "Siri Moe", "Tor Aas", "Unni Vik", "Vidar Ek"]


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class Command(BaseCommand):
    help = "Create invented events, registrations, newsletters, contributions and issues for the demo."

    def handle(self, *args, **options):
        if not User.objects.filter(username="sigrid").exists():
            call_command("demo", stdout=self.stdout)
        if Newsletter.objects.filter(slug=NATIONAL_SLUG).exists():
            self.stdout.write("The demo events and newsletters are already there.")
            return
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            with transaction.atomic():
                issue = self._create()
            # The demo's e-mails go nowhere; the rows are marked sent so the worker has nothing left to do.
            event_mail.send_pending()
            news_mail.send_pending(issue.pk, rate=0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {Event.objects.count()} events and {Newsletter.objects.count()} newsletters "
                f"with {Subscriber.objects.count()} subscribers."
            )
        )

    def _create(self):
        operator = User.objects.get(username="drift")
        sigrid, kari, ola = (User.objects.get(username=name) for name in ("sigrid", "kari", "ola"))
        vestfold = Helsefellesskap.objects.get(code="VES")
        fagdag = self._event(
            sigrid,
            vestfold,
            title="Fagdag: Trygge overganger for skrøpelige eldre",
            kind="fagdag",
            audience="professionals",
            topic="Skrøpelige eldre",
            starts_at=_at(12, 9),
            ends_at=_at(12, 15, 30),
            place="Quality Hotel Tønsberg",
            summary="Erfaringer fra pasientforløpet for skrøpelige eldre i Vestfold, med kommunene og sykehuset.",
            programme="09.00 Velkommen\n09.15 Hva sier dataene?\n10.30 Erfaringer fra kommunene\n13.00 Gruppearbeid",
            registration_required=True,
            capacity=3,
            questions=["Kost", "Rolle"],
        )
        for index, name in enumerate(PEOPLE[:5]):
            events.registration_create(
                event=fagdag,
                name=name,
                email=f"{name.split()[0].lower()}@{DOMAIN}",
                organisation="Tønsberg kommune" if index % 2 else "Sykehuset i Vestfold",
                answers={"Kost": "Vegetar" if index == 1 else "", "Rolle": "Sykepleier"},
                consent=True,
                base_url="",
            )
        self._event(
            sigrid,
            vestfold,
            title="Dialogmøte med fastlegene",
            kind="dialogmote",
            audience="professionals",
            starts_at=_at(20, 18),
            ends_at=_at(20, 20),
            video_link="https://video.demo.samhandling.invalid/dialogmote",
            summary="Samhandling om utskrivning og epikriser.",
            registration_required=True,
            moderation=True,
        )
        self._event(
            operator,
            None,
            title="Kompetansebroen-webinar: Digital hjemmeoppfølging",
            kind="webinar",
            audience="everyone",
            topic="E-helse",
            starts_at=_at(26, 12),
            ends_at=_at(26, 13),
            video_link="https://video.demo.samhandling.invalid/webinar",
            summary="Erfaringer med digital hjemmeoppfølging i kommuner og sykehus.",
        )
        self._event(
            operator,
            None,
            title="Nasjonal konferanse for helsefellesskapene",
            kind="konferanse",
            audience="partners",
            starts_at=_at(45, 10),
            ends_at=_at(46, 15),
            place="Oslo kongressenter",
            summary="To dager om samhandling, styringsinformasjon og den nasjonale helse- og samhandlingsplanen.",
            registration_required=True,
            capacity=400,
            language="nn",
        )
        national = services.newsletter_create(
            actor=operator,
            community=None,
            name="Nyhetsbrev for helsefellesskap",
            slug=NATIONAL_SLUG,
            default_language="nb",
            description="Nyheter og prosjekter fra helsefellesskapene, datoer for møter og konferanser, og nytt fra "
            "KS, RHF-ene og e-helse. Kommer fire ganger i året.",
        )
        national.editors.add(sigrid)
        local = services.newsletter_create(
            actor=sigrid,
            community=vestfold,
            name="Nyheitsbrev Helsefellesskapet Vestfold",
            default_language="nn",
            description="Nytt frå partnarskapsmøtet, SSU og dei faglege samarbeidsutvala i Vestfold.",
        )
        for index, name in enumerate(PEOPLE):
            for newsletter in (national, local) if index % 3 else (national,):
                Subscriber.objects.create(
                    newsletter=newsletter,
                    email=f"{name.split()[0].lower()}@{DOMAIN}",
                    name=name,
                    language="nn" if index % 4 == 0 else "nb",
                    status=SubscriptionStatus.CONFIRMED,
                    confirmed_at=timezone.now(),
                )
        today = timezone.localdate()
        sent = services.issue_create(
            actor=operator,
            newsletter=national,
            title="Nyhetsbrev september",
            language="nb",
            period_start=today,
            period_end=today + timedelta(days=60),
            intro="Nyhetsbrev for helsefellesskap er laget for at helsefellesskapene skal kunne dele nyheter og "
            "prosjekter med hverandre, samt datoer og informasjon om aktuelle møter og konferanser.",
        )
        first, national_section = national.sections.all()[:2]
        for author, title, body, section in (
            (
                kari,
                "Vestfold: Felles pasientforløp for skrøpelige eldre",
                "Kommunene og Sykehuset i Vestfold har tatt i bruk et felles forløp.\n\nErfaringene deles på fagdagen.",
                first,
            ),
            (
                operator,
                "Nasjonal helse- og samhandlingsplan",
                "Regjeringen inviterer til skriftlige innspill til planen.",
                national_section,
            ),
        ):
            contribution = services.contribution_submit(
                actor=author, newsletter=national, issue=sent, title=title, body=body
            )
            services.contribution_decide(
                actor=operator, contribution=contribution, decision="accept", section=section, message="Takk!"
            )
        services.issue_send(actor=operator, issue=sent, base_url="")
        december = services.issue_create(
            actor=sigrid,
            newsletter=national,
            title="Nyhetsbrev desember",
            language="nb",
            period_start=today + timedelta(days=30),
            period_end=today + timedelta(days=120),
            input_deadline=today + timedelta(days=21),
        )
        services.contribution_submit(
            actor=ola,
            newsletter=national,
            issue=december,
            title="Nordland: Dialog- og partnerskapsmøte",
            body="Helsefellesskapene i Nordland holder dialog- og partnerskapsmøte i samarbeid med KS.",
        )
        services.issue_create(
            actor=sigrid,
            newsletter=local,
            title="Nyheitsbrev desember",
            language="nn",
            period_start=today,
            period_end=today + timedelta(days=90),
            input_deadline=today + timedelta(days=14),
            intro="Velkomen til nyheitsbrevet frå Helsefellesskapet Vestfold.",
        )
        return sent

    def _event(self, actor, community, **fields):
        event = events.event_create(actor=actor, community=community, **fields)
        return events.event_publish(actor=actor, event=event)
