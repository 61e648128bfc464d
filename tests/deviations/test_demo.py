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


def test_the_demo_history_spans_two_years_with_seasons_and_is_created_once(demo):
    from collections import Counter

    from django.utils import timezone

    from samhandling.deviations import selectors
    from samhandling.deviations.services.demo import MARKER

    call_command("demo_deviations", "--history", stdout=StringIO())
    history = Deviation.objects.filter(external_case_id=MARKER)
    count = history.count()
    assert count > 150
    months = Counter((d.year, d.month) for d in history.values_list("occurred_on", flat=True))
    assert len(months) >= 20  # two years, month by month
    by_month = Counter()
    for (_year, month), n in months.items():
        by_month[month] += n
    assert by_month[1] > by_month[5]  # more after Christmas than in late spring
    assert Deviation.objects.exclude(external_case_id=MARKER).count() == 5  # the live cases too
    call_command("demo_deviations", "--history", stdout=StringIO())
    assert Deviation.objects.filter(external_case_id=MARKER).count() == count
    today = timezone.localdate()
    community = history.first().helsefellesskap
    stats = selectors.statistics(community, today.replace(year=today.year - 2), today)
    assert stats.total >= count * 0.9 and stats.median_days_to_answer is not None
    assert mail.outbox == []
