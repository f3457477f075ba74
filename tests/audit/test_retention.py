"""The log keeps AUDIT_RETENTION_DAYS: a nightly beat task deletes older events, safe to rerun;
and the former download log's rows came into the audit log."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from audit.tasks import purge_audit_events_task

ROOT = Path(__file__).resolve().parents[2]


def aged(establishment, days: float, summary: str) -> AuditEvent:
    event = audit_record(establishment=establishment, by=None, action=AuditEvent.Action.IMPORT,
                         summary=summary)
    AuditEvent.objects.filter(pk=event.pk).update(at=timezone.now() - timedelta(days=days))
    return event


def test_the_nightly_task_deletes_events_older_than_the_retention(world, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    aged(world.establishment, 31, "Trop vieux")
    aged(world.outsider_establishment, 400, "Trop vieux ailleurs")
    aged(world.establishment, 29, "Encore gardé")
    aged(world.establishment, 0, "D’aujourd’hui")

    assert purge_audit_events_task.delay().get() == 2
    assert purge_audit_events_task() == 0  # run again: nothing more to do

    assert sorted(AuditEvent.objects.values_list("summary", flat=True)) == [
        "D’aujourd’hui", "Encore gardé"]


def test_the_default_keeps_a_year(world):
    assert settings.AUDIT_RETENTION_DAYS == 365
    aged(world.establishment, 366, "L’an dernier")
    aged(world.establishment, 364, "Il y a presque un an")

    purge_audit_events_task()

    assert list(AuditEvent.objects.values_list("summary", flat=True)) == [
        "Il y a presque un an"]


def test_the_task_is_in_the_beat_schedule():
    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "audit.tasks.purge_audit_events_task" in entries


@pytest.mark.parametrize(("value", "expected"), [("90", "90"), ("0", "must be at least 1")])
def test_the_retention_comes_from_the_environment(value, expected):
    code = "import django; django.setup(); from django.conf import settings; " \
           "print(settings.AUDIT_RETENTION_DAYS)"
    env = {**os.environ, "AUDIT_RETENTION_DAYS": value, "PIXORGA_ALLOW_DEV_SECRET": "1",
           "DJANGO_SETTINGS_MODULE": "pixorga.settings"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert expected in result.stdout + result.stderr


# --- the former download log ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_download_log_rows_become_audit_events(world):
    # Given the database before the migration, with two bilan downloads logged
    executor = MigrationExecutor(connection)
    executor.migrate([("reports", "0001_initial")])
    old = executor.loader.project_state([("reports", "0001_initial")]).apps
    Download = old.get_model("reports", "Download")
    when = timezone.now() - timedelta(days=40)
    first = Download.objects.create(establishment_id=world.establishment.pk,
                                    user_id=world.direction.pk, what="Bilan 2025-2026 (PDF)",
                                    filename="bilan.pdf")
    Download.objects.filter(pk=first.pk).update(at=when)
    Download.objects.create(establishment_id=world.outsider_establishment.pk, user_id=None,
                            what="Tableau (CSV)", filename="analyse.csv")

    # When the migration runs
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    # Then each row is a download event of its establishment, with its date and its person
    events = list(AuditEvent.objects.order_by("pk"))
    assert [(e.establishment_id, e.actor_id, e.actor_name, e.action, e.summary) for e in events] \
        == [(world.establishment.pk, world.direction.pk, "Direction@Test.Fr Test", "download",
             "Bilan 2025-2026 (PDF)"),
            (world.outsider_establishment.pk, None, "", "download", "Tableau (CSV)")]
    assert events[0].at == when
    assert events[0].details["filename"] == "bilan.pdf"
    # and the model is gone
    assert "reports_download" not in connection.introspection.table_names()
