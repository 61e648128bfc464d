"""Deliver queued webhook calls to the organisations' own deviation systems (cron-friendly, safe to run twice)."""

from django.core.management.base import BaseCommand

from samhandling.deviations.services.webhooks import deliver_pending


class Command(BaseCommand):
    help = "POST new and redirected samhandlingsavvik to the receiving organisations' webhooks, with retries."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", required=True, help="The platform's address, e.g. https://samhandling.example.no"
        )
        parser.add_argument("--limit", type=int, default=200, help="At most this many deliveries in one run.")

    def handle(self, *args, base_url: str, limit: int, **options):
        counts = deliver_pending(base_url=base_url, limit=limit)
        self.stdout.write(f"{counts['delivered']} delivered, {counts['retrying']} to retry, {counts['failed']} failed.")
