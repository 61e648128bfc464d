""" "Mine oppgaver": each module registers a provider that lists what the user has to do next.

A provider is a function `(user) -> list[Todo]`; the front page shows all providers' items, soonest due first.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise


@dataclass(frozen=True)
class Todo:
    title: str | Promise
    url: str
    module: str | Promise
    due: date | None = None
    overdue: bool = False


TodoProvider = Callable[[object], list[Todo]]
_PROVIDERS: list[TodoProvider] = []


def register_todo_provider(provider: TodoProvider) -> TodoProvider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def todo_for(user) -> list[Todo]:
    items = [item for provider in _PROVIDERS for item in provider(user)]
    return sorted(items, key=lambda item: (item.due is None, item.due or date.max, str(item.title)))
