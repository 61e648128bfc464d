"""The one mechanism for status workflows: a transition table per model, the only code that changes a status, and
the answer to "which actions may this user take on this object now".

Each model declares, next to its status enum, a `Workflow` with its transition table and its named actions. Services
call `workflow.move()` (checks the table, saves, writes the history entry and the audit event, raises
`TransitionError`); background workers call `workflow.claim()` (a conditional UPDATE, so two workers never take one
row); views and templates ask `workflow.actions_for(user, obj)`, so no template compares status strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _

# Status → Designsystemet colour for the status tag partial; a workflow may override per status.
DEFAULT_TONE = "neutral"


class TransitionError(ValidationError):
    """The one exception every workflow raises when a status change is not allowed from where the object stands."""


@dataclass(frozen=True)
class Action:
    """Something a user can do to an object: offered when the object's status is in `source` (every status when
    `source` is empty) and `can(user, permission, obj)` says yes. `target` is the status it leads to (None for an
    action that changes no status, such as adding an addendum)."""

    name: str
    permission: str
    source: frozenset[str] = frozenset()
    target: str | None = None
    label: str | Promise = ""

    def offered_in(self, status: str) -> bool:
        return not self.source or status in self.source


class AllowedActions:
    """The actions a user may take on an object now: `"answer" in actions`, or `{% if actions.answer %}`."""

    def __init__(self, names: Iterable[str]):
        self._names = frozenset(names)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __getattr__(self, name: str) -> bool:
        if name.startswith("_"):
            raise AttributeError(name)
        return name in self._names

    def __getitem__(self, name: str) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def __bool__(self) -> bool:
        return bool(self._names)

    def __repr__(self) -> str:
        return f"AllowedActions({sorted(self._names)})"


History = Callable[..., None]
Community = Callable[[Any], Any]


class Workflow:
    """A model's status field, its transition table and its actions.

    `history(obj, previous=…, to=…, actor=…, text=…)` writes the model's own history row (the deviation's case
    events, say) when the model keeps one; `community(obj)` gives the helsefellesskap the audit event belongs to;
    `audit_prefix` + "." + the new status is the audit action unless a service names another.
    """

    def __init__(
        self,
        *,
        model: type[models.Model],
        statuses: type[models.TextChoices],
        transitions: Mapping[str, Iterable[str]],
        field: str = "status",
        actions: Iterable[Action] = (),
        audit_prefix: str = "",
        history: History | None = None,
        community: Community | None = None,
        tones: Mapping[str, str] | None = None,
    ) -> None:
        self.model, self.statuses, self.field = model, statuses, field
        self.transitions = {str(source): frozenset(str(t) for t in targets) for source, targets in transitions.items()}
        self.actions = {action.name: action for action in actions}
        self.audit_prefix, self.history, self.community = audit_prefix, history, community
        self.tones = {str(status): tone for status, tone in (tones or {}).items()}
        known = set(statuses.values)
        unknown = (set(self.transitions) | {t for ts in self.transitions.values() for t in ts}) - known
        missing = known - set(self.transitions)
        if unknown or missing:
            raise ValueError(f"{self.label}: transition table names {sorted(unknown)}, lacks {sorted(missing)}")
        for action in self.actions.values():
            if action.target is not None and action.target not in known:
                raise ValueError(f"{self.label}: action {action.name} leads to unknown status {action.target}")
        register(self)

    # --- the table -------------------------------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"

    def status_of(self, obj_or_status: Any) -> str:
        if isinstance(obj_or_status, models.Model):
            return str(getattr(obj_or_status, self.field))
        return str(obj_or_status)

    def can_move(self, obj_or_status: Any, to: str) -> bool:
        return str(to) in self.transitions[self.status_of(obj_or_status)]

    def next_statuses(self, obj_or_status: Any) -> frozenset[str]:
        return self.transitions[self.status_of(obj_or_status)]

    def is_final(self, obj_or_status: Any) -> bool:
        return not self.transitions[self.status_of(obj_or_status)]

    def label_of(self, status: str) -> str:
        return str(self.statuses(status).label)

    def tone(self, obj_or_status: Any) -> str:
        return self.tones.get(self.status_of(obj_or_status), DEFAULT_TONE)

    def check(self, obj: models.Model, to: str) -> None:
        current = self.status_of(obj)
        if not self.can_move(current, to):
            raise TransitionError(
                _("“%(object)s” has the status “%(status)s” and cannot change to “%(target)s”.")
                % {"object": obj, "status": self.label_of(current), "target": self.label_of(to)},
                code="invalid_transition",
            )

    # --- performing ------------------------------------------------------------------------------------------------

    def move(
        self,
        obj: models.Model,
        to: str,
        *,
        actor: Any,
        text: str = "",
        action: str | None = None,
        data: Mapping[str, Any] | None = None,
        audit: bool = True,
        save: bool = True,
    ) -> str:
        """Check and perform `obj`'s move to `to`; write the history row and the audit event. Returns the previous
        status. Call inside the service's transaction (and with the row locked where two users may race)."""
        from . import audit as audit_log

        self.check(obj, to)
        previous = self.status_of(obj)
        setattr(obj, self.field, to)
        if save:
            obj.save()
        if self.history is not None:
            self.history(obj, previous=previous, to=str(to), actor=actor, text=text)
        if audit:
            audit_log.record(
                actor=actor,
                action=action or f"{self.audit_prefix}.{to}",
                target=obj,
                helsefellesskap=self.community(obj) if self.community else None,
                data={"from": previous, "to": str(to), **dict(data or {})},
            )
        return previous

    def claim(self, obj: models.Model, to: str, *, where: models.Q | None = None, **fields: Any) -> bool:
        """Move `obj` from the status it was read with to `to` with one conditional UPDATE; False when somebody else
        moved it first. For workers and periodic jobs, which must never take one row twice. `where` adds a condition
        the row must still meet (a claim older than a limit, say). No history or audit: the caller records what the
        claim was for."""
        current = self.status_of(obj)
        self.check(obj, to)
        rows = type(obj)._default_manager.filter(pk=obj.pk, **{self.field: current})
        if where is not None:
            rows = rows.filter(where)
        updated = rows.update(**{self.field: to}, **fields)
        if updated:
            setattr(obj, self.field, to)
            for name, value in fields.items():
                if not hasattr(value, "resolve_expression"):
                    setattr(obj, name, value)
        return bool(updated)

    # --- asking ----------------------------------------------------------------------------------------------------

    def allows(self, user: Any, obj: models.Model, action_name: str) -> bool:
        from .permissions import can

        action = self.actions[action_name]
        status = self.status_of(obj)
        if not action.offered_in(status):
            return False
        if action.target is not None and not self.can_move(status, action.target):
            return False
        return can(user, action.permission, obj)

    def actions_for(self, user: Any, obj: models.Model) -> AllowedActions:
        return AllowedActions(name for name in self.actions if self.allows(user, obj, name))

    def require(self, user: Any, obj: models.Model, action_name: str) -> Action:
        """The action if the user may take it now; PermissionDenied when the rule says no, TransitionError when the
        object's status does not offer it."""
        from .permissions import require

        action = self.actions[action_name]
        status = self.status_of(obj)
        if not action.offered_in(status) or (action.target is not None and not self.can_move(status, action.target)):
            raise TransitionError(
                _("“%(object)s” has the status “%(status)s”; that cannot be done now.")
                % {"object": obj, "status": self.label_of(status)},
                code="invalid_transition",
            )
        require(user, action.permission, obj)
        return action


_WORKFLOWS: dict[str, Workflow] = {}


def register(workflow: Workflow) -> None:
    key = workflow.label
    existing = _WORKFLOWS.get(key)
    if existing is not None and existing is not workflow and existing.model is not workflow.model:
        raise ValueError(f"Two workflows for {key}")
    _WORKFLOWS[key] = workflow


def workflows() -> dict[str, Workflow]:
    """Every declared workflow by "app_label.Model.field" (the test that walks the models reads this)."""
    return dict(_WORKFLOWS)


def workflow_for(model: type[models.Model] | models.Model, field_name: str = "status") -> Workflow:
    model_class = model if isinstance(model, type) else type(model)
    return _WORKFLOWS[f"{model_class._meta.label}.{field_name}"]
