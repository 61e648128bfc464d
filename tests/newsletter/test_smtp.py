"""Real e-mail: the newsletter and an event confirmation go through an SMTP server on loopback (aiosmtpd), and the
received messages are read back: headers, both parts, links that work, and an .ics that validates."""

import re
from datetime import timedelta

import vobject
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from samhandling.events import services as events
from samhandling.newsletter import services
from samhandling.newsletter.models import Subscriber, SubscriptionStatus

from .conftest import add_subscriber


def _parts(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_the_issue_arrives_with_one_click_unsubscribe_both_parts_and_working_links(
    news, smtp_server, django_capture_on_commit_callbacks
):
    contribution = services.contribution_submit(
        actor=news.kari,
        newsletter=news.newsletter,
        issue=news.issue,
        title="Helsekonferansen",
        body="<p>Tema: <strong>samarbeid</strong>.</p>",
        link="https://example.no/konferanse",
    )
    services.contribution_decide(
        actor=news.sigrid, contribution=contribution, decision="accept", section=news.newsletter.sections.first()
    )
    add_subscriber(news.newsletter, "anne@example.no")
    add_subscriber(news.newsletter, "bjorn@example.no", language="nb")
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_send(actor=news.sigrid, issue=news.issue, base_url="http://testserver/")
    assert sorted(rcpt[0] for rcpt, _m in smtp_server.messages) == ["anne@example.no", "bjorn@example.no"]
    _rcpt, message = next(pair for pair in smtp_server.messages if pair[0] == ["anne@example.no"])
    assert message["Subject"] == "Nyheitsbrev Vestfold: Nyheitsbrev desember"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(
        r"<(http://testserver/nyhetsbrev/avmeld/[^>]+/)>", message["List-Unsubscribe"].strip()
    ).group(1)
    assert re.fullmatch(r"<newsletter-\d+-\d+@[\w.-]+>", message["Message-ID"])
    assert message["Date"]
    text, html = _parts(message)
    assert "Helsekonferansen" in text and "samarbeid" in text and "<strong>" not in text
    assert "https://example.no/konferanse" in text
    assert unsubscribe in text and unsubscribe in html
    assert 'style="' in html  # the CSS is inlined
    assert '<html lang="nn">' in html
    web = re.search(r'href="(http://testserver/nyhetsbrev/[^"]+/)"', html).group(1)
    client = Client(enforce_csrf_checks=True)
    page = client.get(web.removeprefix("http://testserver"))
    assert page.status_code == 200 and "Helsekonferansen" in page.text
    response = client.post(
        unsubscribe.removeprefix("http://testserver"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Subscriber.objects.get(email="anne@example.no").status == SubscriptionStatus.UNSUBSCRIBED


def test_the_event_confirmation_arrives_with_a_valid_ics_and_a_withdrawal_link(
    news, smtp_server, django_capture_on_commit_callbacks
):
    start = timezone.now() + timedelta(days=14)
    event = events.event_create(
        actor=news.sigrid,
        community=news.vestfold,
        title="Dialogmøte om e-helse",
        kind="dialogmote",
        audience="everyone",
        summary="Om digital samhandling.",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Tønsberg",
        registration_required=True,
        capacity=10,
    )
    events.event_publish(actor=news.sigrid, event=event)
    with django_capture_on_commit_callbacks(execute=True):
        events.registration_create(
            event=event, name="Anne", email="anne@example.no", consent=True, base_url="http://testserver/"
        )
    [(rcpt, message)] = smtp_server.messages
    assert rcpt == ["anne@example.no"]
    assert message["Subject"] == "Påmelding bekreftet: Dialogmøte om e-helse"
    assert message["Message-ID"] and message["Date"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    withdraw = re.search(r"(http://testserver/arrangementer/pamelding/\S+/)", body).group(1)
    [attachment] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    content = attachment.get_payload(decode=True)
    [vevent] = Calendar.from_ical(content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Dialogmøte om e-helse"
    assert vobject.readOne(content.decode("utf-8")).vevent.summary.value == "Dialogmøte om e-helse"
    client = Client()
    assert client.get(withdraw.removeprefix("http://testserver")).status_code == 200
