"""The community's deviation settings: deadlines, leader completion and the editable category list."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from samhandling.deviations import services
from samhandling.deviations.models import Category, DeviationSettings


def test_the_secretariat_changes_the_deadlines(client, demo, vestfold):
    client.force_login(demo.sigrid)
    response = client.post(
        "/avvik/innstillinger/",
        {"form": "settings", "settings-acknowledge_days": "3", "settings-answer_days": "15"},
    )
    assert response.status_code == 302
    assert DeviationSettings.objects.get(helsefellesskap=vestfold).answer_days == 15


def test_an_answer_deadline_shorter_than_the_acknowledgement_is_refused_at_the_field(client, demo, vestfold):
    client.force_login(demo.sigrid)
    response = client.post(
        "/avvik/innstillinger/", {"form": "settings", "settings-acknowledge_days": "10", "settings-answer_days": "5"}
    )
    assert response.status_code == 200
    assert "answer_days" in response.context["form"].errors
    assert DeviationSettings.objects.get(helsefellesskap=vestfold).answer_days == 20


def test_a_category_is_added_renamed_and_retired(client, demo, vestfold):
    client.force_login(demo.sigrid)
    client.post(
        "/avvik/innstillinger/",
        {"form": "category", "category-code": "ltf", "category-name_nb": "Ledsager", "category-name_nn": "Følgje"},
    )
    category = Category.objects.get(helsefellesskap=vestfold, code="LTF")
    client.post(
        "/avvik/innstillinger/",
        {
            "form": "category",
            "category": category.pk,
            "category-code": "LTF",
            "category-name_nb": "Ledsager ved transport",
            "category-name_nn": "Følgje ved transport",
        },
    )
    category.refresh_from_db()
    assert category.name_nb == "Ledsager ved transport"
    client.post("/avvik/innstillinger/", {"form": "retire", "category": category.pk})
    category.refresh_from_db()
    assert not category.is_active
    client.force_login(demo.kari)
    assert "Ledsager ved transport" not in client.get("/avvik/ny/").content.decode()


def test_a_duplicate_category_code_is_refused_at_the_code_field(client, demo, vestfold):
    client.force_login(demo.sigrid)
    response = client.post(
        "/avvik/innstillinger/",
        {"form": "category", "category-code": "EPI", "category-name_nb": "X", "category-name_nn": "Y"},
    )
    assert "code" in response.context["category_form"].errors
    assert 'value="X"' in response.content.decode()


def test_only_the_secretariat_and_admin_edit_categories(demo, vestfold):
    with pytest.raises(PermissionDenied):
        services.category_save(actor=demo.per, community=vestfold, code="ZZ", name_nb="Z", name_nn="Z")
    with pytest.raises(ValidationError):
        services.category_save(actor=demo.tove, community=vestfold, code="epi", name_nb="Z", name_nn="Z")
