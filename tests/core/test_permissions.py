"""The permission module: default deny, roles scoped to the community whose secretariat holds them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from samhandling.core.models import Helsefellesskap, Organisation, Role
from samhandling.core.permissions import UnknownPermission, can, communities_of, managed_communities, rule


@pytest.fixture
def vestfold(demo):
    return Helsefellesskap.objects.get(code="VES")


@pytest.fixture
def nordland(demo):
    return Helsefellesskap.objects.get(code="NOR")


def test_an_unknown_permission_raises_in_the_tests_and_under_debug(demo, settings):
    drift = type(demo.tove).objects.get(username="drift")
    settings.SAMHANDLING_STRICT_PERMISSIONS = True
    with pytest.raises(UnknownPermission):
        can(drift, "core.launch_rockets")


def test_an_unknown_permission_is_logged_and_denied_even_to_a_superuser_in_production(demo, settings, caplog):
    drift = type(demo.tove).objects.get(username="drift")
    settings.SAMHANDLING_STRICT_PERMISSIONS = False
    assert not can(drift, "core.launch_rockets")
    assert "core.launch_rockets" in caplog.text


def test_two_rules_with_one_name_are_refused_at_registration():
    with pytest.raises(ImproperlyConfigured, match=r"core\.view_directory"):

        @rule("core.view_directory")
        def _another_directory_rule(user, obj) -> bool:
            return False

    assert can_view_directory_still_works()


def can_view_directory_still_works() -> bool:
    from samhandling.core.permissions import registered_rules

    return registered_rules()["core.view_directory"].check.__name__ == "_view_directory"


def test_an_anonymous_visitor_may_do_nothing(demo, vestfold):
    assert not can(AnonymousUser(), "core.view_directory")
    assert not can(AnonymousUser(), "core.manage_community", vestfold)


def test_the_secretariat_manages_its_own_community_and_no_other(demo, vestfold, nordland):
    assert can(demo.sigrid, "core.manage_community", vestfold)
    assert not can(demo.sigrid, "core.manage_community", nordland)
    assert list(managed_communities(demo.sigrid)) == [vestfold]


def test_a_nurse_manages_nothing_but_belongs_to_her_community(demo, vestfold):
    assert not can(demo.kari, "core.manage_community", vestfold)
    assert not can(demo.kari, "core.view_audit_log", vestfold)
    assert list(communities_of(demo.kari)) == [vestfold]


def test_the_secretariat_manages_units_deep_in_a_member_hospital(demo):
    ward = Organisation.objects.get(name="Medisinsk sengepost (demo)")
    bodo_service = Organisation.objects.get(name="Hjemmetjenesten Bodø (demo)")
    assert can(demo.sigrid, "core.manage_organisation", ward)
    assert not can(demo.sigrid, "core.manage_organisation", bodo_service)


def test_the_secretariat_manages_people_of_its_community_only(demo):
    assert can(demo.sigrid, "core.manage_user", demo.kari)
    assert not can(demo.sigrid, "core.manage_user", demo.ola)
    assert not can(demo.kari, "core.manage_user", demo.ingrid)


def test_only_an_administrator_may_make_another_administrator(demo):
    office = Organisation.objects.get(name="Kaldnes legesenter (demo)")
    assert can(demo.sigrid, "core.grant_role", (office, Role.LEADER))
    assert not can(demo.sigrid, "core.grant_role", (office, Role.ADMIN))
    assert can(demo.tove, "core.grant_role", (office, Role.ADMIN))


def test_a_deactivated_secretary_loses_every_right(demo, vestfold):
    demo.sigrid.is_active = False
    demo.sigrid.save()
    assert not can(demo.sigrid, "core.manage_community", vestfold)
    assert not can(demo.sigrid, "core.view_directory")


def test_a_role_in_a_deactivated_organisation_gives_nothing(demo, vestfold):
    secretariat = vestfold.secretariat
    secretariat.is_active = False
    secretariat.save()
    fresh = type(demo.sigrid).objects.get(pk=demo.sigrid.pk)
    assert not can(fresh, "core.manage_community", vestfold)
