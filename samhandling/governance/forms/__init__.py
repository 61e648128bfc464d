"""Forms of the meeting module, split by sub-domain; this package re-exports what views import. Forms validate what a
user typed and, through `check_as_service`, the services' own checks, so every error shows at once."""

from .bodies import (
    BodyForm,
    MemberForm,
    RecurringItemForm,
    SearchForm,
    SettingsForm,
    months_of,
)
from .fields import (
    CHECKBOX_GROUP,
    DATE,
    TIME,
    BodyChoiceField,
    BodyMultipleChoiceField,
    ItemChoiceField,
    PeopleChoiceField,
    PersonChoiceField,
    check_as_service,
    person_label,
    text_area,
)
from .items import (
    AttachmentEditForm,
    AttachmentForm,
    ForwardForm,
    ItemForm,
    item_initial,
)
from .meetings import (
    ActionPointForm,
    AttendanceRowForm,
    DeviationReportForm,
    MeetingForm,
    MinutesCorrectionForm,
    NoticeForm,
    OutcomeForm,
    recurring_label,
)

__all__ = [
    "CHECKBOX_GROUP",
    "DATE",
    "TIME",
    "ActionPointForm",
    "AttachmentEditForm",
    "AttachmentForm",
    "AttendanceRowForm",
    "BodyChoiceField",
    "BodyForm",
    "BodyMultipleChoiceField",
    "DeviationReportForm",
    "ForwardForm",
    "ItemChoiceField",
    "ItemForm",
    "MeetingForm",
    "MemberForm",
    "MinutesCorrectionForm",
    "NoticeForm",
    "OutcomeForm",
    "PeopleChoiceField",
    "PersonChoiceField",
    "RecurringItemForm",
    "SearchForm",
    "SettingsForm",
    "check_as_service",
    "item_initial",
    "months_of",
    "person_label",
    "recurring_label",
    "text_area",
]
