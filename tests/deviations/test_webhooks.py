"""Webhooks to the organisations' own deviation systems, against a real HTTP server on loopback."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from samhandling.deviations import services
from samhandling.deviations.models import Deviation, WebhookDelivery
from samhandling.deviations.services import webhooks

from .conftest import PATIENT_ID

COVERED_URL_NAMES = {"integrations", "webhook_callback"}


class Receiver:
    """A stand-in for Synergi & co: records what it gets and answers as told."""

    def __init__(self):
        self.calls: list[tuple[dict, dict]] = []
        self.status = 200
        self.answer = {"external_case_id": "SYN-4711"}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append((dict(self.headers), json.loads(body), body))
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(receiver.answer).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/samhandling"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.SAMHANDLING_ALLOW_HTTP_WEBHOOKS = True
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def hospital_hook(demo, units, receiver):
    hook, secret = webhooks.webhook_configure(actor=demo.sigrid, organisation=units["clinic"].root, url=receiver.url)
    return hook, secret


def test_a_new_case_is_posted_signed_and_without_details(demo, report_data, receiver, hospital_hook):
    _hook, secret = hospital_hook
    case = services.deviation_send(
        actor=demo.kari, case=services.deviation_save_draft(actor=demo.kari, data=report_data())
    )
    counts = webhooks.deliver_pending(base_url="https://samhandling.example")
    assert counts == {"delivered": 1, "retrying": 0, "failed": 0}
    headers, body, raw = receiver.calls[0]
    assert body["reference"] == case.reference and body["to"]["unit"] == "Medisinsk klinikk (demo)"
    assert webhooks.signature_matches(secret, raw, headers[webhooks.SIGNATURE_HEADER])
    text = raw.decode()
    for secret_text in (PATIENT_ID, "Ola Testpasient", "epikrise", "Kari Nordmann"):
        assert secret_text not in text
    case.refresh_from_db()
    assert case.external_case_id == "SYN-4711"


def test_running_the_delivery_twice_posts_once(demo, sent_case, receiver, hospital_hook):
    webhooks.enqueue(sent_case, "deviation.submitted")
    webhooks.deliver_pending(base_url="https://samhandling.example")
    webhooks.deliver_pending(base_url="https://samhandling.example")
    assert len(receiver.calls) == 1


def test_a_failing_receiver_is_retried_later_and_then_given_up(demo, sent_case, receiver, hospital_hook):
    receiver.status = 503
    delivery = webhooks.enqueue(sent_case, "deviation.submitted")
    now = timezone.now()
    for attempt in range(webhooks.MAX_ATTEMPTS):
        webhooks.deliver_pending(base_url="https://x.example", now=now)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt + 1
        now = delivery.next_attempt_at + timedelta(seconds=1)
    assert delivery.status == WebhookDelivery.FAILED
    assert delivery.last_status_code == 503


def test_a_unit_without_its_own_hook_uses_its_organisations(demo, units, hospital_hook):
    hook, _secret = hospital_hook
    assert webhooks.webhook_for(units["ward"]) == hook
    assert webhooks.webhook_for(units["home_nursing"]) is None


def test_only_https_addresses_in_production(demo, units, settings):
    settings.SAMHANDLING_ALLOW_HTTP_WEBHOOKS = False
    with pytest.raises(ValidationError):
        webhooks.webhook_configure(actor=demo.sigrid, organisation=units["gp"], url="http://synergi.example/in")


def test_only_the_secretariat_connects_a_system(demo, units):
    with pytest.raises(PermissionDenied):
        webhooks.webhook_configure(actor=demo.per, organisation=units["clinic"].root, url="https://x.example/")


def test_the_callback_stores_the_external_id_when_the_signature_matches(client, demo, sent_case, hospital_hook):
    _hook, secret = hospital_hook
    body = json.dumps({"reference": sent_case.reference, "external_case_id": "EQS-99"}).encode()
    wrong = client.post(
        "/avvik/webhook/ekstern-id/",
        body,
        content_type="application/json",
        headers={webhooks.SIGNATURE_HEADER: webhooks.sign("not-the-secret", body)},
    )
    assert wrong.status_code == 403
    assert Deviation.objects.get(pk=sent_case.pk).external_case_id == ""
    right = client.post(
        "/avvik/webhook/ekstern-id/",
        body,
        content_type="application/json",
        headers={webhooks.SIGNATURE_HEADER: webhooks.sign(secret, body)},
    )
    assert right.status_code == 200
    assert Deviation.objects.get(pk=sent_case.pk).external_case_id == "EQS-99"


def test_the_callback_refuses_nonsense(client, demo):
    assert client.post("/avvik/webhook/ekstern-id/", b"{", content_type="application/json").status_code == 400
    assert client.get("/avvik/webhook/ekstern-id/").status_code == 405


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("sigrid", 200), ("tove", 200), ("per", 403), ("kari", 403), ("ola", 403), ("anonymous", 302)],
)
def test_the_integrations_page_is_for_the_secretariat(client, demo, persona, expected):
    if persona != "anonymous":
        client.force_login(getattr(demo, persona))
    assert client.get("/avvik/innstillinger/integrasjoner/").status_code == expected


def test_the_secret_is_shown_once_when_a_hook_is_made(client, demo, units, settings):
    settings.SAMHANDLING_ALLOW_HTTP_WEBHOOKS = False
    client.force_login(demo.sigrid)
    organisation = units["gp"]
    bad = client.post(
        f"/avvik/innstillinger/integrasjoner/?org={organisation.pk}",
        {"form": "webhook", "organisation": organisation.pk, "url": "http://insecure.example/", "active": "on"},
    )
    assert "url" in bad.context["form"].errors
    good = client.post(
        f"/avvik/innstillinger/integrasjoner/?org={organisation.pk}",
        {"form": "webhook", "organisation": organisation.pk, "url": "https://landax.example/in", "active": "on"},
    )
    assert good.status_code == 200 and good.context["secret"]
    again = client.get(f"/avvik/innstillinger/integrasjoner/?org={organisation.pk}")
    assert again.context["secret"] == ""
