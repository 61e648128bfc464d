"""The meeting and action point workflows: one transition table each, declared next to the models; what a user may do
now comes from `actions_for`, and the pages offer exactly that."""

import pytest

from samhandling.core.models import AuditEvent
from samhandling.core.workflow import TransitionError, workflow_for
from samhandling.governance import services
from samhandling.governance.models import ACTION_POINT_WORKFLOW, MEETING_WORKFLOW, ActionPoint, Meeting, MeetingStatus

pytestmark = pytest.mark.usefixtures("fake_documents")


def test_the_workflows_are_registered_for_their_models():
    assert workflow_for(Meeting) is MEETING_WORKFLOW
    assert workflow_for(ActionPoint) is ACTION_POINT_WORKFLOW


def test_the_secretariat_may_send_the_notice_of_a_planned_meeting_and_a_member_may_not(gov, demo):
    assert {"send_notice", "edit", "cancel"} <= set(gov.meeting.actions_for(gov.sigrid))
    assert "reinstate" not in gov.meeting.actions_for(gov.sigrid)
    assert not {"send_notice", "edit", "cancel"} & set(gov.meeting.actions_for(demo.per))


def test_a_cancelled_meeting_offers_reinstating_and_its_page_shows_only_that(gov, client):
    services.meeting_cancel(actor=gov.sigrid, meeting=gov.meeting, reason="Sykdom")
    actions = gov.meeting.actions_for(gov.sigrid)
    assert "reinstate" in actions and "send_notice" not in actions and "edit" not in actions
    client.force_login(gov.sigrid)
    page = client.get(gov.meeting.get_absolute_url()).content.decode()
    assert "/gjeninnsett/" in page and "/innkalling/" not in page and "/rediger/" not in page


def test_a_move_outside_the_table_raises_and_writes_nothing(gov):
    before = AuditEvent.objects.count()
    with pytest.raises(TransitionError):
        MEETING_WORKFLOW.move(gov.meeting, MeetingStatus.MINUTES_APPROVED, actor=gov.sigrid)
    gov.meeting.refresh_from_db()
    assert gov.meeting.status == MeetingStatus.PLANNED and AuditEvent.objects.count() == before


def test_completing_an_action_point_goes_through_its_workflow_with_the_done_time(gov, demo):
    point = services.action_point_create(actor=gov.sigrid, item=gov.public_item, owner=demo.per, description="X")
    assert set(ACTION_POINT_WORKFLOW.actions_for(demo.per, point)) == {"complete"}
    services.action_point_complete(actor=demo.per, action_point=point, note="Gjort")
    point.refresh_from_db()
    assert point.status == "done" and point.done_at is not None
    assert AuditEvent.objects.filter(action="governance.action_point.done").exists()
    services.action_point_reopen(actor=demo.per, action_point=point)
    point.refresh_from_db()
    assert point.status == "open" and point.done_at is None
