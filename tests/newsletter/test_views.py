"""The newsletter pages: the public archive with lang="nb"/"nn" and the Atom feed, subscribing and one-click
unsubscribing without log-in, contributions, the editor's pages and who may open them."""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from samhandling.core.models import AuditEvent
from samhandling.newsletter import services
from samhandling.newsletter.models import Contribution, Issue, IssueStatus, Subscriber, SubscriptionStatus

from .conftest import add_subscriber


def _send(news, django_capture_on_commit_callbacks):
    contribution = services.contribution_submit(
        actor=news.kari, newsletter=news.newsletter, issue=news.issue, title="Pasientforløp Intoks", body="Tekst."
    )
    services.contribution_decide(
        actor=news.sigrid, contribution=contribution, decision="accept", section=news.newsletter.sections.first()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_send(actor=news.sigrid, issue=news.issue, base_url="http://testserver/")
    news.issue.refresh_from_db()
    return news.issue


def test_the_archive_shows_sent_issues_in_their_language(client, news, django_capture_on_commit_callbacks):
    archive = client.get(reverse("newsletter:archive", args=[news.newsletter.slug]))
    assert "Nyheitsbrev desember" not in archive.text  # not sent yet
    assert client.get(news.issue.get_public_url()).status_code == 404
    issue = _send(news, django_capture_on_commit_callbacks)
    page = client.get(issue.get_public_url())
    assert page.status_code == 200
    assert '<html lang="nn"' in page.text
    assert "Pasientforløp Intoks" in page.text and "Nytt frå helsefellesskapa" in page.text
    assert "Nyheitsbrev desember" in client.get(reverse("newsletter:archive", args=[news.newsletter.slug])).text


def test_the_atom_feed_lists_sent_issues(client, news, django_capture_on_commit_callbacks):
    issue = _send(news, django_capture_on_commit_callbacks)
    response = client.get(reverse("newsletter:feed", args=[news.newsletter.slug]))
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314  (our own feed)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    [entry] = root.findall("a:entry", ns)
    assert entry.find("a:title", ns).text == issue.title
    assert entry.find("a:link", ns).attrib["href"].endswith(issue.get_public_url())


def test_subscribing_keeps_what_was_typed_on_error_and_answers_the_same_for_known_addresses(client, news):
    url = reverse("newsletter:subscribe", args=[news.newsletter.slug])
    bad = client.post(url, {"email": "ikkje-ei-adresse", "name": "Anne Ås", "language": "nn"})
    assert bad.status_code == 400 and "Anne Ås" in bad.text
    add_subscriber(news.newsletter, "known@example.no")
    first = client.post(url, {"email": "new@example.no", "language": "nb"}, follow=True)
    second = client.post(url, {"email": "known@example.no", "language": "nb"}, follow=True)
    assert first.status_code == second.status_code == 200
    assert [str(m) for m in first.context["messages"]] == [str(m) for m in second.context["messages"]]


def test_the_confirmation_page_confirms_only_on_post(client, news):
    subscriber = add_subscriber(news.newsletter, "anne@example.no", SubscriptionStatus.UNCONFIRMED)
    url = reverse("newsletter:confirm", args=[services.confirm_token(subscriber)])
    assert client.get(url).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriptionStatus.UNCONFIRMED  # a link checker's GET confirms nothing
    client.post(url)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriptionStatus.CONFIRMED
    assert client.get(reverse("newsletter:confirm", args=["forged"])).status_code == 404


def test_one_click_unsubscribe_works_without_a_session_or_csrf_token(news):
    subscriber = add_subscriber(news.newsletter, "anne@example.no")
    url = reverse("newsletter:unsubscribe", args=[services.unsubscribe_token(subscriber)])
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriptionStatus.UNSUBSCRIBED
    assert subscriber.history.last().via == "one_click"


def test_a_get_of_the_unsubscribe_link_only_asks(client, news):
    subscriber = add_subscriber(news.newsletter, "anne@example.no")
    url = reverse("newsletter:unsubscribe", args=[services.unsubscribe_token(subscriber)])
    assert client.get(url).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriptionStatus.CONFIRMED
    client.post(url)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriptionStatus.UNSUBSCRIBED


def test_a_member_sends_a_contribution_and_follows_it(client, news):
    client.force_login(news.ola)
    response = client.post(
        reverse("newsletter:contribute"),
        {"newsletter": news.newsletter.pk, "issue": news.issue.pk, "title": "Frå Nordland", "body": "Tekst"},
    )
    assert response.status_code == 302
    assert Contribution.objects.get(title="Frå Nordland").author == news.ola
    assert "Frå Nordland" in client.get(reverse("newsletter:my_contributions")).text


def test_a_contribution_without_text_comes_back_with_the_title(client, news):
    client.force_login(news.kari)
    response = client.post(
        reverse("newsletter:contribute"), {"newsletter": news.newsletter.pk, "title": "Berre tittel"}
    )
    assert response.status_code == 400 and "Berre tittel" in response.text


def test_the_editor_decides_arranges_previews_and_sends(client, news, django_capture_on_commit_callbacks):
    contribution = services.contribution_submit(
        actor=news.kari, newsletter=news.newsletter, issue=news.issue, title="Innspel", body="Tekst"
    )
    add_subscriber(news.newsletter, "a@example.no")
    client.force_login(news.sigrid)
    assert client.get(reverse("newsletter:editor", args=[news.newsletter.slug])).status_code == 200
    section = news.newsletter.sections.last()
    response = client.post(
        reverse("newsletter:contribution_decide", args=[contribution.pk]),
        {"decision": "accept", "issue": news.issue.pk, "section": section.pk, "title": "Innspel", "body": "Ny tekst"},
    )
    assert response.status_code == 302
    client.post(
        reverse("newsletter:issue_arrange", args=[news.issue.pk]),
        {f"section_{contribution.pk}": section.pk, f"position_{contribution.pk}": "3"},
    )
    contribution.refresh_from_db()
    assert (contribution.section, contribution.position) == (section, 3)
    for fmt, language in (("e-post", "nb"), ("e-post", "nn"), ("tekst", "nn"), ("nett", "nb"), ("nett", "nn")):
        preview = client.get(reverse("newsletter:issue_preview", args=[news.issue.pk, fmt]), {"sprak": language})
        assert preview.status_code == 200 and "Ny tekst" in preview.text
    nb = client.get(reverse("newsletter:issue_preview", args=[news.issue.pk, "e-post"]), {"sprak": "nb"}).text
    nn = client.get(reverse("newsletter:issue_preview", args=[news.issue.pk, "e-post"]), {"sprak": "nn"}).text
    assert "Les i nettleseren" in nb and "Les i nettlesaren" in nn
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("newsletter:issue_act", args=[news.issue.pk, "test"]), {"email": "me@example.no", "language": "nb"}
        )
        client.post(reverse("newsletter:issue_act", args=[news.issue.pk, "send"]))
    news.issue.refresh_from_db()
    assert news.issue.status == IssueStatus.SENT


