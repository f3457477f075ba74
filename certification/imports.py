"""The certification results import: Pix Certif's per-class files (or a zip of them) → one
`CertificationResult` per certification, matched to a pupil.

Two steps, as every import: `pix.certification` reads and checks every file; only a set of
files with no error at all is written, in one transaction. Then:

- a result is keyed by its certification number (unique in the establishment): importing the
  same files again changes nothing, a newer download of a class updates its rows in place;
- its school year is the one of its `taken_on` date (`SchoolYear.start_year_of`), else of the
  file's date, else the establishment's current year;
- its class is the row's `Classe` cell (a merged file), else the one of the file's name
  (`20260512_resultats_301.csv`), else (a session's file) the matched pupil's class that year;
- it is matched to a pupil by names and birthdate (`results_matching`); a person's decision
  (match `confirmed` or `not_ours`, stored on the result itself) is never undone by an import;
- after commit, the analysis of each school year touched is rebuilt by a task;
- a file whose candidates are almost none of the establishment's pupils (fewer than 1 in 5,
  with 5 candidates or more: a file of another school) stops the import before it writes
  anything, unless the person confirms (`force`).

`-` and `0` keep their meaning: a level None is "not tested", 0 is "not certified".
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.matching import pupil_last_name_keys
from establishments.models import Enrolment, Establishment, Pupil, SchoolYear
from pix.archives import InflateBudget
from pix.certification import (
    CertificationResults,
    CertificationRow,
    read_certification_archive,
)
from pix.certification_format import (
    CERTIFICATION_NUMBER,
    CERTIFICATION_TYPE,
    COMPLEMENTARY_PREFIX,
    FIRST_NAME,
    GLOBAL_LEVEL,
    LAST_NAME,
    MERGED_CLASS,
    SESSION,
    complementary_status_from_label,
)
from pix.files import RowError
from pix.i18n import _
from pix.names import normalise_name

from .models import CertificationResult
from .results_matching import CertifiedMatch, KnownPupil, PupilDirectory, match_result

ProgressCallback = Callable[[int, int], None]
# A file of another establishment: this many candidates at least, and fewer recognised than
# this share. A real file of the school has most of its candidates in the pupil list.
FOREIGN_MIN_CANDIDATES = 5
FOREIGN_MAX_RECOGNISED = Fraction(1, 5)
Upload = tuple[str, bytes]  # (file name as the user gave it, content)

Match = CertificationResult.Match
DECIDED = (Match.CONFIRMED, Match.NOT_OURS)
# Fields an import sets; a stored result whose values all equal these is left untouched.
IMPORTED_FIELDS = (
    "school_year_id", "division", "last_name", "first_name", "birthdate", "last_name_key",
    "first_name_key", "pupil_id", "match", "candidates", "status", "pix", "competence_levels",
    "global_level", "session_number", "taken_on", "certification_type", "complementary",
)
UPDATE_FIELDS = [name.removesuffix("_id") for name in IMPORTED_FIELDS] + ["imported_at"]


def _field_length(name: str) -> int:
    return CertificationResult._meta.get_field(name).max_length


# (row attribute, model field, column named in the error)
_LENGTHS = (
    ("certification_number", "certification_number", CERTIFICATION_NUMBER),
    ("last_name", "last_name", LAST_NAME),
    ("first_name", "first_name", FIRST_NAME),
    ("session", "session_number", SESSION),
    ("global_level", "global_level", GLOBAL_LEVEL),
    ("division", "division", MERGED_CLASS),
    ("certification_type", "certification_type", CERTIFICATION_TYPE),
)
# a complementary certification's name, as the analysis and the bilans show it
COMPLEMENTARY_NAME_MAX = 100


@dataclass
class CertificationImportReport:
    """`counts`: files, certifications, added / changed / kept (results created, updated,
    left as they were), matched / pending / not_ours, status_<status> per status, and
    complementary (the names of the complementary certifications read, sorted). Keys
    differ from the pupil import's, whose generic job page would name them "élèves"."""

    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    school_years: list[int] = field(default_factory=list)  # start years touched

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def needs_confirmation(self) -> bool:
        """Refused only because a file seems another establishment's: a person may go on."""
        return bool(self.counts.get("foreign_files"))


