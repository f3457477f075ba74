"""The pupil base import: a SIECLE or CSV file → classes, pupils and enrolments of a year.

Two steps, as every import: `pix.pupils` reads and checks the whole file; only a file with no
error is written, in one transaction. Re-importing the same file changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from pix.files import RowError
from pix.grades import grade_from_division, grade_from_mef
from pix.pupils import PupilBase, PupilRow, read_pupil_base

from .models import Enrolment, Establishment, Pupil, SchoolClass, SchoolYear

ProgressCallback = Callable[[int, int], None]

# What the establishment keeps of a pupil: every field is shown or written somewhere (sex and
# birth place go into Pix Certif's candidate list). Other first names, which SIECLE gives, are
# read and dropped: no page or file uses them.
PUPIL_FIELDS = (
    "last_name",
    "usage_name",
    "first_name",
    "sex",
    "birthdate",
    "birth_place",
)


@dataclass
class PupilImportReport:
    school_year: SchoolYear | None = None
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _no_progress(done: int, total: int) -> None:
    pass


def pupil_base_import(
    *,
    establishment: Establishment,
    data: bytes,
    filename: str = "",
    progress: ProgressCallback = _no_progress,
) -> PupilImportReport:
    base = read_pupil_base(data, filename=filename, expected_uai=establishment.uai)
    if not base.ok:
        return PupilImportReport(errors=base.errors)
    if base.school_year is not None:
        school_year, _created = SchoolYear.objects.get_or_create(start_year=base.school_year)
    else:
        school_year = establishment.current_year
    counts = _write(establishment, school_year, base, progress)
    return PupilImportReport(school_year=school_year, counts=counts)


@transaction.atomic
def _write(
    establishment: Establishment,
    school_year: SchoolYear,
    base: PupilBase,
    progress: ProgressCallback,
) -> dict[str, int]:
    today = timezone.localdate()
    classes = _sync_classes(establishment, school_year, base.rows)

    existing = {p.ine: p for p in Pupil.objects.filter(establishment=establishment)}
    to_create: list[Pupil] = []
    to_update: list[Pupil] = []
    for row in base.rows:
        pupil = existing.get(row.ine)
        if pupil is None:
            pupil = Pupil(establishment=establishment, ine=row.ine, **_pupil_values(row))
            pupil.set_name_keys()
            to_create.append(pupil)
            existing[row.ine] = pupil
        elif _update_pupil(pupil, row):
            to_update.append(pupil)
    Pupil.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        for pupil in to_update:
            pupil.updated_at = timezone.now()
        Pupil.objects.bulk_update(
            to_update,
            [*PUPIL_FIELDS, "last_name_key", "first_name_key", "updated_at"],
            batch_size=500,
        )
    if to_create and to_create[0].pk is None:  # databases that do not return ids
        ids = dict(
            Pupil.objects.filter(establishment=establishment).values_list("ine", "pk")
        )
        for pupil in to_create:
            pupil.pk = ids[pupil.ine]

    enrolments = {
        e.pupil_id: e
        for e in Enrolment.objects.filter(
            school_year=school_year, pupil__establishment=establishment
        )
    }
    new_enrolments: list[Enrolment] = []
    changed: list[Enrolment] = []
    moved = returned = 0
    listed: set[int] = set()
    total = len(base.rows)
    for done, row in enumerate(base.rows, start=1):
        pupil = existing[row.ine]
        school_class = classes[row.division]
        listed.add(pupil.pk)
        enrolment = enrolments.get(pupil.pk)
        if enrolment is None:
            new_enrolments.append(
                Enrolment(pupil=pupil, school_year=school_year, school_class=school_class)
            )
        elif enrolment.school_class_id != school_class.pk or enrolment.left_on is not None:
            # A pupil back in the file is no class change unless their class differs.
            moved += enrolment.school_class_id != school_class.pk
            returned += enrolment.left_on is not None
            enrolment.school_class = school_class
            enrolment.left_on = None
            changed.append(enrolment)
        progress(done, total)
    Enrolment.objects.bulk_create(new_enrolments, batch_size=500)
    Enrolment.objects.bulk_update(changed, ["school_class", "left_on"], batch_size=500)
    # Pupils missing from the new file have left: marked, never deleted, so history stays.
    left = [e for pid, e in enrolments.items() if pid not in listed and e.left_on is None]
    for enrolment in left:
        enrolment.left_on = today
    Enrolment.objects.bulk_update(left, ["left_on"], batch_size=500)

    return {
        "rows": len(base.rows),
        "created": len(to_create),
        "updated": len(to_update),
        "moved": moved,
        "returned": returned,
        "left": len(left),
        "unchanged": len(base.rows) - len(to_create) - len(to_update),
        "classes": len(classes),
        "skipped_left": base.skipped_left,
        "skipped_no_ine": base.skipped_no_ine,
        "skipped_no_class": base.skipped_no_class,
    }


def _sync_classes(
    establishment: Establishment, school_year: SchoolYear, rows: list[PupilRow]
) -> dict[str, SchoolClass]:
    wanted: dict[str, str] = {}
    for row in rows:
        wanted.setdefault(row.division, row.mef_code)
    classes = {
        c.code: c
        for c in SchoolClass.objects.filter(establishment=establishment, school_year=school_year)
    }
    new, changed = [], []
    for code, mef in wanted.items():
        # The class name first: it is what the school chose, and files where every pupil has
        # the same MEF (a default left in an export) exist; the MEF when the name says nothing.
        grade = grade_from_division(code) or grade_from_mef(mef) or ""
        school_class = classes.get(code)
        if school_class is None:
            new.append(
                SchoolClass(
                    establishment=establishment,
                    school_year=school_year,
                    code=code,
                    grade=grade,
                    mef_code=mef,
                )
            )
        elif (school_class.mef_code, school_class.grade) != (mef, grade or school_class.grade):
            school_class.mef_code = mef
            school_class.grade = grade or school_class.grade
            changed.append(school_class)
    SchoolClass.objects.bulk_create(new)
    SchoolClass.objects.bulk_update(changed, ["mef_code", "grade"])
    return {
        c.code: c
        for c in SchoolClass.objects.filter(
            establishment=establishment, school_year=school_year, code__in=wanted
        )
    }


def _pupil_values(row: PupilRow) -> dict[str, object]:
    return {name: getattr(row, name) for name in PUPIL_FIELDS}


def _update_pupil(pupil: Pupil, row: PupilRow) -> bool:
    changed = False
    for name, value in _pupil_values(row).items():
        if getattr(pupil, name) != value:
            setattr(pupil, name, value)
            changed = True
    if changed:
        pupil.set_name_keys()
    return changed

