"""ktgs settings: one module, every deployment difference read from the environment.

The defaults make `make run` work on a bare machine (SQLite under var/, a filesystem
broker, email written to files). Production sets DATABASE_URL, CELERY_BROKER_URL,
EMAIL_URL, DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS, and with more than one machine the
uploads' storage (KTGS_STORAGE, KTGS_MEDIA_ROOT); outside DEBUG there is no default for a
secret. README "Running in production" lists them.
"""

from decimal import Decimal
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("KTGS_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
# A development checkout keeps its local settings in .env (git-ignored; `make` writes one
# with DJANGO_DEBUG=1 the first time). Variables already in the environment win, so
# production and the tests that set DJANGO_DEBUG=0 are not affected.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-development-key-only-for-debug")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # no default: production must set it

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the form renderer below finds Django's widget templates here
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "treebeard",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "ktgs.apps.AxesConfig",  # django-axes, named in Vietnamese
    "csp",
    # Development tooling (demo data, synthetic trees, benchmark): no models, URLs or
    # tasks, only the `seed_demo` and `bench` commands. Installed in every environment
    # because `make bench` runs them with DJANGO_DEBUG off; none of it is imported unless
    # one of its commands runs. No product app imports it (pyproject.toml, importlinter).
    "devtools",
    "ktgs",
    "plans",
    "cases",
    "reports",
    "reminders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # The interface language comes from the user's profile, never from the browser
    # (LocaleMiddleware would give an English browser an English UI).
    "ktgs.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ktgs.urls"
WSGI_APPLICATION = "ktgs.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ktgs" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------
# Embedded default: SQLite under var/. Production and tests: PostgreSQL via DATABASE_URL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ktgs.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web process and the worker share the file: wait for the lock instead of failing,
    # and take the write lock up front so two writers never deadlock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT: ktgs's statements are short or set-based, and PostgreSQL compiled some of
    # them (the roll-up, a refresh) for 0.2–1 s to save nothing.
    # Prepared statements: Django binds parameters client-side and never prepares; the one
    # statement ktgs prepares itself (reports.engine.statements.refresh, run after every write)
    # asks for it explicitly, which psycopg allows only when a threshold is set, and keeps
    # one generic plan for it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"options": "-c jit=off -c plan_cache_mode=force_generic_plan", "prepare_threshold": 10**9}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------
# Holds the API throttle's counts (nothing else yet). Per process by default; with more
# than one web process, set KTGS_CACHE_URL=redis://… so a token is counted once overall.
_cache_url = env.str("KTGS_CACHE_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Users --------------------------------------------------------------------------
AUTH_USER_MODEL = "ktgs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# The targets grid posts one field per unit × activity kind (10 a row): a bloc's grid with
# its 219 cells is about 2,900 fields, past Django's default of 1,000 (a 400 on save).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Login rate limit (django-axes): lock an account+address after repeated failures.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- Language and formats -----------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Django's own vi formats parse 05/03/2025 as 3 May and print no thousands dots:
# ktgs/formats/vi/formats.py fixes both. Print ids through {% url %} or |unlocalize,
# never bare, or 1234 would print as 1.234.
FORMAT_MODULE_PATH = ["ktgs.formats"]
USE_THOUSAND_SEPARATOR = True
# Ours first (it wins), then the Vietnamese that the libraries' catalogues lack (Django,
# DRF, django-filter, django-axes, django-celery-beat: locale/vendor, kept by hand).
# Widgets render through the project's templates, so ktgs/templates/django/forms/ can
# say "— Chọn —" where Django writes "---------" as a select's empty choice.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
# django-filter's empty choice on the list pages' filters.
FILTERS_EMPTY_CHOICE_LABEL = _("Tất cả")

LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "vendor"]

# --- Static files -------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},  # KTGS_STORAGE below
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Uploaded files -----------------------------------------------------------------
# Uploads (the organisation import's files) are kept through the default storage and read
# back through it by name, never by path: the worker that runs an import may be on another
# machine than the web process that took the upload, so every web process and worker must
# reach the same storage.
#   KTGS_STORAGE=local (default): a folder, KTGS_MEDIA_ROOT (default var/media). With
#     several machines, mount one shared volume (NFS, …) on each and point it there.
#   KTGS_STORAGE=s3: a bucket of S3 or an S3-compatible store (MinIO, Ceph, …) through
#     django-storages. Credentials are read by boto3 from AWS_ACCESS_KEY_ID and
#     AWS_SECRET_ACCESS_KEY (or its other usual sources), never kept in settings.
# Uploads are never served over HTTP (no MEDIA_URL route): only the worker reads them.
KTGS_STORAGE = env.str("KTGS_STORAGE", default="local")
MEDIA_ROOT = Path(env.str("KTGS_MEDIA_ROOT", default=str(VAR_DIR / "media")))
if KTGS_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),  # no default: required
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # A prefix inside the bucket, so one bucket can hold several installations.
            "location": env.str("AWS_LOCATION", default=""),
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
            # Two uploads of "units.csv" are two objects, never one overwriting the other
            # while its import waits in the queue; objects stay private (no public ACL).
            "file_overwrite": False,
            "default_acl": None,
        },
    }
