"""The case page and the module's pages as people use them: the workflow decides which actions are offered, the
folded ones load when opened, every action says what happened, the open question stands on top, the tabs show only
what opens, and bad input (garbled ids, dates out of range, a deadline in the past) is answered at the field."""

from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from samhandling.core.models import AuditEvent
from samhandling.deviations import services
from samhandling.deviations.models import WORKFLOW, Deviation, DeviationSettings, Status
from tests.matrix import walk

from .conftest import PATIENT_ID

COVERED_URL_NAMES = {"action_form"}

ANON = "anonymous"
PERSONAS = ["kari", "ingrid", "turid", "per", "hilde", "sigrid", "ola", ANON]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def case(demo, sent_case):
    return services.deviation_acknowledge(actor=demo.per, case=sent_case, handler=demo.hilde)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- the folded actions' forms ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_action_form_endpoint_follows_the_workflow(client, demo, case, persona):
    if persona != ANON:
        client.force_login(getattr(demo, persona))
    requests = {"redirect": f"/avvik/{case.pk}/skjema/redirect/", "addendum": f"/avvik/{case.pk}/skjema/addendum/"}

    def expected(view: str) -> int:
        if persona == ANON:
            return 302
        if view == "redirect":  # only the receiving side handles
            return 200 if persona in {"per", "hilde"} else 404
        return 200 if persona in {"kari", "ingrid", "per", "hilde"} else 404  # turid sees the case, adds nothing

    def no_patient(view, response, status):
        return [f"{view}: patient identity in the form"] if PATIENT_ID in response.content.decode() else []

    failures = walk(client, requests, expected, no_patient)
    assert not failures, "\n".join(failures)


def test_the_case_page_builds_only_the_main_forms(client, demo, case):
    client.force_login(demo.per)
    response = client.get(f"/avvik/{case.pk}/")
    forms = response.context["forms"]
    assert forms["answer"] is not None and forms["request_info"] is not None
    assert forms["redirect"] is None and forms["measure"] is None and forms["addendum"] is None
    html = response.content.decode()
    assert f'hx-get="/avvik/{case.pk}/skjema/redirect/"' in html
    assert 'name="redirect-receiver"' not in html


def test_the_main_forms_rendered_once_keep_each_language(client, demo, case):
    """A main form that does not depend on the case is rendered once per action and language (views.cases)."""
    client.force_login(demo.per)
    url = f"/avvik/{case.pk}/"
    for language, label in [("nb", "Hva trenger du å vite?"), ("nn", "Kva treng du å vite?"), ("nb", "Hva trenger")]:
        demo.per.language = language
        demo.per.save(update_fields=["language"])
        html = client.get(url).content.decode()
        assert f'<html lang="{language}"' in html
        assert label in html and 'name="request_info-text"' in html and 'id="id_request_info-text"' in html
    # An action posted with an error comes back with the error at the field and the text kept, never the cached form.
    response = client.post(f"/avvik/{case.pk}/request_info/", {"request_info-text": " "})
    assert response.status_code == 400 and "request_info-text_error" in response.content.decode()
    assert "request_info-text_error" not in client.get(url).content.decode()


def test_a_folded_form_comes_when_opened(client, demo, case):
    client.force_login(demo.per)
    partial = client.get(f"/avvik/{case.pk}/skjema/redirect/", **HTMX)
    assert partial.status_code == 200
    html = partial.content.decode()
    assert 'name="redirect-receiver"' in html and "<html" not in html
    # Without JavaScript the link gives the whole case page with that form open.
    page = client.get(f"/avvik/{case.pk}/skjema/redirect/")
    assert page.status_code == 200 and page.context["forms"]["redirect"] is not None


def test_an_action_the_status_does_not_offer_has_no_form(client, demo, case):
    client.force_login(demo.per)
    assert client.get(f"/avvik/{case.pk}/skjema/reopen/", **HTMX).status_code == 404
    assert client.get(f"/avvik/{case.pk}/skjema/nonsense/", **HTMX).status_code == 404


