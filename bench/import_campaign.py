"""Benchmark: the campaign results import against PostgreSQL's COPY of the same rows.

    .venv/bin/python bench/import_campaign.py [--repeat N] [SIZE ...]   (default: 1000 20000)

For each size, in a throwaway PostgreSQL database (created from DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/pixorga_bench, dropped at the end):

1. a pupil base of SIZE pupils, written as SIECLE XML by `pix.fakes` and imported by the real
   pupil import, so that participants are matched as in a school;
2. a real-format profiles collection export of those pupils (`pix.fake_results`), imported by
   `campaign_results_import` — read, check, group, match, write, commit — N times, each into a
   new campaign (the file under another code); then the summaries rebuilt on their own (the
   task that the import enqueues after commit), and a re-import of the same file;
3. the participants and sendings that the import wrote, read back, loaded again 3N times, same
   columns and values, with `COPY … FROM STDIN` (psycopg) into copies of the same tables —
   indexes, constraints and foreign keys included — in a fresh schema.

Timed steps are run several times (N, default 3) and the fastest is kept, as `timeit` does:
other work on the machine only ever slows a run down. Beside wall time, CPU time is given for this
process and for the PostgreSQL backend serving it (read in /proc: server on this machine),
which a busy machine disturbs much less.

Memory: "RSS peak" is how much the process's peak resident set grew during the step
(`resource.getrusage().ru_maxrss`, after resetting the peak to the current RSS by writing 5 to
/proc/self/clear_refs); "tracemalloc" is the peak of Python allocations, measured in one more
import since tracing slows Python down several times. PostgreSQL's memory is not counted.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import resource
import sys
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import dj_database_url
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pixorga_bench"
SIZES = (1_000, 20_000)
PUPILS_PER_CLASS = 25
COPY_SCHEMA = "bench_copy"
TABLES = ("campaigns_participant", "campaigns_sending")
COPY_REPEAT = 3  # runs of COPY for each run of the import
TARGET_SECONDS_1000 = 2.0
TARGET_COPY_RATIO = 5.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the throwaway database ----------------------------------------------------------------


def server(url: str) -> tuple[str, dict]:
    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit(f"DATABASE_URL must name a PostgreSQL database, not {url!r}")
    params = {"host": config.get("HOST") or None, "port": config.get("PORT") or None,
              "user": config.get("USER") or None, "password": config.get("PASSWORD") or None}
    return config["NAME"], params


def create_database(name: str, params: dict) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and "bench" not in name:
            # Never drop a database this script did not make (DATABASE_URL left on the
            # development database, say).
            sys.exit(f"database {name!r} exists and is not a benchmark database: not touching it")
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str, params: dict) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Measure:
    seconds: float = 0.0
    cpu: float = 0.0  # this process
    server_cpu: float | None = None  # the PostgreSQL backend(s) given to `measured`
    rss_peak_mib: float | None = None
    traced_peak_mib: float | None = None


def _rss_kib() -> int:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


def _process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process of this machine, None when unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


@contextmanager
def measured(*, backends: tuple[int, ...] = (), trace: bool = False):
    """Wall time, CPU time and peak memory of the block (see the module's docstring)."""
    result = Measure()
    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")
        rss_before = _rss_kib()
    except OSError:
        rss_before = None
    server_before = [_process_cpu(pid) for pid in backends]
    if trace:
        tracemalloc.start()
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - start
        result.cpu = time.process_time() - cpu_start
        if trace:
            result.traced_peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        server_after = [_process_cpu(pid) for pid in backends]
        if backends and None not in server_before + server_after:
            result.server_cpu = sum(server_after) - sum(server_before)
        if rss_before is not None:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
            result.rss_peak_mib = max(0, peak - rss_before) / 1024


def fastest(measures: list[Measure]) -> Measure:
    return min(measures, key=lambda measure: measure.seconds)


# --- the data --------------------------------------------------------------------------------


def school(size: int, index: int):
    """An establishment whose `size` pupils are imported from a SIECLE file, and the pupils."""
    from establishments.imports import pupil_base_import
    from establishments.models import Establishment, SchoolYear
    from pix.fakes import fake_establishment_pupils
    from pix.pupils import write_siecle_xml

    year = SchoolYear.get_current()
    uai = f"{9_900_000 + index:07d}B"
    establishment = Establishment.objects.create(
        uai=uai, name=f"Collège banc d’essai {size}", kind=Establishment.Kind.COLLEGE,
        current_year=year)
    classes = max(1, round(size / PUPILS_PER_CLASS))
    divisions = []
    for number in range(classes):
        digit, grade = ((6, "6e"), (5, "5e"), (4, "4e"), (3, "3e"))[number % 4]
        count = size // classes + (number < size % classes)
        divisions.append((f"{digit}{number // 4 + 1:03d}", grade, count))
    pupils = fake_establishment_pupils(divisions, school_year=year.start_year,
                                       rng=random.Random(size))
    report = pupil_base_import(
        establishment=establishment,
        data=write_siecle_xml(pupils, uai=uai, school_year=year.start_year),
        filename="ElevesSansAdresses.xml")
    assert report.ok, report.errors[:3]
    return establishment, pupils


def export_bytes(pupils, code: str, start_year: int, organisation: str) -> bytes:
    """The profiles collection of the pupils, as Pix Orga exports it (same rows every call)."""
    from pix.campaigns import CampaignKind
    from pix.fake_results import Participant, fake_campaign_export_bytes
    from pix.files import PARIS
    from pix.grades import grade_from_division

    participants = [
        Participant(p.usage_name or p.last_name, p.first_name, p.division,
                    grade_from_division(p.division) or "5e")
        for p in pupils
    ]
    return fake_campaign_export_bytes(
        CampaignKind.PROFILES_COLLECTION, participants, rng=random.Random(len(pupils)),
        code=code, name="Collecte de profils (banc d’essai)", organisation=organisation,
        start=datetime(start_year, 9, 15, 8, 0, tzinfo=PARIS),
    )


# --- COPY ------------------------------------------------------------------------------------


def copy_tables(connection: psycopg.Connection) -> None:
    """Copies of the campaign tables in a fresh schema: columns, defaults, indexes, constraints
    and the same foreign keys (to the real campaigns and pupils, and between the copies)."""
    connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(COPY_SCHEMA)))
    for table in TABLES:
        connection.execute(sql.SQL("CREATE TABLE {}.{} (LIKE public.{} INCLUDING ALL)").format(
            sql.Identifier(COPY_SCHEMA), sql.Identifier(table), sql.Identifier(table)))
    foreign_keys = connection.execute("""
        SELECT conrelid::regclass::text, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)
    """, [list(TABLES)]).fetchall()
    for table, definition in foreign_keys:
        for target in TABLES:  # between the copied tables, point at the copy
            definition = definition.replace(f"REFERENCES {target}(",
                                            f"REFERENCES {COPY_SCHEMA}.{target}(")
        connection.execute(sql.SQL("ALTER TABLE {}.{} ADD {}").format(
            sql.Identifier(COPY_SCHEMA), sql.Identifier(table), sql.SQL(definition)))
    connection.commit()