class _ForeignFiles(Exception):
    """Raised inside the import's transaction, so that nothing of it is written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__()
        self.errors = errors


def _no_progress(done: int, total: int) -> None:
    pass


# --- the uploads, kept together in one job ---------------------------------------------------


def pack_uploads(files: Sequence[Upload]) -> bytes:
    """Several uploaded files in one zip, to store in a job's payload (order and names kept)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(files):
            archive.writestr(f"{index:04d}/{name}", data)
    return buffer.getvalue()


def unpack_uploads(data: bytes) -> list[Upload]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename.split("/", 1)[1], archive.read(info))
                for info in archive.infolist()]


def uploads_label(files: Sequence[Upload], max_length: int = 255) -> str:
    """The files' names, as a job shows them."""
    label = ", ".join(name for name, _data in files)
    return label if len(label) <= max_length else label[: max_length - 1] + "…"


# --- reading and checking ---------------------------------------------------------------------


def in_file(error: RowError, filename: str) -> RowError:
    """The error with the name of its file among its parameters (pages and commands show it)."""
    return RowError(error.line, error.message, column=error.column,
                    params={**error.params, "file": filename})


def describe(error: RowError) -> str:
    """`« 20260512_resultats_301.csv », ligne 4, colonne « Statut » : …` in French."""
    parts = []
    if error.params.get("file"):
        parts.append(f"« {error.params['file']} »")
    if error.line is not None:
        parts.append(f"ligne {error.line}")
    if error.column:
        parts.append(f"colonne « {error.column} »")
    where = ", ".join(parts)
    where = where[:1].upper() + where[1:]
    return f"{where} : {error.text}" if where else error.text


def read_result_files(
    files: Sequence[Upload],
) -> tuple[list[CertificationResults], list[RowError], list[RowError]]:
    """(every results file read, errors, warnings); each problem names its file."""
    if not files:
        return [], [RowError(None, _("Aucun fichier n’a été envoyé."))], []
    results: list[CertificationResults] = []
    budget = InflateBudget()  # zip bombs split across several uploaded zips count together
    for name, data in files:
        results.extend(read_certification_archive(data, filename=name, budget=budget))
    errors: list[RowError] = []
    warnings: list[RowError] = []
    seen: dict[str, tuple[str, int]] = {}
    division_max = _field_length("division")
    for result in results:
        name = result.filename
        errors.extend(in_file(e, name) for e in result.errors)
        if result.ok:  # a refused file's warnings would only hide its errors
            warnings.extend(in_file(w, name) for w in result.warnings)
        if len(result.division) > division_max:
            errors.append(RowError(None, _(
                "Nom de classe trop long dans le nom du fichier (%(max)s caractères au plus)."),
                params={"max": division_max, "file": name}))
        for label in result.complementary_labels:
            if len(label) > COMPLEMENTARY_NAME_MAX:
                errors.append(RowError(None, _(
                    "Nom de certification complémentaire trop long (%(max)s caractères au "
                    "plus)."), column=COMPLEMENTARY_PREFIX + label[:COMPLEMENTARY_NAME_MAX],
                    params={"max": COMPLEMENTARY_NAME_MAX, "file": name}))
        for row in result.rows:
            for attribute, model_field, column in _LENGTHS:
                max_length = _field_length(model_field)
                if len(getattr(row, attribute)) > max_length:
                    errors.append(RowError(row.line, _(
                        "valeur trop longue (%(max)s caractères au plus)"), column=column,
                        params={"max": max_length, "file": name}))
            first = seen.setdefault(row.certification_number, (name, row.line))
            if first != (name, row.line):
                errors.append(RowError(row.line, _(
                    "numéro de certification %(number)s déjà présent dans « %(other)s », ligne "
                    "%(other_line)s : chaque certification ne doit figurer qu’une fois parmi "
                    "les fichiers envoyés."), column=CERTIFICATION_NUMBER,
                    params={"number": row.certification_number, "other": first[0],
                            "other_line": first[1], "file": name}))
    return results, errors, warnings


# --- the import -------------------------------------------------------------------------------


