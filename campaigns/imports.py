"""The campaign results import: a Pix Orga export → a campaign, its participants and sendings.

Two steps, as every import: `pix.campaigns` reads and checks the whole file; only a file with no
error is written, in one transaction, with a fixed number of queries whatever its size.

- Participants are the file's rows grouped by normalised names, class and external id.
- Every sending is kept; a row identical to one already stored (same fingerprint) is the same
  sending, so importing the same file twice changes nothing, and a newer export of the campaign
  only adds its new sendings.
- A participant's result is their latest *shared* sending (`Sending.is_result`): a newer
  sending that was not shared never hides an older shared one.
- Participants are matched to pupils (`campaigns.matching`) at every import, so that pupils
  imported since are found; people's decisions (`MatchDecision`) always win.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from establishments.models import Enrolment, Establishment, Membership, SchoolClass, SchoolYear
from pix.campaigns import CampaignExport, CampaignKind, ParticipationRow, read_campaign_export
from pix.files import RowError
from pix.grades import LEAVING_GRADES, grade_from_division
from pix.i18n import _
from pix.names import normalise_name
from pix.referential import fold

from .belonging import (
    matched_error,
    organisation_error,
    same_organisation,
    too_few_matched,
)
from .bulk import bulk_insert
from .matching import (
    Decision,
    DecisionKey,
    PupilIdentity,
    PupilIndex,
    match_participant,
    pupil_last_name_keys,
)
from .models import Campaign, MatchDecision, Participant, Sending
from .services import campaign_import_start

__all__ = [
    "CampaignImportReport",
    "campaign_import_start",  # lives in services; here too, beside the import it starts
    "campaign_results_import",
    "guess_purpose",
    "pupil_identities",
    "sending_fingerprint",
]

logger = logging.getLogger(__name__)
ProgressCallback = Callable[[int, int], None]

CODE_RE = re.compile(r"^[A-Z]{6}[0-9]{3}$")
PARTICIPANT_UPDATE_FIELDS = ["pupil", "match", "candidates", "has_shared"]
# Sorts before any line of the file: a sending no longer in the export loses a tie.
NOT_IN_FILE = -(10**9)

_M = TypeVar("_M", bound=Model)
ParticipantKey = tuple[str, str, str, str]  # (last_name_key, first_name_key, division, ext. id)


@dataclass
class CampaignImportReport:
    campaign: Campaign | None = None
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # stopped because the file seems another establishment's: a person may confirm
    needs_confirmation: bool = False
    # a file without "Code" (2020-2021) and no campaign given: a person says which it is
    needs_campaign: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rejected(Exception):
    """Raised inside the transaction so that it rolls back; carries what to tell the user."""

    def __init__(self, errors: list[RowError], needs_confirmation: bool = False) -> None:
        self.errors = errors
        self.needs_confirmation = needs_confirmation
        super().__init__(errors)


def _no_progress(done: int, total: int) -> None:
    pass


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block.

    An import makes hundreds of thousands of objects that all live until its end and form no
    cycle to collect; the collector went through all of them again and again, for a fifth of
    the CPU time of a 20,000-row import. Objects are still freed when no longer referenced.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@_cycle_collection_paused()
def campaign_results_import(
    *,
    establishment: Establishment,
    data: bytes,
    filename: str = "",
    by=None,
    campaign: Campaign | None = None,
    progress: ProgressCallback = _no_progress,
    confirmed: bool = False,
) -> CampaignImportReport:
    """Imports a campaign export; with errors, nothing is written.

    With `campaign`, the file must be this campaign's export; without, the establishment's
    campaign with the file's code is completed, or created (owned by `by`). After commit, the
    campaign's summaries are rebuilt by a task. A file that seems another establishment's
    (`campaigns.belonging`) stops with `needs_confirmation` unless `confirmed`.
    """
    if campaign is not None and campaign.establishment_id != establishment.pk:
        raise ValueError("the campaign belongs to another establishment")
    export = read_campaign_export(data)
    errors = export.errors or _check_file(export, campaign)
    if errors:
        needs_campaign = (campaign is None and not export.errors
                          and not export.code.strip())
        return CampaignImportReport(campaign=campaign, errors=list(errors),
                                    needs_campaign=needs_campaign)
    if not confirmed and not same_organisation(export.organisation, establishment.name,
                                               establishment.uai):
        return CampaignImportReport(
            campaign=campaign, needs_confirmation=True,
            errors=[organisation_error(export.organisation, establishment.name)])
    # The slow pure work first, outside the transaction: a job's progress shows at once.
    groups = _group(export.rows, progress)
    try:
        with transaction.atomic():
            campaign, counts = _write(establishment, export, groups, by, campaign, confirmed)
            campaign_id = campaign.pk
            transaction.on_commit(lambda: _enqueue_summaries(campaign_id))
    except _Rejected as rejected:
        return CampaignImportReport(campaign=campaign, errors=rejected.errors,
                                    needs_confirmation=rejected.needs_confirmation)
    except IntegrityError:
        # Another import of the same campaign committed first: nothing of this one was kept.
        logger.warning("campaign import of %s rolled back", export.code, exc_info=True)
        return CampaignImportReport(campaign=campaign, errors=[RowError(None, _(
            "Un autre import de cette campagne s’est terminé pendant celui-ci : rien n’a été "
            "enregistré, relancez l’import."))])
    return CampaignImportReport(campaign=campaign, counts=counts)


def _enqueue_summaries(campaign_id: int) -> None:
    from .tasks import rebuild_campaign_summaries_task

    rebuild_campaign_summaries_task.delay(campaign_id)


# --- checks before writing ---------------------------------------------------------------------

# Field → (model field, label used in errors)
_LENGTHS = (
    ("last_name", Participant._meta.get_field("last_name").max_length, "Nom du Participant"),
    ("first_name", Participant._meta.get_field("first_name").max_length,
     "Prénom du Participant"),
    ("division", Participant._meta.get_field("division").max_length, "Classe"),
    ("external_id", Participant._meta.get_field("external_id").max_length, "external_id"),
)
_NAME_MAX = Campaign._meta.get_field("name").max_length


def _check_file(export: CampaignExport, campaign: Campaign | None) -> list[RowError]:
    """What the reader cannot know: the campaign expected, and what our columns can hold."""
    errors: list[RowError] = []
    code = export.code.strip().upper()
    if campaign is not None:
        if code and code != campaign.code:
            errors.append(RowError(None, _(
                "Ce fichier est l’export de la campagne %(found)s, pas de la campagne "
                "%(expected)s : vérifiez que vous importez le bon fichier."),
                column="Code", params={"found": code, "expected": campaign.code}))
        elif not code and campaign.pix_id and export.campaign_id not in (None, campaign.pix_id):
            errors.append(RowError(None, _(
                "Ce fichier est l’export de la campagne Pix n° %(found)s, pas de la campagne "
                "%(expected)s (n° %(pix_id)s)."),
                column="ID Campagne",
                params={"found": export.campaign_id, "expected": campaign.code,
                        "pix_id": campaign.pix_id}))
        else:
            errors.extend(_check_kind(export, campaign))
    elif not code:
        errors.append(RowError(None, _(
            "Le fichier ne donne pas le code de la campagne (colonne « Code », absente des "
            "exports de 2020-2021) : indiquez de quelle campagne il est l’export, ou importez-le "
            "depuis la page de la campagne."), column="Code"))
    elif not CODE_RE.fullmatch(code):
        errors.append(RowError(None, _(
            "Le code de campagne « %(code)s » du fichier n’est pas un code Pix (6 lettres puis "
            "3 chiffres)."), column="Code", params={"code": code}))
    if len(export.name) > _NAME_MAX:
        errors.append(RowError(None, _("Nom de campagne trop long (%(max)s caractères au plus)."),
                               column="Nom de la campagne", params={"max": _NAME_MAX}))
    for row in export.rows:
        for name, max_length, label in _LENGTHS:
            if len(getattr(row, name)) > max_length:
                column = export.external_id_label if name == "external_id" else label
                errors.append(RowError(row.line, _(
                    "valeur trop longue (%(max)s caractères au plus)"),
                    column=column, params={"max": max_length}))
    return errors


def _check_may_import(campaign: Campaign, by) -> list[RowError]:
    """Results of an existing campaign are imported by a RUPN or by the campaign's owner."""
    if by is None or campaign.owner_id == by.pk:
        return []
    is_rupn = Membership.objects.filter(
        user=by, establishment_id=campaign.establishment_id, role=Membership.Role.RUPN
    ).exists()
    if is_rupn:
        return []
    owner = campaign.owner.get_full_name() if campaign.owner else _("un autre membre")
    return [RowError(None, _(
        "La campagne %(code)s appartient à %(owner)s : seuls son propriétaire et les RUPN "
        "peuvent y importer des résultats."),
        column="Code", params={"code": campaign.code, "owner": owner})]


