"""Production settings: everything comes from the environment; dev.py and test.py only override."""

from pathlib import Path

import environ
from csp.constants import NONCE, SELF
from django.core.exceptions import ImproperlyConfigured

from parcours.accounts.password_validation import PASSWORD_POLICIES

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("PARCOURS_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

# Refuse to start without secrets: a default here would end up in production one day.
SECRET_KEY = env.str("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

PARCOURS_SERVICE_NAME = env.str("PARCOURS_SERVICE_NAME", default="Parcours")
PARCOURS_SERVICE_TAGLINE = env.str(
    "PARCOURS_SERVICE_TAGLINE", default="Formation professionnelle et stages, de la demande à l'attestation"
)
PARCOURS_OPERATOR_NAME = env.str("PARCOURS_OPERATOR_NAME", default="République française")
PARCOURS_CONTACT_EMAIL = env.str("PARCOURS_CONTACT_EMAIL", default="contact@parcours.example.org")
PARCOURS_PUBLISHER = env.str("PARCOURS_PUBLISHER", default="Le groupement d'intérêt public Parcours")
PARCOURS_HOST = env.str("PARCOURS_HOST", default="L'hébergeur déclaré par l'opérateur du service")
# Where links in emails point to (emails are sent by a worker, outside any request).
PARCOURS_BASE_URL = env.str("PARCOURS_BASE_URL", default="http://127.0.0.1:8000")
# Development mailbox at /dev/outbox/: never on in production.
PARCOURS_DEV_OUTBOX = env.bool("PARCOURS_DEV_OUTBOX", default=False)
# Number of reverse proxies in front of the app, to read the client's IP from X-Forwarded-For.
PARCOURS_TRUSTED_PROXY_COUNT = env.int("PARCOURS_TRUSTED_PROXY_COUNT", default=0)
# The theme: one folder (templates/ + static/) that a non-State operator replaces (README, "Theme").
PARCOURS_THEME_DIR = Path(env.str("PARCOURS_THEME_DIR", default=str(BASE_DIR / "themes" / "dsfr")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "dsfr",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "parcours.accounts",
    "parcours.organisations",
    "parcours.catalog",
    "parcours.enrollments",
    "parcours.workflows",
    "parcours.documents",
    "parcours.audit",
    "parcours.notifications",
    "parcours.backoffice",
    "parcours.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "parcours.accounts.middleware.MfaRequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PARCOURS_THEME_DIR / "templates", BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parcours.web.context_processors.site",
            ],
        },
    },
]
# Project templates first, so our overrides of allauth and DSFR field templates win.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite under var/ by default, opened so that transactions take the write lock at once
# (select_for_update is a no-op on SQLite) and readers don't block writers.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'parcours.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# With CACHE_URL unset, the database cache: shared by the web, worker and scheduler processes,
# which rate limits and lockout need.
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "parcours_cache",
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# "strong" (default: length >= 12, zxcvbn, common lists, not like the person) or "seed" (the CPF guide's rule).
PARCOURS_PASSWORD_POLICY = env.str("PARCOURS_PASSWORD_POLICY", default="strong")
AUTH_PASSWORD_VALIDATORS = PASSWORD_POLICIES[PARCOURS_PASSWORD_POLICY]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# allauth keeps login, logout and password reset; sign-ups are ours (docs/decisions).
ACCOUNT_ADAPTER = "parcours.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {"login_failed": False}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = PARCOURS_BASE_URL.split(":", 1)[0]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PARCOURS_THEME_DIR / "static", BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# With hashed static names, django-dsfr's integrity checksums no longer match and Chromium refuses the CSS.
DSFR_USE_INTEGRITY_CHECKSUMS = False

# Security headers.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PARCOURS_TRUSTED_PROXY_COUNT else None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "parcours_session"
CSRF_COOKIE_NAME = "parcours_csrftoken"
CSRF_FAILURE_VIEW = "parcours.web.views.errors.csrf_failure"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # DSFR's stylesheet embeds its icons as data: SVG.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # ALTCHA solves its proof of work in a blob: worker.
        "worker-src": [SELF, "blob:"],
        "frame-src": [SELF],
        "frame-ancestors": ["'none'"],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    },
}

# Email: every message goes through parcours.notifications (queue, worker, retries).
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default=f"{PARCOURS_SERVICE_NAME} <ne-pas-repondre@parcours.example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
if PARCOURS_DEV_OUTBOX:
    EMAIL_BACKEND = "parcours.notifications.backends.DevOutboxBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