def certification_results_import(
    *,
    establishment: Establishment,
    files: Sequence[Upload],
    progress: ProgressCallback = _no_progress,
    force: bool = False,
) -> CertificationImportReport:
    """Imports results files (CSV or zip); with any error, nothing is written. A file that
    seems another establishment's is an error too, unless `force` (a person confirmed)."""
    results, errors, warnings = read_result_files(files)
    if errors:
        return CertificationImportReport(errors=errors, warnings=warnings)
    try:
        with transaction.atomic():
            counts, years = _write(establishment, results, progress, force=force)
            establishment_id = establishment.pk
            transaction.on_commit(lambda: enqueue_analysis(establishment_id, years))
    except _ForeignFiles as foreign:
        return CertificationImportReport(errors=foreign.errors, warnings=warnings,
                                         counts={"foreign_files": len(foreign.errors)})
    except IntegrityError:
        return CertificationImportReport(warnings=warnings, errors=[RowError(None, _(
            "Un autre import de résultats de certification s’est terminé pendant celui-ci : "
            "rien n’a été enregistré, relancez l’import."))])
    counts["files"] = len(results)
    counts["complementary"] = sorted({label for result in results
                                      for label in result.complementary_labels})
    return CertificationImportReport(warnings=warnings, counts=counts,
                                     school_years=sorted(years))


def enqueue_analysis(establishment_id: int, start_years: Iterable[int]) -> None:
    from .tasks import rebuild_certification_analysis_task

    for start_year in sorted(set(start_years)):
        rebuild_certification_analysis_task.delay(establishment_id, start_year)


def _start_year(row: CertificationRow, result: CertificationResults,
                establishment: Establishment) -> int:
    day = row.taken_on or result.file_date
    if day is None:
        return establishment.current_year.start_year
    return SchoolYear.start_year_of(day)


def _write(
    establishment: Establishment,
    results: list[CertificationResults],
    progress: ProgressCallback,
    *,
    force: bool = False,
) -> tuple[dict[str, Any], set[int]]:
    # One import at a time per establishment: the second waits, then sees the first's rows.
    Establishment.objects.select_for_update().filter(pk=establishment.pk).first()
    rows = [(result, row) for result in results for row in result.rows]
    start_years = {_start_year(row, result, establishment) for result, row in rows}
    school_years = {year: SchoolYear.objects.get_or_create(start_year=year)[0]
                    for year in sorted(start_years)}
    existing = {
        r.certification_number: r
        for r in CertificationResult.objects.filter(
            establishment=establishment,
            certification_number__in=[row.certification_number for _r, row in rows],
        )
    }
    directories, classes = pupil_directories(
        establishment, [y.pk for y in school_years.values()]
    )

    now = timezone.now()
    to_create: list[CertificationResult] = []
    to_update: list[CertificationResult] = []
    touched_years = set(start_years)
    counts: Counter[str] = Counter(dict.fromkeys(
        ("added", "changed", "kept", "matched", "pending", "not_ours"), 0))
    total = len(rows)
    recognised: Counter[int] = Counter()  # by file (its index): matched to a pupil
    undecided: Counter[int] = Counter()  # by file: not marked "not ours" by a person
    file_index = {id(result): index for index, result in enumerate(results)}
    for done, (result, row) in enumerate(rows, start=1):
        school_year = school_years[_start_year(row, result, establishment)]
        stored = existing.get(row.certification_number)
        values = _values(row, school_year, row.division or result.division)
        matched = _match(stored, values, directories[school_year.pk])
        values.update(pupil_id=matched.pupil_id, match=matched.status,
                      candidates=list(matched.candidates))
        if not values["division"] and matched.pupil_id is not None:
            values["division"] = classes.get((matched.pupil_id, school_year.pk), "")
        if stored is None:
            to_create.append(CertificationResult(establishment=establishment, imported_at=now,
                                                 certification_number=row.certification_number,
                                                 **values))
            counts["added"] += 1
        elif any(getattr(stored, name) != value for name, value in values.items()):
            touched_years.add(_stored_start_year(stored, school_years))
            for name, value in values.items():
                setattr(stored, name, value)
            stored.imported_at = now
            to_update.append(stored)
            counts["changed"] += 1
        else:
            counts["kept"] += 1
        counts["matched"] += matched.status in (Match.AUTO, Match.CONFIRMED)
        counts["pending"] += matched.status == Match.PENDING
        counts["not_ours"] += matched.status == Match.NOT_OURS
        counts[f"status_{row.status.value}"] += 1
        index = file_index[id(result)]
        recognised[index] += matched.status in (Match.AUTO, Match.CONFIRMED)
        undecided[index] += matched.status != Match.NOT_OURS
        progress(done, total)
    if not force:
        foreign = [_foreign_file(results[i], recognised[i], undecided[i])
                   for i in range(len(results)) if _seems_foreign(recognised[i], undecided[i])]
        if foreign:
            raise _ForeignFiles(foreign)
    CertificationResult.objects.bulk_create(to_create, batch_size=500)
    CertificationResult.objects.bulk_update(to_update, UPDATE_FIELDS, batch_size=500)
    counts["certifications"] = total
    return dict(counts), touched_years


