"""Everything pixorga holds about one pupil, as the right of access asks: a ZIP with one CSV
per kind of data and the same tables in one JSON file.

Each table is built once (`pupil_tables`) and written twice, so the CSV and the JSON always
say the same thing. The account is described without its password (not even its hash).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Participant, Sending
from certification.models import Candidate, CertificationResult
from establishments.models import Enrolment, Pupil
from pix.files import BOM, neutralise
from progression.models import PupilCompliance
from remediation.models import Attendance, GroupMember


@dataclass(frozen=True)
class Table:
    name: str  # the file's name without extension, e.g. "inscriptions"
    header: Sequence[str]
    rows: list[list[Any]]


def _text(value: Any) -> Any:
    """A cell as both files write it: dates in ISO form, no None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _identity(pupil: Pupil) -> Table:
    return Table("identite", [
        _("INE"), _("Nom de famille"), _("Nom d’usage"), _("Prénom"), _("Sexe"),
        _("Date de naissance"), _("Lieu de naissance"), _("Établissement"), _("UAI"),
        _("Créé le"), _("Modifié le"),
    ], [[
        pupil.ine, pupil.last_name, pupil.usage_name, pupil.first_name, pupil.sex,
        pupil.birthdate, pupil.birth_place, pupil.establishment.name, pupil.establishment.uai,
        pupil.created_at, pupil.updated_at,
    ]])


def _account(pupil: Pupil) -> Table:
    header = [_("Identifiant"), _("Prénom"), _("Nom"), _("Adresse e-mail"), _("Actif"),
              _("Doit changer son mot de passe"), _("Créé le"), _("Dernière connexion")]
    user = pupil.user
    if user is None:
        return Table("compte", header, [])
    return Table("compte", header, [[
        user.username, user.first_name, user.last_name, user.email, user.is_active,
        user.must_change_password, user.date_joined, user.last_login,
    ]])


def _enrolments(pupil: Pupil) -> Table:
    enrolments = (Enrolment.objects.filter(pupil=pupil)
                  .select_related("school_year", "school_class")
                  .order_by("school_year__start_year"))
    return Table("inscriptions", [_("Année scolaire"), _("Classe"), _("Niveau"), _("Parti le")], [
        [str(e.school_year), e.school_class.code, e.school_class.grade, e.left_on]
        for e in enrolments
    ])


def _participations(pupil: Pupil) -> tuple[Table, Table]:
    participants = list(
        Participant.objects.filter(pupil=pupil)
        .select_related("campaign", "campaign__school_year")
        .order_by("campaign__school_year__start_year", "campaign__code", "pk")
    )
    sendings = (Sending.objects.filter(participant__in=participants)
                .order_by("participant_id", "shared_at", "pk"))
    campaigns = {p.pk: p.campaign for p in participants}
    participations = Table("participations", [
        _("Année scolaire"), _("Code de campagne"), _("Campagne"), _("Type"),
        _("Nom dans l’export Pix"), _("Prénom dans l’export Pix"), _("Classe dans l’export Pix"),
        _("Identifiant externe"), _("Rapprochement"), _("Résultats partagés"),
    ], [[
        str(p.campaign.school_year), p.campaign.code, p.campaign.name,
        p.campaign.get_kind_display(), p.last_name, p.first_name, p.division, p.external_id,
        p.get_match_display(), p.has_shared,
    ] for p in participants])
    results = Table("resultats", [
        _("Code de campagne"), _("Partagé"), _("Commencé le"), _("Partagé le"),
        _("Progression"), _("Pix"), _("Certifiable"), _("Maîtrise"), _("Palier"),
        _("Résultat retenu"), _("Compétences"), _("Domaines"), _("Badges"),
    ], [[
        campaigns[s.participant_id].code, s.shared, s.started_at, s.shared_at, s.progression,
        s.pix_total, s.certifiable, s.mastery, s.stage, s.is_result, s.competences,
        s.domains, s.badges,
    ] for s in sendings])
    return participations, results