def _check_kind(export: CampaignExport, campaign: Campaign) -> list[RowError]:
    file_kind = export.kind
    if file_kind is None or file_kind.gives_mastery == campaign.gives_mastery:
        return []
    return [RowError(None, _(
        "Ce fichier est l’export d’une campagne de type « %(found)s », alors que la campagne "
        "%(code)s est de type « %(expected)s »."),
        params={"found": str(Campaign.Kind(file_kind.value).label), "code": campaign.code,
                "expected": campaign.get_kind_display()})]


# --- writing -----------------------------------------------------------------------------------


def _write(
    establishment: Establishment,
    export: CampaignExport,
    groups: dict[ParticipantKey, list[_Row]],
    by,
    campaign: Campaign | None,
    confirmed: bool = False,
) -> tuple[Campaign, dict[str, int]]:
    campaign = _campaign_for(establishment, export, by, campaign)
    year = campaign.school_year
    pupils = PupilIndex.build(pupil_identities(establishment, year))
    decisions = _decisions(establishment, year)
    existing = {
        (p.last_name_key, p.first_name_key, p.division, p.external_id): p
        for p in Participant.objects.filter(campaign=campaign)
    }
    stored: dict[int, list[_StoredSending]] = {}
    for values in Sending.objects.filter(participant__campaign=campaign).values_list(
        "pk", "participant_id", "fingerprint", "shared", "shared_at", "is_result"
    ):
        stored.setdefault(values[1], []).append(_StoredSending(*values))

    new_participants: list[Participant] = []
    changed_participants: list[Participant] = []
    new_sendings: list[tuple[Participant, Sending]] = []
    json_memo: _JsonMemo = {}
    set_result: list[int] = []
    unset_result: list[int] = []
    counts = Counter({"rows": len(export.rows), "participants": len(groups), "shared": 0,
                      "matched": 0, "unmatched": 0, "not_ours": 0, "new_sendings": 0})
    recognised = 0
    for key, rows in groups.items():
        participant = existing.get(key)
        if participant is None:
            first = rows[0].row
            participant = _new(
                Participant, campaign_id=campaign.pk, last_name=first.last_name,
                first_name=first.first_name, division=first.division,
                external_id=first.external_id, last_name_key=key[0], first_name_key=key[1],
            )
            new_participants.append(participant)
        before = _participant_state(participant)

        known = {s.fingerprint: s for s in stored.get(participant.pk, ())}
        ranked: list[tuple[tuple, _StoredSending | Sending]] = []
        in_file = {fingerprint for _row, fingerprint in rows}
        for row, fingerprint in rows:
            sending = known.get(fingerprint)
            if sending is None:
                sending = _sending(row, fingerprint, json_memo)
                new_sendings.append((participant, sending))
            if row.shared:
                ranked.append(((row.shared_at, -row.line, False, 0), sending))
        for sending in known.values():
            if sending.shared and sending.fingerprint not in in_file:
                ranked.append(((sending.shared_at, NOT_IN_FILE, sending.is_result, sending.pk),
                               sending))
        result = max(ranked, key=lambda item: item[0])[1] if ranked else None
        for sending in known.values():
            if sending.is_result and sending is not result:
                unset_result.append(sending.pk)
            elif not sending.is_result and sending is result:
                set_result.append(sending.pk)
        if isinstance(result, Sending):
            result.is_result = True

        participant.has_shared = bool(ranked)
        matched = match_participant(
            last_name_key=participant.last_name_key, first_name_key=participant.first_name_key,
            division=participant.division, pupils=pupils, decisions=decisions,
        )
        participant.pupil_id = matched.pupil_id
        participant.match = matched.status
        participant.candidates = list(matched.candidates)
        if participant.pk is not None and _participant_state(participant) != before:
            changed_participants.append(participant)

        counts["shared"] += participant.has_shared
        counts["matched"] += matched.status in (Participant.Match.AUTO,
                                                Participant.Match.CONFIRMED)
        counts["unmatched"] += matched.status == Participant.Match.PENDING
        counts["not_ours"] += matched.status == Participant.Match.NOT_OURS
        # a pupil found, or candidates to choose from: the file speaks of our pupils
        recognised += matched.pupil_id is not None or bool(matched.candidates)

    if not confirmed and too_few_matched(matched=recognised, participants=len(groups),
                                         has_pupils=bool(pupils.by_names)):
        raise _Rejected([matched_error(matched=recognised, participants=len(groups),
                                       organisation=export.organisation)],
                        needs_confirmation=True)
    bulk_insert(Participant, new_participants)
    if changed_participants:
        Participant.objects.bulk_update(changed_participants, PARTICIPANT_UPDATE_FIELDS)
    if unset_result:
        Sending.objects.filter(pk__in=unset_result).update(is_result=False)
    if set_result:
        Sending.objects.filter(pk__in=set_result).update(is_result=True)
    for participant, sending in new_sendings:
        sending.participant_id = participant.pk  # the id alone: no descriptor, no cache
    bulk_insert(Sending, [sending for _participant, sending in new_sendings])
    counts["new_sendings"] = len(new_sendings)

    _update_campaign(campaign, export)
    return campaign, dict(counts)


