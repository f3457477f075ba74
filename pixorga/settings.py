"""Settings, read from the environment (see .env.example).

With nothing set, pixorga runs on an embedded SQLite file and runs Celery tasks in-process,
so that `make run` works on a bare machine; `DATABASE_URL` and `CELERY_BROKER_URL` switch to
PostgreSQL and Redis.
"""

import os
from pathlib import Path

import dj_database_url
import plotly
import xstatic.pkg.bootstrap
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from pix import limits

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not os.environ.get("PIXORGA_ALLOW_DEV_SECRET"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "accounts.admin_apps.PixorgaAdminConfig",  # django.contrib.admin, logging in via allauth
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_bootstrap5",
    "accounts",
    "establishments",
    "jobs",
    "audit",
    "campaigns",
    "progression",
    "remediation",
    "certification",
    "reports",
    "privacy",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pixorga.middleware.FrenchByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "pixorga.middleware.RejectNulBytesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "establishments.middleware.CurrentMembershipMiddleware",
]

ROOT_URLCONF = "pixorga.urls"
WSGI_APPLICATION = "pixorga.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "establishments.context_processors.membership",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'pixorga.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; a generous timeout avoids "database is locked" while an
    # in-process import writes and a page polls its progress.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# --- cache -------------------------------------------------------------------------------------
# Shared by every process (login throttling counters, allauth's rate limits): Redis when
# CACHE_URL names one, else a table of the database (`manage.py createcachetable`), never a
# per-process memory.
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "pixorga",
            # An unreachable Redis fails fast instead of holding a login for minutes.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
elif CACHE_URL in {"", "db"}:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "pixorga_cache",
            # The default (300) would let anyone flush the login counters by trying 300 names.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("CACHE_URL must be a redis:// URL, or db (the default).")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- accounts (django-allauth) --------------------------------------------------------------
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"  # no open sign-up: people are invited
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    # Logins are throttled by accounts.throttle instead (per account and per address, with a
    # short back-off): allauth's per-address limits would stop a whole school behind one NAT.
    "login": None,
    "login_failed": None,
    "reset_password": "20/m/ip,3/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[pixorga] "
SITE_NAME = "pixorga"  # what mails call the site (no django.contrib.sites: one site)
LOGIN_THROTTLE = {
    # Per account: failures before the first wait, then the waits (the last one repeats).
    "ACCOUNT_FREE_FAILURES": 5,
    "ACCOUNT_BACKOFF_SECONDS": (60, 120, 240, 300),
    # An account's failures are forgotten this long after its last counted attempt.
    "ACCOUNT_MEMORY_SECONDS": 3600,
    # Per address: a ceiling set for a whole school behind one address, in a sliding window.
    "ADDRESS_MAX_FAILURES": env_int("LOGIN_FAILURES_PER_ADDRESS", 100),
    "ADDRESS_WINDOW_SECONDS": 600,
}
# The client's address (accounts.client_ip): X-Forwarded-For is believed only for this many
# proxies of ours, each appending the address it saw; 0 ignores the header.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Or a header in which our proxy writes the client's address (e.g. X-Real-IP).
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER") or None
ACCOUNT_SESSION_REMEMBER = None
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- static and uploaded files ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Third-party assets come from their PyPI packages, never from a CDN or a hand-made copy.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
    ("plotly", Path(plotly.__file__).parent / "package_data"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "STATICFILES_BACKEND",
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
MEDIA_ROOT = BASE_DIR / "var" / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
# The readers in pix/ refuse bigger files too: pix/limits.py holds every cap and its reasons.
MAX_IMPORT_FILE_SIZE = limits.MAX_FILE_BYTES

# --- e-mail -----------------------------------------------------------------------------------
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "pixorga <no-reply@pixorga.localhost>")

