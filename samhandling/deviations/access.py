"""Who stands where in relation to a deviation, and the permission rules built on it.

A role held in an organisation covers its units too: the contact point of a hospital trust receives what is sent
to any of its clinics. `DeviationAccess` computes, once per request, the sets of organisations where the user is a
contact point, a leader or a member; selectors and the rules registered in `core.permissions` both use it, so a
list can never show a case the detail page would refuse.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from samhandling.core import access_cache
from samhandling.core.models import Organisation, Role
from samhandling.core.permissions import can, is_active_user, member_root_ids, memberships, rule

from .models import Deviation, Status


def _unit_tree(root_ids) -> dict[int, list[int]]:
    """parent id → child ids for every organisation under the given roots (one query)."""
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id in Organisation.objects.filter(root_id__in=root_ids).values_list("pk", "parent_id"):
        if parent_id:
            children[parent_id].append(pk)
    return children


def _below(organisation_ids: set[int], children: dict[int, list[int]]) -> set[int]:
    result, stack = set(), list(organisation_ids)
    while stack:
        node = stack.pop()
        if node not in result:
            result.add(node)
            stack.extend(children.get(node, []))
    return result


def with_units(organisation_ids: set[int]) -> set[int]:
    """The organisations and every unit below them."""
    if not organisation_ids:
        return set()
    roots = Organisation.objects.filter(pk__in=organisation_ids).values("root_id")
    return _below(organisation_ids, _unit_tree(roots))


@dataclass
class DeviationAccess:
    user_id: int | None
    contact_units: set[int] = field(default_factory=set)
    leader_units: set[int] = field(default_factory=set)
    member_units: set[int] = field(default_factory=set)
    secretariat_roots: set[int] = field(default_factory=set)

    def visible_cases(self) -> Q:
        """Q for the cases this user may open (never drafts of others)."""
        if self.user_id is None:
            return Q(pk__in=[])
        sent = ~Q(status__in=[Status.DRAFT])
        delivered = ~Q(status__in=[Status.DRAFT, Status.AWAITING_LEADER])
        return (
            Q(reporter_id=self.user_id)
            | (Q(reporter_unit__in=self.leader_units) & sent)
            | (Q(reporter_unit__in=self.contact_units) & delivered)
            | (Q(receiver__in=self.contact_units) & delivered)
            | Q(handler_id=self.user_id)
        )

    def is_reporter(self, case: Deviation) -> bool:
        # Imported cases have no reporter: None must never match a user id that is None too.
        return self.user_id is not None and case.reporter_id == self.user_id

    def is_leader(self, case: Deviation) -> bool:
        return case.reporter_unit_id in self.leader_units

    def is_sender_contact(self, case: Deviation) -> bool:
        return case.reporter_unit_id in self.contact_units

    def is_receiver(self, case: Deviation) -> bool:
        return case.receiver_id in self.contact_units or (
            case.handler_id is not None and case.handler_id == self.user_id
        )

    def can_view(self, case: Deviation) -> bool:
        if self.is_reporter(case):
            return True
        if case.status == Status.DRAFT:
            return False
        if self.is_leader(case):
            return True
        if case.status == Status.AWAITING_LEADER:
            return False
        return self.is_sender_contact(case) or self.is_receiver(case)


def access_for(user) -> DeviationAccess:
    if not is_active_user(user):
        return DeviationAccess(user_id=None)
    cached = getattr(user, "_deviation_access", None)
    if cached is None:
        cached = access_cache.cached_for(user, "deviation-access", lambda: _compute_access(user))
        user._deviation_access = cached
    return cached


def _compute_access(user) -> DeviationAccess:
    by_role: dict[str, set[int]] = defaultdict(set)
    for membership in memberships(user):
        by_role[membership.role].add(membership.organisation_id)
        if membership.role in (Role.SECRETARIAT, Role.ADMIN):
            by_role["secretariat_roots"].add(membership.organisation.root_id)
    # One tree for all the user's organisations; each role's units are read from it.
    children = _unit_tree({m.organisation.root_id for m in memberships(user)})
    access = DeviationAccess(
        user_id=user.pk,
        contact_units=_below(by_role[Role.DEVIATION_CONTACT], children),
        leader_units=_below(by_role[Role.LEADER], children),
        member_units=_below({m.organisation_id for m in memberships(user)}, children),
        secretariat_roots=by_role["secretariat_roots"],
    )
    return access


def sees_whole_community(user, community) -> bool:
    """The secretariat and the administrators of a community see all of its cases in statistics and exports;
    leaders and contact points see the cases of their own units."""
    return bool(user.is_superuser or community.secretariat_id in access_for(user).secretariat_roots)


def visible_deviations(user) -> QuerySet[Deviation]:
    return Deviation.objects.filter(access_for(user).visible_cases())


# --- rules, registered in the one permission registry -------------------------------------------------------------

ANY_MEMBER = tuple(Role.values)
HANDLERS = (Role.DEVIATION_CONTACT, Role.LEADER)
MANAGERS = (Role.SECRETARIAT, Role.ADMIN)


@rule("deviations.report", roles=ANY_MEMBER, about="helsefellesskap")
def _report(user, community) -> bool:
    """Report a deviation (anyone with a role in an organisation)."""
    return bool(access_for(user).member_units)


@rule("deviations.view", roles=ANY_MEMBER, about="deviation")
def _view(user, case) -> bool:
    """Open a case: its reporter, the reporter's leader once sent, and the contact points of both organisations."""
    return access_for(user).can_view(case)