def _new(model: type[_M], **values: object) -> _M:
    """`model(**values)` (by attname) through Django's path for positional arguments, twice
    as fast: that counts for the 40,000 instances of a 20,000-row import."""
    return model(*[values[f.attname] if f.attname in values else f.get_default()
                   for f in model._meta.concrete_fields])


@dataclass
class _StoredSending:
    pk: int
    participant_id: int
    fingerprint: str
    shared: bool
    shared_at: datetime | None
    is_result: bool


def _participant_state(participant: Participant) -> tuple:
    return (participant.pupil_id, participant.match, list(participant.candidates),
            participant.has_shared)


class _Row(NamedTuple):
    row: ParticipationRow
    fingerprint: str


def _group(rows: list[ParticipationRow],
           progress: ProgressCallback) -> dict[ParticipantKey, list[_Row]]:
    """The file's rows by participant, fingerprinted; the same row twice is one sending."""
    groups: dict[ParticipantKey, list[_Row]] = {}
    seen: set[tuple[ParticipantKey, str]] = set()
    # Names repeat (a class, a family): each is normalised once.
    name_key = functools.lru_cache(maxsize=None)(normalise_name)
    memo: _PlainMemo = {}
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        key = (name_key(row.last_name), name_key(row.first_name), row.division,
               row.external_id)
        fingerprint = sending_fingerprint(row, memo)
        if (key, fingerprint) not in seen:
            seen.add((key, fingerprint))
            groups.setdefault(key, []).append(_Row(row, fingerprint))
        progress(done, total)
    return groups


