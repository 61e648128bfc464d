"""A community's deviation rules (leader completion, deadlines) and its category list."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samhandling.core import audit
from samhandling.core.models import Helsefellesskap, User
from samhandling.core.permissions import require

from ..models import (
    Category,
    DeviationSettings,
)
from .common import (
    settings_for,
)


@transaction.atomic
def deviation_settings_update(*, actor: User, community: Helsefellesskap, **values) -> DeviationSettings:
    require(actor, "deviations.configure", community)
    found = settings_for(community)
    changes = {}
    for name in ("leader_completion_required", "acknowledge_days", "answer_days"):
        if name in values and getattr(found, name) != values[name]:
            changes[name] = [getattr(found, name), values[name]]
            setattr(found, name, values[name])
    if changes:
        found.save()
        audit.record(
            actor=actor, action="deviations.settings.updated", target=found, helsefellesskap=community, data=changes
        )
    return found


# --- categories ---------------------------------------------------------------------------------------------------


@transaction.atomic
def category_save(
    *, actor: User, community: Helsefellesskap, code: str, name_nb: str, name_nn: str, category: Category | None = None
) -> Category:
    """Add a category to the community's list, or rename one. Codes are unique per community and never reused."""
    require(actor, "deviations.configure", community)
    code = code.strip().upper()
    clash = Category.objects.filter(helsefellesskap=community, code=code)
    if category is not None:
        if category.helsefellesskap_id != community.pk:
            raise PermissionDenied
        clash = clash.exclude(pk=category.pk)
    if clash.exists():
        raise ValidationError({"code": _("The health community already has a category with this code.")})
    created = category is None
    category = category or Category(
        helsefellesskap=community, order=Category.objects.filter(helsefellesskap=community).count()
    )
    category.code, category.name_nb, category.name_nn = code, name_nb.strip(), name_nn.strip()
    category.save()
    audit.record(
        actor=actor,
        action="deviations.category.created" if created else "deviations.category.updated",
        target=category,
        helsefellesskap=community,
        data={"code": code},
    )
    return category


@transaction.atomic
def category_set_active(*, actor: User, category: Category, active: bool) -> Category:
    """Retire a category (existing cases keep it) or bring it back."""
    require(actor, "deviations.configure", category.helsefellesskap)
    if category.is_active != active:
        category.is_active = active
        category.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="deviations.category.reactivated" if active else "deviations.category.deactivated",
            target=category,
            helsefellesskap=category.helsefellesskap,
            data={"code": category.code},
        )
    return category