@rule("deviations.edit_draft", roles=ANY_MEMBER, about="deviation")
def _edit_draft(user, case) -> bool:
    """Change and send one's own draft."""
    return case.status == Status.DRAFT and access_for(user).is_reporter(case)


@rule("deviations.complete", roles=(Role.LEADER,), about="deviation")
def _complete(user, case) -> bool:
    """Complete a report from one's own unit and send it to the receiver (the reporter's leader)."""
    return case.status == Status.AWAITING_LEADER and access_for(user).is_leader(case)


@rule("deviations.handle", roles=(Role.DEVIATION_CONTACT,), about="deviation")
def _handle(user, case) -> bool:
    """Handle a case sent to one's organisation: acknowledge, ask, answer, close, send on (contact point, handler)."""
    return case.status not in (Status.DRAFT, Status.AWAITING_LEADER) and access_for(user).is_receiver(case)


@rule("deviations.reply", roles=(*ANY_MEMBER,), about="deviation")
def _reply(user, case) -> bool:
    """Answer the receiver's question (the reporter, or the reporter's leader on the reporter's behalf)."""
    access = access_for(user)
    return case.status == Status.NEEDS_INFO and (access.is_reporter(case) or access.is_leader(case))


@rule("deviations.add_addendum", roles=ANY_MEMBER, about="deviation")
def _add_addendum(user, case) -> bool:
    """Add to a sent case without changing what was written (reporter, reporter's leader, receiver)."""
    access = access_for(user)
    if case.status in (Status.DRAFT, Status.WITHDRAWN):
        return False
    return access.is_reporter(case) or access.is_leader(case) or access.is_receiver(case)


@rule("deviations.withdraw", roles=ANY_MEMBER, about="deviation")
def _withdraw(user, case) -> bool:
    """Withdraw one's own report before the receiver has taken it up (or while it asks for information)."""
    return access_for(user).is_reporter(case) and case.status in (
        Status.DRAFT,
        Status.AWAITING_LEADER,
        Status.SUBMITTED,
        Status.REDIRECTED,
        Status.NEEDS_INFO,
    )


@rule("deviations.reveal_patient", roles=(Role.DEVIATION_CONTACT,), about="deviation")
def _reveal_patient(user, case) -> bool:
    """See the patient's identity: only the handlers of the two organisations involved, each showing logged."""
    access = access_for(user)
    if case.status in (Status.DRAFT, Status.AWAITING_LEADER):
        return False
    return access.is_receiver(case) or access.is_sender_contact(case)


@rule("deviations.view_inbox", roles=(Role.DEVIATION_CONTACT,), about="-")
def _view_inbox(user, obj) -> bool:
    """Open the inbox of cases to handle (contact points, and anyone who has been made a case's handler)."""
    access = access_for(user)
    return bool(access.contact_units) or Deviation.objects.filter(handler_id=access.user_id).exists()


@rule("deviations.view_units", roles=HANDLERS, about="-")
def _view_units(user, obj) -> bool:
    """See the cases sent from one's own units (leaders and contact points)."""
    access = access_for(user)
    return bool(access.leader_units or access.contact_units)


@rule("deviations.view_statistics", roles=(*HANDLERS, *MANAGERS), about="helsefellesskap")
def _view_statistics(user, community) -> bool:
    """See the community's statistics: its secretariat for all cases, leaders and contact points for their units."""
    access = access_for(user)
    if community is None:
        return False
    if community.secretariat_id in access.secretariat_roots or user.is_superuser:
        return True
    # A leader's or contact point's units all lie under the roots of the organisations that hold those roles.
    handling_roots = {
        m.organisation.root_id or m.organisation_id
        for m in memberships(user)
        if m.role in (Role.LEADER, Role.DEVIATION_CONTACT)
    }
    return bool(handling_roots & member_root_ids(community))


@rule("deviations.reports_internal", roles=MANAGERS, about="helsefellesskap")
def _reports_internal(user, community) -> bool:
    """The internal version of a report (every small number) is for the community's secretariat and administrators."""
    if community is None:
        return False
    return user.is_superuser or community.secretariat_id in access_for(user).secretariat_roots


@rule("deviations.configure", roles=MANAGERS, about="helsefellesskap")
def _configure(user, community) -> bool:
    """Change the community's deviation rules, deadlines, categories and integrations."""
    return can(user, "core.manage_community", community)


@rule("deviations.import", roles=MANAGERS, about="helsefellesskap")
def _import(user, community) -> bool:
    """Import earlier cases from the spreadsheet the secretariat kept (the secretariat, administrators)."""
    return can(user, "deviations.configure", community)


@rule("deviations.view_national_statistics", roles=(Role.ANALYST, *MANAGERS), about="-")
def _view_national_statistics(user, obj) -> bool:
    """See every community's de-identified, suppressed deviation statistics side by side (analysts, who work
    nationally or regionally, and the secretariats and administrators of the communities)."""
    if user.is_superuser:
        return True
    return any(m.role in (Role.ANALYST, *MANAGERS) for m in memberships(user))