def written_rows(connection: psycopg.Connection, campaign_id: int) -> dict:
    """What the import wrote, every column, as Python values: table → (columns, type oids,
    rows)."""
    queries = {
        "campaigns_participant": "SELECT * FROM campaigns_participant WHERE campaign_id = %s "
                                 "ORDER BY id",
        "campaigns_sending": "SELECT s.* FROM campaigns_sending s JOIN campaigns_participant p "
                             "ON p.id = s.participant_id WHERE p.campaign_id = %s ORDER BY s.id",
    }
    result = {}
    for table, query in queries.items():
        cursor = connection.execute(query, [campaign_id])
        result[table] = ([column.name for column in cursor.description],
                         [column.type_code for column in cursor.description],
                         cursor.fetchall())
    return result


def copy_load(connection: psycopg.Connection, rows: dict) -> Measure:
    """The rows loaded with COPY into the schema's copies and committed, timed."""
    for table in TABLES:
        connection.execute(sql.SQL("TRUNCATE {}.{} CASCADE").format(
            sql.Identifier(COPY_SCHEMA), sql.Identifier(table)))
    connection.commit()
    with (measured(backends=(connection.info.backend_pid,)) as measure,
          connection.transaction(), connection.cursor() as cursor):
        for table in TABLES:
            columns, types, values = rows[table]
            statement = sql.SQL("COPY {}.{} ({}) FROM STDIN").format(
                sql.Identifier(COPY_SCHEMA), sql.Identifier(table),
                sql.SQL(", ").join(map(sql.Identifier, columns)))
            with cursor.copy(statement) as copy:
                copy.set_types(types)
                for row in values:
                    copy.write_row(row)
    return measure


# --- the run ---------------------------------------------------------------------------------