def pupil_identities(establishment: Establishment, year: SchoolYear) -> list[PupilIdentity]:
    """The pupils enrolled in `year`, as matching sees them (one query)."""
    enrolments = Enrolment.objects.filter(
        school_year=year, pupil__establishment=establishment
    ).values_list(
        "pupil_id", "pupil__last_name", "pupil__usage_name", "pupil__first_name_key",
        "school_class__code", "left_on",
    )
    last_name_keys = functools.lru_cache(maxsize=None)(pupil_last_name_keys)  # names repeat
    return [
        PupilIdentity(pupil_id, last_name_keys(last, usage), first_key, code,
                      left_on is not None)
        for pupil_id, last, usage, first_key, code, left_on in enrolments
    ]


def _decisions(establishment: Establishment, year: SchoolYear) -> dict[DecisionKey, Decision]:
    rows = MatchDecision.objects.filter(establishment=establishment, school_year=year)
    return {
        (last, first, division): Decision(None if not_ours else pupil_id)
        for last, first, division, pupil_id, not_ours in rows.values_list(
            "last_name_key", "first_name_key", "division", "pupil_id", "not_ours"
        )
    }


# --- sendings ----------------------------------------------------------------------------------


_FINGERPRINTED = tuple(f.name for f in fields(ParticipationRow) if f.name != "line")


