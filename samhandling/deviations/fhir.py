"""FHIR AdverseEvent resources for samhandlingsavvik: R5 by default, R4B for systems not yet on R5.

Built from the same de-identified rows as the CSV and Excel exports, so they carry codes, organisation names and
dates only; never free text, never a person, never the patient (the required subject is a display-only Reference).
Every resource is validated with fhir.resources before it leaves.
"""

import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from fhir.resources.adverseevent import AdverseEvent
from fhir.resources.R4B.adverseevent import AdverseEvent as AdverseEventR4B

from .exports import NEVER_SENT, ExportRow, Labels, rows
from .models import Deviation, EventType, Status

R5, R4B = "R5", "R4B"
VERSIONS = (R5, R4B)
CONTENT_TYPES = {
    R5: "application/fhir+json; charset=utf-8; fhirVersion=5.0",
    R4B: "application/fhir+json; charset=utf-8; fhirVersion=4.3",
}
_MODELS = {R5: AdverseEvent, R4B: AdverseEventR4B}

# Our own code systems. Category codes are defined per community (each edits its own list), hence the suffix.
DEVIATION_SYSTEM = "urn:samhandling:deviation"
CATEGORY_SYSTEM = "urn:samhandling:deviation-category"
EVENT_TYPE_SYSTEM = "urn:samhandling:deviation-event-type"
STATUS_SYSTEM = "urn:samhandling:deviation-status"
PARTY_SYSTEM = "urn:samhandling:deviation-party"
HARM_SYSTEM = "urn:samhandling:harm"
HARM_TYPE_SYSTEM = "urn:samhandling:harm-type"
EXTENSION = "urn:samhandling:fhir:extension:"
SERIOUSNESS_SYSTEM = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
SEVERITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
_UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, DEVIATION_SYSTEM)

S = Status
# R5 AdverseEvent.status. Drafts and reports awaiting the leader are never exported.
R5_STATUS = {
    **dict.fromkeys(
        (S.SUBMITTED, S.REDIRECTED, S.ACKNOWLEDGED, S.UNDER_REVIEW, S.NEEDS_INFO, S.UPDATED, S.REOPENED),
        "in-progress",
    ),
    S.ANSWERED: "completed",
    S.CLOSED: "completed",
    # Not a samhandlingsavvik, counted twice, or taken back: the record should not stand as an adverse event.
    S.NOT_DEVIATION: "entered-in-error",
    S.DUPLICATE: "entered-in-error",
    S.WITHDRAWN: "entered-in-error",
}
ACTUALITY = {EventType.INCIDENT: "actual", EventType.NEAR_MISS: "potential", EventType.UNSAFE_CONDITION: "potential"}
_HARM_ORDER = ["none", "low", "moderate", "severe", "fatal"]
_R4B_SEVERITY = {"low": ("mild", "Mild"), "moderate": ("moderate", "Moderate"), "severe": ("severe", "Severe")}
_R4B_SEVERITY["fatal"] = _R4B_SEVERITY["severe"]


class FhirLabels(Labels):
    """The export labels plus the few texts only FHIR output needs, translated once per export."""

    def __init__(self) -> None:
        super().__init__()
        self.subject = {
            "yes": _("Patient (not identified)"),
            "no": _("No patient involved"),
            "unknown": _("Not known whether a patient is involved"),
        }
        self.sender, self.receiver = _("Sending organisation"), _("Receiving organisation")
        self.physical_harm, self.psychological_harm = _("Physical harm"), _("Psychological harm")


def _coding(system: str, code: str, display: str = "") -> dict:
    return {"system": system, "code": code, **({"display": display} if display else {})}


def _concept(system: str, code: str, display: str = "") -> dict:
    return {"coding": [_coding(system, code, display)]}


