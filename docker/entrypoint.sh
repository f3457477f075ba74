#!/bin/sh
# One image, three roles: `web` (migrations, then gunicorn), `worker` and `beat` (Celery).
# Any other command runs as given, e.g. `docker compose run --rm web python manage.py seed_demo`.
set -eu

role="${1:-web}"
case "$role" in
  web)
    shift || true
    python manage.py migrate --noinput
    # The cache table, when CACHE_URL is not Redis (a no-op otherwise, and when it exists).
    python manage.py createcachetable
    # Workers: WEB_CONCURRENCY (read by gunicorn itself); more options: GUNICORN_CMD_ARGS.
    exec gunicorn pixorga.wsgi:application \
      --bind "0.0.0.0:${PORT:-8000}" \
      --worker-tmp-dir /dev/shm \
      --timeout "${GUNICORN_TIMEOUT:-120}" \
      --access-logfile - \
      "$@"
    ;;
  worker)
    shift || true
    # Memory ceiling per process and time limits per task: CELERY_WORKER_MAX_MEMORY_PER_CHILD,
    # CELERY_TASK_SOFT_TIME_LIMIT and CELERY_TASK_TIME_LIMIT from .env, read by the settings.
    exec celery -A pixorga worker \
      --hostname "worker@%h" \
      --concurrency "${CELERY_CONCURRENCY:-2}" \
      --loglevel "${LOG_LEVEL:-INFO}" \
      "$@"
    ;;
  beat)
    shift || true
    exec celery -A pixorga beat \
      --schedule "${BEAT_SCHEDULE:-/app/var/celerybeat-schedule}" \
      --loglevel "${LOG_LEVEL:-INFO}" \
      "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
