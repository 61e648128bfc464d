"""Settings for Samhandling, read from environment variables.

Defaults are safe for production (DEBUG off, secure cookies when TLS is on); `make run` and the test suite set the
few variables they need. See docs/operations.md for every variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or env_bool("SAMHANDLING_INSECURE_DEV_KEY"):
        SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "samhandling.core",
    "samhandling.deviations",
    "samhandling.governance",
    "samhandling.indicators",
    "samhandling.projections",
    "samhandling.hub",
    "samhandling.events",
    "samhandling.newsletter",
    "samhandling.plans",
    "samhandling.agreements",
]

MIDDLEWARE = [
    "samhandling.core.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "samhandling.core.middleware.RejectControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "samhandling.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "samhandling.core.middleware.UserLanguageMiddleware",
    "samhandling.core.middleware.CurrentHelsefellesskapMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "samhandling.core.sessions.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "samhandling.core.twofactor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "samhandling.core.http.MovedPermanentlyMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "samhandling.urls"
WSGI_APPLICATION = "samhandling.wsgi.application"

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
                "samhandling.core.context_processors.platform",
            ],
        },
    }
]
FORM_RENDERER = "samhandling.core.forms.DesignsystemetFormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{PROJECT_DIR / 'var' / 'samhandling.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (PROJECT_DIR / "var").mkdir(exist_ok=True)  # the default file and the test databases live here
    # WAL and a busy timeout let the dev server and management commands share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file too (not Django's in-memory default), so threads and the live server see real locking.
    # One file per test process, so two test runs on one machine never share (and break) a database.
    DATABASES["default"]["TEST"] = {"NAME": str(PROJECT_DIR / "var" / f"test-database-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock an account/IP pair after repeated failures; the lock-out page is our own Norwegian template.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0")) or None

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("nn", _("Norwegian Nynorsk"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "samhandling_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get("STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}
WHITENOISE_USE_FINDERS = DEBUG or env_bool("WHITENOISE_USE_FINDERS")

MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", PROJECT_DIR / "var" / "media"))
# Governance attachments are served through views that check access, never straight from MEDIA_ROOT.
GOVERNANCE_MAX_ATTACHMENT_BYTES = int(os.environ.get("GOVERNANCE_MAX_ATTACHMENT_BYTES", str(20 * 1024 * 1024)))

# Styringsinformasjon: prepared data sets and run results live here (Parquet); analysts may import a folder from
# INDICATOR_DATA_ROOT on the server instead of uploading it.
INDICATOR_STORAGE_ROOT = Path(os.environ.get("INDICATOR_STORAGE_ROOT", PROJECT_DIR / "var" / "indicators"))
INDICATOR_DATA_ROOT = Path(os.environ.get("INDICATOR_DATA_ROOT", INDICATOR_STORAGE_ROOT / "inbox"))
# DuckDB's memory limit for an indicator run (a national run needs a few GB).
INDICATOR_MEMORY_LIMIT = os.environ.get("INDICATOR_MEMORY_LIMIT", "6GB")
# Imports and runs are tasks (indicators/tasks.py) done by `manage.py samhandling_worker`. A working job beats its
# row this often; one that missed six beats belongs to a dead worker and is taken over. The progress delay (seconds
# per progress report) exists for the fault tests only.
INDICATOR_HEARTBEAT_SECONDS = float(os.environ.get("INDICATOR_HEARTBEAT_SECONDS", "5"))
INDICATOR_PROGRESS_DELAY = float(os.environ.get("INDICATOR_PROGRESS_DELAY", "0"))

# Background tasks: Django's task API (django-tasks) on the database backend; `manage.py samhandling_worker` runs
# them (`make run` starts one). The test suite runs tasks at once (TASKS_BACKEND=…ImmediateBackend).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# E-mail: console in development; SMTP settings from the environment in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Samhandling <ikke-svar@samhandling.invalid>")

# Security. HTTPS settings switch on with USE_TLS (the default when DEBUG is off).
USE_TLS = env_bool("USE_TLS", not DEBUG)
SESSION_COOKIE_SECURE = USE_TLS
CSRF_COOKIE_SECURE = USE_TLS
LANGUAGE_COOKIE_SECURE = USE_TLS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The longest a session lives, however active (SessionTimeoutMiddleware); the idle time-out and its warning.
SAMHANDLING_MAX_SESSION_AGE = int(float(os.environ.get("SAMHANDLING_MAX_SESSION_HOURS", "10")) * 3600)
SAMHANDLING_IDLE_TIMEOUT = int(float(os.environ.get("SAMHANDLING_IDLE_TIMEOUT_MINUTES", "30")) * 60)
SAMHANDLING_IDLE_WARNING = int(os.environ.get("SAMHANDLING_IDLE_WARNING_SECONDS", "120"))
SESSION_COOKIE_AGE = SAMHANDLING_MAX_SESSION_AGE
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if USE_TLS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is a promise about every subdomain for years; each operator decides (SECURE_HSTS_PRELOAD=1).
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: scripts only from our own origin (charts run Vega in its CSP-safe interpreter mode).
# Inline style attributes are allowed because Vega and Designsystemet set them; inline scripts are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Samhandling's own settings.
# An unknown permission name raises (instead of being logged and denied) under DEBUG and in the tests.
SAMHANDLING_STRICT_PERMISSIONS = env_bool("SAMHANDLING_STRICT_PERMISSIONS", DEBUG)
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
# Without explicit keys the field key is derived from SECRET_KEY: good enough for the demo and the tests, never for
# patient data in production.
if not FIELD_ENCRYPTION_KEYS and not (DEBUG or env_bool("SAMHANDLING_INSECURE_DEV_KEY")):
    raise ImproperlyConfigured(
        "Set FIELD_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first) before running with DEBUG off."
    )
# Webhooks must use https; plain http only for local development and tests.
SAMHANDLING_ALLOW_HTTP_WEBHOOKS = env_bool("SAMHANDLING_ALLOW_HTTP_WEBHOOKS", DEBUG)
SAMHANDLING_DEMO_NOTICE = env_bool("SAMHANDLING_DEMO_NOTICE", DEBUG)
# The platform's public address, for links in e-mail and webhooks sent by the worker (no request to read it from).
SAMHANDLING_BASE_URL = os.environ.get("SAMHANDLING_BASE_URL", "")

# --- Log-in through OpenID Connect (docs/operations.md, "Log-in") --------------------------------------------------
# OIDC_PROVIDERS names the providers ("entra,helseid,idporten"); each is configured by OIDC_<NAME>_* variables.
# Secrets come from the environment or from files (…_CLIENT_SECRET_FILE, …_PRIVATE_KEY_FILE), never from the database.


def env_secret(name: str) -> str:
    """The value of NAME, or the contents of the file named by NAME_FILE (a mounted secret)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, "")