def _certification(pupil: Pupil) -> tuple[Table, Table]:
    candidacies = (Candidate.objects.filter(pupil=pupil)
                   .select_related("plan__school_year").prefetch_related("sessions__room")
                   .order_by("plan__school_year__start_year"))
    planning = Table("certification_candidatures", [
        _("Année scolaire"), _("Temps majoré (%)"), _("Sessions"),
    ], [[
        str(c.plan.school_year), c.extra_time_percent,
        " | ".join(f"{timezone.localtime(s.starts_at):%d/%m/%Y %H:%M} {s.room}"
                   for s in c.sessions.all()),
    ] for c in candidacies])
    found = (CertificationResult.objects.filter(pupil=pupil).select_related("school_year")
             .order_by("school_year__start_year", "taken_on", "pk"))
    results = Table("certification_resultats", [
        _("Année scolaire"), _("Numéro de certification"), _("Classe"), _("Nom"), _("Prénom"),
        _("Date de naissance"), _("Statut"), _("Score Pix"), _("Niveau global"),
        _("Niveaux par compétence"), _("Session"), _("Passée le"),
    ], [[
        str(r.school_year), r.certification_number, r.division, r.last_name, r.first_name,
        r.birthdate, r.get_status_display(), r.pix, r.global_level, r.competence_levels,
        r.session_number, r.taken_on,
    ] for r in found])
    return planning, results


def _compliance(pupil: Pupil) -> Table:
    rows = (PupilCompliance.objects.filter(pupil=pupil)
            .select_related("school_year", "school_class")
            .order_by("school_year__start_year"))
    return Table("progression", [
        _("Année scolaire"), _("Classe"), _("Niveau"), _("Objectif atteint"), _("Manques"),
        _("Niveaux par compétence"), _("Mesuré le"),
    ], [[
        str(c.school_year), c.school_class.code, c.grade, c.met, " ; ".join(c.missing_texts),
        c.levels, c.measured_on,
    ] for c in rows])


def _remediation(pupil: Pupil) -> tuple[Table, Table]:
    members = (GroupMember.objects.filter(pupil=pupil).select_related("group", "period")
               .order_by("period__starts_on", "pk"))
    groups = Table("remediation_groupes", [
        _("Période"), _("Du"), _("Au"), _("Groupe"), _("Compétences visées"),
        _("Valeurs au placement"), _("Ajouté le"),
    ], [[
        m.period.name, m.period.starts_on, m.period.ends_on, m.group.name,
        " ".join(m.group.competences), m.values, m.added_at,
    ] for m in members])
    attendances = (Attendance.objects.filter(pupil=pupil).select_related("session__group")
                   .order_by("session__starts_at", "pk"))
    sessions = Table("remediation_seances", [
        _("Groupe"), _("Début"), _("Durée (minutes)"), _("Présent"), _("Noté le"),
    ], [[
        a.session.group.name, a.session.starts_at, a.session.minutes, a.present, a.marked_at,
    ] for a in attendances])
    return groups, sessions


def pupil_tables(pupil: Pupil) -> list[Table]:
    """Every table held about `pupil`, in the order a reader would look for them."""
    participations, results = _participations(pupil)
    planning, certified = _certification(pupil)
    groups, sessions = _remediation(pupil)
    return [
        _identity(pupil), _account(pupil), _enrolments(pupil), participations, results,
        _compliance(pupil), groups, sessions, planning, certified,
    ]


def _csv(table: Table) -> bytes:
    """UTF-8 with a BOM, `;`, as the project's other CSVs; no cell can run as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([neutralise(_text(cell)) for cell in row])
    return (BOM + out.getvalue()).encode("utf-8")


def _json(tables: Iterable[Table]) -> bytes:
    data = {
        table.name: [dict(zip(table.header, (_text(c) for c in row), strict=True))
                     for row in table.rows]
        for table in tables
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def pupil_export_zip(pupil: Pupil) -> bytes:
    """The ZIP: `donnees.json` and one CSV per table (a table may be empty: header only)."""
    tables = pupil_tables(pupil)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("donnees.json", _json(tables))
        for table in tables:
            archive.writestr(f"{table.name}.csv", _csv(table))
    return buffer.getvalue()
