"""The workflow module: the transition table is the only way a status changes, a claim is taken once, and the actions
offered follow both the status and the permission rules.

The tests use django-tasks-db's task table (a real model with a status field that no app owns), so they do not depend
on the domain apps' models, and they register their workflow and rules only for the duration of a test.
"""

import pytest
from django.db import models
from django_tasks_db.models import DBTaskResult

from samhandling.core import permissions, workflow
from samhandling.core.models import AuditEvent
from samhandling.core.workflow import Action, TransitionError, Workflow


class Status(models.TextChoices):
    READY = "READY"
    RUNNING = "RUNNING"
    FAILED = "FAILED"
    SUCCESSFUL = "SUCCESSFUL"


TABLE = {"READY": ["RUNNING"], "RUNNING": ["SUCCESSFUL", "FAILED", "READY"], "FAILED": ["READY"], "SUCCESSFUL": []}


@pytest.fixture
def registry():
    """Leave the workflow and rule registries as they were, whatever a test registers."""
    saved_workflows, saved_rules = dict(workflow._WORKFLOWS), dict(permissions._RULES)
    yield
    workflow._WORKFLOWS.clear()
    workflow._WORKFLOWS.update(saved_workflows)
    permissions._RULES.clear()
    permissions._RULES.update(saved_rules)


@pytest.fixture
def flow(registry):
    @permissions.rule("tests.run_task", roles=("analyst",), about="task")
    def _run_task(user, task) -> bool:
        """Only anders may run tasks (a test rule)."""
        return user.username == "anders"

    history = []
    flow = Workflow(
        model=DBTaskResult,
        statuses=Status,
        transitions=TABLE,
        actions=[
            Action("start", "tests.run_task", source=frozenset({"READY"}), target="RUNNING"),
            Action("retry", "tests.run_task", source=frozenset({"FAILED"}), target="READY"),
            Action("note", "tests.run_task"),  # any status, no status change
        ],
        audit_prefix="tests.task",
        history=lambda obj, **kw: history.append(kw),
    )
    flow.history_rows = history
    return flow


@pytest.fixture
def task_row(db):
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="tests.core.queue_tasks.record_run",
        backend_name="default",
        run_after="2026-01-01T00:00:00Z",
    )


def test_move_follows_the_table_and_writes_history_and_audit(flow, task_row, demo):
    previous = flow.move(task_row, "RUNNING", actor=demo.anders, text="started")
    assert previous == "READY"
    task_row.refresh_from_db()
    assert task_row.status == "RUNNING"
    assert flow.history_rows == [{"previous": "READY", "to": "RUNNING", "actor": demo.anders, "text": "started"}]
    event = AuditEvent.objects.get(action="tests.task.RUNNING")
    assert event.actor == demo.anders
    assert event.data == {"from": "READY", "to": "RUNNING"}
    assert event.target_id == str(task_row.pk)


def test_move_outside_the_table_raises_and_changes_nothing(flow, task_row, demo):
    with pytest.raises(TransitionError) as caught:
        flow.move(task_row, "SUCCESSFUL", actor=demo.anders)
    assert caught.value.code == "invalid_transition"
    task_row.refresh_from_db()
    assert task_row.status == "READY"
    assert not AuditEvent.objects.filter(action__startswith="tests.task").exists()
    assert flow.history_rows == []


def test_a_final_status_has_no_way_out(flow):
    assert flow.is_final("SUCCESSFUL")
    assert not flow.is_final("READY")
    assert flow.next_statuses("RUNNING") == {"SUCCESSFUL", "FAILED", "READY"}


def test_two_claims_of_one_row_one_wins(flow, task_row):
    first = DBTaskResult.objects.get(pk=task_row.pk)
    second = DBTaskResult.objects.get(pk=task_row.pk)  # read with the same status by another worker
    assert flow.claim(first, "RUNNING", worker_ids=["a"]) is True
    assert flow.claim(second, "RUNNING", worker_ids=["b"]) is False
    task_row.refresh_from_db()
    assert task_row.status == "RUNNING"
    assert task_row.worker_ids == ["a"]
    assert second.status == "READY"  # the loser's copy is not changed behind its back


def test_a_claim_outside_the_table_raises(flow, task_row):
    with pytest.raises(TransitionError):
        flow.claim(task_row, "SUCCESSFUL")


def test_actions_follow_status_and_permission(flow, task_row, demo):
    assert set(flow.actions_for(demo.anders, task_row)) == {"start", "note"}
    assert not flow.actions_for(demo.kari, task_row)  # the rule says no
    task_row.status = "FAILED"
    actions = flow.actions_for(demo.anders, task_row)
    assert set(actions) == {"retry", "note"}
    assert actions.retry and "retry" in actions and actions["retry"]
    assert not actions.start


def test_require_says_why_an_action_is_refused(flow, task_row, demo):
    from django.core.exceptions import PermissionDenied

    assert flow.require(demo.anders, task_row, "start").target == "RUNNING"
    with pytest.raises(PermissionDenied):
        flow.require(demo.kari, task_row, "start")
    task_row.status = "SUCCESSFUL"
    with pytest.raises(TransitionError):
        flow.require(demo.anders, task_row, "start")


def test_an_action_with_an_unknown_permission_is_an_error(flow, task_row, demo, settings, registry):
    settings.SAMHANDLING_STRICT_PERMISSIONS = True
    flow.actions["typo"] = Action("typo", "tests.no_such_rule")
    with pytest.raises(permissions.UnknownPermission):
        flow.actions_for(demo.anders, task_row)


def test_a_table_naming_an_unknown_status_is_refused(registry):
    with pytest.raises(ValueError, match="PAUSED"):
        Workflow(model=DBTaskResult, statuses=Status, transitions={**TABLE, "READY": ["PAUSED"]})


def test_a_table_missing_a_status_is_refused(registry):
    with pytest.raises(ValueError, match="FAILED"):
        Workflow(model=DBTaskResult, statuses=Status, transitions={k: v for k, v in TABLE.items() if k != "FAILED"})


def test_an_action_leading_to_an_unknown_status_is_refused(registry):
    with pytest.raises(ValueError, match="PAUSED"):
        Workflow(model=DBTaskResult, statuses=Status, transitions=TABLE, actions=[Action("x", "p", target="PAUSED")])


def test_a_workflow_is_found_by_model_and_field(flow, task_row):
    assert workflow.workflow_for(task_row) is flow
    assert workflow.workflows()[f"{DBTaskResult._meta.label}.status"] is flow