def _instant(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _organisation(name: str, unit: str) -> dict:
    """A display-only Organization reference: the organisation's name, and the unit's when it was a unit."""
    return {"type": "Organization", "display": f"{name} › {unit}" if unit else name}


def _subject(row: ExportRow, labels: FhirLabels) -> dict:
    """Required by FHIR; here only a display, never who the patient is."""
    display = labels.subject.get(row.patient_involved, labels.subject["unknown"])
    return {"type": "Patient", "display": display} if row.patient_involved == "yes" else {"display": display}


def _seriousness(row: ExportRow) -> dict | None:
    """HL7's serious / non-serious from the harm levels; left out while a harm level is not known."""
    if row.harm_physical in ("severe", "fatal") or row.harm_psychological == "severe":
        return {"coding": [_coding(SERIOUSNESS_SYSTEM, "serious", "Serious")]}
    if "unknown" in (row.harm_physical, row.harm_psychological):
        return None
    return {"coding": [_coding(SERIOUSNESS_SYSTEM, "non-serious", "Non-serious")]}


def _harm(code: str, labels_by_code: dict[str, str]) -> dict:
    return _concept(HARM_SYSTEM, code, labels_by_code.get(code, code))


def _common(row: ExportRow, labels: FhirLabels, identifier: dict | list) -> dict:
    """The elements R5 and R4B share (in the order the specification lists them, for people reading the JSON)."""
    resource: dict = {"resourceType": "AdverseEvent"}
    if row.reference:
        resource["id"] = row.reference
    resource["extension"] = [
        {
            "url": EXTENSION + "deviation-status",
            "valueCoding": _coding(STATUS_SYSTEM, row.status, labels.status.get(row.status, row.status)),
        }
    ]
    resource["identifier"] = identifier
    resource["actuality"] = ACTUALITY[row.event_type]
    resource["category"] = [
        _concept(f"{CATEGORY_SYSTEM}:{row.community_code}", row.category_code, labels.category(row)),
        _concept(EVENT_TYPE_SYSTEM, row.event_type, labels.event_type.get(row.event_type, "")),
    ]
    resource["subject"] = _subject(row, labels)
    return resource


def _r5(row: ExportRow, labels: FhirLabels) -> dict:
    resource = _common(row, labels, [{"system": DEVIATION_SYSTEM, "value": row.reference}])
    resource["status"] = R5_STATUS[row.status]
    resource["occurrenceDateTime"] = row.occurred_on.isoformat()
    resource["recordedDate"] = _instant(row.sent_at)
    resource["participant"] = [
        {
            "function": _concept(PARTY_SYSTEM, "sender", labels.sender),
            "actor": _organisation(row.sender_organisation, row.sender_unit),
        },
        {
            "function": _concept(PARTY_SYSTEM, "receiver", labels.receiver),
            "actor": _organisation(row.receiver_organisation, row.receiver_unit),
        },
    ]
    # Two harm dimensions as contained Observations, the kind of resource R5's resultingEffect points to.
    resource["contained"] = [
        {
            "resourceType": "Observation",
            "id": f"harm-{kind}",
            "status": "final",
            "code": _concept(HARM_TYPE_SYSTEM, kind, title),
            "valueCodeableConcept": _harm(code, names),
        }
        for kind, title, code, names in (
            ("physical", labels.physical_harm, row.harm_physical, labels.physical),
            ("psychological", labels.psychological_harm, row.harm_psychological, labels.psychological),
        )
    ]
    resource["resultingEffect"] = [{"reference": "#harm-physical"}, {"reference": "#harm-psychological"}]
    if (seriousness := _seriousness(row)) is not None:
        resource["seriousness"] = seriousness
    return resource


def _r4b(row: ExportRow, labels: FhirLabels) -> dict:
    """R4B has no status, no participant and no coded effect: those go in extensions of ours."""
    resource = _common(row, labels, {"system": DEVIATION_SYSTEM, "value": row.reference})
    resource["extension"] += [
        {"url": EXTENSION + "harm-physical", "valueCodeableConcept": _harm(row.harm_physical, labels.physical)},
        {
            "url": EXTENSION + "harm-psychological",
            "valueCodeableConcept": _harm(row.harm_psychological, labels.psychological),
        },
        {
            "url": EXTENSION + "sending-organisation",
            "valueReference": _organisation(row.sender_organisation, row.sender_unit),
        },
        {
            "url": EXTENSION + "receiving-organisation",
            "valueReference": _organisation(row.receiver_organisation, row.receiver_unit),
        },
    ]
    resource["date"] = row.occurred_on.isoformat()
    resource["recordedDate"] = _instant(row.sent_at)
    if (seriousness := _seriousness(row)) is not None:
        resource["seriousness"] = seriousness
    known = [h for h in (row.harm_physical, row.harm_psychological) if h in _R4B_SEVERITY]
    if known:
        code, display = _R4B_SEVERITY[max(known, key=_HARM_ORDER.index)]
        resource["severity"] = _concept(SEVERITY_SYSTEM, code, display)
    return resource


def check_version(version: str) -> str:
    if version not in VERSIONS:
        raise ValueError(f"unknown FHIR version {version!r}; use one of {', '.join(VERSIONS)}")
    return version


def adverse_event(
    row: ExportRow, *, version: str = R5, labels: FhirLabels | None = None, validated: set | None = None
) -> dict:
    """One AdverseEvent as JSON-ready data, validated against the FHIR version's model.

    Validation costs ~0.5 ms; a period of 200 000 cases passes `validated`, and then each *shape* of resource (the
    codes and which optional parts are present) is validated once: what varies beyond the shape is a reference in a
    fixed format, dates, and names that are never empty."""
    build = _r5 if check_version(version) == R5 else _r4b
    resource = build(row, labels or FhirLabels())
    shape = _shape(row)
    if validated is None or shape not in validated:
        _MODELS[version].model_validate(resource)
        if validated is not None:
            validated.add(shape)
    return resource


def _shape(row: ExportRow) -> tuple:
    texts = (row.reference, row.sender_unit, row.receiver_unit, row.category_name_nb, row.category_name_nn)
    codes = (row.status, row.event_type, row.harm_physical, row.harm_psychological, row.patient_involved)
    return (*codes, *(bool(text) for text in texts))


def case_adverse_event(case: Deviation, *, version: str = R5) -> dict | None:
    """The AdverseEvent for one case; None for a case that was never sent."""
    row = next(rows(Deviation.objects.filter(pk=case.pk).exclude(status__in=NEVER_SENT)), None)
    return adverse_event(row, version=version) if row is not None else None


def _entry(resource: dict) -> dict:
    full_url = f"urn:uuid:{uuid.uuid5(_UUID_NAMESPACE, resource['id'])}" if "id" in resource else None
    return {**({"fullUrl": full_url} if full_url else {}), "resource": resource}


def bundle_chunks(
    export: Iterable[ExportRow], *, version: str = R5, language: str | None = None, batch: int = 200
) -> Iterator[str]:
    """A Bundle of type "collection" as JSON text chunks, for a streaming response; rows are read as it is sent.

    The envelope is written by hand so that a large period never sits in memory."""
    check_version(version)
    with override(language or get_language()):
        labels = FhirLabels()
    head = {"resourceType": "Bundle", "type": "collection", "timestamp": _instant(timezone.now())}
    yield json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]  # left open for the entries
    separator, parts, validated = ',"entry":[', [], set()
    for row in export:
        resource = adverse_event(row, version=version, labels=labels, validated=validated)
        parts.append(separator + json.dumps(_entry(resource), ensure_ascii=False, separators=(",", ":")))
        separator = ","
        if len(parts) >= batch:
            yield "".join(parts)
            parts = []
    # FHIR JSON has no empty arrays: without cases there is no "entry" at all.
    parts.append("]}" if separator == "," else "}")
    yield "".join(parts)