def _seems_foreign(recognised: int, candidates: int) -> bool:
    return (candidates >= FOREIGN_MIN_CANDIDATES
            and Fraction(recognised, candidates) < FOREIGN_MAX_RECOGNISED)


def _foreign_file(result: CertificationResults, recognised: int, candidates: int) -> RowError:
    return RowError(None, _(
        "Candidats de ce fichier reconnus comme élèves de l’établissement : %(recognised)s "
        "sur %(candidates)s. C’est peut-être le fichier d’un autre établissement. "
        "Rien n’a été enregistré. Vérifiez le fichier ; si ces candidats sont bien des "
        "élèves de l’établissement (liste d’élèves pas encore importée), confirmez l’import."),
        params={"recognised": recognised, "candidates": candidates,
                "file": result.filename, "foreign": 1})


def _stored_start_year(stored: CertificationResult, school_years: dict[int, SchoolYear]) -> int:
    for start_year, school_year in school_years.items():
        if school_year.pk == stored.school_year_id:
            return start_year
    return SchoolYear.objects.get(pk=stored.school_year_id).start_year


def _values(row: CertificationRow, school_year: SchoolYear, division: str) -> dict[str, Any]:
    return {
        "school_year_id": school_year.pk,
        "division": division,  # the file's class; the caller uses the pupil's without
        "last_name": row.last_name,
        "first_name": row.first_name,
        "birthdate": row.birthdate,
        "last_name_key": normalise_name(row.last_name),
        "first_name_key": normalise_name(row.first_name),
        "status": row.status.value,
        "pix": row.pix,
        "competence_levels": dict(row.competence_levels),
        "global_level": row.global_level,
        # The jury's free-text comment on a minor is read and not kept: no page or file
        # shows it; the status says what the school needs (validated, rejected, cancelled).
        "session_number": row.session,
        "taken_on": row.taken_on,
        "certification_type": row.certification_type,
        # the reader refuses any value that is not a complementary status
        "complementary": {label: complementary_status_from_label(value).value
                          for label, value in row.complementary.items()},
    }


def _match(stored: CertificationResult | None, values: dict[str, Any],
           directory: PupilDirectory) -> CertifiedMatch:
    """A person's decision stays; anything else is matched again (pupils may have been
    imported since)."""
    if stored is not None and stored.match == Match.NOT_OURS:
        return CertifiedMatch(None, Match.NOT_OURS, tuple(stored.candidates))
    if stored is not None and stored.match == Match.CONFIRMED and stored.pupil_id is not None:
        return CertifiedMatch(stored.pupil_id, Match.CONFIRMED, tuple(stored.candidates))
    return match_result(
        last_name_key=values["last_name_key"], first_name_key=values["first_name_key"],
        birthdate=values["birthdate"], division=values["division"], pupils=directory,
    )


def pupil_directories(
    establishment: Establishment, school_year_ids: Sequence[int]
) -> tuple[dict[int, PupilDirectory], dict[tuple[int, int], str]]:
    """For each school year, the establishment's pupils with their class that year; and
    {(pupil id, school year id): class code}. Two queries whatever the number of pupils."""
    pupils = list(
        Pupil.objects.filter(establishment=establishment).values_list(
            "pk", "last_name", "usage_name", "first_name_key", "birthdate"
        )
    )
    enrolments = Enrolment.objects.filter(
        pupil__establishment=establishment, school_year_id__in=school_year_ids
    ).values_list("pupil_id", "school_year_id", "school_class__code", "left_on")
    classes: dict[tuple[int, int], str] = {}
    left: set[tuple[int, int]] = set()
    for pupil_id, year_id, code, left_on in enrolments:
        classes[(pupil_id, year_id)] = code
        if left_on is not None:
            left.add((pupil_id, year_id))
    directories = {
        year_id: PupilDirectory.build(
            KnownPupil(
                pupil_id=pk, last_name_keys=pupil_last_name_keys(last, usage),
                first_name_key=first_key, birthdate=birthdate,
                division=classes.get((pk, year_id), ""), left=(pk, year_id) in left,
            )
            for pk, last, usage, first_key, birthdate in pupils
        )
        for year_id in school_year_ids
    }
    return directories, classes