def test_the_offered_actions_are_the_workflows(client, demo, case):
    client.force_login(demo.per)
    response = client.get(f"/avvik/{case.pk}/")
    offered = {name for name, _form, _main in response.context["offered"]}
    assert offered == set(WORKFLOW.actions_for(demo.per, case)) - {"send", "reveal_patient"}
    assert offered == {"request_info", "answer", "review", "redirect", "classify", "measure", "addendum"}


# --- saying what happened -----------------------------------------------------------------------------------------


def test_acknowledging_says_who_handles_the_case(client, demo, sent_case):
    client.force_login(demo.per)
    response = client.post(f"/avvik/{sent_case.pk}/acknowledge/", {"acknowledge-handler": demo.hilde.pk})
    assert response.status_code == 302
    message = _messages(response)[-1]
    assert "Hilde Strand" in message


def test_every_action_says_more_than_done(client, demo, case):
    client.force_login(demo.per)
    steps = [
        ("request_info", {"request_info-text": "Når ble pasienten skrevet ut?"}),
    ]
    for action, data in steps:
        response = client.post(f"/avvik/{case.pk}/{action}/", data)
        message = _messages(response)[-1]
        assert message not in {"Done.", "Utført.", "Utført"} and len(message) > 20
    client.force_login(demo.kari)
    response = client.post(f"/avvik/{case.pk}/reply/", {"reply-text": "Torsdag."})
    message = _messages(response)[-1]
    assert case.receiver.name in message


def test_sending_names_the_receiver(client, demo, report_data):
    draft = services.deviation_save_draft(actor=demo.kari, data=report_data())
    client.force_login(demo.kari)
    response = client.post(f"/avvik/{draft.pk}/send/")
    message = _messages(response)[-1]
    draft.refresh_from_db()
    assert draft.reference in message and draft.receiver.name in message


# --- the open question --------------------------------------------------------------------------------------------


def test_the_open_question_stands_above_the_reply_box(client, demo, case):
    services.deviation_request_information(actor=demo.per, case=case, question="Hvilken dato ble han utskrevet?")
    client.force_login(demo.kari)
    response = client.get(f"/avvik/{case.pk}/")
    html = response.content.decode()
    assert response.context["open_question"].text == "Hvilken dato ble han utskrevet?"
    question_at = html.index('id="question-heading"')
    assert question_at < html.index("Hvilken dato ble han utskrevet?") < html.index('id="action-reply"')
    assert html.index('id="question-heading"') < html.index('id="what-heading"')  # on top of the case


def test_the_receiver_sees_no_open_question_box(client, demo, case):
    services.deviation_request_information(actor=demo.per, case=case, question="Hvilken dato?")
    client.force_login(demo.per)
    assert client.get(f"/avvik/{case.pk}/").context["open_question"] is None


# --- tabs, front page, "Mine oppgaver" ----------------------------------------------------------------------------


def test_a_reporter_sees_only_the_tabs_she_may_open(client, demo):
    client.force_login(demo.kari)
    response = client.get("/avvik/")
    keys = [key for key, _label, _url in response.context["tabs"]]
    assert keys == ["mine", "report"]
    html = response.content.decode()
    for url in ("/avvik/innboks/", "/avvik/statistikk/", "/avvik/rapporter/"):
        assert f'href="{url}"' not in html
        assert client.get(url).status_code == 403  # what a tab would have led to


def test_a_contact_point_sees_the_inbox_tab(client, demo):
    client.force_login(demo.per)
    keys = [key for key, _label, _url in client.get("/avvik/").context["tabs"]]
    assert {"inbox", "units", "statistics", "reports"} <= set(keys)


def test_the_front_page_offers_a_reporter_to_report(client, demo):
    client.force_login(demo.kari)
    assert 'href="/avvik/ny/"' in client.get("/").content.decode()


def test_my_tasks_lead_to_the_form_of_the_next_step(client, demo, sent_case, report_data):
    from samhandling.deviations.todo import deviation_todo

    [item] = [item for item in deviation_todo(demo.per) if sent_case.reference in str(item.title)]
    assert item.url == f"/avvik/{sent_case.pk}/#action-acknowledge"
    draft = services.deviation_save_draft(actor=demo.kari, data=report_data())
    urls = {item.url for item in deviation_todo(demo.kari)}
    assert f"/avvik/{draft.pk}/rediger/" in urls


