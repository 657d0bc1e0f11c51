"""Settings, all from the environment (django-environ; an optional .env file is read too).

DJANGO_ENV picks the profile: "development" (default: safe local defaults, SQLite) or "production"
(every secret must be given; a missing one stops start-up with a clear message). Any variable NAME
may instead be given as NAME_FILE, the path of a file holding the value (for container secrets).
"""

import base64
import hashlib
import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.FileAwareEnv()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in ("development", "production"):
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"


def required(name: str, dev_default):
    """A value production must set explicitly; development falls back to a safe local default."""
    value = env.str(name, default="")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(
            f"{name} is not set. Production (DJANGO_ENV=production) needs it: see docs/deploy.md."
        )
    return dev_default


SECRET_KEY = required("SECRET_KEY", "dev-only-insecure-key-change-me-" + "x" * 20)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Production needs the console's host names: see docs/deploy.md."
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Keys that encrypt secrets at rest (tenant app secrets, cached AICC tokens): comma-separated Fernet
# keys, newest first. Old keys stay readable, so keys can rotate (then run manage.py rotate_secrets).
_dev_key = base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
FIELD_ENCRYPTION_KEYS = [
    k.strip() for k in required("FIELD_ENCRYPTION_KEYS", _dev_key).split(",") if k.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # django-ninja: its static files serve the API reference page (Swagger UI)
    "console",
    "customers",
    "guardrails",
    "calls",
    "lists",
    "hooks",
    "api",
]

MIDDLEWARE = [
    "console.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "console.tenancy.TenantMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "console.middleware.HtmxLoginRedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"

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
                "console.context_processors.nav",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'console.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE transactions take the write lock
    # up front, so two writers queue (busy timeout) instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Tests use a file database, not SQLite's shared in-memory one, so that threads and other
    # processes (gunicorn, the CLI) in concurrency tests see the same data with real locking.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(
        BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "PG_PREPARED_STATEMENTS", default=True
):
    # Server-side parameters and prepared statements: a statement run a few times on a
    # connection is planned once (planning was half of PostgreSQL's time per placed call).
    # Turn off behind a pooler that cannot keep prepared statements (PgBouncer before 1.21, or
    # in transaction mode without max_prepared_statements).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 2}
    )
# Keep connections between requests (SQLite would otherwise reopen the file and rerun its
# PRAGMAs on every request; PostgreSQL would reconnect).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
# A reused connection is checked (one "SELECT 1") at the start of a request, so a database
# restart while it sat idle costs no failed request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "console.auth.Backend",  # ModelBackend, its per-request user lookup prepared
]
SESSION_ENGINE = "console.sessions"  # database sessions that name their user, read prepared
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed-login throttling (django-axes): 5 failures per username and address lock for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# How many reverse proxies (each appending to X-Forwarded-For) stand in front of the console; login
# throttling then keys on the client's address instead of the proxy's.
# Production must say (0 when clients connect directly): with a proxy counted as 0, every client
# would share the proxy's address, and one person's failures would lock everyone out.
TRUSTED_PROXY_COUNT = int(required("TRUSTED_PROXY_COUNT", "0"))
# Failed logins from one client address across all usernames, per AXES_COOLOFF_TIME: beyond this
# the address gets the locked-out page (guessing many usernames from one place).
LOGIN_FAILURES_PER_CLIENT = env.int("LOGIN_FAILURES_PER_CLIENT", default=30)
# Password-reset e-mails per hour: to one address, and from one client address.
PASSWORD_RESET_PER_EMAIL = env.int("PASSWORD_RESET_PER_EMAIL", default=3)
PASSWORD_RESET_PER_CLIENT = env.int("PASSWORD_RESET_PER_CLIENT", default=10)
AXES_CLIENT_IP_CALLABLE = "console.middleware.client_ip"

# Two-factor sign-in (django-otp: TOTP apps and single-use recovery codes; console/two_factor.py).
# Wrong codes from one person, per AXES_COOLOFF_TIME, before the code step refuses them for the
# rest of that time (counted in the database like the limits above; each also counts towards
# LOGIN_FAILURES_PER_CLIENT). django-otp's own per-device back-off is off: this one rule applies.
TWO_FACTOR_FAILURES_PER_USER = env.int("TWO_FACTOR_FAILURES_PER_USER", default=5)
# The name authenticator apps show beside the account (e.g. "AICC Console (alice)").
OTP_TOTP_ISSUER = env.str("TWO_FACTOR_ISSUER", default="AICC Console")
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="console@localhost")

