"""The demo command: invented people in realistic roles, reproducible and safe to run twice."""

from io import StringIO

from django.core.management import call_command

from samhandling.core.models import AuditEvent, Membership, Organisation, Role, User


def test_the_demo_can_run_twice_without_changing_anything(demo):
    before = (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    )
    out = StringIO()
    call_command("demo", stdout=out)
    after = (User.objects.count(), Organisation.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
    assert after == before
    assert "kari" in out.getvalue() and demo.password in out.getvalue()


def test_the_demo_people_are_clearly_fictional_and_in_realistic_roles(demo):
    people = User.objects.filter(username__in=["kari", "per", "sigrid", "ola"])
    assert all(user.email.endswith("@demo.samhandling.invalid") for user in people)
    assert Membership.objects.get(user=demo.kari).organisation.name.endswith("(demo)")
    assert Membership.objects.filter(user=demo.per, role=Role.DEVIATION_CONTACT).exists()
    assert Membership.objects.get(user=demo.ola).organisation.root.municipality_number == "1804"