def test_the_subscriber_list_is_for_editors_and_its_export_is_logged(client, news):
    add_subscriber(news.newsletter, "anne@example.no")
    url = reverse("newsletter:subscribers", args=[news.newsletter.slug])
    client.force_login(news.sigrid)
    assert "anne@example.no" in client.get(url).text
    export = client.get(url, {"format": "csv"})
    assert "anne@example.no" in export.content.decode("utf-8-sig")
    assert AuditEvent.objects.filter(action="newsletter.subscribers.exported").count() == 1


@pytest.mark.parametrize("persona", ["kari", "ola"])
def test_others_cannot_open_the_editor_pages(client, news, persona):
    contribution = services.contribution_submit(actor=news.kari, newsletter=news.newsletter, title="T", body="x")
    add_subscriber(news.newsletter, "anne@example.no")
    client.force_login(getattr(news, persona))
    for url in (
        reverse("newsletter:editor", args=[news.newsletter.slug]),
        reverse("newsletter:subscribers", args=[news.newsletter.slug]),
        reverse("newsletter:issue_edit", args=[news.issue.pk]),
        reverse("newsletter:issue_preview", args=[news.issue.pk, "e-post"]),
        reverse("newsletter:contribution_decide", args=[contribution.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("newsletter:issue_act", args=[news.issue.pk, "send"])).status_code == 404
    assert Issue.objects.get(pk=news.issue.pk).status == IssueStatus.DRAFT
    assert "anne@example.no" not in client.get(reverse("newsletter:archive", args=[news.newsletter.slug])).text


def test_anonymous_visitors_cannot_contribute_or_edit(client, news):
    assert client.get(reverse("newsletter:contribute")).status_code == 302
    assert client.get(reverse("newsletter:editor", args=[news.newsletter.slug])).status_code == 302
    assert client.get(reverse("newsletter:index")).status_code == 200
    assert not Subscriber.objects.exists()


def test_the_secretariat_starts_a_newsletter_for_its_community_only(client, news):
    url = reverse("newsletter:newsletter_create")
    client.force_login(news.sigrid)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"community": str(news.vestfold.pk), "name": "Fagnytt Vestfold", "default_language": "nb"}
    )
    assert response.status_code == 302
    created = services.Newsletter.objects.get(name="Fagnytt Vestfold")
    assert created.helsefellesskap == news.vestfold
    assert created.sections.first().title == "Nytt fra helsefellesskapene"
    refused = client.post(url, {"community": "nasjonalt", "name": "Nasjonal", "default_language": "nb"})
    assert refused.status_code == 400
    client.force_login(news.kari)
    assert client.get(url).status_code == 403


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 75, 141)).save(out, "PNG")
    return out.getvalue()