# AICC HTTP client: explicit timeouts for every request (seconds).
AICC_CONNECT_TIMEOUT = env.float("AICC_CONNECT_TIMEOUT", default=3.05)
AICC_READ_TIMEOUT = env.float("AICC_READ_TIMEOUT", default=10.0)
# Plain http AICC URLs are refused except on loopback (the simulator); tests and demos only.
AICC_ALLOW_HTTP_LOOPBACK = env.bool("AICC_ALLOW_HTTP_LOOPBACK", default=True)
# Outbound requests to addresses a tenant admin chose (the AICC base and token URLs, recording
# downloads) go only to public addresses, unless the deployment allows private ones (development:
# the bundled simulator on loopback). docs/deploy.md, "Outbound requests".
OUTBOUND_ALLOW_PRIVATE = env.bool("OUTBOUND_ALLOW_PRIVATE", default=not PRODUCTION)
# Hosts recordings may come from besides the tenant's own AICC hosts (e.g. its object storage).
RECORDING_HOSTS = env.list("RECORDING_HOSTS", default=[])
RECORDING_MAX_BYTES = env.int("RECORDING_MAX_BYTES", default=200 * 1024 * 1024)
# Where `make run` starts the simulator; the demo tenant points here.
AICC_SIMULATOR_URL = env.str("AICC_SIMULATOR_URL", default="http://127.0.0.1:8099")
# A call still "placing" after this many seconds is swept to "outcome unknown" (manage.py sweep_calls).
CALL_STUCK_AFTER_SECONDS = env.int("CALL_STUCK_AFTER_SECONDS", default=300)
# Same manager, same number within this many seconds: ask to confirm before calling again.
CALL_CONFIRM_WINDOW_SECONDS = env.int("CALL_CONFIRM_WINDOW_SECONDS", default=120)
# A placed call the console has not heard the end of stops counting as live after this long.
CALL_LIVE_MINUTES = env.int("CALL_LIVE_MINUTES", default=60)

# Background tasks (manage.py run_worker, docs/deploy.md "The worker"): a queue in the database,
# shared by every host, run by django-tasks' database worker; run_worker also enqueues the
# periodic jobs below on schedule (calls/tasks.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Every this many seconds: read AICC's call records for tenants with calls waiting for their outcome
# (only the minutes since the oldest recent one), and sweep calls stuck in "placing".
OUTCOME_SYNC_SECONDS = env.int("OUTCOME_SYNC_SECONDS", default=15)
SWEEP_CALLS_SECONDS = env.int("SWEEP_CALLS_SECONDS", default=60)
# A tenant with older waiting calls (or unresolved "outcome unknown" ones) has its records read
# from the stored cursor (the last hour and more) this often.
OUTCOME_FULL_SYNC_SECONDS = env.int("OUTCOME_FULL_SYNC_SECONDS", default=300)
# A placed call without its outcome this long after it was placed is "overdue" in the history.
OUTCOME_OVERDUE_MINUTES = env.int("OUTCOME_OVERDUE_MINUTES", default=10)

# Outbound webhooks (hooks/, docs/integrations.md "Webhooks"): the worker's delivery loop.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_RETRY_HOURS = env.int("WEBHOOK_RETRY_HOURS", default=25)  # then a delivery is given up
WEBHOOK_DISABLE_AFTER_HOURS = env.int("WEBHOOK_DISABLE_AFTER_HOURS", default=72)
WEBHOOK_CONCURRENCY = env.int("WEBHOOK_CONCURRENCY", default=8)  # requests in flight per worker
WEBHOOK_SECRET_OVERLAP_HOURS = env.int("WEBHOOK_SECRET_OVERLAP_HOURS", default=24)
# The first retry waits this long, each next one twice as long (with jitter), up to an hour.
WEBHOOK_BACKOFF_SECONDS = env.float("WEBHOOK_BACKOFF_SECONDS", default=5.0)

if PRODUCTION:
    # TLS ends at the reverse proxy, which must set X-Forwarded-Proto (docs/deploy.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page, never from the cookie
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    AICC_ALLOW_HTTP_LOOPBACK = env.bool("AICC_ALLOW_HTTP_LOOPBACK", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits the whole domain to HTTPS in browsers for good: the operator opts in
        # with SECURE_HSTS_PRELOAD=True; until then `check --deploy` should not nag about it.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp), in every environment so development shows violations too:
# only the console's own files. htmx comes from our static files and needs no inline script; the
# htmx-config meta tag in base.html stops it injecting its indicator <style>.
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "media-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_NONE],
        "frame-ancestors": [_NONE],
        "form-action": [_SELF],
    }
}

# Logs: JSON lines in production (console/logging.py: request id, tenant, user; phone numbers
# masked; no secrets), plain text in development. LOG_FORMAT overrides the choice.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "console.logging.RequestContextFilter"}},
    "formatters": {
        "plain": {"()": "console.logging.PlainFormatter"},
        "json": {"()": "console.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The console logs every request itself (console.request, with the request id); Django's
        # own 4xx/5xx lines would only repeat them. Errors with tracebacks still come through.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
DEFAULT_COUNTRY_CODE = env.str("DEFAULT_COUNTRY_CODE", default="86")
# Development serves static files straight from the source folders through whitenoise.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
