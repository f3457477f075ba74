"""The download log becomes the audit log's DOWNLOAD events: each row is copied, with its date
and the downloader's name, then the model goes (one log, one way of recording)."""

from django.db import migrations


def _name(user) -> str:
    if user is None:
        return ""
    full = f"{user.first_name} {user.last_name}".strip()
    return (full or user.email or user.username)[:200]


def downloads_to_audit_log(apps, schema_editor):
    Download = apps.get_model("reports", "Download")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    for download in Download.objects.select_related("user").order_by("pk").iterator():
        event = AuditEvent.objects.create(
            establishment_id=download.establishment_id,
            actor_id=download.user_id,
            actor_name=_name(download.user),
            action="download",
            summary=download.what[:300],
            details={"filename": download.filename, "from_download_log": download.pk},
        )
        # `at` is set on creation: the download's own date is put back afterwards.
        AuditEvent.objects.filter(pk=event.pk).update(at=download.at)


def audit_log_to_downloads(apps, schema_editor):
    Download = apps.get_model("reports", "Download")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    # Only what came from the download log goes back: later events stay in the audit log.
    migrated = AuditEvent.objects.filter(action="download", details__has_key="from_download_log")
    for event in migrated.order_by("pk").iterator():
        download = Download.objects.create(
            establishment_id=event.establishment_id, user_id=event.actor_id,
            what=event.summary[:200], filename=str(event.details.get("filename", ""))[:255],
        )
        Download.objects.filter(pk=download.pk).update(at=event.at)
    migrated.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0001_initial"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(downloads_to_audit_log, audit_log_to_downloads),
        migrations.DeleteModel(name="Download"),
    ]
