"""Django settings, all taken from the environment (see docs/configuration.md)."""

from importlib.util import find_spec
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from learnloop.config import (
    default_data_dir,
    env_bool,
    env_int,
    env_list,
    env_str,
    persistent_secret_key,
)

PACKAGE_DIR = Path(__file__).resolve().parent
# django-ninja ships the API docs' page and assets. Listing it in INSTALLED_APPS would import
# it (and pydantic) in every command, so its directories are found without importing it.
NINJA_DIR = Path(find_spec("ninja").origin).parent
DATA_DIR = Path(env_str("LEARNLOOP_DATA_DIR") or default_data_dir())

# "production" turns on every transport-security setting and refuses to start without an
# explicit SECRET_KEY and ALLOWED_HOSTS; "development" (the default) suits the demo.
ENVIRONMENT = env_str("LEARNLOOP_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("LEARNLOOP_ENV must be 'development' or 'production'")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when LEARNLOOP_ENV=production")
    SECRET_KEY = persistent_secret_key(DATA_DIR)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when LEARNLOOP_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The address people use to reach this instance; links in emails sent outside a request
# (invitations from the CLI, reminders) are built from it.
BASE_URL = (env_str("LEARNLOOP_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "learnloop.web",
    "learnloop.org",
    "learnloop.accounts",
    "learnloop.audit",
    "learnloop.activity",
    "learnloop.links",
    "learnloop.knowledge",
    "learnloop.actions",
    "learnloop.reflection",
    "learnloop.experiments",
    "learnloop.surveys",
    "learnloop.growth",
    "learnloop.insights",
    "learnloop.network",
    "learnloop.strategy",
    "learnloop.systems",
    "learnloop.integrations",
    "learnloop.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise, which answers static files itself: they get the policy too.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session and everything else that may write, so a write that fails for lack of
    # storage is noticed wherever it happens (learnloop.ops.storage).
    "learnloop.ops.middleware.StorageUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's Accept-Language picks the language until a signed-in person has chosen one.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's own language choice replaces the browser's (learnloop.web.language).
    "learnloop.web.language.PersonLanguageMiddleware",
    "learnloop.accounts.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "learnloop.urls"
WSGI_APPLICATION = "learnloop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "learnloop.web.context_processors.navigation",
                "learnloop.web.context_processors.storage_condition",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
DEFAULT_SQLITE_PATH = DATA_DIR / "learnloop.sqlite3"
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, able to read with a full disk or a read-only data directory.
    DATABASES["default"]["ENGINE"] = "learnloop.sqlite_backend"
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the write lock when their transaction begins (IMMEDIATE), so a reader
        # that later wants to write can't deadlock into "database is locked"; waiting writers
        # queue for up to the busy timeout instead of failing.
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 30),
        # secure_delete: deleted rows are overwritten, not left in free pages, so the database
        # file keeps no residue of rows that anonymous writes rewrite (see docs/anonymity.md).
        "init_command": ("PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA secure_delete=ON;"),
    }
# A connection kept between requests (DB_CONN_MAX_AGE > 0) is checked before each request reuses
# it, so after a database restart the first request gets a fresh connection instead of an error.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Backups ---------------------------------------------------------------------------------
# Archives are signed with HMAC-SHA256 (see ops/signing.py and docs/operations.md). Without
# LEARNLOOP_BACKUP_KEY the key is derived from SECRET_KEY; the fallbacks are older keys that
# are still accepted when verifying (rotation).
BACKUP_KEY = env_str("LEARNLOOP_BACKUP_KEY", "")
BACKUP_KEY_FALLBACKS = env_list("LEARNLOOP_BACKUP_KEY_FALLBACKS", [])