def oidc_provider_from_env(name: str) -> dict:
    prefix = f"OIDC_{name.upper()}_"
    issuer = os.environ.get(prefix + "ISSUER", "").rstrip("/")
    client_id = os.environ.get(prefix + "CLIENT_ID", "")
    if not issuer or not client_id:
        raise ImproperlyConfigured(f"Set {prefix}ISSUER and {prefix}CLIENT_ID for the log-in provider {name!r}.")
    return {
        "name": name.lower(),
        "label": os.environ.get(prefix + "LABEL", name),
        "issuer": issuer,
        "client_id": client_id,
        "client_secret": env_secret(prefix + "CLIENT_SECRET"),
        "private_key": env_secret(prefix + "PRIVATE_KEY"),
        "scope": os.environ.get(prefix + "SCOPE", "openid email profile"),
        "acr_values": os.environ.get(prefix + "ACR_VALUES", ""),
        "use_par": env_bool(prefix + "PAR"),
        "match": os.environ.get(prefix + "MATCH", "email"),
        "hpr_claim": os.environ.get(prefix + "HPR_CLAIM", "helseid://claims/hpr/hpr_number"),
        "email_is_verified": env_bool(prefix + "EMAIL_IS_VERIFIED"),
        "create_users": env_bool(prefix + "CREATE_USERS"),
    }


OIDC_PROVIDERS = [oidc_provider_from_env(name) for name in env_list("OIDC_PROVIDERS")]
# SAMHANDLING_PASSWORD_LOGIN=0: sign-in through the providers only (no password form, no password reset).
SAMHANDLING_PASSWORD_LOGIN = env_bool("SAMHANDLING_PASSWORD_LOGIN", True)

# Two-factor log-in (TOTP app + recovery codes) for password accounts with the secretariat, admin or analyst role.
# The demo and the test suite turn the requirement off (an app stays optional, and is asked for once set up).
SAMHANDLING_REQUIRE_2FA = env_bool("SAMHANDLING_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "Samhandling"

# --- Operations: the health endpoint, log format, error reporting -----------------------------------------------
# /helse/ fails when the oldest runnable task has waited longer than this, or the media disk has less room.
HEALTH_MAX_QUEUE_LAG_SECONDS = int(os.environ.get("HEALTH_MAX_QUEUE_LAG_SECONDS", "300"))
HEALTH_MIN_FREE_DISK_MB = int(os.environ.get("HEALTH_MIN_FREE_DISK_MB", "1024"))
if USE_TLS:
    SECURE_REDIRECT_EXEMPT = [r"^helse/$"]  # the load balancer may ask over plain http on the inside
# LOG_FORMAT=json writes one JSON object per line (with the request id) for a log collector; LOG_REQUESTS=1 adds a
# line per request (method, path without query string, status, duration, user id).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
LOG_REQUESTS = env_bool("LOG_REQUESTS")
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        # Patient data may be in what users post or in their names: send neither request bodies nor personal data.
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
    )

# One line per refused request (403/404 carry no traceback); request bodies are never logged, and exception texts
# are clipped, so what a user typed does not end up in the log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "requests": {"()": "samhandling.core.logging.RequestLogFilter"},
        "request_id": {"()": "samhandling.core.logging.RequestIdFilter"},
    },
    "formatters": {
        "plain": {
            "()": "samhandling.core.logging.ClippedFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "samhandling.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["requests", "request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Newsletter sending: messages per second per sender (0: no limit), so a mail server's rate limits are kept.
NEWSLETTER_MESSAGES_PER_SECOND = float(os.environ.get("NEWSLETTER_MESSAGES_PER_SECOND", "10"))