# --- Celery -------------------------------------------------------------------------------------
# Without a broker, tasks run in-process at enqueue time: the embedded default of `make run`.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # tasks are safe to run twice; a crashed worker's job is retried
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Where tasks go by default; a test gives its worker a queue of its own through the environment.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Redis down must not hang an upload: the web side tries to publish for about a second at most
# (connection timeout, then two quick retries) and gives up; the job waits in its row and the
# sweep below enqueues it once the broker is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # With late acks a message stays unacknowledged in Redis while its task runs, and Redis
    # hands it to another worker once this delay has passed: it must stay above the longest
    # task (keep it above CELERY_TASK_TIME_LIMIT), or a slow import would run twice at once.
    # It is not what recovers a job lost with its worker: the job sweep does that in minutes,
    # from the job's heartbeat, so this delay can stay long; it only redelivers the plain
    # rebuild tasks of a worker that vanished.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 1800),
}
# A task whose worker process dies (killed, out of memory) is not put back in the queue by
# Celery: a file that kills its worker would otherwise be handed to every worker in turn, for
# ever. Jobs are recovered by the sweep instead, which counts their attempts and fails them
# with a message after JOB_MAX_ATTEMPTS.
CELERY_TASK_REJECT_ON_WORKER_LOST = False
# One bad job must not starve the others. A worker process whose memory passed this ceiling
# (KiB, after its task) is replaced by a fresh one; a task is interrupted after the soft limit
# (seconds: its job fails with a message, nothing written) and killed after the hard one. The
# biggest real import takes under a minute; the limits apply to the prefork pool of `celery
# worker`, not to tasks run in-process without a broker.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 1_048_576)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
# Periodic tasks, run by `celery beat` (docker-compose's beat service, `make run` with a broker).
CELERY_BEAT_SCHEDULE = {
    # The day before a remediation session or a teachers' workshop, at 17:00 (idempotent).
    "remediation-reminders": {
        "task": "remediation.tasks.send_reminders_task",
        "schedule": crontab(hour=17, minute=0),
    },
    # The audit log's events older than AUDIT_RETENTION_DAYS, at night (idempotent).
    "audit-purge": {
        "task": "audit.tasks.purge_audit_events_task",
        "schedule": crontab(hour=3, minute=30),
    },
    # Pupils gone for more than PUPIL_RETENTION_YEARS lose their identity (idempotent).
    "privacy-anonymise-departed-pupils": {
        "task": "privacy.tasks.anonymise_departed_pupils_task",
        "schedule": crontab(hour=3, minute=0),
    },
    # Jobs nobody runs (broker down at upload, worker killed) enqueued again, lost ones
    # retried or failed, and files past their retention deleted (jobs.sweep).
    "jobs-sweep": {
        "task": "jobs.tasks.sweep_jobs_task",
        "schedule": env_int("JOB_SWEEP_SECONDS", 60),
    },
}

# --- jobs -----------------------------------------------------------------------------------------
# A running job's worker touches its heartbeat this often; a heartbeat older than
# JOB_HEARTBEAT_SECONDS × 6 (90 s by default) means the worker died, and the next sweep
# (every JOB_SWEEP_SECONDS) retries the job, up to JOB_MAX_ATTEMPTS runs in all, then fails it.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 15)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
# An uploaded file is kept this many days after its job ends (to run it again), then deleted;
# a job that never ends is failed and its file deleted after as many days.
JOB_FILE_RETENTION_DAYS = env_int("JOB_FILE_RETENTION_DAYS", 7)

# --- audit log ------------------------------------------------------------------------------------
# Days an event of the audit log is kept (downloads, imports, roles…); older ones are deleted
# every night.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)
if AUDIT_RETENTION_DAYS < 1:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be at least 1.")

# --- pupils' personal data ---------------------------------------------------------------------
# Years after a pupil leaves (their last enrolment ends, or an import no longer lists them)
# before their identity is anonymised. One year covers what still needs names after a
# departure: the certification results of leaving classes arrive in June–July and are matched
# by name and birthdate, a pupil may come back after a move, a family may ask about last
# year. Year-on-year figures do not need the identity: the rows stay, only names, INE,
# birthdate and the account go (privacy.services).
PUPIL_RETENTION_YEARS = env_int("PUPIL_RETENTION_YEARS", 1)

# --- Pix ------------------------------------------------------------------------------------------
# The highest level Pix lets pupils reach (5 for years, 6 since about 2023); 0–8 accepted.
PIX_MAX_LEVEL = env_int("PIX_MAX_LEVEL", 6)

# --- security -----------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]  # probes inside the deployment speak plain HTTP
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
# Links to other sites (a Pix page, say) never learn which pixorga page, and so which pupil or
# class, the user came from.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Nothing leaves the server: pages load scripts, styles, images and fonts from this site alone,
# post only here, and run no inline script (data reaches static/js through `json_script`).
# style-src allows inline styles, and only styles: plotly.js styles what it draws inline, the
# tables colour each cell by its level with a style attribute and pages keep a few <style>
# blocks (Chromium refuses all of these under a bare 'self'). A style cannot run code; scripts
# stay 'self' only, without 'unsafe-inline' or 'unsafe-eval' (plotly.js 4 needs neither).
# img-src: Bootstrap's icons are data: SVGs, and plotly.js makes a chart's PNG from data: and
# blob: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# No page needs a device, a payment or an advertising cohort: denied to the site and to anything
# it might embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "ambient-light-sensor", "autoplay", "bluetooth", "browsing-topics",
        "camera", "display-capture", "geolocation", "gyroscope", "hid", "idle-detection",
        "interest-cohort",
        "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

BOOTSTRAP5 = {
    "css_url": None,
    "javascript_url": None,
    "set_placeholder": False,
    "required_css_class": "required",
}
