"""Cross-cutting rules the apps must keep, checked over the whole code base: every status field has a workflow that
covers each of its choices, no web code starts a thread, and every audit action a service can write has a label.

These read the models, the registries and the source; an app that adds a status, a thread or an audit action
without the matching piece fails here, not in review.
"""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

import samhandling
from samhandling.core import audit
from samhandling.core.management.commands.permissions_doc import import_every_module
from samhandling.core.permissions import registered_rules
from samhandling.core.workflow import workflows

SOURCE = Path(samhandling.__file__).resolve().parent
# Columns that record a transition (a history row's "from" and "to"), not the state of the row itself.
HISTORY_COLUMN_PREFIXES = ("from_", "to_", "previous_")
# Where a thread may be started: long-running processes, never a web request.
# Threads may start in management commands (the worker) and in code that only the worker runs: a job's heartbeat,
# which checks `core.queue.in_worker()` first (tests/indicators/test_recovery.py proves a web process starts none).
THREADS_ALLOWED = ("management/commands/", "indicators/jobs.py")


def _python_files() -> list[Path]:
    return sorted(p for p in SOURCE.rglob("*.py") if "migrations" not in p.parts)


_import_everything = import_every_module  # each module's registrations (audit labels, rules, workflows) run


# Fields named "status" that record a fact rather than a state with transitions; each with the reason.
NOT_WORKFLOWS = {
    "governance.Attendance.status": "who attended a meeting (present, absent, a substitute): recorded, not moved",
}


def status_fields() -> list[tuple[type[models.Model], models.Field]]:
    """Every field of a samhandling model that holds a state: choices, and a name ending in "status"."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("samhandling."):
            continue
        for field in model._meta.get_fields():
            name = getattr(field, "name", "")
            if (
                getattr(field, "choices", None)
                and name.endswith("status")
                and not name.startswith(HISTORY_COLUMN_PREFIXES)
                and f"{model._meta.label}.{name}" not in NOT_WORKFLOWS
            ):
                found.append((model, field))
    return found


def test_there_are_status_fields_to_check():
    assert len(status_fields()) >= 3  # the walk itself works (deviations, meetings, indicator runs …)


def test_the_fields_left_out_of_the_walk_exist():
    """An exemption must name a real field, so a renamed field cannot slip out of the walk unnoticed."""
    for key in NOT_WORKFLOWS:
        app_label, model_name, field_name = key.split(".")
        apps.get_model(app_label, model_name)._meta.get_field(field_name)


@pytest.mark.parametrize(
    ("model", "field"), status_fields(), ids=lambda v: getattr(v, "__name__", getattr(v, "name", ""))
)
def test_every_status_field_has_a_workflow_covering_every_choice(model, field):
    _import_everything()
    key = f"{model._meta.label}.{field.name}"
    flow = workflows().get(key)
    assert flow is not None, f"{key} has choices but no Workflow in core.workflow (declare one next to the model)"
    choices = {str(value) for value, _label in field.flatchoices}
    assert set(flow.transitions) == choices, (
        f"{key}: the table covers {sorted(flow.transitions)}, not {sorted(choices)}"
    )


def _thread_starts(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Call):
            callee = node.func
            name = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
            if name in {"Thread", "Timer"}:
                lines.append(node.lineno)
    return lines


def test_no_web_code_starts_a_thread():
    offenders = []
    for path in _python_files():
        relative = path.relative_to(SOURCE).as_posix()
        if any(part in relative for part in THREADS_ALLOWED):
            continue
        offenders += [f"samhandling/{relative}:{line}" for line in _thread_starts(path)]
    assert not offenders, "a web request never starts a thread; enqueue a task instead: " + ", ".join(offenders)


def _audit_actions_in_source() -> tuple[set[str], set[str]]:
    """Literal `action="app.thing.verb"` arguments, and the prefixes of formatted ones (f"app.thing.{to}")."""
    literals, prefixes = set(), set()
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg != "action":
                    continue
                if isinstance(value, ast.Constant) and isinstance(value.value, str) and "." in value.value:
                    literals.add(value.value)
                elif isinstance(value, ast.JoinedStr) and value.values and isinstance(value.values[0], ast.Constant):
                    prefixes.add(str(value.values[0].value).rstrip("."))
    return literals, prefixes


def every_audit_action() -> set[str]:
    _import_everything()
    literals, _prefixes = _audit_actions_in_source()
    # A move writes "<prefix>.<new status>": every status some transition leads to (a draft, say, is only ever
    # where a case starts, so "deviations.case.draft" is never written).
    from_workflows = {
        f"{flow.audit_prefix}.{status}"
        for flow in workflows().values()
        if flow.audit_prefix
        for status in set().union(*flow.transitions.values())
    }
    return literals | from_workflows


def test_the_source_scan_finds_the_audit_actions():
    actions = every_audit_action()
    assert {"core.user.created", "core.organisation.created"} <= actions
    assert len(actions) >= 30


def test_every_audit_action_has_a_translated_label():
    unlabelled = sorted(action for action in every_audit_action() if str(audit.describe(action)) == action)
    assert not unlabelled, f"audit actions without a label (audit.register_actions): {unlabelled}"


def test_every_formatted_audit_action_comes_from_a_workflow():
    """`action=f"app.thing.{to}"` in a service is a status change done by hand; the workflow with that prefix
    labels (and checks) every one of them."""
    _import_everything()
    _literals, prefixes = _audit_actions_in_source()
    covered = {flow.audit_prefix for flow in workflows().values()}
    assert not prefixes - covered, (
        f"formatted audit actions with no workflow of that audit_prefix: {prefixes - covered}"
    )


def test_every_permission_rule_exists_from_start_up():
    """A rule registered in a module that is imported late is unknown until then: `can()` raises (or denies) for it
    on a fresh process. Rules belong in the app's access.py, which its AppConfig.ready() imports."""
    script = "import django; django.setup(); from samhandling.core.permissions import registered_rules as r; "
    at_start = subprocess.run(
        [sys.executable, "-c", script + "print(' '.join(r()))"],
        cwd=SOURCE.parent,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "samhandling.settings"},
    )
    assert at_start.returncode == 0, at_start.stderr
    _import_everything()
    late = sorted(set(registered_rules()) - set(at_start.stdout.split()))
    assert not late, f"rules registered only when another module is imported (move them to access.py): {late}"


def test_no_file_holds_a_merge_conflict_marker():
    """Branches are merged here often; a conflict resolved by hand must not leave its markers behind."""
    root = Path(__file__).resolve().parents[1]
    marked = []
    for path in root.rglob("*"):
        if not path.is_file() or {".git", ".venv", "node_modules", "var"} & set(path.parts):
            continue
        if path.suffix not in {".py", ".html", ".md", ".toml", ".txt", ".css", ".js", ".po", ".lock", ".mjs"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if re.search(r"^(<{7}|>{7}) ", text, re.M) or re.search(r"^={7}$", text, re.M):
            marked.append(str(path.relative_to(root)))
    assert not marked, marked
