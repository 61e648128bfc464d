"""Pieces every deviation service shares: the community's settings (created on first use), reference numbers
from one counter, the answer facts, and who the contact points and leaders of a case are.
"""

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from samhandling.core.models import Helsefellesskap, Organisation, Role, User
from samhandling.core.permissions import communities_of_organisation
from samhandling.core.workdays import working_days_between

from ..models import (
    WORKFLOW,
    Category,
    Deviation,
    DeviationSettings,
    ReferenceCounter,
)

DEFAULT_CATEGORIES = [
    ("INN", "Innleggelse og henvisning til sykehus", "Innlegging og tilvising til sjukehus"),
    ("VARSEL", "Varsel om innlagt eller utskrivningsklar pasient", "Varsel om innlagd eller utskrivingsklar pasient"),
    ("UT", "Utskrivning og overføring av ansvar", "Utskriving og overføring av ansvar"),
    ("EPI", "Epikrise mangler, er forsinket eller sendt feil", "Epikrise manglar, er forseinka eller sendt feil"),
    ("LM", "Legemiddelinformasjon mangler eller er feil", "Legemiddelinformasjon manglar eller er feil"),
    ("MELD", "Elektroniske meldinger (PLO, dialogmeldinger)", "Elektroniske meldingar (PLO, dialogmeldingar)"),
    ("HJM", "Hjelpemidler og utstyr er ikke på plass", "Hjelpemiddel og utstyr er ikkje på plass"),
    (
        "KOM",
        "Kommunikasjon og informasjon til pasient og pårørende",
        "Kommunikasjon og informasjon til pasient og pårørande",
    ),
    ("ANN", "Annet", "Anna"),
]


def settings_for(community: Helsefellesskap) -> DeviationSettings:
    """The community's deviation settings, created with the defaults (and the starting categories) on first use."""
    found, created = DeviationSettings.objects.get_or_create(helsefellesskap=community)
    if created:
        Category.objects.bulk_create(
            [
                Category(helsefellesskap=community, code=code, name_nb=nb, name_nn=nn, order=index)
                for index, (code, nb, nn) in enumerate(DEFAULT_CATEGORIES)
            ],
            ignore_conflicts=True,
        )
    return found


def allocate_references(community: Helsefellesskap, year: int, count: int = 1) -> list[str]:
    """Claim `count` consecutive numbers with one atomic UPDATE, so concurrent submissions never share a number.

    Submission takes one at a time; the import of earlier cases takes a block per year in the same counter."""
    ReferenceCounter.objects.get_or_create(helsefellesskap=community, year=year)
    ReferenceCounter.objects.filter(helsefellesskap=community, year=year).update(last_number=F("last_number") + count)
    last = ReferenceCounter.objects.get(helsefellesskap=community, year=year).last_number
    return [f"{community.code}-{year}-{number:05d}" for number in range(last - count + 1, last + 1)]


def allocate_reference(community: Helsefellesskap, year: int) -> str:
    return allocate_references(community, year)[0]


_next_reference = allocate_reference


def record_answer_facts(case: Deviation) -> None:
    """Working days to the answer, and whether it came in time, fixed on the case when it is answered."""
    answered_on = timezone.localtime(case.answered_at).date()
    case.days_to_answer = working_days_between(timezone.localtime(case.submitted_at).date(), answered_on)
    case.answered_in_time = case.answer_deadline is None or answered_on <= case.answer_deadline


def _community_for(reporter_unit: Organisation, receiver: Organisation) -> Helsefellesskap:
    shared = communities_of_organisation(reporter_unit).filter(
        pk__in=communities_of_organisation(receiver).values("pk")
    )
    community = shared.order_by("name").first()
    if community is None:
        raise ValidationError({"receiver": _("Choose an organisation that is a partner in your health community.")})
    return community


def _people_with_role(organisation_ids: set[int], role: str) -> list[User]:
    """Users with `role` in any of the organisations or any organisation above them."""
    above: set[int] = set()
    for organisation in Organisation.objects.filter(pk__in=organisation_ids):
        above.add(organisation.pk)
        above.update(ancestor.pk for ancestor in organisation.ancestors())
    return list(
        User.objects.filter(memberships__organisation__in=above, memberships__role=role, is_active=True).distinct()
    )


def receiver_contacts(case: Deviation) -> list[User]:
    return _people_with_role({case.receiver_id}, Role.DEVIATION_CONTACT)


def reporter_leaders(case: Deviation) -> list[User]:
    return _people_with_role({case.reporter_unit_id}, Role.LEADER)


def move(case: Deviation, to: str, *, actor: User, text: str = "") -> None:
    """The case's status change through the deviation workflow (the audit event carries the reference)."""
    WORKFLOW.move(case, to, actor=actor, text=text, data={"reference": case.reference})
