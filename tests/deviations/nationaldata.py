"""A small hand-built set of deviations in several communities for the national statistics, written straight into
the table (as the demo history and the import write them) with only the fields statistics read."""

from datetime import date, datetime

from django.utils import timezone

from samhandling.core.models import Helsefellesskap, Organisation
from samhandling.deviations import services
from samhandling.deviations.models import Category, Deviation, Status
from samhandling.deviations.services.common import allocate_references

YEAR = 2025


def demo_places() -> dict[str, Organisation]:
    """A municipal unit and a hospital clinic of the demo (their roots give the direction)."""
    return {
        "kommune": Organisation.objects.get(name="Hjemmetjenesten Tønsberg sentrum (demo)"),
        "hf": Organisation.objects.get(name="Medisinsk klinikk (demo)"),
    }


def community(code: str) -> Helsefellesskap:
    found = Helsefellesskap.objects.get(code=code)
    services.settings_for(found)
    return found


def make_cases(where: Helsefellesskap, places, specs: list[dict]) -> None:
    """Cases straight into the table (as the demo history and the import write them): only what statistics read."""
    categories = {c.code: c for c in Category.objects.filter(helsefellesskap=where)}
    rows = []
    for spec, reference in zip(specs, allocate_references(where, YEAR, len(specs)), strict=True):
        sent = timezone.make_aware(datetime(YEAR, spec.get("month", 3), 10, 12))
        days = spec.get("days")
        direction = spec.get("direction", ("kommune", "hf"))
        rows.append(
            Deviation(
                helsefellesskap=where,
                reference=reference,
                status=spec.get("status", Status.ANSWERED if days is not None else Status.ACKNOWLEDGED),
                reporter_unit=places[direction[0]],
                receiver=places[direction[1]],
                occurred_on=date(YEAR, 3, 1),
                description="Ikke med i statistikken",
                category=categories[spec.get("category", "EPI")],
                event_type="incident",
                harm_physical=spec.get("harm", "none"),
                harm_psychological="none",
                patient_involved="no",
                submitted_at=sent,
                answered_at=sent if days is not None else None,
                days_to_answer=days,
                answered_in_time=spec.get("in_time", True) if days is not None else None,
            )
        )
    Deviation.objects.bulk_create(rows)


def vestfold_cases() -> list[dict]:
    """12 cases: EPI 7 and LM 5; kommune → HF 7 and HF → kommune 5; no harm 6, low 6; 10 answered in 1 … 10 working
    days, 8 of them in time."""
    specs = []
    for index in range(12):
        spec = {
            "category": "EPI" if index < 7 else "LM",
            "direction": ("kommune", "hf") if index < 7 else ("hf", "kommune"),
            "harm": "none" if index % 2 else "low",
        }
        if index < 10:
            spec |= {"days": index + 1, "in_time": index < 8}
        specs.append(spec)
    return specs


def small_world(places) -> tuple[Helsefellesskap, Helsefellesskap, Helsefellesskap]:
    """Many small counts in three communities: a hidden community total, small categories, small harms."""
    vestfold, nordland, oslo = community("VES"), community("NOR"), community("OSL")
    make_cases(vestfold, places, vestfold_cases() + [{"category": "HJM", "harm": "severe"}] * 2)
    make_cases(nordland, places, [{"category": "EPI", "days": 3}] * 3)  # 3 in all: hidden
    make_cases(
        oslo,
        places,
        [{"category": "EPI", "days": 2}] * 9 + [{"category": "LM", "harm": "moderate", "direction": ("hf", "kommune")}],
    )
    return vestfold, nordland, oslo