PARCOURS_EMAIL_MAX_ATTEMPTS = env.int("PARCOURS_EMAIL_MAX_ATTEMPTS", default=8)
# Seconds before the n-th retry: doubles each time, capped.
PARCOURS_EMAIL_RETRY_BASE_SECONDS = env.int("PARCOURS_EMAIL_RETRY_BASE_SECONDS", default=60)
PARCOURS_EMAIL_RETRY_MAX_SECONDS = env.int("PARCOURS_EMAIL_RETRY_MAX_SECONDS", default=6 * 3600)
# A row claimed by a worker that died is taken again after this many seconds.
PARCOURS_EMAIL_CLAIM_TIMEOUT_SECONDS = env.int("PARCOURS_EMAIL_CLAIM_TIMEOUT_SECONDS", default=300)

# Background work: the database is the queue (docs/decisions/0003-background-work.md).
TASKS = {
    "default": {
        "BACKEND": env.str("PARCOURS_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"kv": {"format": "level=%(levelname)s logger=%(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "kv"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Periodic jobs: management command → seconds between runs (`manage.py run_scheduler`, or cron).
PARCOURS_PERIODIC_JOBS = {
    "deliver_due_emails": 60,
    "purge_registrations": 3600,
    "delete_due_accounts": 3600,
    # School access requests unanswered by the holders go to the operators (seed 002).
    "escalate_access_requests": 600,
    # The catalog sorts by the next open session; deadlines pass with time alone (triggers see writes only).
    "refresh_next_sessions": 3600,
    "send_convocations": 3600,
    # Satisfaction questionnaires open when a session ends; reminders on the days PARCOURS_SURVEY_REMINDER_DAYS.
    "send_satisfaction_surveys": 3600,
    # Expired sessions (an abandoned sign-up wizard's identity, the NIR encrypted) do not stay.
    "clearsessions": 86400,
}

# Login lockout (parcours.accounts.lockout): failures per identifier and per IP in a sliding window.
PARCOURS_LOCKOUT_FAILURES = env.int("PARCOURS_LOCKOUT_FAILURES", default=5)
PARCOURS_LOCKOUT_IP_FAILURES = env.int("PARCOURS_LOCKOUT_IP_FAILURES", default=50)
PARCOURS_LOCKOUT_WINDOW_SECONDS = env.int("PARCOURS_LOCKOUT_WINDOW_SECONDS", default=15 * 60)

# The NIR is collected only where the deployment has a legal basis for it (décret n° 2019-341): the
# text that names it, shown to people; empty = no NIR field anywhere.
PARCOURS_NIR_LEGAL_BASIS = env.str("PARCOURS_NIR_LEGAL_BASIS", default="")
# Fernet keys, newest first (a list, so keys can rotate), and the key of the lookup hash.
PARCOURS_NIR_KEY = env.list("PARCOURS_NIR_KEY", default=[])
PARCOURS_NIR_HASH_KEY = env.str("PARCOURS_NIR_HASH_KEY", default="")
if PARCOURS_NIR_LEGAL_BASIS and not (PARCOURS_NIR_KEY and PARCOURS_NIR_HASH_KEY):
    raise ImproperlyConfigured("PARCOURS_NIR_LEGAL_BASIS demande PARCOURS_NIR_KEY et PARCOURS_NIR_HASH_KEY.")

# Accounts: sign-ups, links, codes (docs/decisions, ../shared/RULES.md).
PARCOURS_CGU_VERSION = env.str("PARCOURS_CGU_VERSION", default="2026-11")
PARCOURS_REGISTRATION_LINK_DAYS = env.int("PARCOURS_REGISTRATION_LINK_DAYS", default=15)
PARCOURS_REGISTRATION_KEEP_EXPIRED_DAYS = env.int("PARCOURS_REGISTRATION_KEEP_EXPIRED_DAYS", default=30)
PARCOURS_SIGNUP_CODE_MINUTES = env.int("PARCOURS_SIGNUP_CODE_MINUTES", default=15)
PARCOURS_SIGNUP_CODE_ATTEMPTS = env.int("PARCOURS_SIGNUP_CODE_ATTEMPTS", default=5)
PARCOURS_SIGNUP_CODE_RESEND_SECONDS = env.int("PARCOURS_SIGNUP_CODE_RESEND_SECONDS", default=60)
PARCOURS_SIGNUP_LIMIT_PER_IP = env.int("PARCOURS_SIGNUP_LIMIT_PER_IP", default=20)
PARCOURS_SIGNUP_LIMIT_PER_EMAIL = env.int("PARCOURS_SIGNUP_LIMIT_PER_EMAIL", default=5)
PARCOURS_MIN_AGE = env.int("PARCOURS_MIN_AGE", default=16)
PARCOURS_MIN_AGE_APPRENTICE = env.int("PARCOURS_MIN_AGE_APPRENTICE", default=15)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
# "Maintenir ma connexion": this long when ticked; otherwise the session ends with the browser.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 24 * 3600)

# ALTCHA: proof of work in the browser, no image puzzle; the challenge is inlined in the page.
INSTALLED_APPS.append("altcha_django")
ALTCHA_HMAC_SECRET = env.str("ALTCHA_HMAC_SECRET", default="") or f"altcha:{SECRET_KEY}"
ALTCHA_WIDGET_CHALLENGE_MODE = "inline"
ALTCHA_WIDGET_I18N = True
ALTCHA_TRUSTED_PROXIES = env.list("ALTCHA_TRUSTED_PROXIES", default=[])
ACCOUNT_FORMS = {"login": "parcours.accounts.forms.LoginForm"}

# Two-factor authentication (allauth MFA): TOTP and recovery codes; who must have it: accounts.mfa.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = PARCOURS_SERVICE_NAME
MFA_RECOVERY_CODE_COUNT = 10
# "My sessions": recorded at login with IP and device (not on every request: that would write each time).
USERSESSIONS_TRACK_ACTIVITY = False
# Reauthentication is asked again after this many seconds before a sensitive change.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("ACCOUNT_REAUTHENTICATION_TIMEOUT", default=300)
# My data: an account deletion waits this many days (logging in cancels it).
PARCOURS_DELETION_GRACE_DAYS = env.int("PARCOURS_DELETION_GRACE_DAYS", default=7)
PARCOURS_EMAIL_CHANGE_LINK_HOURS = env.int("PARCOURS_EMAIL_CHANGE_LINK_HOURS", default=24)
# An imported account that fails to log in is emailed a link to choose its password, at most this often.
PARCOURS_LEGACY_WELCOME_INTERVAL_SECONDS = env.int("PARCOURS_LEGACY_WELCOME_INTERVAL_SECONDS", default=3600)

# Reference directories (SIRENE, Annuaire de l'éducation): "local" reads the tables that import_sirene and
# import_uai load; "http" asks the public APIs (docs/decisions/0008-reference-directories.md).
# Documents (issue 7): uploaded scans (PDF, PNG, JPEG) at most this size.
PARCOURS_UPLOAD_MAX_BYTES = env.int("PARCOURS_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Convocations leave this many days before a session starts (and again when the session changes).
PARCOURS_CONVOCATION_DAYS_BEFORE = env.int("PARCOURS_CONVOCATION_DAYS_BEFORE", default=7)
# The code a trainee types on their own device to sign an open attendance sheet.
PARCOURS_ATTENDANCE_CODE_MINUTES = env.int("PARCOURS_ATTENDANCE_CODE_MINUTES", default=15)
# The satisfaction questionnaire (issue 8): how long it stays open after the session, the reminders (days
# after opening) and how many answers must be in before any result is shown (so that none can be traced).
PARCOURS_SURVEY_OPEN_DAYS = env.int("PARCOURS_SURVEY_OPEN_DAYS", default=30)
PARCOURS_SURVEY_REMINDER_DAYS = env.list("PARCOURS_SURVEY_REMINDER_DAYS", cast=int, default=[7, 21])
PARCOURS_SURVEY_MIN_ANSWERS = env.int("PARCOURS_SURVEY_MIN_ANSWERS", default=5)

# Organisations (seeds 001, 002).
PARCOURS_SCHOOL_LINK_MINUTES = env.int("PARCOURS_SCHOOL_LINK_MINUTES", default=5)
PARCOURS_ACCESS_REQUEST_ESCALATION_HOURS = env.int("PARCOURS_ACCESS_REQUEST_ESCALATION_HOURS", default=24)
PARCOURS_ORGANISATION_REQUEST_LIMIT_PER_HOUR = env.int("PARCOURS_ORGANISATION_REQUEST_LIMIT_PER_HOUR", default=10)

PARCOURS_DIRECTORY_BACKEND = env.str("PARCOURS_DIRECTORY_BACKEND", default="local")
PARCOURS_ENTREPRISES_API_URL = env.str(
    "PARCOURS_ENTREPRISES_API_URL", default="https://recherche-entreprises.api.gouv.fr"
)
PARCOURS_EDUCATION_API_URL = env.str("PARCOURS_EDUCATION_API_URL", default="https://data.education.gouv.fr")
PARCOURS_DIRECTORY_HTTP_TIMEOUT = env.float("PARCOURS_DIRECTORY_HTTP_TIMEOUT", default=5.0)

# Wrong codes count in our lockout: ACCOUNT_RATE_LIMITS turns allauth's own limit off.
MFA_FORMS = {
    "authenticate": "parcours.accounts.forms.MfaAuthenticateForm",
    "reauthenticate": "parcours.accounts.forms.MfaReauthenticateForm",
}
MFA_ADAPTER = "parcours.accounts.adapter.MfaAdapter"
