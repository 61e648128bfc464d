"""The XLSX template a secretariat fills in: the headers, one example row and a sheet explaining each column."""

import io
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from samhandling.core.models import Helsefellesskap, OrganisationType
from samhandling.core.permissions import community_organisations

from ..models import (
    Category,
)
from .columns import ALLOWED, COLUMNS, EXAMPLE_CASE_NUMBER, MAX_ROWS

# --- the template ---------------------------------------------------------------------------------------------------


def _example_values(community: Helsefellesskap) -> dict[str, Any]:
    tops = community_organisations(community).filter(parent__isnull=True)
    municipality = tops.filter(type=OrganisationType.KOMMUNE).order_by("name").first()
    hospital = tops.filter(type__in=[OrganisationType.HF, OrganisationType.PRIVATE_HOSPITAL]).order_by("name").first()
    category = Category.objects.filter(helsefellesskap=community, is_active=True).order_by("order", "code").first()
    year = timezone.localdate().year - 1
    return {
        "occurred_on": date(year, 3, 14),
        "sent_on": date(year, 3, 15),
        "sender": municipality.name if municipality else "Kommune",
        "receiver": hospital.display_short_name if hospital else "Sykehus",
        "category": category.code if category else "ANN",
        "event_type": "hendelse",
        "harm_physical": "ingen",
        "harm_psychological": "vet ikke",
        "status": "besvart",
        "answered_on": date(year, 4, 2),
        "description": "Pasienten kom hjem uten epikrise.",
        "answer": "Rutinen for utsending av epikrise er gjennomgått med avdelingen.",
        "external_case_id": EXAMPLE_CASE_NUMBER,
    }


def template_workbook(community: Helsefellesskap) -> bytes:
    """An XLSX with the headers, one example row (refused if left in) and a sheet that explains each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from ..services.common import settings_for  # not at import time: services imports this package

    settings_for(community)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Avvik"
    sheet.append([column.header for column in COLUMNS])
    example = _example_values(community)
    sheet.append([example[column.key] for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet[f"{letter}1"].font = Font(bold=True)
        sheet.column_dimensions[letter].width = 40 if column.key in ("description", "answer") else 18
        if isinstance(example[column.key], date):
            sheet[f"{letter}2"].number_format = "DD.MM.YYYY"
    sheet.freeze_panes = "A2"
    codes = list(Category.objects.filter(helsefellesskap=community, is_active=True).values_list("code", flat=True))
    lists = {**ALLOWED, "category": codes}
    for index, column in enumerate(COLUMNS, start=1):
        values = lists.get(column.key)
        formula = '"' + ",".join(values) + '"' if values else ""
        if not values or len(formula) > 255:  # Excel's limit for a list written in the rule
            continue
        rule = DataValidation(type="list", formula1=formula, allow_blank=True, errorStyle="warning")
        letter = get_column_letter(index)
        rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(rule)
    guide = workbook.create_sheet("Forklaring")
    guide.append([_("Column"), _("Required"), _("What to write")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        guide.append([column.header, _("Yes") if column.required else _("No"), str(column.help)])
    guide.append([])
    guide.append(
        [
            _(
                "Only the first sheet is imported. Never write a patient's name, fødselsnummer or D-nummer: a file "
                "with a fødselsnummer or D-nummer in any cell is refused."
            )
        ]
    )
    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["B"].width = 10
    guide.column_dimensions["C"].width = 100
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