def test_a_contribution_with_a_picture_needs_alt_text_and_the_picture_is_public_once_sent(
    client, news, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core import mail
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(news.kari)
    data = {"newsletter": news.newsletter.pk, "issue": news.issue.pk, "title": "Med bilete", "body": "Tekst"}
    missing_alt = client.post(reverse("newsletter:contribute"), {**data, "image": SimpleUploadedFile("a.png", _png())})
    assert missing_alt.status_code == 400 and "Med bilete" in missing_alt.text
    not_image = client.post(
        reverse("newsletter:contribute"),
        {**data, "image": SimpleUploadedFile("a.png", b"not a picture"), "image_alt": "x"},
    )
    assert not_image.status_code == 400
    ok = client.post(
        reverse("newsletter:contribute"),
        {**data, "image": SimpleUploadedFile("a.png", _png()), "image_alt": "Kart over Vestfold"},
    )
    assert ok.status_code == 302
    contribution = Contribution.objects.get(title="Med bilete")
    image_url = reverse("newsletter:contribution_image", args=[contribution.pk])
    assert client.get(image_url).status_code == 200  # the author
    client.logout()
    assert client.get(image_url).status_code == 404  # not public before the issue is sent
    services.contribution_decide(
        actor=news.sigrid, contribution=contribution, decision="accept", section=news.newsletter.sections.first()
    )
    add_subscriber(news.newsletter, "les@example.no")
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_send(actor=news.sigrid, issue=news.issue, base_url="http://testserver/")
    assert client.get(image_url).status_code == 200
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert f'src="http://testserver{image_url}" alt="Kart over Vestfold"' in html
    assert "[Bilete: Kart over Vestfold]" in message.body


def test_the_editor_renames_reorders_adds_and_removes_sections(client, news):
    first, second, third = news.newsletter.sections.all()
    client.force_login(news.sigrid)
    url = reverse("newsletter:sections", args=[news.newsletter.slug])
    client.post(
        url,
        {
            f"title_{first.pk}": "Nytt frå kommunane",
            f"position_{first.pk}": "2",
            f"title_{second.pk}": "Nasjonalt",
            f"position_{second.pk}": "0",
            f"title_{third.pk}": "",
            "new_title": "Forsking",
        },
    )
    assert list(news.newsletter.sections.values_list("title", flat=True)) == [
        "Nasjonalt",
        "Nytt frå kommunane",
        "Forsking",
    ]
    duplicate = client.post(url, {"new_title": "nasjonalt"}, follow=True)
    assert "To seksjoner kan ikke ha samme tittel." in duplicate.text
    assert news.newsletter.sections.count() == 3
    client.force_login(news.kari)
    assert client.post(url, {"new_title": "Kapra"}).status_code == 404


def test_the_editor_schedules_an_issue_and_a_time_in_the_past_is_refused(client, news):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(news.sigrid)
    url = reverse("newsletter:issue_act", args=[news.issue.pk, "planlegg"])
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(url, {"send_at": past}, follow=True)
    assert "Velg et tidspunkt fram i tid." in refused.text
    assert Issue.objects.get(pk=news.issue.pk).status == IssueStatus.DRAFT
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(url, {"send_at": future})
    assert Issue.objects.get(pk=news.issue.pk).status == IssueStatus.SCHEDULED
    client.post(reverse("newsletter:issue_act", args=[news.issue.pk, "avbryt-planlegging"]))
    assert Issue.objects.get(pk=news.issue.pk).status == IssueStatus.DRAFT
