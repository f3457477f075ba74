"""Downloads of a campaign's participants, one row each: who they are in Pix (names, class,
external id), whether a pupil was recognised, and their result (latest shared sending).

The external id's column is named after the label the campaign's creator chose in Pix, within
« Identifiant externe (…) », so that a label such as `Classe` never reads as the class.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from pix.files import BOM, PARIS, neutralise
from pix.numbers import round_half_up

from .exports import LINE_END, PLACES, french_decimal
from .models import Campaign, Participant, Sending

RECOGNISED = (Participant.Match.AUTO, Participant.Match.CONFIRMED)


def participant_columns(campaign: Campaign) -> list[str]:
    label = campaign.external_id_label
    external = _("Identifiant externe (%(label)s)") % {"label": label} if label else None
    result = _("Maîtrise des acquis") if campaign.gives_mastery else _("Pix total")
    return [_("Nom"), _("Prénom"), _("Classe"), *([external] if external else []),
            _("Élève reconnu"), _("Envoi"), _("Date de l’envoi"), result]


def participant_rows(campaign: Campaign) -> list[list[Any]]:
    """Values in the order of `participant_columns`: str, bool, Decimal, int or None."""
    results = Sending.objects.filter(is_result=True)
    participants = (
        Participant.objects.filter(campaign=campaign)
        .prefetch_related(Prefetch("sendings", queryset=results, to_attr="results"))
        .order_by("division", "last_name_key", "first_name_key", "pk")
    )
    rows = []
    for p in participants:
        result = p.results[0] if p.results else None
        value = None
        if result is not None:
            value = result.mastery if campaign.gives_mastery else result.pix_total
        rows.append([
            p.last_name, p.first_name, p.division,
            *([p.external_id] if campaign.external_id_label else []),
            p.match in RECOGNISED, result is not None,
            result.shared_at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")
            if result and result.shared_at else None,
            Decimal(value) if isinstance(value, Decimal | float) else value,
        ])
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, Decimal):
        return french_decimal(value)
    return str(neutralise(str(value)) if isinstance(value, str) else value)


def write_participants_csv(campaign: Campaign) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator=LINE_END)
    writer.writerow(participant_columns(campaign))
    for row in participant_rows(campaign):
        writer.writerow([_cell(value) for value in row])
    return (BOM + buffer.getvalue()).encode("utf-8")


def write_participants_xlsx(campaign: Campaign) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Participants")
    sheet.append(participant_columns(campaign))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in participant_rows(campaign):
        sheet.append([
            round_half_up(v, PLACES) if isinstance(v, Decimal)
            else (_("Oui") if v else _("Non")) if isinstance(v, bool)
            else neutralise(v) for v in row
        ])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal | float):
                cell.number_format = "0.00"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
