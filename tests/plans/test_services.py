"""The action plan's services: drafting with the default themes, who may write, status history kept in full,
approval through an agenda item, publishing, the copy to the next year with unfinished measures carried over, and
a goal's progress read from the published indicator results with small numbers hidden."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from samhandling.core.models import AuditEvent
from samhandling.core.workflow import TransitionError
from samhandling.governance.models import Attachment
from samhandling.plans import selectors, services
from samhandling.plans.models import ActionPlan, Measure, MeasureStatus, PlanStatus, PriorityGroup

from .conftest import YEAR


def test_a_new_plan_starts_as_a_draft_with_the_five_priority_groups(pl):
    assert pl.plan.status == PlanStatus.DRAFT
    assert [t.priority_group for t in pl.plan.themes.all()] == [
        PriorityGroup.CHILDREN,
        PriorityGroup.MENTAL_HEALTH,
        PriorityGroup.ELDERLY,
        PriorityGroup.ACUTE,
        PriorityGroup.QUALITY,
    ]
    assert AuditEvent.objects.filter(action="plans.plan.created", target_id=str(pl.plan.pk)).exists()


def test_only_the_secretariat_drafts_plans(gov, demo):
    for persona in ("kari", "hilde", "ola"):
        with pytest.raises(PermissionDenied):
            services.plan_create(
                actor=getattr(demo, persona), community=gov.community, title="X", start_year=YEAR, end_year=YEAR
            )
    assert services.plan_create(actor=demo.tove, community=gov.community, title="X", start_year=YEAR, end_year=YEAR)


def test_one_plan_per_period_and_the_period_must_make_sense(pl):
    with pytest.raises(ValidationError) as error:
        services.plan_create(actor=pl.sigrid, community=pl.gov.community, title="Igjen", start_year=YEAR, end_year=YEAR)
    assert "start_year" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.plan_create(
            actor=pl.sigrid, community=pl.gov.community, title="Baklengs", start_year=YEAR + 3, end_year=YEAR + 2
        )
    assert "end_year" in error.value.message_dict


def test_a_goal_measured_by_an_indicator_needs_areas_of_the_community_and_a_target(pl):
    with pytest.raises(ValidationError) as error:
        services.goal_create(
            actor=pl.sigrid, theme=pl.themes.acute, title="Mål", indicator="reinnleggelse_30d", areas=["kommune:1804"]
        )
    assert set(error.value.message_dict) == {"areas", "target_value"}
    with pytest.raises(ValidationError) as error:
        services.goal_create(actor=pl.sigrid, theme=pl.themes.acute, title="Mål", indicator="finnes_ikke")
    assert "indicator" in error.value.message_dict


def test_a_measure_has_a_user_or_a_named_owner_not_both_and_ends_after_it_starts(pl, demo):
    with pytest.raises(ValidationError) as error:
        services.measure_create(
            actor=pl.sigrid,
            goal=pl.goal,
            title="Tiltak",
            owner=demo.kari,
            owner_name="Noen Andre",
            start_date=pl.vitality.due_date,
            due_date=pl.vitality.start_date,
        )
    assert set(error.value.message_dict) == {"owner_name", "due_date"}


def test_the_owner_reports_status_and_every_status_is_kept(pl, demo):
    services.measure_report_status(actor=demo.kari, measure=pl.vitality, status=MeasureStatus.IN_PROGRESS, text="A")
    services.measure_report_status(actor=demo.kari, measure=pl.vitality, status=MeasureStatus.IN_PROGRESS, text="B")
    services.measure_report_status(
        actor=pl.sigrid, measure=pl.vitality, status=MeasureStatus.DELAYED, text="Venter på midler"
    )
    measure = Measure.objects.get(pk=pl.vitality.pk)
    assert measure.status == MeasureStatus.DELAYED
    assert measure.status_text == "Venter på midler"
    history = list(measure.history.order_by("at", "pk").values_list("from_status", "to_status", "text", "by_name"))
    assert [(h[0], h[1], h[2]) for h in history] == [
        ("not_started", "in_progress", "A"),
        ("in_progress", "in_progress", "B"),
        ("in_progress", "delayed", "Venter på midler"),
    ]
    assert history[0][3] == demo.kari.get_full_name()
    assert AuditEvent.objects.filter(action="plans.measure.delayed", target_id=str(measure.pk)).count() == 1


def test_someone_who_does_not_own_the_measure_cannot_report_its_status(pl, demo):
    for persona in ("per", "hilde", "ola"):
        with pytest.raises(PermissionDenied):
            services.measure_report_status(
                actor=getattr(demo, persona), measure=pl.vitality, status=MeasureStatus.IN_PROGRESS
            )
    assert not pl.vitality.history.exists()


def test_a_delay_needs_a_reason_and_a_closed_measure_reports_no_more(pl, demo):
    with pytest.raises(ValidationError) as error:
        services.measure_report_status(actor=demo.kari, measure=pl.vitality, status=MeasureStatus.DELAYED)
    assert "text" in error.value.message_dict
    services.measure_report_status(actor=demo.kari, measure=pl.vitality, status=MeasureStatus.CLOSED, text="Stoppet")
    with pytest.raises(TransitionError):
        services.measure_report_status(actor=demo.kari, measure=pl.vitality, status=MeasureStatus.IN_PROGRESS)


def test_approval_links_the_agenda_item_and_locks_the_plan(pl):
    plan = services.plan_approve(actor=pl.sigrid, plan=pl.plan, item=pl.gov.public_item)
    assert plan.status == PlanStatus.APPROVED and plan.approved_by_item == pl.gov.public_item
    with pytest.raises(ValidationError):
        services.theme_create(actor=pl.sigrid, plan=plan, title="Nytt tema")
    with pytest.raises(TransitionError):
        services.plan_approve(actor=pl.sigrid, plan=plan, item=pl.gov.public_item)
    plan = services.plan_publish(actor=pl.sigrid, plan=plan)
    assert plan.status == PlanStatus.PUBLISHED and plan.published_at is not None
    assert list(selectors.published_plans(pl.gov.community)) == [plan]


def test_a_plan_cannot_be_published_before_it_is_approved(pl):
    with pytest.raises(TransitionError):
        services.plan_publish(actor=pl.sigrid, plan=pl.plan)


def test_copy_to_next_year_carries_over_only_unfinished_measures(pl, demo):
    services.measure_report_status(actor=demo.kari, measure=pl.vitality, status=MeasureStatus.IN_PROGRESS, text="Går")
    copy = services.plan_copy_to_next_year(actor=pl.sigrid, plan=pl.plan)
    assert (copy.start_year, copy.end_year, copy.status) == (YEAR + 1, YEAR + 1, PlanStatus.DRAFT)
    assert copy.title == f"Handlingsplan {YEAR + 1}"
    assert copy.themes.count() == 5
    carried = Measure.objects.filter(goal__theme__plan=copy)
    assert {m.title for m in carried} == {"Prosjekt Vitality", "Ung Arena+ Vestfold"}  # not the completed one
    vitality = carried.get(title="Prosjekt Vitality")
    assert vitality.carried_from == pl.vitality
    assert (vitality.status, vitality.owner) == (MeasureStatus.IN_PROGRESS, demo.kari)
    assert vitality.goal.indicator == "reinnleggelse_30d" and len(vitality.goal.areas) == 3
    # The earlier plan is untouched, and a second copy for the same year is refused.
    assert Measure.objects.filter(goal__theme__plan=pl.plan).count() == 3
    with pytest.raises(ValidationError):
        services.plan_copy_to_next_year(actor=pl.sigrid, plan=pl.plan)
    assert ActionPlan.objects.filter(helsefellesskap=pl.gov.community).count() == 2


def test_goal_progress_comes_from_the_published_run_with_small_numbers_hidden(pl, run):
    progress = selectors.goal_progress(pl.goal, pl.gov.community)
    by_code = {a.area.code: a for a in progress.areas}
    faerder = by_code["3911"]
    assert faerder.latest_year == 2025 and faerder.latest.hidden and faerder.latest.value is None
    assert faerder.verdict == selectors.UNKNOWN
    tonsberg = by_code["3905"]
    assert tonsberg.latest is not None and not tonsberg.latest.hidden
    assert [year for year, _cell in tonsberg.trend] == [2024, 2025]
    assert tonsberg.verdict in {selectors.REACHED, selectors.ON_TRACK, selectors.OFF_TRACK}


def test_no_published_run_means_no_values(pl):
    progress = selectors.goal_progress(pl.goal, pl.gov.community)
    assert all(a.latest is None and a.verdict == selectors.UNKNOWN for a in progress.areas)


@pytest.mark.parametrize(
    ("latest", "baseline", "target", "higher", "expected"),
    [
        (8.0, 12.0, 10.0, False, "reached"),
        (11.0, 12.0, 10.0, False, "on_track"),
        (13.0, 12.0, 10.0, False, "off_track"),
        (80.0, 70.0, 90.0, True, "on_track"),
        (95.0, None, 90.0, True, "reached"),
        (85.0, None, 90.0, True, "unknown"),
        (85.0, 80.0, 90.0, None, "on_track"),  # no better direction: from the baseline towards the target
    ],
)
def test_the_verdict_follows_the_indicator_direction(latest, baseline, target, higher, expected):
    from types import SimpleNamespace as Cell

    base = Cell(value=baseline) if baseline is not None else None
    assert selectors.verdict(Cell(value=latest), base, target, higher) == expected


def test_the_status_report_goes_on_the_ssu_agenda_with_the_report_attached(pl, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upcoming = pl.gov.plan(days=14)
    item = services.plan_report_to_agenda(actor=pl.sigrid, plan=pl.plan, meeting=upcoming, fmt="docx")
    assert item.meeting == upcoming and item.body == pl.gov.ssu
    attachment = Attachment.objects.get(item=item)
    assert attachment.original_name.endswith(".docx") and attachment.size > 1000
    assert item in pl.vitality.agenda_items.all()
    assert AuditEvent.objects.filter(action="plans.plan.report_on_agenda").exists()


def test_only_managers_put_the_report_on_an_agenda(pl, demo):
    upcoming = pl.gov.plan(days=14)
    with pytest.raises(PermissionDenied):
        services.plan_report_to_agenda(actor=demo.hilde, plan=pl.plan, meeting=upcoming)
    assert not upcoming.items.filter(title__startswith="Status").exists()


def test_the_owner_is_reminded_before_the_next_ssu_meeting_until_the_status_is_reported(pl, demo):
    from samhandling.plans.todo import plans_todo

    assert plans_todo(demo.kari) == []  # the plan is a draft
    services.plan_approve(actor=pl.sigrid, plan=pl.plan, item=pl.gov.public_item)
    assert plans_todo(demo.kari) == []  # no SSU meeting in the coming weeks
    upcoming = pl.gov.plan(days=10)
    todo = plans_todo(demo.kari)
    assert [t.url for t in todo] == [pl.vitality.get_absolute_url() + "#status"]
    assert todo[0].due == upcoming.date
    assert plans_todo(demo.per) == []  # per's measure is completed
    services.measure_report_status(actor=demo.kari, measure=pl.vitality, status=MeasureStatus.IN_PROGRESS, text="Ok")
    assert plans_todo(demo.kari) == []


def test_the_demo_plans_command_runs_twice_and_creates_once(demo, run, fake_documents, settings, tmp_path):
    import io

    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path
    call_command("demo_plans", stdout=io.StringIO())  # builds the demo meetings first
    call_command("demo_plans", stdout=io.StringIO())
    plans = ActionPlan.objects.filter(helsefellesskap__code="VES").order_by("start_year")
    assert [p.status for p in plans] == [PlanStatus.PUBLISHED, PlanStatus.DRAFT]
    published, draft = plans
    assert Measure.objects.filter(goal__theme__plan=published).count() == 7
    # The completed measure stays behind; the six others are carried over.
    assert Measure.objects.filter(goal__theme__plan=draft).count() == 6
