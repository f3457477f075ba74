"""Benchmark: the compliance rebuild of a 2,000-pupil establishment with 10 campaigns.

    .venv/bin/python bench/compliance.py [--pupils 2000] [--campaigns 10] [--runs 3]

Builds, in a throwaway database, a collège of `--pupils` pupils (SIECLE file from pix.fakes
through the real pupil import), `--campaigns` campaigns taken by every pupil (profiles
collections and assessments from pix.fake_results through the real campaign import), the
3e's certification results (through the real certification import), objectives from the
ready-made templates; then times `compliance_rebuild` and prints the figures. Target: ≤ 5 s.

The database is a SQLite file under var/ (recreated each run), or, when DATABASE_URL is set,
a database created beside it for the run (`<name>_bench_compliance`) and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixorga.settings")
os.environ.setdefault("PIXORGA_ALLOW_DEV_SECRET", "1")
os.environ.pop("CELERY_BROKER_URL", None)  # tasks run in-process: the bench has no worker
SQLITE = BASE / "var" / "bench-compliance.sqlite3"
OWN_SQLITE = not os.environ.get("DATABASE_URL")
if OWN_SQLITE:
    SQLITE.parent.mkdir(exist_ok=True)
    SQLITE.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from campaigns.imports import campaign_results_import  # noqa: E402
from certification.imports import certification_results_import  # noqa: E402
from establishments.imports import pupil_base_import  # noqa: E402
from establishments.models import Establishment, SchoolYear  # noqa: E402
from pix.campaign_format import CampaignKind  # noqa: E402
from pix.fake_results import (  # noqa: E402
    Participant,
    fake_campaign_code,
    fake_campaign_export_bytes,
    fake_certification_files,
    fake_certification_results_by_division,
)
from pix.fakes import fake_establishment_pupils  # noqa: E402
from pix.files import PARIS  # noqa: E402
from pix.pupils import write_siecle_xml  # noqa: E402
from pixorga.celery import app as celery_app  # noqa: E402
from progression.compliance import compliance_rebuild  # noqa: E402
from progression.models import ComplianceSummary, PupilCompliance  # noqa: E402
from progression.services import objectives_apply_templates  # noqa: E402

UAI = "0179999Z"
GRADES = ("6e", "5e", "4e", "3e")


def _database() -> tuple[str, object]:
    """Migrates the bench's own database; returns its description and what drops it."""
    if OWN_SQLITE:
        call_command("migrate", verbosity=0)
        return f"SQLite {SQLITE.relative_to(BASE)}", None
    name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"{name}_bench_compliance"
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return (f"{connection.vendor} {connection.settings_dict['NAME']}",
            lambda: connection.creation.destroy_test_db(old, verbosity=0))


def _timed(label: str, figures: dict, work):
    started = time.perf_counter()
    result = work()
    figures[label] = time.perf_counter() - started
    return result


def build(pupil_count: int, campaign_count: int, figures: dict) -> Establishment:
    rng = random.Random(2025)
    year = SchoolYear.start_year_of_today()
    school_year, _created = SchoolYear.objects.get_or_create(start_year=year)
    establishment = Establishment.objects.create(
        uai=UAI, name="Collège du banc d’essai", kind=Establishment.Kind.COLLEGE,
        current_year=school_year,
    )
    per_class, classes_per_grade = 25, max(1, round(pupil_count / 25 / len(GRADES)))
    divisions = [(f"{g[0]}{chr(65 + i)}" if i < 26 else f"{g[0]}{i + 1:02d}", g, per_class)
                 for g in GRADES for i in range(classes_per_grade)]
    rows = fake_establishment_pupils(divisions, school_year=year, rng=rng)[:pupil_count]
    siecle = write_siecle_xml(rows, uai=UAI, school_year=year)
    report = _timed("import des élèves", figures, lambda: pupil_base_import(
        establishment=establishment, data=siecle, filename="siecle.xml"))
    assert report.ok, report.errors[:3]

    grade_of = {d: g for d, g, _n in divisions}
    participants = [Participant(r.usage_name or r.last_name, r.first_name, r.division,
                                grade_of[r.division]) for r in rows]
    start = datetime(year, 9, 15, 8, 0, tzinfo=PARIS)
    started = time.perf_counter()
    for index in range(campaign_count):
        profiles = index % 2 == 0  # half profiles collections, half assessments
        kind = CampaignKind.PROFILES_COLLECTION if profiles else CampaignKind.ASSESSMENT
        data = fake_campaign_export_bytes(
            kind, participants, rng=rng, code=fake_campaign_code(rng),
            name=f"{'Collecte de profils' if profiles else 'Parcours'} n° {index + 1}",
            start=start + timedelta(days=30 * index), organisation=establishment.name,
        )
        report = campaign_results_import(establishment=establishment, data=data,
                                         filename=f"campagne-{index + 1}.csv")
        assert report.ok, [str(e) for e in report.errors[:3]]
    figures["import des campagnes"] = time.perf_counter() - started

    candidates = [r for r in rows if grade_of[r.division] == "3e"]
    by_division = fake_certification_results_by_division(
        candidates, rng=rng, taken_on=date(year + 1, 3, 20))
    files = fake_certification_files(by_division, file_date=date(year + 1, 3, 25))
    report = _timed("import des certifications", figures, lambda: certification_results_import(
        establishment=establishment, files=list(files.items())))
    assert report.ok, [str(e) for e in report.errors[:3]]
    objectives_apply_templates(establishment=establishment, school_year=school_year, by=None)
    return establishment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--campaigns", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true",
                        help="keep the PostgreSQL database at the end (to look into it)")
    parser.add_argument("--profile", action="store_true",
                        help="profile one more rebuild and print where its time goes")
    args = parser.parse_args()
    celery_app.conf.task_always_eager = True
    database, drop = _database()
    try:
        setup: dict[str, float] = {}
        establishment = build(args.pupils, args.campaigns, setup)
        year = establishment.current_year
        runs = []
        queries = 0
        for _run in range(args.runs):
            with CaptureQueriesContext(connection) as captured:
                report = compliance_rebuild(establishment, school_years=[year])
            runs.append(report.seconds)
            queries = len(captured)
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(compliance_rebuild, establishment, school_years=[year])
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        pupils = PupilCompliance.objects.filter(establishment=establishment, school_year=year)
        met = pupils.filter(met=True).count()
        print(f"Base : {database}")
        print(f"Établissement : {pupils.count()} élèves, {args.campaigns} campagnes, "
              f"{ComplianceSummary.objects.filter(establishment=establishment).count()} "
              "synthèses")
        for label, seconds in setup.items():
            print(f"  préparation, {label} : {seconds:.1f} s")
        print(f"Recalcul de la conformité ({args.runs} passages) : "
              + ", ".join(f"{s:.2f} s" for s in runs)
              + f" ; médiane {statistics.median(runs):.2f} s ; {queries} requêtes par passage")
        print(f"Élèves qui atteignent l’objectif : {met} sur {pupils.count()}")
        verdict = "OK" if max(runs) <= 5 else "TROP LENT"
        print(f"Objectif ≤ 5 s : {verdict}")
    finally:
        if drop is not None and not args.keep:
            drop()


if __name__ == "__main__":
    main()
