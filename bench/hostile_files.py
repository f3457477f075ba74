"""Benchmark: what each hostile file costs a worker before it is refused, through the real path.

    .venv/bin/python bench/hostile_files.py            # every case
    .venv/bin/python bench/hostile_files.py bomb rows  # the cases whose name contains a word

Builds each hostile file of issue 9 (item 3) at the size that was measured then, plus real
files of the biggest establishment (a lycée of 3,010 pupils) for comparison; then, for each,
runs the import exactly as a Celery worker does (a job row holding the file, the task's
handler through `jobs.services.job_run`) in a fresh Python process, and prints:

- the job's outcome and the start of its first error;
- the wall time from the task's start to its end (to the refusal, for a hostile file);
- the peak RSS of that process during the task, and its growth over the RSS before the task
  (`VmHWM`, reset through `/proc/self/clear_refs`, so Linux only);
- in a second process, the tracemalloc peak of the task (Python allocations only; slower).

The database is a SQLite file under var/ (recreated each run): the refusals happen before any
write, and the real files' figures are only a yardstick.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixorga.settings")
os.environ.setdefault("PIXORGA_ALLOW_DEV_SECRET", "1")
os.environ.pop("CELERY_BROKER_URL", None)  # tasks run in-process: the bench has no worker
SQLITE = BASE / "var" / "bench-hostile.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE}"
UAI = "0170001A"
MIB = 1024 * 1024


# --- the files ---------------------------------------------------------------------------------


def _zipped(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _bomb(name: str, size: int, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip whose one file inflates to `size` bytes of spaces, written by chunks."""
    buffer = io.BytesIO()
    with (zipfile.ZipFile(buffer, "w", method, compresslevel=9) as archive,
          archive.open(name, "w") as member):
        chunk = b" " * (16 * MIB)
        for _ in range(size // len(chunk)):
            member.write(chunk)
    return buffer.getvalue()


def _lying(data: bytes, claimed: int) -> bytes:
    """The zip with its first file's sizes (central and local headers) set to `claimed`."""
    data = bytearray(data)
    struct.pack_into("<L", data, data.find(b"PK\x01\x02") + 24, claimed)
    struct.pack_into("<L", data, 22, claimed)
    return bytes(data)


def _empty_name(data: bytes, name: bytes) -> bytes:
    return data.replace(name, b"\x00" * len(name))


def _lycee():
    from pix.fakes import fake_establishment_pupils

    divisions = ([(f"2{n}", "2de", 35) for n in range(30)]
                 + [(f"1{n}", "1re", 35) for n in range(30)]
                 + [(f"T{n}", "Tle", 35) for n in range(26)])
    return fake_establishment_pupils(divisions, school_year=2025, rng=random.Random(7))


def build_cases() -> dict[str, tuple[str, str, bytes]]:
    """name → (job kind, file name, bytes)."""
    from datetime import date

    from pix.campaigns import CampaignKind
    from pix.fake_results import (
        Participant,
        fake_campaign_export_bytes,
        fake_certification_files,
        fake_certification_results_by_division,
        fake_certification_zip,
    )
    from pix.pupils import write_siecle_xml

    pupils = _lycee()
    siecle = write_siecle_xml(pupils, uai=UAI, school_year=2025)
    participants = [Participant(p.last_name, p.first_name, p.division, "2de") for p in pupils]
    forty = [p for p in pupils if p.division[:1] in "T1"][: 40 * 35]
    certification = fake_certification_zip(fake_certification_files(
        fake_certification_results_by_division(forty, rng=random.Random(9),
                                               taken_on=date(2026, 5, 5)),
        file_date=date(2026, 5, 12)))
    tiny_rows = b"a\n" * 12_000_000  # 24 MB: the 12 million rows
    one_line = b"a;b\n" + b"x" * (24 * MIB)  # under the 25 MB upload cap
    bomb = _bomb("ElevesSansAdresses.xml", 112 * MIB)  # deflate stops near 1,000:1
    # bzip2, which zipfile reads too, shrinks 2 GB of spaces to a few hundred bytes
    bzip_bomb = _bomb("ElevesSansAdresses.xml", 2032 * MIB, zipfile.ZIP_BZIP2)
    liar = _lying(_bomb("ElevesSansAdresses.xml", 1024 * MIB), 1024)
    xml_head = b'<?xml version="1.0"?>\n<BEE_ELEVES><DONNEES>'
    return {
        "pupils: 12 M tiny rows (24 MB CSV)": ("pupil_import", "eleves.csv", tiny_rows),
        "pupils: one 24 MB line": ("pupil_import", "eleves.csv", one_line),
        f"pupils: zip bomb ({len(bomb) // 1024} KB → 112 MB)": (
            "pupil_import", "eleves.zip", bomb),
        f"pupils: bzip2 zip bomb ({len(bzip_bomb)} bytes → 2 GB)": (
            "pupil_import", "eleves.zip", bzip_bomb),
        f"pupils: zip lying about its size ({len(liar) // 1024} KB → 1 GB, says 1 KB)": (
            "pupil_import", "eleves.zip", liar),
        "pupils: zip with an empty file name": (
            "pupil_import", "eleves.zip",
            _empty_name(_zipped({"ElevesSansAdresses.xml": siecle}), b"ElevesSansAdresses.xml")),
        "pupils: NUL byte at the end of a CSV": (
            "pupil_import", "eleves.csv", b"a;b\n" + b"1;2\n" * 10_000 + b"\x00"),
        "pupils: XML of 2 M tiny elements (8 MB)": (
            "pupil_import", "eleves.xml", xml_head + b"<a/>" * 2_000_000 + b"</DONNEES>"),
        "pupils: XML nested 100,000 deep": (
            "pupil_import", "eleves.xml", xml_head + b"<a>" * 100_000),
        "pupils: XML text node of 20 MB": (
            "pupil_import", "eleves.xml", xml_head + b"<NOM>" + b"x" * (20 * MIB)),
        "campaign: 12 M tiny rows (24 MB CSV)": ("campaign_import", "export.csv", tiny_rows),
        "campaign: one 24 MB line": ("campaign_import", "export.csv", one_line),
        "campaign: 1,000 columns × 24,000 lines": (
            "campaign_import", "export.csv",
            b";".join([b"c"] * 1000) + b"\n" + b";" * 999 + b"\n" + b"1\n" * 24_000),
        "certification: zip bomb (112 MB)": (
            "certification_import", "resultats.zip",
            bomb.replace(b"ElevesSansAdresses.xml", b"20260512_resultats.csv")),
        "certification: bzip2 zip bomb (2 GB)": (
            "certification_import", "resultats.zip",
            bzip_bomb.replace(b"ElevesSansAdresses.xml", b"20260512_resultats.csv")),
        "Pix+ Édu: 12 M tiny rows (24 MB CSV)": ("pix_edu_import", "pixedu.csv", tiny_rows),
        "Pix+ Édu: one 24 MB line": ("pix_edu_import", "pixedu.csv", one_line),
        "Pix+ Édu: 24 MB of accented letters (Windows-1252)": (
            "pix_edu_import", "pixedu.csv",
            b"e-mail;positionnement\n" + (b"\xe9" * 60_000 + b"\n") * 400),
        "Pix+ Édu: 400 addresses of 60 KB": (
            "pix_edu_import", "pixedu.csv",
            b"e-mail;positionnement;parcours;attestation;certification\n"
            + (b'"a@' + b"b." * 30_000 + b';";O;N;N;N\n') * 400),
        "at the caps: profiles collection of 49,000 sendings": (
            "campaign_import", "export.csv",
            fake_campaign_export_bytes(CampaignKind.PROFILES_COLLECTION, participants * 16
                                       + participants[:817], rng=random.Random(10),
                                       code="CAPSAB123", name="Aux limites", resend_rate=0.0)),
        "at the caps: assessment of 993 columns (940 skills), 3,010 pupils": (
            "campaign_import", "export.csv",
            fake_campaign_export_bytes(CampaignKind.ASSESSMENT, participants,
                                       rng=random.Random(12), code="CAPSCD123",
                                       name="Aux limites",
                                       skill_names=tuple(f"@acquis{n}" for n in range(940)))),
        "real: SIECLE XML of 3,010 pupils": ("pupil_import", "eleves.xml", siecle),
        "real: profiles collection of 3,010 pupils": (
            "campaign_import", "export.csv",
            fake_campaign_export_bytes(CampaignKind.PROFILES_COLLECTION, participants,
                                       rng=random.Random(8), code="LYCEEB123", name="Rentrée",
                                       resend_rate=0.3)),
        "real: certification zip of 40 classes": (
            "certification_import", "resultats.zip", certification),
    }


# --- one case, in its own process -----------------------------------------------------------


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def run_one(kind: str, filename: str, path: str, trace: bool) -> dict:
    import gc
    import tracemalloc

    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from campaigns.tasks import import_campaign_results_task
    from certification.imports import pack_uploads
    from certification.tasks import import_certification_results_task
    from establishments.models import Establishment
    from establishments.tasks import import_pupils_task
    from jobs.models import Job
    from jobs.services import job_create
    from remediation.tasks import import_pix_edu_task

    tasks = {"pupil_import": import_pupils_task, "campaign_import": import_campaign_results_task,
             "certification_import": import_certification_results_task,
             "pix_edu_import": import_pix_edu_task}
    data = Path(path).read_bytes()
    if kind == "certification_import":
        data = pack_uploads([(filename, data)])
    job = job_create(establishment=Establishment.objects.get(uai=UAI), kind=kind,
                     by=get_user_model().objects.get(username="rupn"), filename=filename,
                     payload=data)
    del data
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    before = _kib("VmRSS")
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    tasks[kind](job.pk)  # the task, run here as a worker runs it
    seconds = time.perf_counter() - start
    traced = tracemalloc.get_traced_memory()[1] if trace else 0
    peak = _kib("VmHWM")
    job = Job.objects.get(pk=job.pk)
    error = ""
    if job.errors:
        first = job.errors[0]
        error = first["message"] % first["params"] if first["params"] else first["message"]
        if first["line"]:
            error = f"ligne {first['line']} : {error}"
    return {"status": job.status, "error": error, "seconds": seconds, "rss_before": before,
            "peak": peak, "traced": traced, "counts": job.counts}


def _child(name: str, case: tuple[str, str, bytes], folder: Path, trace: bool) -> dict:
    kind, filename, data = case
    path = folder / "payload"
    path.write_bytes(data)
    command = [sys.executable, __file__, "--one", kind, filename, str(path)]
    if trace:
        command.append("--trace")
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        return {"status": "crashed", "error": done.stderr.strip().splitlines()[-1:],
                "seconds": 0, "rss_before": 0, "peak": 0, "traced": 0}
    return json.loads(done.stdout.strip().splitlines()[-1])


def prepare_database() -> None:
    import django

    SQLITE.parent.mkdir(exist_ok=True)
    SQLITE.unlink(missing_ok=True)
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from establishments.models import Establishment, Membership
    from establishments.services import establishment_create

    call_command("migrate", verbosity=0)
    establishment = establishment_create(uai=UAI, name="Lycée du banc d’essai",
                                         kind=Establishment.Kind.LYCEE)
    rupn = get_user_model().objects.create_user("rupn", "rupn@bench.test")
    Membership.objects.create(user=rupn, establishment=establishment,
                              role=Membership.Role.RUPN)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("words", nargs="*", help="only the cases whose name contains a word")
    parser.add_argument("--one", nargs=3, metavar=("KIND", "FILENAME", "PATH"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one, trace=args.trace)))
        return
    prepare_database()
    from django.conf import settings

    from pix import limits

    print(f"Caps (pix/limits.py): file {limits.MAX_FILE_BYTES // MIB} MB, "
          f"{limits.MAX_LINES:,} lines, lines of {limits.MAX_LINE_BYTES:,} bytes, "
          f"{limits.MAX_COLUMNS:,} columns, {limits.MAX_CELLS:,} cells, zips "
          f"{limits.MAX_UNZIPPED_BYTES // MIB} MB inflated and {limits.MAX_ZIP_MEMBERS} files, "
          f"XML {limits.MAX_XML_ELEMENTS:,} elements. Worker: "
          f"{settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD // 1024} MB per process, tasks "
          f"stopped after {settings.CELERY_TASK_SOFT_TIME_LIMIT} s.")
    print(f"Load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores\n")
    started = time.perf_counter()
    cases = build_cases()
    print(f"(files built in {time.perf_counter() - started:.0f} s)\n")
    header = (f"{'case':62} {'size':>9} {'outcome':>9} {'time':>8} {'peak RSS':>9} "
              f"{'growth':>8} {'traced':>8}")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as folder:
        for name, case in cases.items():
            if args.words and not any(word.lower() in name.lower() for word in args.words):
                continue
            plain = _child(name, case, Path(folder), trace=False)
            traced = _child(name, case, Path(folder), trace=True)
            size = len(case[2])
            size_text = f"{size / MIB:.1f} MB" if size >= MIB else f"{size / 1024:.0f} KB"
            print(f"{name:62} {size_text:>9} {plain['status']:>9} {plain['seconds']:7.2f}s "
                  f"{plain['peak'] / 1024:6.0f} MB "
                  f"{(plain['peak'] - plain['rss_before']) / 1024:5.0f} MB "
                  f"{traced['traced'] / MIB:5.0f} MB")
            print(f"    → {plain['error'] or plain.get('counts')}"[:160])
    SQLITE.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
