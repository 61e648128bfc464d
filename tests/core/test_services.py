"""Core services: each write checks permission, keeps the unit hierarchy valid and leaves an audit event."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from samhandling.core import services
from samhandling.core.models import (
    AuditEvent,
    Helsefellesskap,
    Membership,
    Organisation,
    OrganisationType,
    Role,
    User,
)


@pytest.fixture
def vestfold(demo):
    return Helsefellesskap.objects.get(code="VES")


def test_the_secretariat_adds_a_department_under_a_clinic_and_it_is_logged(demo, vestfold):
    clinic = Organisation.objects.get(name="Medisinsk klinikk (demo)")
    ward = services.organisation_create(
        actor=demo.sigrid, helsefellesskap=vestfold, parent=clinic, name="Slagenheten", type="department"
    )
    assert ward.root == clinic.root
    event = AuditEvent.objects.get(action="core.organisation.created", target_id=str(ward.pk))
    assert event.actor == demo.sigrid
    assert event.helsefellesskap == vestfold


def test_a_clinic_cannot_be_placed_under_a_municipality(demo, vestfold):
    tonsberg = Organisation.objects.get(municipality_number="3905", type=OrganisationType.KOMMUNE)
    with pytest.raises(ValidationError) as error:
        services.organisation_create(
            actor=demo.sigrid, helsefellesskap=vestfold, parent=tonsberg, name="Klinikk X", type="clinic"
        )
    assert "type" in error.value.error_dict
    assert not Organisation.objects.filter(name="Klinikk X").exists()


def test_a_new_gp_office_becomes_a_member_of_the_community(demo, vestfold):
    office = services.organisation_create(
        actor=demo.sigrid, helsefellesskap=vestfold, name="Nøtterøy legesenter", type="gp_office"
    )
    assert vestfold.members.filter(pk=office.pk).exists()


def test_a_nurse_cannot_add_units(demo, vestfold):
    clinic = Organisation.objects.get(name="Medisinsk klinikk (demo)")
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            actor=demo.kari, helsefellesskap=vestfold, parent=clinic, name="X", type="department"
        )


def test_reference_organisations_cannot_be_renamed_here(demo):
    tonsberg = Organisation.objects.get(municipality_number="3905", type=OrganisationType.KOMMUNE)
    with pytest.raises(ValidationError):
        services.organisation_update(actor=demo.sigrid, organisation=tonsberg, name="Tunsberg")
    tonsberg.refresh_from_db()
    assert tonsberg.name == "Tønsberg"


def test_creating_a_user_mails_a_password_link_only_after_commit(demo, vestfold, django_capture_on_commit_callbacks):
    office = Organisation.objects.get(name="Kaldnes legesenter (demo)")
    with django_capture_on_commit_callbacks(execute=True):
        user = services.user_create(
            actor=demo.sigrid,
            organisation=office,
            role=Role.REPORTER,
            username="Nina.Aas",
            email="Nina@Example.org",
            first_name="Nina",
            last_name="Aas",
            base_url="https://samhandling.example/",
        )
        assert len(mail.outbox) == 0
    assert user.username == "nina.aas"
    assert not user.has_usable_password()
    assert Membership.objects.filter(user=user, organisation=office, role=Role.REPORTER).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nina@example.org"]
    assert "https://samhandling.example/konto/passord/ny/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="core.user.created", target_id=str(user.pk)).exists()


def test_a_taken_username_is_refused_at_the_username_field(demo):
    office = Organisation.objects.get(name="Kaldnes legesenter (demo)")
    with pytest.raises(ValidationError) as error:
        services.user_create(
            actor=demo.sigrid,
            organisation=office,
            role=Role.REPORTER,
            username="KARI",
            email="k2@example.org",
            first_name="Kari",
            last_name="To",
        )
    assert list(error.value.error_dict) == ["username"]


def test_granting_and_revoking_a_role_is_logged_with_the_organisation(demo):
    office = Organisation.objects.get(name="Kaldnes legesenter (demo)")
    membership = services.membership_grant(
        actor=demo.sigrid, user=demo.kari, organisation=office, role=Role.DEVIATION_CONTACT
    )
    services.membership_revoke(actor=demo.sigrid, membership=membership)
    actions = list(
        AuditEvent.objects.filter(target_id=str(demo.kari.pk), action__startswith="core.membership")
        .order_by("id")
        .values_list("action", "data__role")
    )
    assert actions == [
        ("core.membership.granted", "deviation_contact"),
        ("core.membership.revoked", "deviation_contact"),
    ]


def test_the_same_role_twice_is_refused(demo):
    organisation = Membership.objects.get(user=demo.kari).organisation
    with pytest.raises(ValidationError):
        services.membership_grant(actor=demo.sigrid, user=demo.kari, organisation=organisation, role=Role.REPORTER)


def test_the_secretariat_cannot_remove_its_own_secretariat_role(demo):
    membership = Membership.objects.get(user=demo.sigrid, role=Role.SECRETARIAT)
    with pytest.raises(ValidationError):
        services.membership_revoke(actor=demo.sigrid, membership=membership)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_user_update_logs_which_fields_changed_but_not_their_values(demo):
    services.user_update(actor=demo.sigrid, user=demo.kari, title="Spesialsykepleier", phone="33 00 00 00")
    event = AuditEvent.objects.get(action="core.user.updated", target_id=str(demo.kari.pk))
    assert event.data == {"fields": ["phone", "title"]}
    assert "33 00 00 00" not in str(event.data)


def test_a_deactivated_user_cannot_log_in(demo, client):
    services.user_set_active(actor=demo.sigrid, user=demo.kari, active=False)
    response = client.post("/konto/logg-inn/", {"username": "kari", "password": demo.password})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_language_choice_is_stored_and_logged(demo):
    services.user_set_language(actor=demo.kari, language="nn")
    assert User.objects.get(pk=demo.kari.pk).language == "nn"
    with pytest.raises(ValidationError):
        services.user_set_language(actor=demo.kari, language="en")