# --- Background tasks ------------------------------------------------------------------------
# Django's task framework with the database as the queue: reminders and digests are enqueued as
# rows and sent by `learnloop worker`. No broker is needed; the queue is in DATABASE_URL.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A running task's claim holds this long unless its worker renews it (every third of it); a
# task whose worker died is taken up again once the lease ran out (see docs/operations.md).
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 60)
# Tries per task before it is dead-lettered, and the first wait between tries (doubling).
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 5)
TASK_RETRY_BASE_SECONDS = env_int("TASK_RETRY_BASE_SECONDS", 30)
# An uploaded stock-and-flow model is translated by the worker in a child process held to these
# (wall-clock seconds, memory in MB); a model that needs more is marked failed (docs/systems.md).
SYSTEMS_TRANSLATE_SECONDS = env_int("LEARNLOOP_SYSTEMS_TRANSLATE_SECONDS", 60)
SYSTEMS_TRANSLATE_MEMORY_MB = env_int("LEARNLOOP_SYSTEMS_TRANSLATE_MEMORY_MB", 2048)
if TASK_LEASE_SECONDS < 1 or TASK_MAX_ATTEMPTS < 1 or TASK_RETRY_BASE_SECONDS < 0:
    raise ImproperlyConfigured(
        "TASK_LEASE_SECONDS and TASK_MAX_ATTEMPTS must be at least 1, TASK_RETRY_BASE_SECONDS at least 0"
    )

# --- Knowledge search ------------------------------------------------------------------------
# "auto" uses PostgreSQL full-text search on PostgreSQL and the embedded engine (Tantivy, an
# index directory kept in step through an outbox) otherwise; see knowledge/search/__init__.py.
SEARCH_BACKEND = env_str("SEARCH_BACKEND", "auto")
if SEARCH_BACKEND not in {"auto", "embedded", "postgres"}:
    raise ImproperlyConfigured("SEARCH_BACKEND must be 'auto', 'embedded' or 'postgres'")
if SEARCH_BACKEND == "postgres" and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL")
SEARCH_INDEX_DIR = Path(env_str("SEARCH_INDEX_DIR") or (DATA_DIR / "search"))

# --- Reflection ----------------------------------------------------------------------------
# Alias and anonymous sessions with fewer participants than this warn the facilitator, and the
# reveal control and the summary say anonymity is weak (among two people, "not me" names the other).
ANONYMITY_MIN_PARTICIPANTS = env_int("LEARNLOOP_ANONYMITY_MIN_PARTICIPANTS", 3)

