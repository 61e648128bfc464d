"""The agreement clauses other modules refer to: a deviation names the clause of a cooperation agreement it breaks.

The agreements module sits above the deviation module in the import order (agreements → governance → deviations
→ core), so deviations never import it: the agreements app registers its clause source here at start-up, and the
deviation form, service and statistics ask through these functions. Without a source there are no clauses to offer
(the free-text field still is)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ClauseRef:
    """One clause as other modules see it: its id, the agreement it belongs to (for grouping), a readable label
    such as "Tjenesteavtale 5, punkt 4.2 – Utskrivning", whether its version is in force, and a sort key."""

    pk: int
    community_id: int
    agreement: str
    label: str
    in_force: bool
    order: tuple[Any, ...] = ()


# (community, in_force_only) -> the community's clauses of adopted (and, unless in_force_only, replaced) versions
ClauseLister = Callable[[Any, bool], list[ClauseRef]]
# ids -> the clauses with those ids (any version)
ClauseDescriber = Callable[[Iterable[int]], dict[int, ClauseRef]]

_SOURCE: dict[str, Any] = {}


def register_clause_source(*, lister: ClauseLister, describer: ClauseDescriber) -> None:
    _SOURCE["lister"], _SOURCE["describer"] = lister, describer


def clauses_for(community: Any, *, in_force_only: bool = True) -> list[ClauseRef]:
    """The community's clauses in order (agreement, then clause), those in force only unless told otherwise."""
    if community is None or "lister" not in _SOURCE:
        return []
    return sorted(_SOURCE["lister"](community, in_force_only), key=lambda ref: ref.order)


def describe(ids: Iterable[int]) -> dict[int, ClauseRef]:
    wanted = {int(pk) for pk in ids if pk is not None}
    if not wanted or "describer" not in _SOURCE:
        return {}
    return dict(_SOURCE["describer"](wanted))


def grouped_choices(refs: Iterable[ClauseRef]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Choices for a select: one group (optgroup) per agreement, in the order given."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for ref in refs:
        groups.setdefault(ref.agreement, []).append((ref.pk, ref.label))
    return list(groups.items())
