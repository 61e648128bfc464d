"""The newsletter services: double opt-in with history, unsubscribing, contributions and the editorial decision,
sanitising, "Viktige datoer", and sending that is resumable and never sends anybody the issue twice."""

import re
from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from samhandling.core.models import AuditEvent
from samhandling.newsletter import mail as news_mail
from samhandling.newsletter import selectors, services
from samhandling.newsletter.content import sanitise, to_text
from samhandling.newsletter.models import (
    ContributionStatus,
    Delivery,
    DeliveryStatus,
    IssueStatus,
    Subscriber,
    SubscriptionStatus,
)

from .conftest import add_subscriber


def test_double_opt_in_confirms_by_the_link_and_keeps_the_history(news, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.subscribe(newsletter=news.newsletter, email="Anne@Example.no", base_url="http://testserver/")
    subscriber = Subscriber.objects.get(email="anne@example.no")
    assert subscriber.status == SubscriptionStatus.UNCONFIRMED
    [message] = mail.outbox
    assert message.subject == "Stadfest abonnementet: Nyheitsbrev Vestfold"
    token = re.search(r"http://testserver/nyhetsbrev/bekreft/([^/\s]+)/", message.body).group(1)
    assert services.subscriber_from_confirm_token(token) == subscriber
    services.subscription_confirm(subscriber=subscriber)
    services.unsubscribe(subscriber=subscriber, via="one_click")
    with django_capture_on_commit_callbacks(execute=True):
        services.subscribe(newsletter=news.newsletter, email="anne@example.no")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriptionStatus.UNCONFIRMED
    history = list(subscriber.history.values_list("new", "via"))
    assert history == [
        ("unconfirmed", "form"),
        ("confirmed", "link"),
        ("unsubscribed", "one_click"),
        ("unconfirmed", "form"),
    ]


def test_a_confirmation_link_expires_and_a_forged_one_is_refused(news, monkeypatch):
    subscriber = add_subscriber(news.newsletter, "anne@example.no", SubscriptionStatus.UNCONFIRMED)
    token = services.confirm_token(subscriber)
    assert services.subscriber_from_confirm_token(token[:-3] + "abc") is None
    monkeypatch.setattr(services, "CONFIRM_MAX_AGE", timedelta(seconds=-1))
    assert services.subscriber_from_confirm_token(token) is None


def test_subscribing_twice_sends_nothing_to_a_confirmed_subscriber(news, django_capture_on_commit_callbacks):
    add_subscriber(news.newsletter, "anne@example.no")
    with django_capture_on_commit_callbacks(execute=True):
        services.subscribe(newsletter=news.newsletter, email="anne@example.no")
    assert mail.outbox == []


def test_rich_text_is_sanitised_and_plain_text_becomes_paragraphs():
    dirty = '<p onclick="x()">Hei <script>alert(1)</script><a href="javascript:evil()">lenke</a></p><img src=x>'
    clean = sanitise(dirty)
    assert "script" not in clean and "onclick" not in clean and "javascript" not in clean and "<img" not in clean
    assert sanitise("Første avsnitt.\n\nAndre <avsnitt>.") == "<p>Første avsnitt.</p>\n\n<p>Andre &lt;avsnitt&gt;.</p>"
    assert (
        to_text('<p>Les <a href="https://x.no/a">her</a>.</p><ul><li>én</li></ul>')
        == "Les her (https://x.no/a).\n\n- én"
    )


def test_any_member_contributes_and_the_editor_accepts_with_changes_and_a_message(
    news, django_capture_on_commit_callbacks
):
    news.kari.email = "kari@example.no"
    news.kari.save()
    contribution = services.contribution_submit(
        actor=news.kari, newsletter=news.newsletter, issue=news.issue, title="Nytt pasientforløp", body="Lang tekst."
    )
    assert contribution.status == ContributionStatus.SUBMITTED
    section = news.newsletter.sections.first()
    with django_capture_on_commit_callbacks(execute=True):
        services.contribution_decide(
            actor=news.sigrid,
            contribution=contribution,
            decision="accept",
            title="Nytt forløp i Vestfold",
            body="Kortare tekst.",
            section=section,
            message="Takk, vi kutta litt.",
        )
    contribution.refresh_from_db()
    assert contribution.status == ContributionStatus.ACCEPTED
    assert (contribution.title, contribution.body, contribution.issue) == (
        "Nytt forløp i Vestfold",
        "<p>Kortare tekst.</p>",
        news.issue,
    )
    [message] = mail.outbox
    assert message.to == ["kari@example.no"]
    assert "Takk, vi kutta litt." in message.body
    assert [g.section for g in selectors.issue_layout(news.issue)] == [section]


def test_a_member_of_another_community_contributes_but_cannot_decide(news):
    contribution = services.contribution_submit(
        actor=news.ola, newsletter=news.newsletter, title="Frå Bodø", body="Tekst."
    )
    assert contribution.helsefellesskap.code != "VES"
    with pytest.raises(PermissionDenied):
        services.contribution_decide(actor=news.ola, contribution=contribution, decision="accept", issue=news.issue)
    with pytest.raises(Http404):
        selectors.contribution_for_editor(news.ola, contribution.pk)


def test_hold_and_decline(news):
    held = services.contribution_submit(
        actor=news.kari, newsletter=news.newsletter, issue=news.issue, title="Seinare", body="x"
    )
    services.contribution_decide(actor=news.sigrid, contribution=held, decision="hold", message="Neste gong.")
    held.refresh_from_db()
    assert (held.status, held.issue) == (ContributionStatus.HELD, None)
    assert held in selectors.undecided_contributions(news.newsletter)
    declined = services.contribution_submit(actor=news.kari, newsletter=news.newsletter, title="Nei", body="x")
    services.contribution_decide(actor=news.sigrid, contribution=declined, decision="decline")
    declined.refresh_from_db()
    assert declined.status == ContributionStatus.DECLINED
    with pytest.raises(ValidationError):
        services.contribution_decide(actor=news.sigrid, contribution=declined, decision="accept", issue=news.issue)


def test_a_contribution_for_an_issue_past_its_deadline_is_refused(news):
    news.issue.input_deadline = timezone.localdate() - timedelta(days=1)
    news.issue.save()
    with pytest.raises(ValidationError) as error:
        services.contribution_submit(
            actor=news.kari, newsletter=news.newsletter, issue=news.issue, title="For seint", body="x"
        )
    assert "issue" in error.value.message_dict


def test_important_dates_come_from_events_and_public_meetings_in_the_period(news):
    from samhandling.events import services as events
    from samhandling.governance import services as governance
    from samhandling.governance.models import BodyKind

    start = timezone.now() + timedelta(days=10)
    common = {
        "kind": "konferanse",
        "audience": "everyone",
        "summary": "x",
        "place": "Tønsberg",
        "ends_at": start + timedelta(hours=5),
    }
    inside = events.event_create(
        actor=news.sigrid, community=news.vestfold, title="Helsekonferansen", starts_at=start, **common
    )
    events.event_publish(actor=news.sigrid, event=inside)
    late = start + timedelta(days=200)
    outside = events.event_create(
        actor=news.sigrid,
        community=news.vestfold,
        title="Neste år",
        starts_at=late,
        **{**common, "ends_at": late + timedelta(hours=1)},
    )
    events.event_publish(actor=news.sigrid, event=outside)
    body = governance.body_create(actor=news.sigrid, community=news.vestfold, kind=BodyKind.SSU, name="SSU Testfold")
    governance.meeting_plan(actor=news.sigrid, body=body, date=date.today() + timedelta(days=30), start_time=time(9))
    issue = services.issue_generate_dates(actor=news.sigrid, issue=news.issue)
    lines = issue.important_dates.splitlines()
    assert any("Helsekonferansen" in line for line in lines)
    assert any("SSU Testfold" in line for line in lines)
    assert not any("Neste år" in line for line in lines)
    month = timezone.localtime(start).month
    nynorsk = {1: "januar", 2: "februar", 3: "mars", 4: "april", 5: "mai", 6: "juni", 7: "juli", 8: "august"}
    nynorsk |= {9: "september", 10: "oktober", 11: "november", 12: "desember"}
    assert nynorsk[month] in lines[0]


def test_sending_writes_one_delivery_per_confirmed_subscriber_and_sends_each_once(
    news, django_capture_on_commit_callbacks
):
    for address in ("a@example.no", "b@example.no", "c@example.no"):
        add_subscriber(news.newsletter, address)
    add_subscriber(news.newsletter, "waiting@example.no", SubscriptionStatus.UNCONFIRMED)
    add_subscriber(news.newsletter, "gone@example.no", SubscriptionStatus.UNSUBSCRIBED)
    with django_capture_on_commit_callbacks(execute=False):
        services.issue_send(actor=news.sigrid, issue=news.issue, base_url="http://testserver/")
    assert Delivery.objects.filter(issue=news.issue).count() == 3
    assert news_mail.send_pending(news.issue.pk, rate=0) == 3
    assert news_mail.send_pending(news.issue.pk, rate=0) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.no", "b@example.no", "c@example.no"]
    news.issue.refresh_from_db()
    assert news.issue.status == IssueStatus.SENT
    assert list(selectors.sent_issues(news.newsletter)) == [news.issue]
    assert AuditEvent.objects.filter(action="newsletter.issue.sent", target_id=str(news.issue.pk)).count() == 1


def test_a_killed_sender_resumes_without_sending_twice(news, django_capture_on_commit_callbacks):
    """A sender killed mid-run leaves one row claimed (in flight) and the rest pending: the next run sends the
    pending ones; the one in flight goes again only once its claim is stale, with the same Message-ID."""
    for index in range(5):
        add_subscriber(news.newsletter, f"p{index}@example.no")
    with django_capture_on_commit_callbacks(execute=False):
        services.issue_send(actor=news.sigrid, issue=news.issue, base_url="http://testserver/")
    rows = list(Delivery.objects.filter(issue=news.issue).order_by("pk"))
    Delivery.objects.filter(pk__in=[r.pk for r in rows[:2]]).update(status=DeliveryStatus.SENT, sent_at=timezone.now())
    Delivery.objects.filter(pk=rows[2].pk).update(status=DeliveryStatus.SENDING, claimed_at=timezone.now())
    assert news_mail.send_pending(news.issue.pk, rate=0) == 2
    news.issue.refresh_from_db()
    assert news.issue.status == IssueStatus.SENDING  # one still in flight
    later = timezone.now() + news_mail.STALE_CLAIM + timedelta(seconds=1)
    assert news_mail.send_pending(news.issue.pk, rate=0, now=later) == 1
    news.issue.refresh_from_db()
    assert news.issue.status == IssueStatus.SENT
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(ids) == len(set(ids)) == 3


def test_the_rate_limit_spaces_the_messages(news, django_capture_on_commit_callbacks):
    import time as clock

    for index in range(4):
        add_subscriber(news.newsletter, f"r{index}@example.no")
    with django_capture_on_commit_callbacks(execute=False):
        services.issue_send(actor=news.sigrid, issue=news.issue)
    started = clock.monotonic()
    news_mail.send_pending(news.issue.pk, rate=20)
    assert clock.monotonic() - started >= 0.18


def test_a_scheduled_issue_starts_once_its_time_has_come(news, django_capture_on_commit_callbacks):
    add_subscriber(news.newsletter, "a@example.no")
    services.issue_schedule(actor=news.sigrid, issue=news.issue, send_at=timezone.now() + timedelta(hours=1))
    assert services.start_scheduled_issues() == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.start_scheduled_issues(now=timezone.now() + timedelta(hours=2)) == [news.issue.pk]
    news.issue.refresh_from_db()
    assert news.issue.status == IssueStatus.SENT
    assert services.start_scheduled_issues(now=timezone.now() + timedelta(hours=2)) == []


def test_only_editors_edit_and_send(news):
    from samhandling.core.permissions import can

    assert can(news.sigrid, "newsletter.edit", news.newsletter)
    for persona in (news.kari, news.ola):
        assert not can(persona, "newsletter.edit", news.newsletter)
        with pytest.raises(PermissionDenied):
            services.issue_send(actor=persona, issue=news.issue)
    news.newsletter.editors.add(news.ola)
    assert can(news.ola, "newsletter.edit", news.newsletter)


def test_contributions_to_decide_are_in_the_editors_tasks(news):
    from samhandling.core.todo import todo_for

    services.contribution_submit(actor=news.kari, newsletter=news.newsletter, title="T", body="x")
    [item] = [i for i in todo_for(news.sigrid) if "Nyheitsbrev Vestfold" in str(i.title)]
    assert item.due == news.issue.input_deadline
    assert not [i for i in todo_for(news.kari) if "Nyheitsbrev Vestfold" in str(i.title)]
