"""Who may see and manage a community's cooperation agreements.

The secretariat (or an administrator) manages them; people of the member organisations read the agreements with
their versions on hearing, adopted and replaced (never drafts). The public pages show adopted and replaced versions
only, without these rules. The community tests are the action plans' (one definition of manager and member)."""

from samhandling.core.models import Role
from samhandling.core.permissions import rule
from samhandling.plans.access import manages, member_of

from .models import Agreement, AgreementVersion, VersionStatus

MANAGERS = (Role.SECRETARIAT, Role.ADMIN)
MEMBER = "community member"


def _community(obj):
    if isinstance(obj, AgreementVersion):
        return obj.agreement.helsefellesskap
    if isinstance(obj, Agreement):
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
