""" "Mine oppgaver": each module registers a provider that lists what the user has to do next.

A provider is a function `(user) -> list[Task]`; the front page shows all providers' tasks, soonest due first.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise


@dataclass(frozen=True)
class Task:
    title: str | Promise
    url: str
    module: str | Promise
    due: date | None = None
    overdue: bool = False


TaskProvider = Callable[[object], list[Task]]
_PROVIDERS: list[TaskProvider] = []


def register_task_provider(provider: TaskProvider) -> TaskProvider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def tasks_for(user) -> list[Task]:
    tasks = [task for provider in _PROVIDERS for task in provider(user)]
    return sorted(tasks, key=lambda task: (task.due is None, task.due or date.max, str(task.title)))