# --- the report form ----------------------------------------------------------------------------------------------


def test_the_receiver_list_leaves_out_ones_own_organisation_and_groups_by_organisation(client, demo, units):
    client.force_login(demo.kari)
    response = client.get("/avvik/ny/")
    field = response.context["form"].fields["receiver"]
    offered = set(field.queryset.values_list("pk", flat=True))
    assert units["clinic"].pk in offered
    assert units["home_nursing"].pk not in offered
    assert not field.queryset.filter(root_id=units["home_nursing"].root_id).exists()
    html = response.content.decode()
    assert "<optgroup" in html and "data-filter-label" in html
    assert "/static/deviations/receiver-filter.js" in html and "<script>" not in html


def test_report_errors_come_in_one_round(client, demo, units, vestfold):
    client.force_login(demo.kari)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        "/avvik/ny/",
        {
            "reporter_unit": units["home_nursing"].pk,
            "receiver": units["clinic"].pk,
            "occurred_on": tomorrow.isoformat(),
            "description": "",
            "reporter_hidden": "on",
        },
    )
    errors = response.context["form"].errors
    assert {"occurred_on", "description", "reporter_hidden_reason", "category"} <= set(errors)


def test_the_leaders_field_says_optional_once(client, demo, vestfold, report_data):
    DeviationSettings.objects.filter(helsefellesskap=vestfold).update(leader_completion_required=True)
    draft = services.deviation_save_draft(actor=demo.kari, data=report_data())
    services.deviation_send(actor=demo.kari, case=draft)
    client.force_login(demo.ingrid)
    html = client.get(f"/avvik/{draft.pk}/").content.decode()
    label = html[html.index('for="id_complete-text"') : html.index("</label>", html.index('for="id_complete-text"'))]
    assert label.count("(optional)") + label.count("(valfritt)") + label.count("(valgfritt)") == 1


# --- measures -----------------------------------------------------------------------------------------------------


def test_a_measure_due_in_the_past_is_refused_at_the_field(client, demo, case):
    client.force_login(demo.per)
    response = client.post(f"/avvik/{case.pk}/measure/", {"measure-description": "", "measure-due": "2020-01-15"})
    assert response.status_code == 400
    errors = response.context["forms"]["measure"].errors
    assert {"due", "description"} <= set(errors)  # both at once
    assert not case.measures.exists()


def test_the_service_refuses_a_measure_due_in_the_past(demo, case):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.deviation_add_measure(actor=demo.per, case=case, description="Sjekkliste", due=date(2020, 1, 1))
    assert "due" in error.value.error_dict


# --- garbled and out-of-range input -------------------------------------------------------------------------------


def test_a_garbled_category_id_is_no_server_error(client, demo, vestfold):
    client.force_login(demo.sigrid)
    assert client.get("/avvik/innstillinger/?kategori=abc").status_code == 200
    assert client.get("/avvik/innstillinger/?kategori=99999999999999999999999").status_code == 200
    response = client.post("/avvik/innstillinger/", {"form": "retire", "category": "abc"})
    assert response.status_code in (200, 302)
    response = client.post(
        "/avvik/innstillinger/",
        {
            "form": "category",
            "category": "abc",
            "category-code": "NY",
            "category-name_nb": "Ny",
            "category-name_nn": "Ny",
        },
    )
    assert response.status_code == 302  # saved as a new category: the garbled id named none


@pytest.mark.parametrize("url", ["/avvik/statistikk/", "/avvik/eksport/csv/", "/avvik/fhir/"])
@pytest.mark.parametrize("start", ["9999-12-31", "0000-01-01", "1899-12-31"])
def test_dates_out_of_range_are_explained_at_the_field(client, demo, vestfold, url, start):
    client.force_login(demo.sigrid)
    response = client.get(url, {"start": start, "end": "2026-06-30"})
    assert response.status_code in (200, 400)
    assert response.context["form"].errors.get("start")
    assert "ds-validation-message" in response.content.decode()


