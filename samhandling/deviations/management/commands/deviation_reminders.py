"""Send deadline reminders and the weekly digest of overdue deviations (cron-friendly, safe to run twice)."""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from samhandling.deviations.services.reminders import send_reminders


class Command(BaseCommand):
    help = "E-mail contact points about overdue samhandlingsavvik; every e-mail is sent once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", required=True, help="The platform's address, e.g. https://samhandling.example.no"
        )
        parser.add_argument("--today", type=date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *args, base_url: str, today: date | None, **options):
        run = send_reminders(today=today or timezone.localdate(), base_url=base_url)
        self.stdout.write(f"{run.reminders} reminders and {run.digests} digests sent.")