# id of a CompetenceLevel or Mastery → (the object, kept alive so that its id stays its own;
# its plain form)
_PlainMemo = dict[int, tuple[object, tuple]]


def sending_fingerprint(row: ParticipationRow, memo: _PlainMemo | None = None) -> str:
    """sha256 of a row's values, its line number aside: the same sending in any export.

    Mappings are sorted, so that a newer export listing badges or skills in another order
    gives the same fingerprint; values are reduced to str, int, bool and None. `memo`, shared
    by the rows of a file, saves reducing again the level and mastery objects that the reader
    shares between rows (16 a row): it halves the time of fingerprinting a file.
    """
    values = tuple([_plain(getattr(row, name), memo) for name in _FINGERPRINTED])
    return hashlib.sha256(repr(values).encode()).hexdigest()


def _plain(value: object, memo: _PlainMemo | None = None) -> object:
    if value is None or isinstance(value, str | int):  # bool is an int
        return value
    if memo is not None:
        known = memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "items"):
        return tuple(sorted([(key, _plain(item, memo)) for key, item in value.items()]))
    if hasattr(value, "__dataclass_fields__"):  # CompetenceLevel, Mastery
        plain = tuple(_plain(getattr(value, name)) for name in value.__dataclass_fields__)
        if memo is not None:
            memo[id(value)] = (value, plain)
        return plain
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