# --- patient identity ---------------------------------------------------------------------------------------------


def test_reveal_without_a_stored_identity_still_asks_permission_and_is_logged(client, demo, report_data):
    case = services.deviation_save_draft(actor=demo.kari, data=report_data(patient_id="", patient_name=""))
    case = services.deviation_send(actor=demo.kari, case=case)
    assert not Deviation.objects.get(pk=case.pk).has_patient_identity
    client.force_login(demo.kari)  # may see the case, may not see patient identities
    assert client.post(f"/avvik/{case.pk}/pasient/").status_code == 403
    assert AuditEvent.objects.filter(action="deviations.patient.refused", target_id=str(case.pk)).count() == 1
    client.force_login(demo.per)
    assert client.post(f"/avvik/{case.pk}/pasient/").status_code == 200
    shown = AuditEvent.objects.get(action="deviations.patient.shown", target_id=str(case.pk))
    assert shown.data["stored"] is False


# --- the inbox ----------------------------------------------------------------------------------------------------


def test_the_inbox_shows_received_handler_and_harm_and_filters(client, demo, case, vestfold, report_data):
    from samhandling.deviations.models import Category

    other = services.deviation_save_draft(
        actor=demo.kari,
        data=report_data(category=Category.objects.get(helsefellesskap=vestfold, code="LM"), harm_physical="severe"),
    )
    other = services.deviation_send(actor=demo.kari, case=other)
    client.force_login(demo.per)
    html = client.get("/avvik/innboks/").content.decode()
    assert "Hilde Strand" in html  # the handler column
    epi = Category.objects.get(helsefellesskap=vestfold, code="EPI")
    listed = client.get("/avvik/innboks/", {"category": epi.pk}).context["page"].object_list
    assert [c.pk for c in listed] == [case.pk]
    by_harm = client.get("/avvik/innboks/", {"order": "harm"}).context["page"].object_list
    assert by_harm[0].pk == other.pk
    municipal = client.get("/avvik/innboks/", {"direction": "kommune"}).context["page"].object_list
    assert {c.pk for c in municipal} == {case.pk, other.pk}
    assert not client.get("/avvik/innboks/", {"direction": "hf"}).context["page"].object_list
    later = (timezone.localdate() + timedelta(days=5)).isoformat()
    assert not client.get("/avvik/innboks/", {"start": later}).context["page"].object_list
    # A value that is not offered is ignored, not a server error.
    assert client.get("/avvik/innboks/", {"category": "abc", "order": "x", "status": "zzz"}).status_code == 200


def test_the_inbox_folds_the_less_used_filters_unless_one_of_them_is_in_use(client, demo, case):
    import re

    client.force_login(demo.per)

    def folded(html: str) -> str:
        return re.search(r'<details class="more-filters"( open)?>(.*?)</details>', html, re.S)

    plain = folded(client.get("/avvik/innboks/").content.decode())
    assert plain.group(1) is None and 'name="order"' in plain.group(2) and 'name="status"' not in plain.group(2)
    assert folded(client.get("/avvik/innboks/", {"order": "harm"}).content.decode()).group(1) == " open"
    # An error in a folded field is never hidden.
    bad = client.get("/avvik/innboks/", {"start": "2026-05-05", "end": "2026-01-01"}).content.decode()
    assert folded(bad).group(1) == " open" and "id_end_error" in folded(bad).group(2)
    assert folded(client.get("/avvik/innboks/", {"status": ""}).content.decode()).group(1) is None


