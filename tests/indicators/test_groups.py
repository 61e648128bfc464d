"""Comparison groups: a signed-in user names a group of municipalities and compares with it in the funnel plot; only
the owner sees, uses or deletes it; every change is audited; a bad group is refused at the field, nothing lost."""

import pytest
from django.core.exceptions import PermissionDenied

from samhandling.core.models import AuditEvent
from samhandling.indicators import services
from samhandling.indicators.models import ComparisonGroup

from .webfixtures import deferred, make_run

URL = "/styringsinformasjon/grupper/"


@pytest.fixture
def run(demo):
    return make_run()


def test_a_user_makes_a_group_and_compares_with_it(client, demo, run):
    client.force_login(demo.kari)
    response = client.post(URL, {"name": "Byer i Vestfold", "municipalities": ["3905", "3907", "3909"]})
    assert response.status_code == 302
    group = ComparisonGroup.objects.get(owner=demo.kari)
    assert group.municipalities == ["3905", "3907", "3909"]
    assert AuditEvent.objects.filter(action="indicators.group.created", target_id=str(group.pk)).exists()
    funnel = client.get(f"/styringsinformasjon/trakt/?indikator=reinnleggelse_30d&gruppe={group.pk}")
    names = {row.name for row, _place in deferred(funnel.context["rows"])}
    assert names == {"Tønsberg", "Sandefjord", "Larvik"}
    assert "Byer i Vestfold" in deferred(funnel.context["title"])


def test_a_bad_group_is_refused_at_the_field_and_the_name_is_kept(client, demo, run):
    client.force_login(demo.kari)
    response = client.post(URL, {"name": "Bare én", "municipalities": ["3905"]})
    assert response.status_code == 400 and not ComparisonGroup.objects.exists()
    assert response.context["form"].errors["municipalities"]
    assert 'value="Bare én"' in response.content.decode()
    services.group_create(actor=demo.kari, name="To", municipalities=["3905", "3907"])
    again = client.post(URL, {"name": "To", "municipalities": ["3905", "3909"]})
    assert again.status_code == 400 and again.context["form"].errors["name"]


def test_only_the_owner_sees_uses_and_deletes_a_group(client, demo, run):
    group = services.group_create(actor=demo.kari, name="Kari sine", municipalities=["3905", "3907"])
    client.force_login(demo.per)
    assert "Kari sine" not in client.get(URL).content.decode()
    funnel = client.get(f"/styringsinformasjon/trakt/?indikator=reinnleggelse_30d&gruppe={group.pk}")
    assert (
        deferred(funnel.context["group"]) is None and len(deferred(funnel.context["rows"])) == 6
    )  # the group is not Per's: ignored
    assert client.post(f"{URL}{group.pk}/slett/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.group_delete(actor=demo.per, group=group)
    client.force_login(demo.kari)
    assert client.post(f"{URL}{group.pk}/slett/").status_code == 302
    assert not ComparisonGroup.objects.exists()
    assert AuditEvent.objects.filter(action="indicators.group.deleted").exists()


def test_the_public_funnel_plot_ignores_groups(client, demo, run):
    group = services.group_create(actor=demo.kari, name="Kari sine", municipalities=["3905", "3907"])
    client.force_login(demo.kari)
    response = client.get(f"/styringsinformasjon/offentlig/trakt/?indikator=reinnleggelse_30d&gruppe={group.pk}")
    assert deferred(response.context["group"]) is None
