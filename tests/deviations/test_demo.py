"""The demo's invented deviations: one in each stage of the loop, created once."""

from io import StringIO

from django.core import mail
from django.core.management import call_command

from samhandling.deviations.models import Deviation, Status


def test_demo_deviations_cover_the_loop_and_are_created_once(demo):
    call_command("demo_deviations", stdout=StringIO())
    statuses = set(Deviation.objects.values_list("status", flat=True))
    assert statuses == {Status.DRAFT, Status.SUBMITTED, Status.ACKNOWLEDGED, Status.NEEDS_INFO, Status.ANSWERED}
    assert mail.outbox == []
    out = StringIO()
    call_command("demo_deviations", stdout=out)
    assert Deviation.objects.count() == 5
    assert "nothing changed" in out.getvalue()