def test_the_cached_inbox_shows_a_change_to_a_case_at_once(client, demo, case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(demo.per)
    first = client.get("/avvik/innboks/").content.decode()
    assert case.reference in first
    # Asked again, the table comes from the cache: the cases table is asked only for its newest change.
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/avvik/innboks/").content.decode().count(case.reference) == first.count(case.reference)
    about_cases = [q["sql"] for q in queries.captured_queries if '"deviations_deviation"' in q["sql"]]
    assert len(about_cases) == 1 and "MAX(" in about_cases[0], about_cases
    services.deviation_answer(actor=demo.per, case=case, answer="Svar")
    assert case.reference not in client.get("/avvik/innboks/").content.decode()


def test_the_kept_inbox_filters_show_every_change_and_each_language(client, demo, case):
    """The filters' HTML is kept (views.cases._inbox_filters) under a key of what they show: a renamed or new
    category, another language and a query with an error each get their own."""
    from samhandling.deviations.models import Category

    client.force_login(demo.per)
    first = client.get("/avvik/innboks/").content.decode()
    category = Category.objects.filter(helsefellesskap=case.helsefellesskap, is_active=True).first()
    assert f">{category.name_nb}</option>" in first
    category.name_nb = "Omdøpt kategori"
    category.save()
    assert ">Omdøpt kategori</option>" in client.get("/avvik/innboks/").content.decode()
    category.is_active = False
    category.save()
    assert "Omdøpt kategori" not in client.get("/avvik/innboks/").content.decode()
    demo.per.language = "nn"
    demo.per.save(update_fields=["language"])
    nynorsk = client.get("/avvik/innboks/").content.decode()
    assert "Fleire filter og sortering" in nynorsk and "Fleire filter og sortering" not in first
    bad = client.get("/avvik/innboks/", {"start": "2026-05-05", "end": "2026-01-01"}).content.decode()
    assert "id_end_error" in bad and 'value="2026-05-05"' in bad
    assert "id_end_error" not in client.get("/avvik/innboks/", {"start": "2026-05-05"}).content.decode()


def test_the_inbox_pages_keep_the_filters(client, demo, case, report_data):
    for _number in range(26):
        services.deviation_send(
            actor=demo.kari, case=services.deviation_save_draft(actor=demo.kari, data=report_data())
        )
    client.force_login(demo.per)
    html = client.get("/avvik/innboks/", {"order": "received"}).content.decode()
    assert "?order=received&amp;side=2" in html


def test_the_inbox_keeps_open_as_the_default(client, demo, case):
    services.deviation_answer(actor=demo.per, case=case, answer="Svar")
    client.force_login(demo.per)
    assert not client.get("/avvik/innboks/").context["page"].object_list
    everything = client.get("/avvik/innboks/", {"status": ""}).context["page"].object_list
    assert [c.pk for c in everything] == [case.pk]
    assert everything[0].status == Status.ANSWERED


def test_a_garbled_organisation_id_on_the_integrations_page_is_no_server_error(client, demo, vestfold):
    client.force_login(demo.sigrid)
    assert client.get("/avvik/innstillinger/integrasjoner/?org=abc").status_code == 200
    response = client.post("/avvik/innstillinger/integrasjoner/", {"form": "webhook", "organisation": "1e3"})
    assert response.status_code == 200


# --- what the case page asks the database ---------------------------------------------------------------------------


def test_the_case_page_asks_the_same_few_queries_for_everyone_at_every_stage(client, demo, case):
    """The case query reads only some columns of the organisations and of the history's people
    (views.cases.case_queryset): a field it left out would be read by a query of its own, one per page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(persona: str) -> list[str]:
        client.force_login(getattr(demo, persona))
        client.get(case.get_absolute_url())  # fills the user's access cache
        with CaptureQueriesContext(connection) as captured:
            response = client.get(case.get_absolute_url())
        assert response.status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    stages = [
        lambda: None,
        lambda: services.deviation_request_information(actor=demo.hilde, case=case, question="Hvilken dato?"),
        lambda: services.deviation_give_information(actor=demo.kari, case=case, text="Den 3. mai."),
        lambda: services.deviation_add_measure(actor=demo.hilde, case=case, description="Ny rutine"),
        lambda: services.deviation_answer(actor=demo.hilde, case=case, answer="Svar"),
        lambda: services.deviation_close(actor=demo.hilde, case=case),
    ]
    for stage in stages:
        stage()
        for persona in ("kari", "ingrid", "per", "hilde"):
            sql = queries_for(persona)
            # session, user, the case, its two people, the history and the measures; never an organisation,
            # category or person on its own (a deferred field read later).
            assert len(sql) <= 6, (persona, sql)
            assert not [q for q in sql if q.startswith('SELECT "core_organisation"')], (persona, sql)
