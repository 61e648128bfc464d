"""Outgoing webhooks: an organisation's own deviation system (Synergi, EQS, Compilo, Landax …) takes in new cases.

When a case reaches a receiver, a delivery is queued for the nearest webhook of the receiving unit or the
organisations above it. `deliver_pending()` (the `deviation_webhooks` command, cron-friendly) claims each due
delivery with a conditional UPDATE, POSTs a signed JSON body and retries with growing pauses. The body holds the
reference, status, category, dates, organisations and a link — never the description, never the patient: the
receiving system's users open the link and log in. The receiving system answers with its own case id, either in
the response body (`{"external_case_id": "…"}`) or later with a signed call to the callback endpoint.
"""

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samhandling.core import audit, crypto
from samhandling.core.models import Organisation, User
from samhandling.core.permissions import require

from ..models import Deviation, Webhook, WebhookDelivery

SIGNATURE_HEADER = "X-Samhandling-Signature"
MAX_ATTEMPTS = 8
CLAIM_FOR = timedelta(minutes=5)
TIMEOUT_SECONDS = 10


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, body), signature or "")


def webhook_for(organisation: Organisation) -> Webhook | None:
    """The webhook of the organisation itself or of the nearest organisation above it."""
    chain = [organisation, *reversed(organisation.ancestors())]
    hooks = {hook.organisation_id: hook for hook in Webhook.objects.filter(organisation__in=chain, is_active=True)}
    return next((hooks[node.pk] for node in chain if node.pk in hooks), None)


def enqueue(case: Deviation, event: str) -> WebhookDelivery | None:
    hook = webhook_for(case.receiver)
    if hook is None:
        return None
    return WebhookDelivery.objects.create(webhook=hook, deviation=case, event=event)


def payload(delivery: WebhookDelivery, base_url: str) -> dict:
    case = delivery.deviation
    return {
        "event": delivery.event,
        "reference": case.reference,
        "status": case.status,
        "category": case.category.code,
        "occurred_on": case.occurred_on.isoformat(),
        "submitted_at": case.submitted_at.isoformat() if case.submitted_at else None,
        "acknowledge_deadline": case.acknowledge_deadline.isoformat() if case.acknowledge_deadline else None,
        "answer_deadline": case.answer_deadline.isoformat() if case.answer_deadline else None,
        "from": {"organisation": case.reporter_unit.root.name, "unit": case.reporter_unit.name},
        "to": {"organisation": case.receiver.root.name, "unit": case.receiver.name},
        "url": base_url.rstrip("/") + reverse("deviations:detail", args=[case.pk]),
        "callback_url": base_url.rstrip("/") + reverse("deviations:webhook_callback"),
    }


def _validate_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and settings.SAMHANDLING_ALLOW_HTTP_WEBHOOKS):
        return
    raise ValidationError({"url": _("The address must start with https://.")})


# --- services -----------------------------------------------------------------------------------------------------


@transaction.atomic
def webhook_configure(*, actor: User, organisation: Organisation, url: str, active: bool = True) -> tuple[Webhook, str]:
    """Set the organisation's webhook. Returns the webhook and, when it is new, its secret (shown once)."""
    require(actor, "core.manage_organisation", organisation)
    _validate_url(url)
    hook = Webhook.objects.filter(organisation=organisation).first()
    secret = ""
    if hook is None:
        secret = secrets.token_urlsafe(32)
        hook = Webhook(organisation=organisation, secret_encrypted=crypto.encrypt(secret))
    hook.url, hook.is_active = url, active
    hook.save()
    audit.record(
        actor=actor,
        action="deviations.webhook.configured",
        target=organisation,
        data={"url_host": urlsplit(url).hostname, "active": active},
    )
    return hook, secret


@transaction.atomic
def webhook_rotate_secret(*, actor: User, webhook: Webhook) -> str:
    require(actor, "core.manage_organisation", webhook.organisation)
    secret = secrets.token_urlsafe(32)
    webhook.secret_encrypted = crypto.encrypt(secret)
    webhook.save(update_fields=["secret_encrypted"])
    audit.record(actor=actor, action="deviations.webhook.secret_rotated", target=webhook.organisation)
    return secret


@transaction.atomic
def external_case_id_set(*, case: Deviation, external_case_id: str, source: Webhook) -> bool:
    """Store the receiving system's own case id (first answer wins; later different ids are refused)."""
    external_case_id = external_case_id.strip()[:100]
    if not external_case_id:
        return False
    locked = Deviation.objects.select_for_update().get(pk=case.pk)
    if locked.external_case_id:
        return locked.external_case_id == external_case_id
    locked.external_case_id = external_case_id
    locked.save(update_fields=["external_case_id", "updated_at"])
    audit.record(
        actor=None,
        action="deviations.case.external_id",
        target=locked,
        helsefellesskap=locked.helsefellesskap,
        data={"organisation": source.organisation.name, "external_case_id": external_case_id},
    )
    return True


# --- delivery -----------------------------------------------------------------------------------------------------


def _claim(delivery_id: int, now) -> bool:
    claimed = WebhookDelivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=delivery_id,
        status=WebhookDelivery.PENDING,
        next_attempt_at__lte=now,
    ).update(claimed_until=now + CLAIM_FOR)
    return claimed == 1


def _post(url: str, body: bytes, signature: str) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 — the scheme is checked when the webhook is configured
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature, "User-Agent": "Samhandling"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, response.read(65536)
    except urllib.error.HTTPError as error:
        return error.code, b""


def deliver_pending(*, base_url: str, now=None, limit: int = 200) -> dict[str, int]:
    now = now or timezone.now()
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    due = WebhookDelivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        status=WebhookDelivery.PENDING,
        next_attempt_at__lte=now,
    ).values_list("pk", flat=True)[:limit]
    for delivery_id in list(due):
        if not _claim(delivery_id, now):
            continue  # another worker took it
        delivery = WebhookDelivery.objects.select_related(
            "webhook__organisation",
            "deviation__category",
            "deviation__reporter_unit__root",
            "deviation__receiver__root",
        ).get(pk=delivery_id)
        body = json.dumps(payload(delivery, base_url), ensure_ascii=False).encode("utf-8")
        secret = crypto.decrypt(delivery.webhook.secret_encrypted)
        delivery.attempts += 1
        try:
            status, answer = _post(delivery.webhook.url, body, sign(secret, body))
            error = "" if 200 <= status < 300 else f"HTTP {status}"
        except (urllib.error.URLError, OSError, ValueError) as problem:
            status, answer, error = None, b"", str(problem)[:300]
        delivery.last_status_code, delivery.last_error, delivery.claimed_until = status, error, None
        if not error:
            delivery.status, delivery.delivered_at = WebhookDelivery.DELIVERED, timezone.now()
            counts["delivered"] += 1
            try:
                external = json.loads(answer or b"{}").get("external_case_id", "")
            except (ValueError, AttributeError):
                external = ""
            if isinstance(external, str | int) and str(external):
                external_case_id_set(case=delivery.deviation, external_case_id=str(external), source=delivery.webhook)
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.FAILED
            counts["failed"] += 1
        else:
            delivery.next_attempt_at = now + timedelta(minutes=2**delivery.attempts)
            counts["retrying"] += 1
        delivery.save()
    return counts