elif KTGS_STORAGE != "local":
    raise ImproperlyConfigured(f"KTGS_STORAGE must be 'local' or 's3', not {KTGS_STORAGE!r}.")

# --- Celery -------------------------------------------------------------------------
# Embedded default: kombu's filesystem transport under var/ (one worker, at most once).
# Production and tests: Redis via CELERY_BROKER_URL.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "store_processed": False,
        # kombu's filesystem transport needs an absolute control folder for broadcasts.
        "control_folder": str(_BROKER_DIR / "control"),
    }
    # The transport fails on a missing folder when a task is sent: a manage.py command
    # run before `make run` made them (seed_demo, say) would stop half-way.
    for _folder in ("queue", "processed", "control"):
        (_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Each entry expires before its next run, so a worker that was down does not replay a
# backlog of nightly jobs. "expire_seconds", not "expires": django-celery-beat's database
# scheduler keeps only the former and silently drops the latter.
CELERY_BEAT_SCHEDULE: dict = {
    "progress-nightly": {
        "task": "reports.tasks.nightly_progress",
        "schedule": crontab(hour=0, minute=30),
        "options": {"expire_seconds": 20 * 3600},
    },
    # The night after a report period ends, freeze its figures (reports.engine.periods).
    "progress-period-snapshots": {
        "task": "reports.tasks.snapshot_periods",
        "schedule": crontab(hour=1, minute=0),
        "options": {"expire_seconds": 20 * 3600},
    },
    # After the nightly rebuild: today's point of the dashboard's trend lines.
    "progress-daily-snapshot": {
        "task": "reports.tasks.take_daily_snapshot",
        "schedule": crontab(hour=2, minute=0),
        "options": {"expire_seconds": 20 * 3600},
    },
    # Reminders and the weekly digest into the outbox (reminders.scan), in the morning
    # after the nightly rebuild; a missed day is caught up by the next run ("on or after").
    "reminders-daily": {
        "task": "reminders.tasks.queue_daily_reminders",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expire_seconds": 20 * 3600},
    },
}
# Outbox sending (reminders.sending): batch size (mails per SMTP connection), tries before a
# row is left failed, backoff between tries, and when an enqueued row's task counts as
# lost (a broker restarted without persistence).
KTGS_OUTBOX_BATCH = env.int("KTGS_OUTBOX_BATCH", default=20)
KTGS_OUTBOX_MAX_ATTEMPTS = env.int("KTGS_OUTBOX_MAX_ATTEMPTS", default=8)
KTGS_OUTBOX_RETRY_BASE = env.float("KTGS_OUTBOX_RETRY_BASE", default=30)
KTGS_OUTBOX_RETRY_MAX = env.float("KTGS_OUTBOX_RETRY_MAX", default=1800)
KTGS_OUTBOX_REQUEUE_AFTER = env.float("KTGS_OUTBOX_REQUEUE_AFTER", default=600)
# A dead worker's mails go out again within a minute: its claims are reset once not
# renewed for KTGS_OUTBOX_CLAIM_TIMEOUT (45 s), by the sweep that beat runs every
# KTGS_OUTBOX_SWEEP_EVERY (15 s): 45 + 15 = 60 s at most, then the next free worker. A live
# sender renews its claim right before each mail, and one mail's send (the server's answer
# included) is cut off after KTGS_SMTP_TIMEOUT (20 s; also each socket operation's
# timeout); a claim timeout of at least twice that is what makes sure the sweep never
# resets a mail still being sent, so the start refuses less.
KTGS_SMTP_TIMEOUT = env.float("KTGS_SMTP_TIMEOUT", default=20)
KTGS_OUTBOX_CLAIM_TIMEOUT = env.float("KTGS_OUTBOX_CLAIM_TIMEOUT", default=45)
KTGS_OUTBOX_SWEEP_EVERY = env.float("KTGS_OUTBOX_SWEEP_EVERY", default=15)
if KTGS_OUTBOX_CLAIM_TIMEOUT < 2 * KTGS_SMTP_TIMEOUT:
    raise ImproperlyConfigured(
        f"KTGS_OUTBOX_CLAIM_TIMEOUT ({KTGS_OUTBOX_CLAIM_TIMEOUT:g} s) must be at least twice "
        f"KTGS_SMTP_TIMEOUT ({KTGS_SMTP_TIMEOUT:g} s): the sweep would take a slow mail's "
        "claim from the worker still sending it, and the mail would go out twice."
    )
# Stuck claims and lost send tasks (reminders.sending.sweep). An interval, not a crontab:
# cron's finest step is a minute. It expires before the next run, so sweeps queued behind
# a busy worker do not pile up.
CELERY_BEAT_SCHEDULE["reminders-outbox-sweep"] = {
    "task": "reminders.tasks.sweep_outbox",
    "schedule": KTGS_OUTBOX_SWEEP_EVERY,
    "options": {"expire_seconds": KTGS_OUTBOX_SWEEP_EVERY},
}
# Trend lines (one row per unit and day) are kept for units no deeper than this: the
# centre (1), provinces (2), the level above grassroots (3) and grassroots units (4).
KTGS_TREND_MAX_DEPTH = env.int("KTGS_TREND_MAX_DEPTH", default=4)
# The dashboard calls a unit lagging when it is more than this many cases behind the
# linear schedule (reminder rules carry their own tolerance). Parsed here, so a value that
# is not a number stops the start instead of the first dashboard.
KTGS_LAG_TOLERANCE_CASES = Decimal(env.str("KTGS_LAG_TOLERANCE_CASES", default="1"))
# Which roll-up engine maintains the progress table (reports.engine.engine): "auto" (SQL
# on PostgreSQL, Python elsewhere), "sql" or "python" (the tests run both on PostgreSQL).
KTGS_ROLLUP_ENGINE = env.str("KTGS_ROLLUP_ENGINE", default="auto")

# --- Email --------------------------------------------------------------------------
# Embedded default: one file per message under var/mail/. Production: EMAIL_URL
# (smtp://user:password@host:587 or smtp+tls://… for STARTTLS, smtp+ssl://… for TLS).
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ktgs <ktgs@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env.str("KTGS_SITE_URL", default="http://127.0.0.1:8000")

# --- REST API -----------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous client is told 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "ktgs.api_policy.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # Token clients only (the pages' own calls use the session and are not throttled).
    "DEFAULT_THROTTLE_CLASSES": ["ktgs.api_policy.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("KTGS_API_TOKEN_RATE", default="1000/hour")},
    "EXCEPTION_HANDLER": "ktgs.api_policy.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "ktgs.api_schema.AutoSchema",
    # JSON carries numbers, never localised strings (USE_THOUSAND_SEPARATOR is for pages).
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ktgs API",
    "DESCRIPTION": (
        "Chương trình, chỉ tiêu, cuộc kiểm tra, giám sát và tiến độ, trong phạm vi vai trò "
        "của người dùng. Ngày theo ISO 8601 (YYYY-MM-DD); tỷ lệ phần trăm là số từ 0 đến "
        "100, làm tròn 2 chữ số (57.58 nghĩa là 57,58%); null khi không có chỉ tiêu."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from drf-spectacular-sidecar's static files: no CDN (CSP 'self', offline).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No deep links: each is a link inside its operation's button (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "ENUM_NAME_OVERRIDES": {
        "ActivityKindEnum": "plans.models.ActivityKind",
        "BodyEnum": "plans.models.Body",
        "ProgrammeStatusEnum": "plans.models.Programme.Status",
        "CaseStatusEnum": "cases.models.Case.Status",
        "SubjectKindEnum": "cases.models.CaseSubject.Kind",
        "DecidingBodyEnum": "plans.models.DecidingBody",
        "FormEnum": "cases.models.DisciplineDecision.Form",
        "LetterKindEnum": "cases.models.Letter.Kind",
        "SuspensionKindEnum": "cases.models.Suspension.Kind",
        "BodyOrAllEnum": "reports.api.progress.BODY_OR_ALL_CHOICES",
    },
}

# --- Security -----------------------------------------------------------------------
# KTGS_PLAIN_HTTP=1: served over plain HTTP on this machine only (`make run`, DEBUG off as
# users see it): no redirect to HTTPS, no HSTS, cookies without the Secure flag. Each
# DJANGO_* variable below still wins over it.
PLAIN_HTTP = env.bool("KTGS_PLAIN_HTTP", default=DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not PLAIN_HTTP)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if PLAIN_HTTP else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not PLAIN_HTTP
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not PLAIN_HTTP)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not PLAIN_HTTP)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not PLAIN_HTTP)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Logging ------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
