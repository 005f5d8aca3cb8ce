"""Harms Portal settings: one file, driven by the environment.

Production differs from development only by environment variables (see `.env.example`).
The embedded default, with nothing set, is a SQLite file and eager Celery tasks so that a
newcomer's `make run` works on a machine with only Python 3.11.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is a convenience for developers; real deployments set real variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _int(name: str, default: int) -> int:
    """Read a positive integer, failing loudly on nonsense rather than guessing."""
    value = env.int(name, default=default)
    if value < 0:
        raise ValueError(f"{name} must be zero or positive, got {value}")
    return value


# ---------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # A known key would let anyone forge email confirmations and signed cookies.
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (only DJANGO_DEBUG=1 runs without one).")
    SECRET_KEY = "django-insecure-development-only-key-change-me-0123456789"
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("HARMSPORTAL_SITE_URL", default="http://127.0.0.1:8000")
SITE_ID = 1

INSTALLED_APPS = [
    # The project's own apps come first so their templates override third-party ones, bottom
    # layer first (docs/architecture.md): seed_demo seeds each app's demo in this order, so an
    # app's demo finds the data of the apps below it (tests/test_layers.py checks the order).
    "harmsportal.people",
    "harmsportal.audit",
    "harmsportal.notifications",
    "training",
    "reports",
    "triage",
    "wellbeing",
    "harmsportal.trends",
    "privacy",
    "harmsportal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "import_export",
    "django_filters",
    "django_htmx",
    "csp",
    "rest_framework",
    "drf_spectacular",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "harmsportal.people.middleware.StaffSessionTimeoutMiddleware",
    "harmsportal.people.middleware.StaffMFARequiredMiddleware",
    "harmsportal.middleware.NoStoreForAuthenticatedMiddleware",
    # A NUL in the address is a 400 before any view, lookup or access log sees it.
    "harmsportal.middleware.NulCharactersRefusedMiddleware",
    # Inside no-store, so the error page it may substitute still carries Cache-Control.
    "harmsportal.errorpages.PortalErrorPagesMiddleware",
    "harmsportal.middleware.MethodNotAllowedPageMiddleware",
    # An out-of-range integer that got past the forms is a 400, not a 500. Below the error
    # pages, so its 400 is handled before they see the exception.
    "harmsportal.middleware.OutOfRangeIntegersMiddleware",
    # Axes last, as its documentation asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "harmsportal.urls"
WSGI_APPLICATION = "harmsportal.wsgi.application"

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
                "csp.context_processors.nonce",
                "harmsportal.context_processors.portal",
            ],
            # Dates and times in GOV.UK style ("1 January 2026 at 11:24am") on every page.
            "builtins": ["harmsportal.templatetags.govuk_time"],
        },
    },
]
# GOV.UK markup for every form field, from our own templates (templates/forms/).
FORM_RENDERER = "harmsportal.forms.GovukFormRenderer"

# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# libpq waits forever for a server that takes the connection and never answers: give up after
# 3 s, so /healthz says 503 inside the 5 s probe (tests/resilience/test_database_dropped.py).
# A `?connect_timeout=` in DATABASE_URL wins.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
# WAL and a busy timeout let the dev server and an eager task share the file. Transactions
# take the write lock when they begin (IMMEDIATE): a transaction that read first and then
# wrote would otherwise fail at once with "database is locked" when another request is
# writing, because SQLite cannot wait to upgrade a read lock (tests/test_sqlite_locking.py).
SQLITE_OPTIONS = {
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL;",
    "transaction_mode": "IMMEDIATE",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Trends pages read their rollups from a read replica when one is configured; every write,
# and the rebuild's reads of the apps' tables, go to the default (harmsportal/trends/router.py).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    # Tests point the replica at the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["harmsportal.trends.router.ReplicaRouter"]

# ---------------------------------------------------------------------------
# Cache (TOTP replay protection and throttling need one shared across processes)
# ---------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# The cache may share the broker's Redis, ideally in another database number (…/1), so that
# clearing the cache can never drop queued tasks.
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default=REDIS_URL)
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": env.str("HARMSPORTAL_CACHE_PREFIX", default="harmsportal"),
            # A Redis that takes connections but never answers (frozen, overloaded) must not
            # hold a page: the same bound as the broker's (docs/operations.md).
            "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ---------------------------------------------------------------------------
# Celery: eager when no broker is configured (the embedded default)
# ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
if not CELERY_BROKER_URL:
    # An eager task still opens a producer: with no broker, give it an in-process one rather
    # than let kombu guess (and warn about) a Redis on localhost.
    CELERY_BROKER_WRITE_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Reliability (docs/decisions/0003-outbox-and-celery-reliability.md): a task is acknowledged
# only after it finishes, requeued if its worker dies, and a worker holds one task at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Celery's Django fixup closes every database connection before and after every task unless
# this is set; then it closes them once every DB_REUSE_MAX / 2 tasks (it counts both), and in
# between harmsportal/celery.py keeps or closes them as Django does around a request
# (DATABASE_CONN_MAX_AGE, CONN_HEALTH_CHECKS). With DATABASE_CONN_MAX_AGE=0 a worker still
# opens a connection per task.
CELERY_DB_REUSE_MAX = 1000
# Above the longest task's hard limit, so Redis never redelivers a task still running. The
# socket timeouts bound how long publishing can wait on a Redis that accepts connections but
# never answers (frozen, or a network that drops packets): the request then goes on without
# the fast path and the relay delivers (docs/operations.md, "Delivery guarantees").
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 5,
    "socket_timeout": 5,
}
# The outbox (docs/decisions/0003): how long a delivery's claim keeps other deliverers away,
# and how often beat runs the relay that delivers what the queue missed. The lease must
# outlast a send (CELERY_TASK_TIME_LIMIT kills a task before it ends) and end well before the
# broker redelivers (the visibility timeout). Shorter values are for the resilience tests.
HARMSPORTAL_OUTBOX_LEASE_SECONDS = _int("HARMSPORTAL_OUTBOX_LEASE_SECONDS", 600)
HARMSPORTAL_OUTBOX_RELAY_SECONDS = _int("HARMSPORTAL_OUTBOX_RELAY_SECONDS", 60)
if not 0 < HARMSPORTAL_OUTBOX_LEASE_SECONDS < CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]:
    raise ImproperlyConfigured(
        "HARMSPORTAL_OUTBOX_LEASE_SECONDS must be above 0 and below the broker's visibility "
        "timeout (3600 s), or a crashed send waits for Redis instead of the relay."
    )
if HARMSPORTAL_OUTBOX_RELAY_SECONDS < 1:
    raise ImproperlyConfigured("HARMSPORTAL_OUTBOX_RELAY_SECONDS must be at least 1.")
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE = {
    "notifications-relay": {
        "task": "harmsportal.notifications.tasks.notifications_relay_task",
        "schedule": float(HARMSPORTAL_OUTBOX_RELAY_SECONDS),
    },
    # Flags SLA breaches and escalates each one to supervisors once (triage/tasks.py).
    "triage-flag-breaches": {
        "task": "triage.tasks.triage_flag_breaches_task",
        "schedule": 300.0,
    },
    # Reminds of due wellbeing check-ins and flags missed ones, each once (wellbeing/tasks.py).
    "wellbeing-checkins": {
        "task": "wellbeing.tasks.wellbeing_checkins_task",
        "schedule": 900.0,
    },
    # Training due and expiry reminders, refreshers on expiry and review-due flags, each once
    # (training/tasks.py).
    "training-sweep": {
        "task": "training.tasks.training_sweep_task",
        "schedule": 900.0,
    },
    # Rebuilds the trends rollup for the months touched since the last run (trends/tasks.py).
    "trends-rollup": {
        "task": "harmsportal.trends.tasks.trends_rollup_task",
        "schedule": 900.0,
    },
    # Reminds reporters before their closed cases' records are erased, then erases what has
    # expired (privacy/tasks.py, docs/operations.md "Running retention").
    "privacy-retention": {
        "task": "privacy.tasks.retention_run_task",
        "schedule": crontab(hour=3, minute=15),
    },
    # Rebuilds every trends month nightly, catching what no timestamp shows (a reporter's
    # edited demographics, a renamed taxonomy entry): decision 0013.
    "trends-full-rebuild": {
        "task": "harmsportal.trends.tasks.trends_full_rebuild_task",
        "schedule": crontab(hour=2, minute=30),
    },
}

# ---------------------------------------------------------------------------
# Authentication: allauth with email login, MFA for staff roles, axes throttling
# ---------------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    # Axes first so a locked-out (account, address) pair is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "harmsportal.people.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str("HARMSPORTAL_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Harms Portal: "
ACCOUNT_PREVENT_ENUMERATION = True
# Sign-in throttling is axes' alone (below). allauth's own limits are off: "login" counts
# successful sign-ins per address (a station's shift change tripped it at 30 a minute) and
# "login_failed" refuses every account at an address, correct password or not, once other
# accounts have failed there. docs/decisions/0004.
ACCOUNT_RATE_LIMITS = {"login": "", "login_failed": ""}
ACCOUNT_FORMS = {"signup": "harmsportal.people.forms.SignupForm"}
ACCOUNT_SIGNUP_OPEN = env.bool("HARMSPORTAL_SIGNUP_OPEN", default=True)

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
# allauth caps passkey sign-ins at 10 a minute per address; a passkey cannot be guessed, and a
# 500-person station signing in at a shift change shares one address (decision 0004).
MFA_RATE_LIMITS = {"webauthn_login": "500/m/ip"}
# Wrong codes lock the (account, address) pair, as wrong passwords do (people.throttling): allauth's
# own code limit is "login_failed", switched off above, which would otherwise leave codes unlimited.
MFA_FORMS = {
    "authenticate": "harmsportal.people.forms.MFAAuthenticateForm",
    "reauthenticate": "harmsportal.people.forms.MFAReauthenticateForm",
}
MFA_TOTP_ISSUER = "Harms Portal"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# Encrypts TOTP secrets and recovery-code seeds at rest (people.mfa), with keys separate from
# SECRET_KEY: the first key encrypts, all keys decrypt. Production refuses to enrol without keys.
MFA_ADAPTER = "harmsportal.people.mfa.MFAAdapter"
HARMSPORTAL_MFA_KEYS = env.list("HARMSPORTAL_MFA_KEYS", default=[])
# Staff roles must enrol MFA before any staff page (people.middleware). Off only for the demo.
HARMSPORTAL_REQUIRE_STAFF_MFA = env.bool("HARMSPORTAL_REQUIRE_STAFF_MFA", default=True)

# Failures one (account, address) pair may make before it is locked for the cool-off.
HARMSPORTAL_LOGIN_FAILURE_LIMIT = _int("HARMSPORTAL_LOGIN_FAILURE_LIMIT", 5)
# Failures from one address, over all accounts, within the cool-off before that address counts
# as busy: sized for a 500-person station at a shift change (decision 0004). Only failures count.
HARMSPORTAL_LOGIN_ADDRESS_FAILURE_LIMIT = _int("HARMSPORTAL_LOGIN_ADDRESS_FAILURE_LIMIT", 100)
# ...after which each account failing at that address is locked after this many of its own.
HARMSPORTAL_LOGIN_FAILURE_LIMIT_BUSY_ADDRESS = _int(
    "HARMSPORTAL_LOGIN_FAILURE_LIMIT_BUSY_ADDRESS", 2
)
AXES_FAILURE_LIMIT = "harmsportal.people.throttling.failure_limit"
AXES_COOLOFF_TIME = timedelta(minutes=_int("HARMSPORTAL_LOGIN_COOLOFF_MINUTES", 15))
# Lock the (account, address) pair, never the account alone: a stranger guessing an officer's
# password cannot stop the officer signing in from their own device.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "harmsportal.people.throttling.login_identifier"
AXES_LOCKOUT_TEMPLATE = "account/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Behind a reverse proxy every request arrives from the proxy's address, so throttling must read
# the client address the proxy adds, or one lockout would block that account for everyone.
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
# One count serves allauth and axes (people.throttling.client_address); axes' own ipware route
# needs a package the portal does not install, and without it axes would read REMOTE_ADDR.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=1) if BEHIND_PROXY else 0
AXES_CLIENT_IP_CALLABLE = "harmsportal.people.throttling.client_address"

# Sessions: staff roles time out after 30 idle minutes (people.middleware); reporters after 8h.
SESSION_COOKIE_AGE = _int("HARMSPORTAL_SESSION_SECONDS", 8 * 60 * 60)
HARMSPORTAL_STAFF_IDLE_SECONDS = _int("HARMSPORTAL_STAFF_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Family invitations: signed, single-use, expiring.
HARMSPORTAL_FAMILY_INVITE_DAYS = _int("HARMSPORTAL_FAMILY_INVITE_DAYS", 7)
# Most invitations one member may send in 24 hours: each one emails someone outside the portal.
HARMSPORTAL_FAMILY_INVITES_PER_DAY = _int("HARMSPORTAL_FAMILY_INVITES_PER_DAY", 5)

# ---------------------------------------------------------------------------
# Email
# ---------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Harms Portal <no-reply@harmsportal.test>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ---------------------------------------------------------------------------
# Security headers
# ---------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# /healthz is probed over plain HTTP inside the compose network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

from csp.constants import NONCE, NONE, SELF  # noqa: E402  (settings read top to bottom)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
    },
}

# ---------------------------------------------------------------------------
# Static files and uploads
# ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            # Hashed names need `collectstatic`; tests and the dev server serve from finders.
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("HARMSPORTAL_STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = env.bool("HARMSPORTAL_STATIC_FROM_FINDERS", default=DEBUG)
# Outside the web root: evidence is only ever served by an authorised view.
MEDIA_ROOT = Path(env.str("HARMSPORTAL_PRIVATE_STORAGE", default=str(BASE_DIR / "var" / "private")))

# Evidence (reports.evidence): limits, and the encryption keys at rest. The keys are separate
# from SECRET_KEY so either can be rotated alone; the first key encrypts, all keys decrypt.
HARMSPORTAL_EVIDENCE_MAX_BYTES = _int("HARMSPORTAL_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
HARMSPORTAL_EVIDENCE_MAX_FILES = _int("HARMSPORTAL_EVIDENCE_MAX_FILES", 10)
HARMSPORTAL_EVIDENCE_MAX_PIXELS = _int("HARMSPORTAL_EVIDENCE_MAX_PIXELS", 64_000_000)
HARMSPORTAL_EVIDENCE_KEYS = env.list("HARMSPORTAL_EVIDENCE_KEYS", default=[])
# Training roster imports (training.services.roster): the largest CSV or XLSX a training admin
# may upload. django-import-export reads a whole file into memory, so the cap is what keeps an
# import's memory bounded; 10 MB holds a 50,000-person roster as CSV. Files above the evidence
# limit are refused by the upload handler before they are written anywhere.
HARMSPORTAL_ROSTER_MAX_BYTES = _int("HARMSPORTAL_ROSTER_MAX_BYTES", 10 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "harmsportal.uploads.SizeCappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    # Django's TemporaryFileUploadHandler, except that a full disk skips the file (no 500).
    "harmsportal.uploads.SpoolingUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# ---------------------------------------------------------------------------
# Internationalisation
# ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------
# Portal
# ---------------------------------------------------------------------------
HARMSPORTAL_SERVICE_NAME = "Harms Portal"
HARMSPORTAL_DEMO = env.bool("HARMSPORTAL_DEMO", default=False)
# Where "Exit this page" sends someone once the portal's exit route has signed them out: a busy,
# everyday site that says nothing about why they were here.
HARMSPORTAL_EXIT_URL = env.str("HARMSPORTAL_EXIT_URL", default="https://www.bbc.co.uk/weather")
# With DEBUG on, Django answers a missing page or a crash with its technical page, which lists
# every URL pattern and the settings. Off (the default), the portal's own 404/400/500 pages
# show even under DEBUG (`make run`); a developer who wants the technical page sets it to 1.
HARMSPORTAL_TECHNICAL_ERRORS = env.bool("HARMSPORTAL_TECHNICAL_ERRORS", default=False)
# Disclosure control (harmsportal.disclosure): figures drawn from fewer than K people are never
# shown, nor a median or percentage of fewer than K.
HARMSPORTAL_DISCLOSURE_K = _int("HARMSPORTAL_DISCLOSURE_K", 5)
# At least 4: with k = 2 or 3, two nested rounded figures can pin a small count (decision 0011).
if HARMSPORTAL_DISCLOSURE_K < 4:
    raise ImproperlyConfigured("HARMSPORTAL_DISCLOSURE_K must be 4 or more.")
# Wellbeing crisis guidance (a check-in scored 1 or marked in crisis): the force's urgent
# occupational-health route, shown to the champion beside 999 and Samaritans.
HARMSPORTAL_URGENT_OH_ROUTE = env.str(
    "HARMSPORTAL_URGENT_OH_ROUTE",
    default=(
        "Phone your force's occupational health service and ask for an urgent appointment "
        "today. Out of hours, ask the force control room for the duty officer, who can reach "
        "the on-call welfare lead."
    ),
)

# ---------------------------------------------------------------------------
# Retention (privacy/services/retention.py; docs/operations.md "Running retention")
# ---------------------------------------------------------------------------
# National defaults, in days from closure; a force may set its own (privacy.ForceRetention).
HARMSPORTAL_RETENTION_CASE_DAYS = _int("HARMSPORTAL_RETENTION_CASE_DAYS", 6 * 365)
HARMSPORTAL_RETENTION_REFERRAL_DAYS = _int("HARMSPORTAL_RETENTION_REFERRAL_DAYS", 6 * 365)
# The reporter (or the referred person) is reminded this many days before erasure; nothing is
# erased until at least this long after the reminder went out.
HARMSPORTAL_RETENTION_NOTICE_DAYS = _int("HARMSPORTAL_RETENTION_NOTICE_DAYS", 30)
if min(HARMSPORTAL_RETENTION_CASE_DAYS, HARMSPORTAL_RETENTION_REFERRAL_DAYS) < 1:
    raise ImproperlyConfigured("Retention periods must be at least 1 day.")
# A report never sent (privacy/services/drafts.py) is erased with its answers and files once it
# has not been saved for this many days; its reporter is reminded _DRAFT_NOTICE_DAYS before.
# National only: a draft has reached no force yet, so no force's own period applies to it.
HARMSPORTAL_DRAFT_RETENTION_DAYS = _int("HARMSPORTAL_DRAFT_RETENTION_DAYS", 90)
HARMSPORTAL_DRAFT_NOTICE_DAYS = _int("HARMSPORTAL_DRAFT_NOTICE_DAYS", 14)
if not 1 <= HARMSPORTAL_DRAFT_NOTICE_DAYS < HARMSPORTAL_DRAFT_RETENTION_DAYS:
    raise ImproperlyConfigured(
        "HARMSPORTAL_DRAFT_NOTICE_DAYS must be at least 1 and below "
        "HARMSPORTAL_DRAFT_RETENTION_DAYS."
    )
# An evidence file no row points at (a crash between an erasure's commit and its unlink) is
# deleted by the nightly sweep (privacy/services/orphans.py) once older than this: an upload
# writes its file a moment before its row commits, so a young file is never touched.
HARMSPORTAL_EVIDENCE_ORPHAN_GRACE_MINUTES = _int("HARMSPORTAL_EVIDENCE_ORPHAN_GRACE_MINUTES", 60)
if HARMSPORTAL_EVIDENCE_ORPHAN_GRACE_MINUTES < 10:
    raise ImproperlyConfigured("HARMSPORTAL_EVIDENCE_ORPHAN_GRACE_MINUTES must be at least 10.")

# ---------------------------------------------------------------------------
# Trends: the read-only API (Django REST framework, drf-spectacular) and API keys
# ---------------------------------------------------------------------------
# An API key lasts this many days unless its owner picks fewer; never more than a year.
HARMSPORTAL_API_TOKEN_DAYS = _int("HARMSPORTAL_API_TOKEN_DAYS", 90)
if not 1 <= HARMSPORTAL_API_TOKEN_DAYS <= 365:
    raise ImproperlyConfigured("HARMSPORTAL_API_TOKEN_DAYS must be 1 to 365.")
HARMSPORTAL_API_RATE = env.str("HARMSPORTAL_API_RATE", default="120/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "harmsportal.trends.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["harmsportal.trends.api.auth.SeesTrends"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": HARMSPORTAL_API_RATE},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Harms Portal trends API",
    "DESCRIPTION": (
        "Read-only aggregate figures on online harm against police officers, staff and their "
        "families, for force BI tools. Every count is published under the portal's disclosure "
        'control: 0, "<5" for 1 to 4, or rounded to a multiple of 5 (decision 0011).'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Error reports (the ADMINS email) name fields and variables but hold none of their values.
DEFAULT_EXCEPTION_REPORTER_FILTER = "harmsportal.error_reports.NoContentExceptionReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