# Outgoing webhooks (learnloop.integrations; docs/integrations.md). Internal addresses are refused
# unless listed in LEARNLOOP_WEBHOOK_ALLOW (CIDRs or host names, comma-separated).
WEBHOOK_ALLOW = env_list("LEARNLOOP_WEBHOOK_ALLOW", [])
WEBHOOK_MAX_ATTEMPTS = env_int("LEARNLOOP_WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_RETRY_BASE_SECONDS = env_int("LEARNLOOP_WEBHOOK_RETRY_BASE_SECONDS", 60)
WEBHOOK_DISABLE_AFTER = env_int("LEARNLOOP_WEBHOOK_DISABLE_AFTER", 20)
WEBHOOK_TIMEOUT_SECONDS = env_int("LEARNLOOP_WEBHOOK_TIMEOUT_SECONDS", 10)
if min(WEBHOOK_MAX_ATTEMPTS, WEBHOOK_DISABLE_AFTER, WEBHOOK_TIMEOUT_SECONDS) < 1 or WEBHOOK_RETRY_BASE_SECONDS < 0:
    raise ImproperlyConfigured(
        "LEARNLOOP_WEBHOOK_MAX_ATTEMPTS, _DISABLE_AFTER and _TIMEOUT_SECONDS must be at least 1, "
        "LEARNLOOP_WEBHOOK_RETRY_BASE_SECONDS at least 0"
    )
if ANONYMITY_MIN_PARTICIPANTS < 1:
    raise ImproperlyConfigured("LEARNLOOP_ANONYMITY_MIN_PARTICIPANTS must be at least 1")

# --- Input ----------------------------------------------------------------------------------
# Dates a person may enter (due dates, campaign windows, …): outside this range a date is a typo,
# and one near year 1 or 9999 overflows as soon as a day is added to it.
DATE_MIN_YEAR = env_int("LEARNLOOP_DATE_MIN_YEAR", 1900)
DATE_MAX_YEAR = env_int("LEARNLOOP_DATE_MAX_YEAR", 2200)
if not 1 < DATE_MIN_YEAR <= DATE_MAX_YEAR < 9999:
    raise ImproperlyConfigured("LEARNLOOP_DATE_MIN_YEAR and LEARNLOOP_DATE_MAX_YEAR must be years with "
                               "1 < MIN <= MAX < 9999")

# --- Accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "org.Person"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
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
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3
# Sign-in limits (accounts/throttle.py): failures per account from one address, per account
# from anywhere, and per address across accounts. Past a limit each attempt waits a delay that
# doubles from LOGIN_DELAY_SECONDS up to LOGIN_DELAY_MAX_SECONDS; failures are forgotten after
# LOGIN_FAILURE_WINDOW_SECONDS without a new one.
LOGIN_FAILURE_LIMIT_PER_ACCOUNT = env_int("LOGIN_FAILURE_LIMIT_PER_ACCOUNT", 5)
LOGIN_FAILURE_LIMIT_PER_ACCOUNT_GLOBAL = env_int("LOGIN_FAILURE_LIMIT_PER_ACCOUNT_GLOBAL", 50)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 20)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 24 * 60 * 60)
LOGIN_DELAY_SECONDS = env_int("LOGIN_DELAY_SECONDS", 30)
LOGIN_DELAY_MAX_SECONDS = env_int("LOGIN_DELAY_MAX_SECONDS", 15 * 60)
KNOWN_DEVICE_DAYS = env_int("KNOWN_DEVICE_DAYS", 365)
# "required": admins set up an authenticator app before their sign-in completes.
ADMIN_2FA = env_str("LEARNLOOP_ADMIN_2FA", "optional")
if ADMIN_2FA not in {"optional", "required"}:
    raise ImproperlyConfigured("LEARNLOOP_ADMIN_2FA must be 'optional' or 'required'")
