"""Every write to a deviation, one function per use case, split by sub-domain; this package re-exports the public
service functions so callers write `services.deviation_answer(...)`."""

from samhandling.core.workflow import TransitionError

from ..models import TRANSITIONS
from .common import (
    DEFAULT_CATEGORIES,
    allocate_reference,
    allocate_references,
    receiver_contacts,
    record_answer_facts,
    reporter_leaders,
    settings_for,
)
from .configuration import category_save, category_set_active, deviation_settings_update
from .handling import (
    deviation_acknowledge,
    deviation_add_addendum,
    deviation_add_measure,
    deviation_answer,
    deviation_classify,
    deviation_close,
    deviation_give_information,
    deviation_redirect,
    deviation_reopen,
    deviation_request_information,
    deviation_start_review,
)
from .imports import deviation_import
from .reminders import send_reminders
from .reporting import (
    REPORT_FIELDS,
    deviation_complete,
    deviation_reveal_patient,
    deviation_save_draft,
    deviation_send,
    deviation_withdraw,
)
from .reports import deviation_report_generate
from .webhooks import external_case_id_set, webhook_configure, webhook_rotate_secret

# The name the first version raised; the workflow's own error is the same class.
InvalidTransition = TransitionError

__all__ = [
    "DEFAULT_CATEGORIES",
    "REPORT_FIELDS",
    "TRANSITIONS",
    "InvalidTransition",
    "TransitionError",
    "allocate_reference",
    "allocate_references",
    "category_save",
    "category_set_active",
    "deviation_acknowledge",
    "deviation_add_addendum",
    "deviation_add_measure",
    "deviation_answer",
    "deviation_classify",
    "deviation_close",
    "deviation_complete",
    "deviation_give_information",
    "deviation_import",
    "deviation_redirect",
    "deviation_reopen",
    "deviation_report_generate",
    "deviation_request_information",
    "deviation_reveal_patient",
    "deviation_save_draft",
    "deviation_send",
    "deviation_settings_update",
    "deviation_start_review",
    "deviation_withdraw",
    "external_case_id_set",
    "receiver_contacts",
    "record_answer_facts",
    "reporter_leaders",
    "send_reminders",
    "settings_for",
    "webhook_configure",
    "webhook_rotate_secret",
]
