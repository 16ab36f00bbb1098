"""Settings for Dongnam, read from the environment.

``DONGNAM_ENV`` picks the safe defaults: ``production`` (the default, so a forgotten variable never
turns a server into a development box), ``development`` (``make run``) or ``test`` (the test suite).
Every other value can be overridden by its own variable; see README.md.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from dongnam.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DONGNAM_ENV = env_choice("DONGNAM_ENV", "production", ("production", "development", "test"))
PRODUCTION = DONGNAM_ENV == "production"

# Runtime data of the embedded setup: SQLite database, uploaded media, mail files, Celery broker.
VAR_DIR = Path(env_str("DONGNAM_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", DONGNAM_ENV == "development")

_DEV_SECRET_KEY = "dongnam-insecure-development-key-never-use-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production needs a long random SECRET_KEY; "
            "for local use set DONGNAM_ENV=development."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif PRODUCTION and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is the public development key; set a real one.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.kakao",
    "allauth.socialaccount.providers.naver",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "audit",
    "accounts",
    "notifications",
    "hall",
    "tenants",
    "bookings",
    "payments",
    "papers",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A NUL or lone surrogate in the address, query, form, cookies or headers is a 400 before any view sees it.
    "common.middleware.MalformedRequestMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hall.middleware.ManagerMfaMiddleware",
    # A domain error a view lets through becomes a page with its status and message (the API: dongnam.api).
    "common.error_pages.DomainErrorMiddleware",
]

ROOT_URLCONF = "dongnam.urls"
WSGI_APPLICATION = "dongnam.wsgi.application"

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
                "dongnam.context_processors.navigation",
                "notifications.context_processors.bell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dongnam.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] and _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction starts, so two bookings of one room
        # are serialized instead of failing late with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # Tests use a file, not shared-cache memory: concurrent bookings must meet SQLite's real write lock.
    # One file per test process, so runs side by side do not share it.
    _db["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Redis ------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # Shared by all web workers: login rate limits must count across processes. While Redis does not answer
    # (0.5 s socket timeouts), each process logs an error and counts in memory instead (common.cache), so
    # sign-in, sign-up and password reset keep working and stay rate limited.
    CACHES = {"default": {"BACKEND": "common.cache.FallbackRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: messages are files under var/, so `make run` needs no server.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A task not acknowledged within this time is delivered again (acks_late tasks survive a crash).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    CELERY_BROKER_TRANSPORT = "dongnam.broker:Transport"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# On PostgreSQL, a worker learns of new notifications from the database (LISTEN/NOTIFY) and requests do not
# publish them to the broker (notifications.relay). On by default in production.
NOTIFICATIONS_RELAY = env_bool("NOTIFICATIONS_RELAY", PRODUCTION)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = "Asia/Seoul"
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# allauth's mails carry the notifications' subject prefix in the mail's language ([동남전시장] / [Dongnam])
# and speak in the hall's name, not the host's: accounts.adapters.AccountAdapter. After signing in, each person
# lands where they work (dongnam.selectors.landing_url), decided in the wiring, which sees every app.
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "dongnam.account_adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Dongnam"
# Managers and admins must have TOTP before they may use manager pages or the admin.
MANAGER_MFA_REQUIRED = env_bool("MANAGER_MFA_REQUIRED", True)
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "dongnam-demo")

# --- Kakao and Naver login (allauth's own providers) -----------------------------------------
# Each provider is offered on the sign-in and sign-up pages only when its client id and secret are set: with
# no app configured, allauth lists no button for it. The callback URLs to register with Kakao Developers and
# Naver Developers are https://<host>/accounts/kakao/login/callback/ and /accounts/naver/login/callback/.
KAKAO_CLIENT_ID = env_str("KAKAO_CLIENT_ID", "")
KAKAO_CLIENT_SECRET = env_str("KAKAO_CLIENT_SECRET", "")
NAVER_CLIENT_ID = env_str("NAVER_CLIENT_ID", "")
NAVER_CLIENT_SECRET = env_str("NAVER_CLIENT_SECRET", "")
SOCIALACCOUNT_PROVIDERS = {
    # Kakao asks the person for each item of the consent screen: the nickname for the name, the e-mail address
    # to find or make the account.
    "kakao": {"SCOPE": ["profile_nickname", "account_email"]},
    "naver": {},
}
for _provider, _client_id, _secret in (
    ("kakao", KAKAO_CLIENT_ID, KAKAO_CLIENT_SECRET),
    ("naver", NAVER_CLIENT_ID, NAVER_CLIENT_SECRET),
):
    if _client_id and _secret:
        SOCIALACCOUNT_PROVIDERS[_provider]["APPS"] = [{"client_id": _client_id, "secret": _secret}]
SOCIAL_LOGIN_HOSTS = [
    host
    for provider, host in (("kakao", "https://kauth.kakao.com"), ("naver", "https://nid.naver.com"))
    if "APPS" in SOCIALACCOUNT_PROVIDERS[provider]
]
SOCIALACCOUNT_ADAPTER = "accounts.social.SocialAccountAdapter"
# A social login joins an existing account through its e-mail address only when both sides verified it
# (accounts.social); otherwise it makes a new account, whose address is verified by mail as for a sign-up.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
# The tokens are not used after sign-in: none are kept.
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10

# --- The business-number check (국세청 사업자등록 상태조회, public data portal) -----------------------
# With a service key from data.go.kr, each organization's number is checked when it is registered or changed,
# and again every year (tenants.business). Without one, only the number's check digit is verified.
NTS_API_BASE = env_str("NTS_API_BASE", "https://api.odcloud.kr/api").rstrip("/")
NTS_SERVICE_KEY = env_str("NTS_SERVICE_KEY")
NTS_TIMEOUT = env_int("NTS_TIMEOUT", 5)
# Documents attached to a lease renewal request.
RENEWAL_DOCUMENT_MAX_BYTES = env_int("RENEWAL_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.PersonalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "common.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "dongnam.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "dongnam.parsers.JSONParser",
        "dongnam.parsers.FormParser",
        "dongnam.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DATETIME_FORMAT": "iso-8601",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
KNOX_TOKEN_MODEL = "accounts.PersonalToken"
# knox's own migrations create its default token table even when KNOX_TOKEN_MODEL replaces it; that unused
# table references accounts_user and makes PostgreSQL refuse to flush (TRUNCATE) the user table.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    # Personal tokens live until their owner revokes them on the account page.
    "TOKEN_TTL": None,
    "TOKEN_PREFIX": "dn_",
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dongnam API",
    "DESCRIPTION": "Booking and tenant system of the Dongnam Exhibition Hall (동남전시장), Changwon.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}

# --- Internationalization -------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "dongnam_language"
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
# collectstatic's target in production; development and tests serve from the finders instead.
STATIC_ROOT = env_str("STATIC_ROOT") or (str(VAR_DIR / "static") if PRODUCTION else None)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if DONGNAM_ENV == "development":
    # `make run` keeps DEBUG off (the site's own error pages) yet serves static files as they are edited,
    # without collectstatic and without the browser caching an old copy.
    WHITENOISE_AUTOREFRESH = True
    WHITENOISE_MAX_AGE = 0

# --- Notifications ---
# The address links in e-mails point to.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
BOOKING_REMINDER_HOURS = [int(h) for h in env_list("BOOKING_REMINDER_HOURS", ["24", "1"])]
# How long the first of a waiting list has to take a freed slot.
WAITLIST_OFFER_HOURS = env_int("WAITLIST_OFFER_HOURS", 24)
# Seconds a statement waits for a row lock (PostgreSQL lock_timeout, set per connection); a booking that
# waited that long for its room or organization answers 409 "busy".
BOOKING_LOCK_TIMEOUT = env_int("BOOKING_LOCK_TIMEOUT", 5)
LEASE_REMINDER_DAYS = [int(d) for d in env_list("LEASE_REMINDER_DAYS", ["90", "60", "30", "7"])]

# --- Online payment (Toss Payments, payments app) --------------------------------------------
# Both keys, from Toss's developer centre (test_ck_/test_sk_ or live_ck_/live_sk_), turn online payment on;
# without them bookers pay by bank transfer only. One key without the other is a configuration error.
TOSS_PAYMENTS_CLIENT_KEY = env_str("TOSS_PAYMENTS_CLIENT_KEY").strip()
TOSS_PAYMENTS_SECRET_KEY = env_str("TOSS_PAYMENTS_SECRET_KEY").strip()
if bool(TOSS_PAYMENTS_CLIENT_KEY) != bool(TOSS_PAYMENTS_SECRET_KEY):
    raise ImproperlyConfigured("Set both TOSS_PAYMENTS_CLIENT_KEY and TOSS_PAYMENTS_SECRET_KEY, or neither.")
TOSS_PAYMENTS_API_BASE = env_str("TOSS_PAYMENTS_API_BASE", "https://api.tosspayments.com").rstrip("/")
# The checkout script the payment page loads: the one external script of the site, on that page only.
TOSS_PAYMENTS_CHECKOUT_SCRIPT = env_str("TOSS_PAYMENTS_CHECKOUT_SCRIPT", "https://js.tosspayments.com/v2/standard")
# Seconds to open a connection to Toss, and to wait for its answer (a card approval can take a while).
TOSS_PAYMENTS_CONNECT_TIMEOUT = env_int("TOSS_PAYMENTS_CONNECT_TIMEOUT", 5)
TOSS_PAYMENTS_READ_TIMEOUT = env_int("TOSS_PAYMENTS_READ_TIMEOUT", 30)

# --- E-mail ---------------------------------------------------------------------------------
_default_email_backend = {
    "production": "django.core.mail.backends.smtp.EmailBackend",
    "development": "django.core.mail.backends.filebased.EmailBackend",
    "test": "django.core.mail.backends.locmem.EmailBackend",
}[DONGNAM_ENV]
EMAIL_BACKEND = env_str("EMAIL_BACKEND", _default_email_backend)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "동남전시장 <no-reply@dongnam.example>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets X-Forwarded-Proto itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp), the one place the policy is declared. Pages load scripts and
# styles only from our own static files: no inline <script>, <style>, style="" or on...="" (a test reads
# every template for them), so neither 'unsafe-inline' nor 'unsafe-eval' is needed. A view that needs
# more extends it for its own response only, e.g. the payment page that will load Toss Payments' checkout:
#     @csp_update({"script-src": ["https://js.tosspayments.com"], "frame-src": [...], "connect-src": [...]})
# (csp_update appends to the directives below; one not listed below gets only the sources given, as
# default-src no longer applies to it). A library template that must keep an inline script gets a nonce:
#     @csp_update({"script-src": [csp.constants.NONCE]}) and <script nonce="{{ request.csp_nonce }}">.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for images that are not files: the TOTP set-up QR code allauth renders as a data: URL,
        # and the small SVG icons inside Pico's and Swagger UI's stylesheets (select arrows, checkboxes).
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        # No framing at all (X_FRAME_OPTIONS = "DENY" for older browsers).
        "frame-ancestors": [NONE],
        # A form's redirect counts as its submission: the sign-in buttons post here, then go on to the
        # providers' consent pages (only those with keys).
        "form-action": [SELF, *SOCIAL_LOGIN_HOSTS],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- KakaoTalk 알림톡 and SMS (SOLAPI) ---------------------------------------------------------
# Without a provider and its keys the KakaoTalk/SMS channel is off: nobody can add a mobile number, no such
# message is written, and e-mail and the bell work as before (common.solapi.is_configured). The API base is a
# setting so that tests can point the client at a stand-in on loopback.
MESSAGING_PROVIDER = env_choice("MESSAGING_PROVIDER", "", ("", "solapi"))
SOLAPI_API_KEY = env_str("SOLAPI_API_KEY")
SOLAPI_API_SECRET = env_str("SOLAPI_API_SECRET")
SOLAPI_API_BASE = env_str("SOLAPI_API_BASE", "https://api.solapi.com").rstrip("/")
# The caller number registered with SOLAPI (발신번호), digits only or with hyphens.
SOLAPI_SENDER = env_str("SOLAPI_SENDER")
# Seconds to wait for SOLAPI's answer; a message that times out is retried like one the provider refused with 5xx.
SOLAPI_TIMEOUT = env_int("SOLAPI_TIMEOUT", 10)
# The KakaoTalk channel's sender profile (발신 프로필, pfId). Without it, messages go by SMS/LMS only.
KAKAO_PF_ID = env_str("KAKAO_PF_ID")
# KakaoTalk and SMS messages written in these hours (Asia/Seoul) wait until they end, except urgent kinds
# (notifications.quiet_hours). "HH:MM-HH:MM"; empty for none.
QUIET_HOURS = env_str("QUIET_HOURS", "21:00-08:00").strip()
if QUIET_HOURS and not (
    QUIET_HOURS.count("-") == 1
    and all(
        len(part) == 5
        and part[2] == ":"
        and part[:2].isdigit()
        and part[3:].isdigit()
        and int(part[:2]) < 24
        and int(part[3:]) < 60
        for part in QUIET_HOURS.split("-")
    )
):
    raise ImproperlyConfigured(f"QUIET_HOURS must look like 21:00-08:00 (or be empty); got {QUIET_HOURS!r}")
# Asking for a phone verification code: per address and per number (allauth's rate limits, in the cache).
ACCOUNT_RATE_LIMITS["phone_code"] = env_str("PHONE_CODE_RATE_LIMIT", "10/h/ip,3/10m/key")