# OpenID Connect sign-in (learnloop.integrations.oidc; docs/integrations.md). Without an issuer
# nothing of it is shown or reachable: the sign-in form alone, as before.
OIDC_ISSUER = (env_str("LEARNLOOP_OIDC_ISSUER", "") or "").rstrip("/")
OIDC_CLIENT_ID = env_str("LEARNLOOP_OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = env_str("LEARNLOOP_OIDC_CLIENT_SECRET", "")
OIDC_PROVIDER_NAME = env_str("LEARNLOOP_OIDC_PROVIDER_NAME", "your organization's account")
# The organization role of people created at their first sign-in through the provider.
OIDC_DEFAULT_ROLE = env_str("LEARNLOOP_OIDC_DEFAULT_ROLE", "member")
if OIDC_DEFAULT_ROLE not in {"member", "learning_lead", "admin"}:
    raise ImproperlyConfigured("LEARNLOOP_OIDC_DEFAULT_ROLE must be member, learning_lead or admin")
OIDC_GROUPS_CLAIM = env_str("LEARNLOOP_OIDC_GROUPS_CLAIM", "")
# Entra ID sends no email_verified: an organization's own tenant may be trusted to have checked.
OIDC_TRUST_EMAIL = env_bool("LEARNLOOP_OIDC_TRUST_EMAIL", False)
# "group=team-slug:role,…": membership of those teams follows the provider's groups.
OIDC_GROUP_MAP = env_list("LEARNLOOP_OIDC_GROUP_MAP", [])
if OIDC_ISSUER and not (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
    raise ImproperlyConfigured("LEARNLOOP_OIDC_ISSUER needs LEARNLOOP_OIDC_CLIENT_ID and LEARNLOOP_OIDC_CLIENT_SECRET")
# SAML 2.0 sign-in (learnloop.integrations.saml; docs/integrations.md). The identity provider's
# metadata, a file or an URL; without it nothing of SAML is shown or reachable.
SAML_IDP_METADATA = env_str("LEARNLOOP_SAML_IDP_METADATA", "") or ""
# Which entity of a metadata file holding several (a federation's) is the provider.
SAML_IDP_ENTITY_ID = env_str("LEARNLOOP_SAML_IDP_ENTITY_ID", "") or ""
SAML_PROVIDER_NAME = env_str("LEARNLOOP_SAML_PROVIDER_NAME", "your organization's account (SAML)")
SAML_SP_ENTITY_ID = env_str("LEARNLOOP_SAML_SP_ENTITY_ID", "") or ""
# A key pair to sign AuthnRequests with (PEM files); optional, most providers don't ask for it.
SAML_SP_CERT_FILE = env_str("LEARNLOOP_SAML_SP_CERT_FILE", "") or ""
SAML_SP_KEY_FILE = env_str("LEARNLOOP_SAML_SP_KEY_FILE", "") or ""
if bool(SAML_SP_CERT_FILE) != bool(SAML_SP_KEY_FILE):
    raise ImproperlyConfigured("LEARNLOOP_SAML_SP_CERT_FILE and LEARNLOOP_SAML_SP_KEY_FILE go together")
SAML_IDP_INITIATED = env_bool("LEARNLOOP_SAML_IDP_INITIATED", True)
SAML_DEFAULT_ROLE = env_str("LEARNLOOP_SAML_DEFAULT_ROLE", "member")
if SAML_DEFAULT_ROLE not in {"member", "learning_lead", "admin"}:
    raise ImproperlyConfigured("LEARNLOOP_SAML_DEFAULT_ROLE must be member, learning_lead or admin")
SAML_EMAIL_ATTRIBUTE = env_str("LEARNLOOP_SAML_EMAIL_ATTRIBUTE", "") or ""
SAML_NAME_ATTRIBUTE = env_str("LEARNLOOP_SAML_NAME_ATTRIBUTE", "") or ""
SAML_GROUPS_ATTRIBUTE = env_str("LEARNLOOP_SAML_GROUPS_ATTRIBUTE", "") or ""
SAML_GROUP_MAP = env_list("LEARNLOOP_SAML_GROUP_MAP", [])
# Client addresses in the audit log (sign-ins, failures, …) are blanked after this many days
# (`learnloop audit purge-addresses`, also run now and then by the server itself).
AUDIT_ADDRESS_RETENTION_DAYS = env_int("LEARNLOOP_AUDIT_ADDRESS_RETENTION_DAYS", 30)
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)
# Client addresses come from REMOTE_ADDR unless a trusted proxy count is set, in which case
# the address that many hops back in X-Forwarded-For is used.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- Sessions, cookies and transport security ----------------------------------------------
# Database sessions that fall back to a signed cookie while the database can't be written
# (accounts/sessions.py), so signing in works with a full disk or read-only data.
SESSION_ENGINE = "learnloop.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14)
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
# The __Host- prefix makes browsers refuse these cookies unless they are Secure, for Path=/ and
# without a Domain, so a sibling subdomain or a plain-http response can't plant or overwrite
# them. Browsers also drop a prefixed cookie that isn't Secure, so the prefix is only used where
# the cookie is: in production (and not if an operator turned Secure off there).
SESSION_COOKIE_NAME = "__Host-sessionid" if PRODUCTION and SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if PRODUCTION and CSRF_COOKIE_SECURE else "csrftoken"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# Load balancers probe health over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Content-Security-Policy -------------------------------------------------------------------
# Sent on every response (pages, API, errors, static files). Every script and style is a file
# served from this origin: templates carry no inline <script>, no on…= handlers and no style=""
# attributes, and htmx runs without eval and without injecting its indicator styles (see the
# htmx-config meta tag in web/base.html). No nonce is needed, so none is generated.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    # Pico draws its form icons as data: SVG images.
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    # Signing out continues at the OIDC provider's end-session page when there is one: a form's
    # redirect must be allowed to go there.
    "form-action": [CSP.SELF, *([OIDC_ISSUER] if OIDC_ISSUER else [])],
    "frame-ancestors": [CSP.NONE],
}

