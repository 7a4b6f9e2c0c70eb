"""factcheck settings: one module, every value read from the environment.

See README.md ("Configuration") for the variables. Helpers in factcheck.env raise
ImproperlyConfigured naming the variable when a value cannot be read. A checkout's
``.env`` (written by ``make run``) fills the variables that are not set, before anything
is read; see factcheck.env.read_env_file for when it is not read at all.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from factcheck import quickstart
from factcheck.env import (
    env_bool,
    env_choice,
    env_database,
    env_email,
    env_int,
    env_int_list,
    env_list,
    env_networks,
    env_str,
    env_time_zone,
    env_url,
    read_env_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent
read_env_file(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY", allow_file=True)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Environment variable SECRET_KEY is not set. It is required when DEBUG is off; "
            "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Absolute address of this site, used in emails and feeds built outside a request
# (`make run` sets it to the port it serves on, in .env).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The publishing newsroom, named as the author of ClaimReview markup and feeds.
NEWSROOM_NAME = env_str("NEWSROOM_NAME", "factcheck newsroom")
NEWSROOM_URL = env_str("NEWSROOM_URL", SITE_URL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files for the API reference page, served from here (no CDN).
    "drf_spectacular_sidecar",
    "django_filters",
    # Bulk import and export of claims as CSV and XLSX in the admin (claims/imports/).
    "import_export",
    # Sign-in: failed attempts and lockouts (axes), one-time codes from an app and backup codes (django-otp).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "claims",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database out of reach: 503 with Retry-After and a page of our own, not a 500.
    "factcheck.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # A sign-in POST (a password hash) takes a slot of the cap on expensive work.
    "claims.throttle.guard.SignInGuard",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # Sends a session that owes its second factor to the code or enrolment page (claims/signin/).
    "claims.signin.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Records the logged-in user on every history row written during a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as axes asks: turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"

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
                "claims.context_processors.newsroom",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'factcheck.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that sends nothing while the server is silent.
    DATABASES["default"]["ENGINE"] = "factcheck.postgresql"
    # PostgreSQL's JIT compiled a bounded feed query for 1.3 s to run it in 1 ms at 20,000
    # claims; our queries are short OLTP lookups, so it only costs.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file in development: wait for locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})

# PostgreSQL: the fixed queries of hot public pages run as prepared statements, with their
# values written in (claims/compiled.py); psycopg's automatic preparation stays off.
# Behind PgBouncer in transaction mode, PgBouncer 1.21+ with max_prepared_statements is
# needed, or PREPARED_STATEMENTS=0.
PREPARED_STATEMENTS = env_bool("PREPARED_STATEMENTS", default=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out username and address before any password is hashed.
    "axes.backends.AxesStandaloneBackend",
    # Withholds publish and delete from a session without its second factor (REQUIRE_2FA).
    "claims.signin.backends.SecondFactorPermissions",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The newsroom's zone: a deadline is a date in it, and "overdue" is judged by its calendar.
TIME_ZONE = env_time_zone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# The newsroom's date formats ("2 December 2026", times with their zone) and the date inputs it
# accepts: factcheck/formats/en/formats.py, the same as claims.formats.
FORMAT_MODULE_PATH = ["factcheck.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Redis: Celery broker and cache -------------------------------------------------
# `make run`'s folder for what its processes share: the beat schedule and, without Redis,
# Celery's queue and the cache (factcheck/quickstart.py).
RUN_DIR = quickstart.run_dir(BASE_DIR)
# Development without Redis: Celery's broker and the cache on files in RUN_DIR (decided
# by EMBEDDED_SERVICES, or when DEBUG=1, REDIS_URL is unset and 127.0.0.1:6379 is silent).
EMBEDDED_SERVICES = quickstart.embedded_services(debug=DEBUG)
# With DEBUG=1 each checkout has names of its own in a shared Redis (cache keys, Celery's
# queue); production keeps fixed ones, which the next release in another directory shares.
_OWN_NAME = f"factcheck-{quickstart.checkout_id(BASE_DIR)}" if DEBUG else "factcheck"
REDIS_URL = (
    None
    if EMBEDDED_SERVICES
    else env_url("REDIS_URL", quickstart.DEFAULT_REDIS_URL, schemes={"redis", "rediss", "unix"})
)
# Seconds before a Redis call gives up; a dead Redis must never hang a web request.
REDIS_TIMEOUT = env_int("REDIS_TIMEOUT", 2, minimum=1)
# After a failed cache call a process leaves Redis alone this long (factcheck/cache.py).
REDIS_COOL_DOWN_SECONDS = env_int("REDIS_COOL_DOWN_SECONDS", 5, minimum=0)

if EMBEDDED_SERVICES:
    CACHES = {
        "default": {
            # One SQLite file that the web process, the worker and beat share (factcheck/sqlite_cache.py).
            "BACKEND": "factcheck.sqlite_cache.SQLiteCache",
            "LOCATION": str(RUN_DIR / "cache.sqlite3"),
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", _OWN_NAME),
            "TIMEOUT": env_int("CACHE_TIMEOUT", 300, minimum=0),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
else:
    CACHES = {
        "default": {
            # Fails open: when Redis is down, pages are rendered uncached instead of erroring.
            "BACKEND": "factcheck.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", _OWN_NAME),
            "TIMEOUT": env_int("CACHE_TIMEOUT", 300, minimum=0),
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
# Seconds an anonymous public page stays cached (claims/public_cache.py); 0 turns it off.
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 300, minimum=0)
# Seconds a process serves its own copy of a hot page before asking Redis whether anything
# changed: the staleness bound for writes made in other processes. 0 always asks Redis.
PUBLIC_CACHE_LOCAL_SECONDS = env_int("PUBLIC_CACHE_LOCAL_SECONDS", 1, minimum=0)
# Seconds a part of a claim's or claimant's page is kept, keyed by that page's own version
# (claims/fragments.py): unlike whole pages, it outlives edits to other claims. Long enough
# for the pages readers return to; short enough that a crawler walking every claim (7 KB
# a claim page, 45 KB a claimant's) does not fill Redis. 0 turns the parts off.
PUBLIC_FRAGMENT_SECONDS = env_int("PUBLIC_FRAGMENT_SECONDS", 900, minimum=0)
# A public search (the list page's and the API's ``q``) is stopped after this many
# milliseconds on PostgreSQL, and the reader asked to narrow it: a few common words that
# rarely meet can walk most of the register (seconds at a million claims), and a handful
# of such requests would hold every worker. 0: no limit.
PUBLIC_SEARCH_TIMEOUT_MS = env_int("PUBLIC_SEARCH_TIMEOUT_MS", 1000, minimum=0)
# After a change, a Celery worker recomputes the slowest shared aggregate (the site's track
# record) while readers keep the previous one (claims/public_refresh.py). 0 for a deployment
# without workers: then the first reader after a change computes it.
PUBLIC_REFRESH_IN_BACKGROUND = env_bool("PUBLIC_REFRESH_IN_BACKGROUND", default=True)
PUBLIC_REFRESH_SECONDS = env_int("PUBLIC_REFRESH_SECONDS", 300, minimum=10)
# Sitemaps are built by a worker (claims/sitemaps/), never in a request: after a change at
# most once per this many seconds, and by beat as often, so they are about this far behind.
PUBLIC_SITEMAP_SECONDS = env_int("PUBLIC_SITEMAP_SECONDS", 300, minimum=10)

# --- Open data (/data/, claims/opendata/) ----------------------------------------------------
# The licence of the downloads, named in the JSON's metadata, the files' Link header and on /data/.
DATA_LICENSE = env_str("DATA_LICENSE", "CC BY 4.0")
DATA_LICENSE_URL = env_str("DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/")
# A worker rebuilds the files after a change at most once per this many seconds, and beat as often.
OPEN_DATA_SECONDS = env_int("OPEN_DATA_SECONDS", 300, minimum=10)
# Where the built files are kept: the web processes read what the worker writes, so a shared directory.
OPEN_DATA_DIR = env_str("OPEN_DATA_DIR", str(BASE_DIR / "opendata"))
STORAGES["opendata"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": OPEN_DATA_DIR},
}

# The bulk import (claims/imports/): a file larger than this, or with more rows, is refused
# in words before it is read further (the preview runs the whole import in one request).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 5000, minimum=1)
# Between preview and confirmation the uploaded file waits in the cache (Redis: every web
# process sees it, and it expires), never in the shared temporary folder.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "claims.imports.storage.UploadCacheStorage"

# --- Bounds on public work (claims/throttle/) ---------------------------------------------
# Expensive requests (a search, a filtered or deep list page, the feed or calendar when not
# cached, a sign-in POST) running at once across the deployment, counted in Redis; past it,
# 503 with Retry-After. About half the web workers of the whole deployment, so the rest keep
# answering everyone else. 0: no cap.
PUBLIC_EXPENSIVE_CONCURRENCY = env_int("PUBLIC_EXPENSIVE_CONCURRENCY", 2, minimum=0)
# Seconds a client refused by that cap is asked to wait (Retry-After).
PUBLIC_BUSY_RETRY_AFTER = env_int("PUBLIC_BUSY_RETRY_AFTER", 5, minimum=1)
# Requests a minute per client address to the API and to the list page's search; past it,
# 429 with Retry-After. 0: no limit. Addresses are REMOTE_ADDR, or X-Forwarded-For as
# written by TRUSTED_PROXIES (claims/throttle/address.py).
PUBLIC_RATE_LIMIT = env_int("PUBLIC_RATE_LIMIT", 120, minimum=0)
# The same, per kind of request whose answer costs more than an API page and that no one
# needs often: searches on the list page, sitemaps, sign-in POSTs (claims/throttle/rate.py).
PUBLIC_SEARCH_RATE_LIMIT = env_int("PUBLIC_SEARCH_RATE_LIMIT", 30, minimum=0)
PUBLIC_SITEMAP_RATE_LIMIT = env_int("PUBLIC_SITEMAP_RATE_LIMIT", 10, minimum=0)
PUBLIC_DOWNLOAD_RATE_LIMIT = env_int("PUBLIC_DOWNLOAD_RATE_LIMIT", 10, minimum=0)
SIGN_IN_RATE_LIMIT = env_int("SIGN_IN_RATE_LIMIT", 20, minimum=0)

# The filesystem transport's URL names a host only so that kombu does not warn about its absence.
CELERY_BROKER_URL = "filesystem://localhost//" if EMBEDDED_SERVICES else REDIS_URL
CELERY_RESULT_BACKEND = None  # tasks report through the database, not results
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only after it ran, and put back if its worker dies mid-way;
# every task is written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": REDIS_TIMEOUT,
    "socket_connect_timeout": REDIS_TIMEOUT,
    # Longer than any task runs, so a slow task is not handed to a second worker.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60),
}
if DEBUG:
    # The queue's keys in Redis, per checkout: a worker never takes another checkout's tasks.
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = f"{_OWN_NAME}:"
if EMBEDDED_SERVICES:
    CELERY_BROKER_TRANSPORT_OPTIONS = quickstart.filesystem_broker(RUN_DIR / "celery")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# --- Deadline reminders ----------------------------------------------------------------
# At most ten years each: reminder points are counted in days from deadlines of 1900 to
# 2200 (claims/reminders/points.py), and must stay far inside the calendar's years 1-9999.
REMINDER_LEAD_DAYS = env_int_list("REMINDER_LEAD_DAYS", [30, 7], minimum=1, maximum=3660)
REMINDER_OVERDUE_EVERY_DAYS = env_int("REMINDER_OVERDUE_EVERY_DAYS", 7, minimum=1, maximum=3660)
REMINDER_SWEEP_SECONDS = env_int("REMINDER_SWEEP_SECONDS", 300, minimum=10)
# A reminder claimed by a sweep that has not sent it after this long is taken by a later
# sweep (the first one died): longer than any sweep runs, short enough to resend promptly.
REMINDER_CLAIM_TIMEOUT_SECONDS = env_int("REMINDER_CLAIM_TIMEOUT_SECONDS", 900, minimum=60)
# --- The two-person rule (claims/review.py) ----------------------------------------------
# Publishing a claim, and giving a published claim an outcome or changing it, wait for a
# chief editor other than the one who asked (REVIEW_APPROVALS of them, as a panel does).
REVIEW_REQUIRED = env_bool("REVIEW_REQUIRED", default=True)
REVIEW_APPROVALS = env_int("REVIEW_APPROVALS", 1, minimum=1, maximum=5)
# A review waiting longer than this is listed in the chief editors' reminder digests.
REVIEW_REMIND_HOURS = env_int("REVIEW_REMIND_HOURS", 24, minimum=1, maximum=24 * 365)
# --- Readers: tips and following by email (claims/readers/) --------------------------------
# How often beat runs the followers' sweep: each follower gets at most one digest per sweep.
FOLLOW_DIGEST_SECONDS = env_int("FOLLOW_DIGEST_SECONDS", 600, minimum=10)
# Days a confirmation link (of a follow, or of a tipster's address) works.
FOLLOW_LINK_MAX_AGE_DAYS = env_int("FOLLOW_LINK_MAX_AGE_DAYS", 7, minimum=1, maximum=365)
# A message claimed by a followers' sweep that has not sent it after this long is taken
# over by a later sweep (the first one died); as REMINDER_CLAIM_TIMEOUT_SECONDS.
FOLLOW_CLAIM_TIMEOUT_SECONDS = env_int("FOLLOW_CLAIM_TIMEOUT_SECONDS", 900, minimum=60)
# Per client address and hour: tips sent (/suggest/), and requests to follow (/follow/). 0: no limit.
TIP_RATE_LIMIT = env_int("TIP_RATE_LIMIT", 5, minimum=0)
FOLLOW_RATE_LIMIT = env_int("FOLLOW_RATE_LIMIT", 10, minimum=0)

# --- Webhooks for partners (claims/webhooks/) ------------------------------------------------
# An endpoint is turned off (and the chief editors told) after this many failed attempts in a row.
WEBHOOK_MAX_FAILURES = env_int("WEBHOOK_MAX_FAILURES", 10, minimum=1)
# Endpoints on private, loopback or link-local addresses are refused unless this is on (tests, a lab).
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", default=False)
# Seconds to connect and to wait for an endpoint's answer; longer counts as a failure.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1, maximum=60)
# The first retry's wait after a failure, doubled on each further one (at most a day).
WEBHOOK_RETRY_SECONDS = env_int("WEBHOOK_RETRY_SECONDS", 60, minimum=1)
# How often beat runs the sender (it is also queued after each change that makes deliveries).
WEBHOOK_SWEEP_SECONDS = env_int("WEBHOOK_SWEEP_SECONDS", 60, minimum=5)
# A sender run starts no delivery after this many seconds; the next run goes on.
WEBHOOK_SEND_BUDGET_SECONDS = env_int("WEBHOOK_SEND_BUDGET_SECONDS", 240, minimum=10)

# Run by the single beat; the sweep is safe to run twice at once (see claims/reminders/sweep.py).
CELERY_BEAT_SCHEDULE = {
    "sweep-deadlines": {
        "task": "claims.tasks.sweep_deadlines",
        "schedule": REMINDER_SWEEP_SECONDS,
        # Sweeps queued while no worker ran are dropped, not run back to back: one catches up.
        "options": {"expires": REMINDER_SWEEP_SECONDS},
    },
    # The public aggregates kept by a worker (claims/public_refresh.py): after midnight, and
    # to keep them from expiring between changes. Cheap when they are current.
    "refresh-public-data": {
        "task": "claims.tasks.refresh_public_data",
        "schedule": PUBLIC_REFRESH_SECONDS,
        "options": {"expires": PUBLIC_REFRESH_SECONDS},
    },
    # Followers' digests, confirmations and tipsters' notices (claims/readers/digests.py).
    "sweep-followers": {
        "task": "claims.tasks.sweep_followers",
        "schedule": FOLLOW_DIGEST_SECONDS,
        "options": {"expires": FOLLOW_DIGEST_SECONDS},
    },
    # Webhook deliveries due, and retries (claims/webhooks/sender.py); safe to run twice at once.
    "send-webhooks": {
        "task": "claims.tasks.send_webhooks",
        "schedule": WEBHOOK_SWEEP_SECONDS,
        "options": {"expires": WEBHOOK_SWEEP_SECONDS},
    },
    # Builds the open data files when they are missing or older than the last change (claims/opendata/).
    "build-open-data": {
        "task": "claims.tasks.build_open_data",
        "schedule": OPEN_DATA_SECONDS,
        "options": {"expires": OPEN_DATA_SECONDS},
    },
    # Builds the sitemaps when they are missing or older than the last change (claims/sitemaps/).
    "build-sitemaps": {
        "task": "claims.tasks.build_sitemaps",
        "schedule": PUBLIC_SITEMAP_SECONDS,
        "options": {"expires": PUBLIC_SITEMAP_SECONDS},
    },
}

# --- Email ------------------------------------------------------------------------------
_email = env_email("EMAIL_URL", None)
if _email:
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email.get("EMAIL_HOST", "")
    EMAIL_PORT = _email.get("EMAIL_PORT") or 25
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
elif env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "", allow_file=True)
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
else:
    # Without a mail server, development logs each email at INFO (factcheck/mail.py).
    EMAIL_BACKEND = "factcheck.mail.LoggingEmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "factcheck <factcheck@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -----------------------------------------------------------------------------
# On by default when DEBUG is off. Behind a TLS-terminating proxy, set
# SECURE_PROXY_SSL_HEADER=1 (trust X-Forwarded-Proto) or turn the redirect off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy: no inline script anywhere, no third-party origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Signing in ---------------------------------------------------------------------------
# After LOGIN_FAILURE_LIMIT failed sign-ins for one username from one address, that pair is
# refused, the right password too, until LOGIN_COOLOFF_MINUTES have passed since its last
# failure (claims/signin/lockout.py). axes reads both through the callables below, so the
# two settings stay the only source.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1)
# Reverse proxies whose X-Forwarded-For is believed (claims/throttle/address.py); without
# them the header is ignored, since any client can send it.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", [])
AXES_FAILURE_LIMIT = "claims.signin.lockout.failure_limit"
AXES_COOLOFF_TIME = "claims.signin.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "claims.throttle.address.lockout_address"
AXES_LOCKOUT_CALLABLE = "claims.signin.lockout.locked_out"
# A refused attempt while locked does not move the end of the lockout: the page can say when.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Each failure is kept (up to 1,000 per username), marked when it locked the pair.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Two-factor sign-in (claims/signin/): "chief": publish and delete need a code from the
# authenticator app in this session; "staff": the whole desk does; "none": only accounts
# that enrolled are asked. Off by default in development so that `make run` needs no phone.
REQUIRE_2FA = env_choice("REQUIRE_2FA", "none" if DEBUG else "chief", choices=("chief", "staff", "none"))
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = NEWSROOM_NAME
# The admin's pages of devices (for superusers) do not show keys or backup codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- History ----------------------------------------------------------------------------------
# Reverting from the history page would write without a reason; editors change values instead.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "factcheck API",
    "DESCRIPTION": "Read-only access to published claims and their status.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # axes announces itself at every start at INFO; its failures and lockouts are warnings.
        "axes": {"level": "WARNING"},
    },
}
# Reasons are free text written by editors; a 100-character column would truncate them.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