def _rate(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


_LEVEL_KEYS = ("level", "pix")
_MASTERY_KEYS = ("rate", "total", "mastered")
_JsonMemo = dict[tuple, dict]  # values → the JSON object holding them


def _json_object(memo: _JsonMemo, keys: tuple[str, ...], values: tuple) -> dict:
    """{keys: values}, one object for the same values throughout an import (never changed
    once made): a file holds few distinct levels or masteries, and 16 new ones for each
    sending were a third of an import's objects (60 MB for 20,000 rows)."""
    found = memo.get(values)
    if found is None:
        found = memo[values] = dict(zip(keys, values, strict=True))
    return found


def _sending(row: ParticipationRow, fingerprint: str, memo: _JsonMemo) -> Sending:
    competences: dict[str, dict] = {}
    domains: dict[str, dict] = {}
    if row.shared:
        for code, value in row.levels.items():
            if value.level is not None:
                competences[code] = _json_object(memo, _LEVEL_KEYS, (value.level, value.pix))
        for code, mastery in row.competence_mastery.items():
            if mastery.rate is not None:
                competences[code] = _json_object(memo, _MASTERY_KEYS, (
                    _rate(mastery.rate), mastery.skills_total, mastery.skills_mastered))
        for code, mastery in row.domain_mastery.items():
            if mastery.rate is not None:
                domains[code] = _json_object(memo, _MASTERY_KEYS, (
                    _rate(mastery.rate), mastery.skills_total, mastery.skills_mastered))
    return _new(
        Sending,
        shared=row.shared,
        shared_at=row.shared_at if row.shared else None,
        started_at=row.started_at,
        progression=row.progression,
        pix_total=row.pix_total,
        certifiable=row.certifiable,
        certifiable_competences=row.certifiable_competences,
        mastery=row.mastery,
        stage=row.stage,
        badges={name: obtained for name, obtained in row.badges.items() if obtained is not None},
        competences=competences,
        domains=domains,
        fingerprint=fingerprint,
    )


# --- the campaign ------------------------------------------------------------------------------


def _campaign_for(
    establishment: Establishment, export: CampaignExport, by, campaign: Campaign | None
) -> Campaign:
    """The campaign, locked until commit so that two imports of it run one after the other."""
    if campaign is not None:
        return Campaign.objects.select_for_update().select_related("school_year").get(
            pk=campaign.pk
        )
    code = export.code.strip().upper()
    found = (
        Campaign.objects.select_for_update()
        .select_related("school_year")
        .filter(establishment=establishment, code=code)
        .first()
    )
    if found is not None:
        errors = _check_may_import(found, by) + _check_kind(export, found)
        if errors:
            raise _Rejected(errors)
        return found
    school_year = _school_year(establishment, export)
    created = Campaign.objects.create(
        establishment=establishment,
        school_year=school_year,
        code=code,
        pix_id=export.campaign_id,
        name=export.name or code,
        kind=export.kind.value,
        parcours=export.parcours,
        purpose=guess_purpose(export, _class_grades(establishment, school_year)),
        owner=by,
        opens_on=_first_day(export),
    )
    divisions = {row.division for row in export.rows if row.division}
    created.classes.set(
        SchoolClass.objects.filter(
            establishment=establishment, school_year=school_year, code__in=divisions
        )
    )
    return created


def _update_campaign(campaign: Campaign, export: CampaignExport) -> None:
    campaign.competence_codes = list(export.competence_codes)
    campaign.stage_count = export.stage_count
    campaign.badge_names = list(export.badge_names)
    campaign.external_id_label = export.external_id_label or ""
    campaign.results_imported_at = timezone.now()
    update_fields = ["competence_codes", "stage_count", "badge_names", "external_id_label",
                     "results_imported_at"]
    if export.kind is not None and campaign.kind != export.kind.value:
        campaign.kind = export.kind.value  # an assessment that Pix exports as an exam
        update_fields.append("kind")
    if campaign.pix_id is None and export.campaign_id is not None:
        campaign.pix_id = export.campaign_id
        update_fields.append("pix_id")
    if not campaign.parcours and export.parcours:
        campaign.parcours = export.parcours
        update_fields.append("parcours")
    campaign.save(update_fields=update_fields)


def _row_days(export: CampaignExport) -> list[date]:
    days = []
    for row in export.rows:
        when = row.started_at or row.shared_at
        if when is not None:
            days.append(when.date())  # aware in Europe/Paris: the French day
    return days


def _first_day(export: CampaignExport) -> date | None:
    days = _row_days(export)
    return min(days) if days else None


def _school_year(establishment: Establishment, export: CampaignExport) -> SchoolYear:
    """The school year most of the sendings (or starts) fall in; the current one without."""
    years = Counter(SchoolYear.start_year_of(day) for day in _row_days(export))
    if not years:
        return establishment.current_year
    start_year = min(years, key=lambda year: (-years[year], year))
    school_year, _created = SchoolYear.objects.get_or_create(start_year=start_year)
    return school_year


def _class_grades(establishment: Establishment, school_year: SchoolYear) -> dict[str, str]:
    return dict(
        SchoolClass.objects.filter(establishment=establishment, school_year=school_year)
        .exclude(grade="")
        .values_list("code", "grade")
    )


_SIXIEME_RE = re.compile(r"(?<![0-9a-z])(6\s*(e|eme)|sixieme)(?![a-z])")


def guess_purpose(export: CampaignExport, class_grades: dict[str, str]) -> str:
    """What a campaign is for, guessed from its export (people can change it).

    A profiles collection taken mostly by leaving classes (3e, Terminale…) prepares the
    certification; an assessment is a parcours de rentrée, a 6e parcours or a thematic one,
    as its name or parcours says.
    """
    if export.kind is CampaignKind.PROFILES_COLLECTION:
        divisions = {row.division for row in export.rows if row.division}
        leaving = sum(
            (class_grades.get(d) or grade_from_division(d)) in LEAVING_GRADES for d in divisions
        )
        if divisions and 2 * leaving > len(divisions):
            return Campaign.Purpose.PRE_CERTIFICATION
        return Campaign.Purpose.OTHER
    text = fold(f"{export.name} {export.parcours}")
    if "rentree" in text:
        return Campaign.Purpose.RENTREE
    if _SIXIEME_RE.search(text):
        return Campaign.Purpose.SIXIEME
    if export.kind is CampaignKind.ASSESSMENT:
        return Campaign.Purpose.THEMATIC
    return Campaign.Purpose.OTHER