# --- Email ---------------------------------------------------------------------------------
# With EMAIL_HOST set (or in production, where it defaults to a local mail relay on port 25)
# mail goes out over SMTP; otherwise messages are printed to the console, so the demo's
# invitation and reset links appear in the server's output.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost" if PRODUCTION else "")
if EMAIL_HOST:
    _smtp_port = env_int("EMAIL_PORT", 25 if EMAIL_HOST == "localhost" else 587)
    _use_ssl = env_bool("EMAIL_USE_SSL", _smtp_port == 465)
    _use_tls = env_bool("EMAIL_USE_TLS", _smtp_port == 587)
    if _use_ssl and _use_tls:
        raise ImproperlyConfigured(
            "EMAIL_USE_SSL (TLS from the start, port 465) and EMAIL_USE_TLS (STARTTLS) exclude each other"
        )
    _mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": EMAIL_HOST,
            "port": _smtp_port,
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": _use_tls,
            "use_ssl": _use_ssl,
            "ssl_certfile": env_str("EMAIL_SSL_CERTFILE", "") or None,
            "ssl_keyfile": env_str("EMAIL_SSL_KEYFILE", "") or None,
            "timeout": env_int("EMAIL_TIMEOUT", 20),
        },
    }
else:
    _mailer = {"BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}
MAILERS = {"default": _mailer}
del EMAIL_HOST
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Learnloop <learnloop@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
# Only production collects static files; elsewhere WhiteNoise finds them where they live.
STATIC_ROOT = DATA_DIR / "static" if PRODUCTION else None
NODE_MODULES_DIR = Path(env_str("LEARNLOOP_NODE_MODULES") or (PACKAGE_DIR.parents[1] / "node_modules"))
# Front-end libraries are served straight from the npm lockfile's install; nothing is copied
# into the repository.
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES_DIR / "htmx.org" / "dist"),
    ("vendor/pico", NODE_MODULES_DIR / "@picocss" / "pico" / "css"),
    # Charts (insights dashboards): Apache ECharts draws time series, funnels and heat maps with
    # an accessible "aria" mode and decal patterns for colour-blind readers.
    ("vendor/echarts", NODE_MODULES_DIR / "echarts" / "dist"),
    # Causal loop diagrams (systems): Cytoscape.js draws and edits the graph.
    ("vendor/cytoscape", NODE_MODULES_DIR / "cytoscape" / "dist"),
    NINJA_DIR / "static",  # its files are under ninja/
]
# In production `learnloop serve` collects static files into STATIC_ROOT with hashed names so
# they can be cached forever; elsewhere WhiteNoise serves them from where they are.
STORAGES = {
    # Uploaded files (knowledge attachments) under the data directory, never served by the web
    # server itself: a view checks permissions and sends them as downloads (docs/knowledge.md).
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": env_str("LEARNLOOP_FILES_DIR") or str(DATA_DIR / "files")}},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
# Every user-facing string is translatable; German is the second language shipped. Catalogues
# live in each app's locale/ directory and are compiled by learnloop.translations.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# CSV imports accept files up to 5 MB, also when sent as JSON through the API.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# --- API -------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Django's request warnings name the path; it is written as its route, never with ids.
    "filters": {"redact_paths": {"()": "learnloop.ops.access_log.RedactPathsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_paths"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
