"""End-to-end: events and the newsletter in a real browser, with axe-core on every page, in bokmål and nynorsk.

sigrid (secretariat) creates and publishes an event with one seat; two visitors without an account register, the
second goes on the waiting list; the first withdraws by her personal link and the second has the seat. kari sends a
contribution to Vestfold's newsletter; sigrid accepts it, sends the issue, and the issue is in the public archive
with lang="nn". Elements are found by id, name, URL and form action.
"""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from samhandling.events.models import Event, Registration, RegistrationStatus
from samhandling.newsletter import services as newsletter_services
from samhandling.newsletter.models import IssueStatus, Subscriber

from .conftest import check_axe, login
from .test_governance import LANGUAGE_BUTTON, new_page, submit, visit


def _register(browser, site, problems, name: str, email: str) -> str:
    page = new_page(browser, site.url, problems, name)
    event = Event.objects.get(title="E2E: Fagdag")
    visit(page, event.get_absolute_url(), "event page")
    page.locator("#id_name").fill(name)
    page.locator("#id_email").fill(email)
    page.locator("#id_question_0").fill("Vegetar")
    page.locator("#id_consent").check()
    submit(page, "main form.form-narrow")
    check_axe(page, "registration page")
    url = page.url
    page.context.close()
    return url


def test_an_event_with_a_waiting_list_and_a_newsletter_issue_from_contribution_to_archive(browser, site):
    problems: list[str] = []
    sigrid = new_page(browser, site.url, problems, "sigrid")
    login(sigrid, "sigrid")
    visit(sigrid, "/arrangementer/mine/", "organiser list")
    visit(sigrid, "/arrangementer/ny/", "new event form")
    start = timezone.localtime() + timedelta(days=7)
    sigrid.locator("#id_title").fill("E2E: Fagdag")
    sigrid.locator("#id_kind").select_option("fagdag")
    sigrid.locator("#id_summary").fill("Om trygge overganger.")
    sigrid.locator("#id_starts_at").fill(start.strftime("%Y-%m-%dT09:00"))
    sigrid.locator("#id_ends_at").fill(start.strftime("%Y-%m-%dT15:00"))
    sigrid.locator("#id_place").fill("Tønsberg")
    sigrid.locator("#id_registration_required").check()
    sigrid.locator("#id_capacity").fill("1")
    sigrid.locator("#id_questions").fill("Kost")
    submit(sigrid, "main form.form-narrow")
    check_axe(sigrid, "draft event")
    with sigrid.expect_navigation():
        sigrid.locator("form[action$='/handling/publiser/'] button").click()
    event = Event.objects.get(title="E2E: Fagdag")
    assert event.status == "published"

    anne = _register(browser, site, problems, "Anne Berg", "anne@example.no")
    _register(browser, site, problems, "Bjørn Lie", "bjorn@example.no")
    statuses = dict(Registration.objects.filter(event=event).values_list("email", "status"))
    assert statuses == {"anne@example.no": "confirmed", "bjorn@example.no": "waitlisted"}

    visitor = new_page(browser, site.url, problems, "anne")
    visit(visitor, anne, "personal registration page")
    with visitor.expect_navigation():
        visitor.locator("main form button[type=submit]").click()
    assert Registration.objects.get(email="bjorn@example.no").status == RegistrationStatus.CONFIRMED
    visit(visitor, "/arrangementer/", "calendar")
    expect(visitor.locator(f"a[href='{event.get_absolute_url()}']")).to_be_visible()

    visit(sigrid, f"/arrangementer/{event.pk}/deltakere/", "participants")
    expect(sigrid.locator("main table")).to_contain_text("bjorn@example.no")

    newsletter = newsletter_services.newsletter_create(
        actor=site.demo.sigrid, community=site.community, name="E2E nyheitsbrev", default_language="nn"
    )
    today = timezone.localdate()
    issue = newsletter_services.issue_create(
        actor=site.demo.sigrid,
        newsletter=newsletter,
        title="Desember",
        language="nn",
        period_start=today,
        period_end=today + timedelta(days=30),
    )
    Subscriber.objects.create(newsletter=newsletter, email="les@example.no", status="confirmed")

    kari = new_page(browser, site.url, problems, "kari")
    login(kari, "kari")
    visit(kari, "/nyhetsbrev/innspill/nytt/", "contribution form")
    kari.locator("#id_newsletter").select_option(str(newsletter.pk))
    kari.locator("#id_issue").select_option(str(issue.pk))
    kari.locator("#id_title").fill("E2E: Nytt forløp")
    kari.locator("#id_body").fill("Kommunane og sjukehuset har eit nytt forløp.")
    submit(kari, "main form.form-narrow")
    check_axe(kari, "my contributions")

    visit(sigrid, f"/nyhetsbrev/redaksjon/{newsletter.slug}/", "editorial page")
    contribution = newsletter.contributions.get()
    visit(sigrid, f"/nyhetsbrev/redaksjon/innspill/{contribution.pk}/", "decision form")
    sigrid.locator("input[name=decision][value=accept]").check()
    submit(sigrid, "main form.form-narrow")
    check_axe(sigrid, "issue page")
    with sigrid.expect_navigation():
        sigrid.locator("form[action$='/send/'] button").click()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT

    visit(visitor, f"/nyhetsbrev/{newsletter.slug}/", "archive")
    visit(visitor, issue.get_public_url(), "public issue", language="nn")
    expect(visitor.locator("main")).to_contain_text("E2E: Nytt forløp")

    # The same pages in nynorsk.
    for page, paths in (
        (visitor, ["/arrangementer/", event.get_absolute_url(), "/nyhetsbrev/", f"/nyhetsbrev/{newsletter.slug}/"]),
        (sigrid, [f"/arrangementer/{event.pk}/deltakere/", f"/nyhetsbrev/redaksjon/{newsletter.slug}/"]),
    ):
        with page.expect_navigation():
            page.locator(LANGUAGE_BUTTON.format("nn")).click()
        for path in paths:
            visit(page, path, "nynorsk", language="nn")
    assert not problems, "\n".join(problems)
