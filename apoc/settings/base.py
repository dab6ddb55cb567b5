"""Settings shared by every environment.

Everything that differs between machines is read from the environment through
django-environ. Production differs from local use only by its environment.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

VAR_DIR = Path(env("APOC_VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

DJANGO_APPS = [
    "apoc.admin_apps.ApocAdminConfig",  # django.contrib.admin, its autocomplete logged
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
]
LOCAL_APPS = [
    "apoc.accounts",
    "apoc.audit",
    "cpr",
    "jobnet",
    "registrations",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "apoc.middleware.PermissionsPolicyMiddleware",
    "apoc.middleware.DatabaseOutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apoc.middleware.IdleTimeoutMiddleware",
    "apoc.middleware.DanishByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before any view, form or query sees the request; after the locale, for its page.
    "apoc.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "apoc.audit.middleware.AuditContextMiddleware",
    # form-action for the provider's pages at sign-in and sign-out (apoc.accounts.middleware).
    "apoc.accounts.middleware.ProviderFormActionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apoc.middleware.DomainErrorMiddleware",
    # Last, so that it turns a login refused by the lock into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "apoc.urls"
WSGI_APPLICATION = "apoc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apoc.context_processors.training",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'apoc.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Seconds a connection is kept between requests (0: one per request). Kept
# connections are checked before reuse, so a dropped one is replaced.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses every login while the account or the address is locked.
    "axes.backends.AxesStandaloneBackend",
    # Local passwords, refused where a provider serves the jobcentre (apoc.accounts.signin).
    "apoc.accounts.backends.PasswordBackend",
    # The sessions of staff signed in through their municipality's identity provider.
    "apoc.accounts.backends.IdentityProviderBackend",
]
# Sign-in through the municipalities' identity providers (OpenID Connect; README
# "Sign-in"). The providers are data, kept by a national administrator in admin.
# Local passwords are off for the staff of a jobcentre a provider serves, except
# for accounts marked for break-glass access; on (true) they work for everybody
# with a password, which the system check accounts.W001 says while providers exist.
APOC_PASSWORD_LOGIN = env.bool("APOC_PASSWORD_LOGIN", default=False)
# Seconds for each call to a provider (discovery, keys, token).
OIDC_TIMEOUT = env.float("APOC_OIDC_TIMEOUT", default=10.0)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "registrations:home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    # Jobnet one-time passwords only (jobnet/hashers.py).
    "jobnet.hashers.OneTimePasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # zxcvbn with Danish words: repeats, sequences, years, seasons, leaked passwords.
    # Score 4 is at least 10^10 guesses (apoc/accounts/passwords.py).
    {"NAME": "apoc.accounts.passwords.GuessableValidator", "OPTIONS": {"min_score": 4}},
]

# Language: Danish first, English available.
LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["apoc.formats"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploaded identity documents live outside the static and public folders and
# are only ever served through a view that checks the user's rights.
MEDIA_ROOT = Path(env("APOC_UPLOAD_DIR", default=str(VAR_DIR / "uploads")))
MEDIA_URL = None
FILE_UPLOAD_PERMISSIONS = 0o600
DOCUMENT_MAX_BYTES = env.int("APOC_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = DOCUMENT_MAX_BYTES + 1024 * 1024
# An upload is kept in memory, never in a temporary file, and is rebuilt from its
# pixels before anything is stored (registrations.uploads). One file per request:
# the intake has one file field.
FILE_UPLOAD_HANDLERS = ["apoc.uploadhandler.MemoryOnlyUploadHandler"]
DATA_UPLOAD_MAX_NUMBER_FILES = 1
# Days an identity-document image is kept after the review ended, and a
# residence-registered, emigrated, disappeared or dead person's contact data
# after the CPR status changed (registrations.retention, README "Operations").
DOCUMENT_RETENTION_DAYS = env.int("APOC_DOCUMENT_RETENTION_DAYS", default=365)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Crispy names a field's CSS class after its widget: the intake's cached selects
# (registrations.widgets) keep the class of the select they stand in for.
CRISPY_CLASS_CONVERTERS = {"cachedselect": "select"}

# Staff sessions: counter PCs are shared. In the database; a write lost with the
# connection is the 503 page, not a "session deleted" 400 (apoc/sessions.py).
SESSION_ENGINE = "apoc.sessions"
SESSION_COOKIE_AGE = 30 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy, sent by django-csp (csp.middleware.CSPMiddleware).
# Scripts and styles come only from our own static files: no inline script,
# style attribute or event handler runs, and nothing is evaluated from strings.
# (Bootstrap draws its form icons from data: SVG images.)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "base-uri": [csp.NONE],
    },
}

# Permissions-Policy, sent by apoc.middleware.PermissionsPolicyMiddleware: the
# browser features APOC's pages and the admin never use, denied to every
# origin (an empty list), so that no injected or framed content can ask for
# them. Printing the letter, copy and paste and file uploads need none of them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# System checks to leave out (their ids). `make serve` leaves out registrations.W001 (a
# jobcentre without contact details, a matter for an administrator, not a reason to stay
# down) when it fails on warnings, and then shows it.
SILENCED_SYSTEM_CHECKS = env.list("APOC_SILENCED_CHECKS", default=[])

# Addresses (or networks, CIDR) of the reverse proxies in front of APOC. Only
# when a request comes from one of them is X-Forwarded-For read to find the
# client's address for the access log and the login lock; see
# apoc.audit.services.client_ip. Empty: REMOTE_ADDR is the client.
# A malformed entry stops the server at start.
TRUSTED_PROXIES = [
    str(ipaddress.ip_network(entry, strict=False))
    for entry in env.list("APOC_TRUSTED_PROXIES", default=[])
]

# Brute-force protection of the login forms (ours and the admin's) with
# django-axes and apoc.accounts.login.LoginDelayHandler (README "The login lock"):
# - a user name at an address: after AXES_FAILURE_LIMIT failures of that name from
#   that address, each further attempt waits 1, 2, 4, ... seconds after the last
#   failure, up to APOC_LOGIN_DELAY_MAX_SECONDS. Never the name from elsewhere,
#   never another name: nobody can lock a colleague out.
# - an address: after APOC_LOGIN_ADDRESS_LIMIT failures from it, whatever the names
#   (password spraying), every name from it waits until fewer failures are remembered.
# Failures are remembered until APOC_LOGIN_LOCK_MINUTES pass without a new one, and
# a successful login forgets its name's failures at that address. An attempt refused
# while waiting is not tried and not counted. An administrator lifts a wait in the
# admin under Axes or with ``manage.py axes_reset_username NAME`` / ``axes_reset_ip
# ADDRESS``. Failures are logged (logger "axes"), waits on "apoc.security".
AXES_ENABLED = True
AXES_VERBOSE = False
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "apoc.accounts.login.LoginDelayHandler"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
LOGIN_LOCK_MINUTES = env.int("APOC_LOGIN_LOCK_MINUTES", default=60)
if LOGIN_LOCK_MINUTES < 1:
    raise ImproperlyConfigured(
        "APOC_LOGIN_LOCK_MINUTES must be 1 or more: failures are remembered that long. "
        "A lock that only an administrator lifts is what lets one lock a colleague out."
    )
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCK_MINUTES)
LOGIN_DELAY_MAX_SECONDS = env.int("APOC_LOGIN_DELAY_MAX_SECONDS", default=15 * 60)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("APOC_LOGIN_ADDRESS_LIMIT", default=50)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "apoc.accounts.login.login_locked"
AXES_USERNAME_CALLABLE = "apoc.accounts.login.axes_username"
AXES_CLIENT_IP_CALLABLE = "apoc.audit.services.client_ip"

# The register of personnumre. The embedded default keeps it in APOC's own
# database and picks the numbers itself: they are not reported to the CPR
# office, so it is for training only (see APOC_TRAINING). An adapter for the
# CPR office's service plugs in here.
CPR_REGISTRY = env("CPR_REGISTRY", default="cpr.registry.LocalRegistry")

# Where the Jobnet logins in the letters come from (jobnet.accounts). The default
# is the jobcentre's case system: the caseworker creates the login there and types
# it into the letter's form, and APOC keeps neither username nor password.
# jobnet.accounts.LocalAccounts makes the logins up itself, unknown to Jobnet: for
# training only (see APOC_TRAINING), and the choice of `make run` and the tests.
JOBNET_ACCOUNTS = env("JOBNET_ACCOUNTS", default="jobnet.accounts.CaseSystemAccounts")

# Asking CPR about a person (cpr.lookup). The default answers from APOC's own
# register and never asks CPR: training only (cpr.E003). In production:
# cpr.serviceplatformen.ServiceplatformenLookup, KOMBIT's Serviceplatformen
# (SF1520, PersonBaseDataExtendedService v4) over mutual TLS with the
# municipality's OCES3 certificate; a missing setting or file is cpr.E005/E006.
CPR_LOOKUP = env("CPR_LOOKUP", default="cpr.lookup.LocalLookup")
# e.g. https://prod.serviceplatformen.dk/service/CPR/PersonBaseDataExtended/4
SF1520_ENDPOINT = env("SF1520_ENDPOINT", default="")
# e.g. https://prod.serviceplatformen.dk/service/CPR/Query/3 (only with CPR_QUERY_ENABLED)
SF1520_QUERY_ENDPOINT = env("SF1520_QUERY_ENDPOINT", default="")
# PEM: the certificate (and chain), its unencrypted key, and the CA certificates
# that the server's certificate is checked against (empty: the system's store).
SF1520_CERT_FILE = env("SF1520_CERT_FILE", default="")
SF1520_KEY_FILE = env("SF1520_KEY_FILE", default="")
SF1520_CA_FILE = env("SF1520_CA_FILE", default="")
# InvocationContext: the service agreement, the IT system, the municipality (UserUUID)
# and the service (PersonBaseDataExtended v4's by default).
SF1520_SERVICE_AGREEMENT_UUID = env("SF1520_SERVICE_AGREEMENT_UUID", default="")
SF1520_USER_SYSTEM_UUID = env("SF1520_USER_SYSTEM_UUID", default="")
SF1520_USER_UUID = env("SF1520_USER_UUID", default="")
SF1520_SERVICE_UUID = env("SF1520_SERVICE_UUID", default="e6be2436-bf35-4df2-83fe-925142825dc2")
SF1520_QUERY_SERVICE_UUID = env("SF1520_QUERY_SERVICE_UUID", default="")
# Sent as AuthorityContext/MunicipalityCVR with a search, when set (8 digits).
SF1520_MUNICIPALITY_CVR = env("SF1520_MUNICIPALITY_CVR", default="")
# Seconds for a whole call: connecting, the TLS handshake, the answer.
SF1520_TIMEOUT = env.float("SF1520_TIMEOUT", default=3.0)
# Search by name, birth date and sex (CPRQueryService v3). Its contract is inferred,
# not known: keep it off until a municipality supplies the contract.
CPR_QUERY_ENABLED = env.bool("CPR_QUERY_ENABLED", default=False)

# Training mode: every page and every Jobnet letter says that the numbers and
# Jobnet logins are not registered in CPR or Jobnet, and backends that make
# them up (cpr.registry.LocalRegistry, jobnet.accounts.LocalAccounts) pass the
# deploy check (apoc.training).
# Off by default: production must choose it.
APOC_TRAINING = env.bool("APOC_TRAINING", default=False)

AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=1825)
# Signs the retention purge's checkpoints in the access log's hash chain
# (apoc.audit.integrity, README "The access log"). Empty: derived from SECRET_KEY,
# and then a new SECRET_KEY makes verify_audit refuse the old checkpoints.
AUDIT_CHECKPOINT_KEY = env("AUDIT_CHECKPOINT_KEY", default="")

# Logs go to standard error, one line per event. A failed request is one line; a
# traceback is logged only for a fault in the code. A database outage is one
# WARNING line per request that got the 503 page and one ERROR per outage, with
# a count (apoc.middleware.database_error_response); django.request, which would
# log each 503 again at ERROR, leaves them out (apoc.logs.SkipDatabaseUnavailable).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "skip_database_unavailable": {"()": "apoc.logs.SkipDatabaseUnavailable"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env("APOC_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["skip_database_unavailable"]},
    },
}

# E-mail, for the links to choose a password (apoc.accounts.services). EMAIL_URL as
# django-environ reads it, e.g. smtp+tls://user:password@smtp.kommune.dk:587 or
# consolemail:// (printed on standard output).
vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="APOC <noreply@localhost>")
# How long a link to choose a password works (Django's PasswordResetTokenGenerator).
PASSWORD_RESET_TIMEOUT = env.int("APOC_PASSWORD_LINK_HOURS", default=24) * 60 * 60

# Password for the demo users made by ``manage.py seed_demo`` (random when empty).
DEMO_PASSWORD = env("DEMO_PASSWORD", default="")
