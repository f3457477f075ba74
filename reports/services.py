"""Writes of the reports app: the download log."""

from __future__ import annotations

from establishments.models import Establishment

from .models import Download


def download_record(*, establishment: Establishment, by, what: str, filename: str) -> Download:
    """Who downloaded what, when: every bilan served is recorded (the direction sees the log)."""
    return Download.objects.create(establishment=establishment, user=by, what=what,
                                   filename=filename)