def run(size: int, index: int, repeat: int, params: dict, name: str) -> dict:
    from django.db import connection

    from campaigns.imports import campaign_results_import
    from campaigns.models import Campaign, Participant, Sending
    from campaigns.summaries import campaign_summaries_rebuild

    with measured() as setup:
        establishment, pupils = school(size, index)
    year = establishment.current_year.start_year
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = (cursor.fetchone()[0],)

    imports, report, data = [], None, b""
    for attempt in range(repeat):
        data = export_bytes(pupils, f"BENCH{chr(65 + attempt)}{index:03d}", year,
                            establishment.name)
        with measured(backends=backend) as measure:
            report = campaign_results_import(establishment=establishment, data=data)
        assert report.ok, report.errors[:3]
        imports.append(measure)
    campaign = report.campaign
    summaries = []
    for _attempt in range(repeat):
        with measured(backends=backend) as measure:
            campaign_summaries_rebuild(campaign)
        summaries.append(measure)
    with measured(backends=backend) as reimport:
        again = campaign_results_import(establishment=establishment, data=data)
    assert again.ok and again.counts["new_sendings"] == 0
    traced_data = export_bytes(pupils, f"TRACED{index:03d}", year, establishment.name)
    with measured(trace=True) as traced:
        assert campaign_results_import(establishment=establishment, data=traced_data).ok

    participants = Participant.objects.filter(campaign=campaign).count()
    sendings = Sending.objects.filter(participant__campaign=campaign).count()
    with psycopg.connect(dbname=name, **params) as copy_connection:
        copy_tables(copy_connection)
        rows = written_rows(copy_connection, campaign.pk)
        copy_connection.commit()
        assert len(rows["campaigns_participant"][2]) == participants
        assert len(rows["campaigns_sending"][2]) == sendings
        # COPY is short: more runs, for a best as steady as the import's.
        copies = [copy_load(copy_connection, rows) for _attempt in range(COPY_REPEAT * repeat)]
        copy_connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(
            sql.Identifier(COPY_SCHEMA)))
    # The next size starts from tables as empty as this one's.
    Campaign.objects.filter(establishment=establishment).delete()
    return {
        "size": size, "bytes": len(data), "rows": report.counts["rows"],
        "participants": participants, "sendings": sendings, "matched": report.counts["matched"],
        "setup": setup, "import": fastest(imports), "traced": traced, "reimport": reimport,
        "summaries": fastest(summaries), "copy": fastest(copies),
    }


def _number(value: float | None, width: int, places: int) -> str:
    return f"{'n/a':>{width}}" if value is None else f"{value:{width}.{places}f}"


def show(result: dict, repeat: int) -> None:
    print(f"\n== {result['size']:,} participants: {result['rows']:,} rows, "
          f"{result['bytes'] / 2**20:.1f} MiB file → {result['participants']:,} participants "
          f"({result['matched']:,} matched), {result['sendings']:,} sendings")
    print(f"  {'':<52} {'wall s':>7} {'CPU s':>6} {'PG CPU s':>8} {'RSS peak':>9} "
          f"{'tracemalloc':>11}")
    best = f"best of {repeat}"
    lines = (
        ("setup", "pupil base, real SIECLE import (setup)"),
        ("import", f"campaign_results_import, end to end ({best})"),
        ("traced", "  the same under tracemalloc (slowed down)"),
        ("summaries", f"summaries rebuild ({best})"),
        ("reimport", "re-import of the same file (nothing new)"),
        ("copy", f"COPY of the same participants + sendings (best of {COPY_REPEAT * repeat})"),
    )
    for key, label in lines:
        measure = result[key]
        rss = "" if measure.rss_peak_mib is None else f"{measure.rss_peak_mib:6.0f} MiB"
        traced = ("" if measure.traced_peak_mib is None
                  else f"{measure.traced_peak_mib:7.0f} MiB")
        cpu = "" if key == "traced" else _number(measure.cpu, 6, 2)
        print(f"  {label:<52} {measure.seconds:7.2f} {cpu:>6} "
              f"{_number(measure.server_cpu, 8, 2) if key != 'traced' else '':>8} "
              f"{rss:>9} {traced:>11}")
    imported, copied = result["import"], result["copy"]
    ratio = imported.seconds / copied.seconds
    verdict = "met" if ratio <= TARGET_COPY_RATIO else "NOT met"
    line = f"  import / COPY, wall time: {ratio:.1f}× (target ≤ {TARGET_COPY_RATIO:g}×: {verdict})"
    if imported.server_cpu is not None and copied.server_cpu is not None:
        cpu_ratio = (imported.cpu + imported.server_cpu) / (copied.cpu + copied.server_cpu)
        line += f"; CPU time, both sides: {cpu_ratio:.1f}×"
    print(line)
    if result["size"] == 1_000:
        verdict = "met" if imported.seconds <= TARGET_SECONDS_1000 else "NOT met"
        print(f"  1,000 participants end to end in ≤ {TARGET_SECONDS_1000:g} s: {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    name, params = server(url)
    create_database(name, params)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixorga.settings")
    os.environ.setdefault("PIXORGA_ALLOW_DEV_SECRET", "1")
    os.environ["DEBUG"] = "0"  # DEBUG would keep every query in memory
    # An in-memory broker that nobody reads: the summaries that the import enqueues are not
    # rebuilt in-process; the benchmark rebuilds, and times, them itself.
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    try:
        call_command("migrate", verbosity=0)
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"PostgreSQL {connection.pg_version // 10000} (database {name}, made for this run),"
              f" Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}")
        for index, size in enumerate(args.sizes, start=1):
            show(run(size, index, args.repeat, params, name), args.repeat)
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"\nload average at the end: {load}")
    finally:
        connections.close_all()
        drop_database(name, params)
    return 0


if __name__ == "__main__":
    sys.exit(main())
