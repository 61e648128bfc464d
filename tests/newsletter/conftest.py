"""Fixtures for the newsletter: Vestfold's newsletter in nynorsk, run by its secretariat (sigrid), with an issue for
the coming month; and a real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from datetime import timedelta
from email import message_from_bytes, policy
from types import SimpleNamespace

import pytest
from django.utils import timezone

from samhandling.core.models import Helsefellesskap
from samhandling.newsletter import services
from samhandling.newsletter.models import Subscriber, SubscriptionStatus


@pytest.fixture
def news(demo):
    vestfold = Helsefellesskap.objects.get(code="VES")
    newsletter = services.newsletter_create(
        actor=demo.sigrid, community=vestfold, name="Nyheitsbrev Vestfold", default_language="nn"
    )
    today = timezone.localdate()
    issue = services.issue_create(
        actor=demo.sigrid,
        newsletter=newsletter,
        title="Nyheitsbrev desember",
        language="nn",
        period_start=today,
        period_end=today + timedelta(days=60),
        input_deadline=today + timedelta(days=7),
        intro="Velkomen til nyheitsbrevet.",
    )
    return SimpleNamespace(
        demo=demo,
        sigrid=demo.sigrid,
        kari=demo.kari,
        ola=demo.ola,
        vestfold=vestfold,
        newsletter=newsletter,
        issue=issue,
    )


def add_subscriber(newsletter, email, status=SubscriptionStatus.CONFIRMED, language="nn"):
    return Subscriber.objects.create(newsletter=newsletter, email=email, status=status, language=language)


class Received:
    """What the loopback SMTP server got: (envelope recipients, parsed message) pairs."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1, with Django's SMTP backend pointed at it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Received()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        controller.stop()
