"""Reminders and the weekly digest of overdue deviations, safe to run from cron as often as you like.

Each e-mail is claimed first by inserting a ReminderLog row with a unique (recipient, kind, key); a second run, or
two runs at once, find the row already there and send nothing. E-mails hold references, statuses and links only.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from samhandling.core.models import User

from ..models import AWAITING_ACKNOWLEDGEMENT, OPEN_STATUSES, Deviation, ReminderLog, Status
from .common import receiver_contacts


@dataclass
class ReminderRun:
    reminders: int = 0
    digests: int = 0


def _claim(recipient: User, kind: str, key: str, case: Deviation | None = None) -> bool:
    try:
        with transaction.atomic():
            ReminderLog.objects.create(recipient=recipient, kind=kind, key=key, deviation=case)
    except IntegrityError:
        return False
    return True


def _send(recipient: User, subject: str, template: str, context: dict) -> None:
    with translation.override(recipient.language):
        send_mail(str(subject) % context, render_to_string(template, context), None, [recipient.email])


def send_reminders(*, today: date, base_url: str) -> ReminderRun:
    run = ReminderRun()
    open_cases = Deviation.objects.filter(status__in=OPEN_STATUSES - {Status.NEEDS_INFO}).select_related("receiver")
    overdue_by_contact: dict[int, list[Deviation]] = defaultdict(list)
    contacts: dict[int, User] = {}
    for case in open_cases.iterator():
        if not case.is_overdue(today):
            continue
        stage = "acknowledge" if case.status in AWAITING_ACKNOWLEDGEMENT else "answer"
        deadline = case.acknowledge_deadline if stage == "acknowledge" else case.answer_deadline
        recipients = [case.handler] if case.handler and stage == "answer" else receiver_contacts(case)
        for user in recipients:
            if not user.email:
                continue
            contacts[user.pk] = user
            overdue_by_contact[user.pk].append(case)
            if _claim(user, f"overdue_{stage}", f"{case.pk}:{deadline.isoformat()}", case):
                _send(
                    user,
                    _("Overdue: samhandlingsavvik %(reference)s"),
                    "deviations/email/reminder.txt",
                    {
                        "reference": case.reference,
                        "status": Status(case.status).label,
                        "deadline": deadline,
                        "link": base_url.rstrip("/") + reverse("deviations:detail", args=[case.pk]),
                    },
                )
                run.reminders += 1
    year, week, _weekday = today.isocalendar()
    for user_id, cases in overdue_by_contact.items():
        user = contacts[user_id]
        if _claim(user, "weekly_digest", f"{year}-W{week:02d}"):
            _send(
                user,
                _("Weekly overview: %(count)s overdue samhandlingsavvik"),
                "deviations/email/digest.txt",
                {
                    "count": len(cases),
                    "cases": [
                        (
                            c.reference,
                            Status(c.status).label,
                            base_url.rstrip("/") + reverse("deviations:detail", args=[c.pk]),
                        )
                        for c in sorted(cases, key=lambda c: c.reference)
                    ],
                    "inbox": base_url.rstrip("/") + reverse("deviations:inbox") + "?overdue=1",
                },
            )
            run.digests += 1
    return run
