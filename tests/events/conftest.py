"""Fixtures for the events module: Vestfold's secretariat (sigrid) organises a published fagdag with two seats and a
question, registration open now."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from samhandling.core.models import Helsefellesskap
from samhandling.events import services


def make_event(organiser, community, **overrides):
    start = timezone.now() + timedelta(days=10)
    fields = {
        "title": "Fagdag om samhandling",
        "kind": "fagdag",
        "audience": "professionals",
        "topic": "Psykisk helse",
        "language": "nb",
        "summary": "En dag om gode overganger.",
        "programme": "09.00 Velkommen\n10.00 Foredrag",
        "starts_at": start,
        "ends_at": start + timedelta(hours=6),
        "place": "Tønsberg rådhus",
        "video_link": "",
        "registration_required": True,
        "registration_opens_at": None,
        "registration_closes_at": None,
        "capacity": 2,
        "moderation": False,
        "login_required": False,
        "questions": ["Kost"],
        "retention_days": 90,
    }
    fields.update(overrides)
    event = services.event_create(actor=organiser, community=community, **fields)
    return services.event_publish(actor=organiser, event=event)


@pytest.fixture
def ev(demo):
    vestfold = Helsefellesskap.objects.get(code="VES")
    return SimpleNamespace(
        demo=demo,
        sigrid=demo.sigrid,
        ola=demo.ola,
        kari=demo.kari,
        vestfold=vestfold,
        event=make_event(demo.sigrid, vestfold),
    )


def sign_up(event, name, **kwargs):
    kwargs.setdefault("consent", True)
    return services.registration_create(
        event=event, name=name, email=f"{name.lower()}@example.no", base_url="http://testserver/", **kwargs
    )
