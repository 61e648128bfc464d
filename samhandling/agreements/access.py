"""Who may see and manage a community's cooperation agreements.

The secretariat (or an administrator) manages them; people of the member organisations read the agreements with
their versions on hearing, adopted and replaced (never drafts). The public pages show adopted and replaced versions
only, without these rules. The community tests are the action plans' (one definition of manager and member)."""

from django.utils import timezone

from samhandling.core.models import Role
from samhandling.core.permissions import is_active_user, memberships, rule
from samhandling.plans.access import manages, member_of

from .models import Agreement, AgreementVersion, Consultation, ConsultationStatus, VersionStatus

MANAGERS = (Role.SECRETARIAT, Role.ADMIN)
MEMBER = "community member"
INVITED = "invited to the consultation"


def _community(obj):
    if isinstance(obj, AgreementVersion):
        return obj.agreement.helsefellesskap
    if isinstance(obj, (Agreement, Consultation)):
        return obj.helsefellesskap
    return None


@rule("agreements.view_list", roles=(*MANAGERS, MEMBER), about="helsefellesskap")
def _view_list(user, community) -> bool:
    """Open the cooperation agreements of a community one belongs to."""
    return member_of(user, community)


@rule("agreements.manage", roles=MANAGERS, about="helsefellesskap")
def _manage(user, community) -> bool:
    """Register cooperation agreements for a community one manages."""
    return manages(user, community)


@rule("agreements.view_version", roles=(*MANAGERS, MEMBER), about="agreement version")
def _view_version(user, version) -> bool:
    """Read a version: managers always; members of the community unless it is a draft."""
    if not isinstance(version, AgreementVersion):
        return False
    community = version.agreement.helsefellesskap
    return manages(user, community) or (version.status != VersionStatus.DRAFT and member_of(user, community))


@rule("agreements.manage_agreement", roles=MANAGERS, about="agreement or version")
def _manage_agreement(user, obj) -> bool:
    """Write versions, send them on hearing, record adoption and each party's approval."""
    return manages(user, _community(obj))


# --- Høringssvar ---------------------------------------------------------------------------------------------------


def invited(user, consultation) -> bool:
    """Whether the user is invited to give input: a current seat in an invited body, or a membership in an invited
    organisation (or one of its units)."""
    from samhandling.governance.models import BodyMember
    from samhandling.governance.models.bodies import current_members_q

    if not isinstance(consultation, Consultation) or not is_active_user(user):
        return False
    cache = user.__dict__.setdefault("_samhandling_consultation_invited", {})
    if consultation.pk not in cache:
        organisations = set(consultation.invited_organisations.values_list("pk", flat=True))
        by_organisation = any(
            m.organisation_id in organisations or m.organisation.root_id in organisations for m in memberships(user)
        )
        cache[consultation.pk] = by_organisation or (
            BodyMember.objects.filter(current_members_q(timezone.localdate()), user=user)
            .filter(body__in=consultation.invited_bodies.all())
            .exists()
        )
    return cache[consultation.pk]


@rule("agreements.view_consultations", roles=(*MANAGERS, MEMBER), about="helsefellesskap")
def _view_consultations(user, community) -> bool:
    """Open the consultations of a community one belongs to."""
    return member_of(user, community)


@rule("agreements.manage_consultations", roles=MANAGERS, about="helsefellesskap")
def _manage_consultations(user, community) -> bool:
    """Open a consultation for a community one manages."""
    return manages(user, community)


@rule("agreements.view_consultation", roles=(*MANAGERS, MEMBER), about="consultation")
def _view_consultation(user, consultation) -> bool:
    """Read a consultation, its questions and (once sent) its joint response: the community's members."""
    return isinstance(consultation, Consultation) and member_of(user, consultation.helsefellesskap)


@rule("agreements.view_inputs", roles=(*MANAGERS, INVITED), about="consultation")
def _view_inputs(user, consultation) -> bool:
    """Read the inputs and the response being composed: the secretariat and the invited members."""
    return isinstance(consultation, Consultation) and (
        manages(user, consultation.helsefellesskap) or invited(user, consultation)
    )


@rule("agreements.give_input", roles=(INVITED,), about="consultation")
def _give_input(user, consultation) -> bool:
    """Give or change one's input: the invited members, until the internal deadline."""
    return (
        isinstance(consultation, Consultation)
        and consultation.status == ConsultationStatus.OPEN
        and timezone.localdate() <= consultation.internal_deadline
        and invited(user, consultation)
    )


@rule("agreements.manage_consultation", roles=MANAGERS, about="consultation")
def _manage_consultation(user, consultation) -> bool:
    """Compose the joint response, put it on an agenda, mark it sent or archived."""
    return isinstance(consultation, Consultation) and manages(user, consultation.helsefellesskap)
