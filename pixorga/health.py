"""Health endpoint for the container orchestrator: 200 when the database answers, else 503.

Anonymous, never cached, and cheap (one `SELECT 1`), so a health check every few seconds costs
nothing. Wired in pixorga/urls.py as `path("sante/", health, name="health")`.
"""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def health(request) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: the database does not answer")
        return JsonResponse({"database": "error"}, status=503)
    return JsonResponse({"database": "ok"})
