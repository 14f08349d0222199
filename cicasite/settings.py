"""Settings for the CICA site: one module, configured by environment variables.

Every value that differs between a laptop, CI and production comes from the
environment through the strict helpers of cicasite.environment, which raise ImproperlyConfigured
on a value they cannot read. Secrets have no production default: without
DJANGO_DEBUG=1 the site refuses to start unless SECRET_KEY is set.

Variables (all optional in development; docs/production.md "Configuration" has the full list):
    DJANGO_DEBUG          1 for development (make run, make test); unset in production
    SECRET_KEY            required unless DJANGO_DEBUG=1 (or SECRET_KEY_FILE: a file holding it);
                          at least 50 characters; SECRET_KEY_FALLBACKS for rotation
    DATABASE_URL          sqlite:///path or postgres://user:pass@host:port/name;
                          unset means SQLite in var/db.sqlite3
    ALLOWED_HOSTS         comma-separated host names; required in production
    SITE_URL              canonical absolute URL of the site, e.g. https://cica.example;
                          with DJANGO_DEBUG=1 links follow the address served instead (cicasite.core.links)
    EMAIL_HOST            SMTP relay for review notifications (EMAIL_PORT, EMAIL_HOST_USER,
                          EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, DEFAULT_FROM_EMAIL); unset: console
    CACHE_URL             redis://host:6379/0, or locmem:// (default); also holds the page cache
                          when it is Redis, otherwise pages go to a file cache in PAGE_CACHE_DIR
    CACHE_KEY_PREFIX      prefix of every cache key (several sites or benchmarks on one Redis)
    BUILD_ID              the deployed code's id (e.g. its commit); cached pages and data are kept per
                          build. Unset: a hash of the code, templates, translations and static files
    PAGE_CACHE            cache whole anonymous pages (default on in production, off with DJANGO_DEBUG=1)
    DATA_CACHE            cache facet counts and page boundaries per content version (same default)
    PAGE_CACHE_SECONDS    longest life of a cached page (default 600); edits invalidate at once
    EDGE_CACHE_SECONDS    s-maxage of shareable pages: how long nginx or a CDN may keep them (default 1)
    MEDIA_ROOT            where uploads are stored (default var/media)
    STATIC_ROOT           where collectstatic writes (default var/static)
    SECURE_SSL_REDIRECT   redirect http to https (default on in production)
    TRUSTED_PROXIES       comma-separated addresses of the reverse proxies whose
                          X-Forwarded-For (login throttling) and X-Request-ID are believed
    BACKUP_KEY            signs backups (or BACKUP_KEY_FILE); manage.py backup needs it in production
    LOG_HASH_KEY          keys the tokens of failed logins in the logs (or LOG_HASH_KEY_FILE; default SECRET_KEY)
    LOG_FORMAT            json (production default) or text (development default)
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from js_asset import static_lazy

from cicasite.environment import (
    build_id,
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_cache_url,
    parse_database_url,
    read_key,
    read_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)


SECRET_KEY = read_secret_key(DEBUG)
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

if DEBUG:
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
else:
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names (no '*').")

# In development absolute links use the request's address instead (cicasite.core.links.site_url).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Mail: the review workflow tells Publishers and Editors (cicasite.core.review). In development the
# messages are printed on the console; in production EMAIL_HOST (and the rest) name the SMTP relay,
# else the local mail server (localhost:25) is used.
# The test runner replaces the backend with its in-memory outbox.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CICA site <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env_str("EMAIL_HOST", ""):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST"),
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 10,
            },
        }
    }
elif DEBUG:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:  # production without a relay named: the local MTA (a failed send is logged, never an error page)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "localhost", "port": 25, "timeout": 10},
        }
    }

INSTALLED_APPS = [
    # Before the admin: it patches the admin's model forms for translated fields.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",  # site search: trigram lookups (inert on SQLite)
    "django_filters",
    "axes",
    "reversion",  # revision history of public records (cicasite/core/editorial.py)
    "django_prose_editor",  # the rich-text editor of bodies (cicasite/core/richtext.py): its scripts and styles
    # The layers (README "Layout"): the ground floor, the apps on it, the site on top.
    "cicasite.core",
    "members",
    "events",
    "initiatives",
    "cicasite",
]

MIDDLEWARE = [
    "cicasite.core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "cicasite.core.middleware.CrossOriginResourcePolicyMiddleware",
    # Below the header middleware, so static files get HSTS, nosniff and CORP too.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above CSP, session, CSRF and auth: a cached page is served without them (cicasite/core/pagecache.py).
    "cicasite.core.middleware.AnonymousPageCacheMiddleware",
    # Development only: absolute links follow the address served (cicasite.core.links); pages are keyed by host.
    "cicasite.core.links.SiteUrlMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language comes from the URL (/ru/...), never from a cookie (cicasite.core.middleware).
    "cicasite.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # /admin/ only: the language each member of staff chose ("My preferences"); public pages keep the URL's.
    "cicasite.core.preferences.AdminLanguageMiddleware",
    # Every write in a request is the user's, checked by the publishing rule (cicasite.core.publishing).
    "cicasite.core.publishing.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: refuses a locked-out login before the view runs.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "cicasite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cicasite.core.context_processors.site",
                "cicasite.core.context_processors.languages",
            ],
        },
    },
]

WSGI_APPLICATION = "cicasite.wsgi.application"

DATABASES = {"default": parse_database_url(os.environ.get("DATABASE_URL") or "sqlite:///var/db.sqlite3")}
# Primary keys are BigAutoField: Django 6's default for DEFAULT_AUTO_FIELD.


CACHE_URL = env_str("CACHE_URL", "locmem://")
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "")
# Cached values are pickles, and a pickle names its class's module: bump this when a cached class
# moves (3: the ground floor moved to cicasite.core), so that no worker reads a value whose class is gone.
CACHE_VERSION = 3
BUILD_ID = build_id()
CACHES = {
    "default": parse_cache_url(CACHE_URL) | {"KEY_PREFIX": CACHE_KEY_PREFIX, "VERSION": CACHE_VERSION},
    # Whole anonymous pages and their content version: shared by every worker, never per process.
    "pages": (
        parse_cache_url(CACHE_URL)
        if urlsplit(CACHE_URL).scheme in {"redis", "rediss"}
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_str("PAGE_CACHE_DIR", str(BASE_DIR / "var" / "cache" / "pages")),
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    )
    # Per build (cicasite.environment.build_id): a deploy never serves what the previous code rendered.
    | {"KEY_PREFIX": f"{CACHE_KEY_PREFIX}pages-{BUILD_ID}", "VERSION": CACHE_VERSION},
}
PAGE_CACHE = env_bool("PAGE_CACHE", not DEBUG)
# Facet counts, page boundaries and choice lists per content version (cicasite.core.pagecache.cached_data).
DATA_CACHE = env_bool("DATA_CACHE", not DEBUG)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# What browsers and proxies may keep without asking again; after that they revalidate (ETag, 304).
PAGE_CACHE_MAX_AGE = 0
# What a shared cache in front (nginx's micro-cache, a CDN) may keep: s-maxage on every shareable page.
# An edit is public within this plus one render (docs/production.md "The edge cache"); 0 turns it off.
EDGE_CACHE_SECONDS = env_int("EDGE_CACHE_SECONDS", 1)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation. English is the source language and lives at the
# unprefixed URLs; every other language in LANGUAGES lives under /<code>/.
# Adding a language is a settings change plus translations, no code change:
#   1. add it to LANGUAGES (and, for PostgreSQL search, to SEARCH_CONFIGS;
#      without an entry its search uses the 'simple' configuration);
#   2. make migrations (django-modeltranslation adds a column per translated
#      field and language) and migrate;
#   3. translate: locale/<code>/LC_MESSAGES/django.po (compile it with
#      `make messages`) and cicasite/data/cica.<code>.json for the content.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский")]  # each name as its readers write it
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Content translation (django-modeltranslation): an empty translation shows
# the English text, which templates mark as such (cicasite.core.templatetags.i18n_content).
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# PostgreSQL text-search configuration per language (stemming and stop words).
SEARCH_CONFIGS = {"en": "english", "ru": "russian"}
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
# The rich-text editor's own extensions (cicasite/core/richtext.py), a module of our static files:
# the internal-link button, and no inline <style> (the CSP below). They make no HTML of their own.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("js/richtext-links.js")],
        "extensions": {
            "InternalLink": "cicasite.core.richtext.no_tags",
            "NoInjectedStyles": "cicasite.core.richtext.no_tags",
        },
    },
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
FILE_UPLOAD_PERMISSIONS = 0o644
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o755

# Uploaded media: on this machine's disk, or on S3-compatible object storage
# (MEDIA_STORAGE=s3) so that any number of instances serve the same files.
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "filesystem")
if MEDIA_STORAGE == "s3":
    MEDIA_STORAGE_BACKEND = {
        # A private bucket: /media/ checks who may fetch a file, then redirects to a signed URL.
        "BACKEND": "cicasite.core.storage.MediaS3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", "") or None,
            # Never-overwritten objects under random names; no ACL (the bucket grants the public nothing).
            "file_overwrite": False,
            "default_acl": None,
            "signature_version": "s3v4",  # signed URLs that say how long they live (X-Amz-Expires)
        },
    }
    MEDIA_ORIGIN = env_str("MEDIA_ORIGIN")  # the origin of the signed URLs (S3_ENDPOINT_URL's), for the CSP
elif MEDIA_STORAGE == "filesystem":
    MEDIA_STORAGE_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    MEDIA_ORIGIN = None
else:
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'filesystem' or 's3'.")

STORAGES = {
    "default": MEDIA_STORAGE_BACKEND,
    "staticfiles": {
        # Hashed names in production (long cache lifetimes); plain names in
        # development and tests, where collectstatic has not necessarily run.
        # Production also stores the CSS minified (cicasite.core.staticfiles).
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "cicasite.core.staticfiles.MinifiedStaticFilesStorage",
    },
}

# Security headers. A strict Content Security Policy: nothing inline except
# scripts carrying the per-request nonce; everything else from our own origin.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# HTTPS. TLS ends at the reverse proxy; gunicorn believes its X-Forwarded-Proto
# only from the addresses in --forwarded-allow-ips (loopback by default) and sets
# the request scheme from it. SECURE_PROXY_SSL_HEADER stays unset on purpose:
# Django would believe that header from any client.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# HSTS preload is a commitment of the whole domain that only its owner can make;
# until then security.W021 is silenced on purpose.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_AGE = 8 * 60 * 60  # staff sessions end after a working day
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True  # the admin reads the token from the form, never from the cookie

# Admin login throttling (django-axes): after 5 failures for one username from one
# address, that pair is refused for 15 minutes, even with the right password.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "cicasite.core.middleware.client_ip"
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# Uploads: limits enforced by cicasite.core.validators on every image and document.
IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000
DOCUMENT_MAX_BYTES = 25 * 1024 * 1024

# Lists.
PAGE_SIZE = 24

# --- Operations (issue 16): where logins land, log lines, keys. docs/operations.md explains each. ---
# Where a login or logout goes when ?next= is absent or unsafe (//evil.com, /\evil.com, https:evil.com,
# javascript:...): the admin index. Django's default, /accounts/profile/, is no page of this site.
LOGIN_REDIRECT_URL = "admin:index"
LOGOUT_REDIRECT_URL = "admin:index"
# Backups are signed (HMAC-SHA256 of the manifest) with BACKUP_KEY, or the contents of BACKUP_KEY_FILE.
BACKUP_KEY = read_key("BACKUP_KEY", DEBUG)
# Failed logins are logged as keyed hashes of the username and the address: LOG_HASH_KEY(_FILE), else SECRET_KEY.
LOG_HASH_KEY = read_key("LOG_HASH_KEY", DEBUG)
# One JSON object per line in production, readable text in development (cicasite.core.logs).
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'json' or 'text'; got {LOG_FORMAT!r}.")
AXES_CLIENT_STR_CALLABLE = "cicasite.core.logs.axes_client_str"  # axes' lines name tokens, never a username

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "cicasite.core.logs.JSONFormatter"},
        "text": {"()": "cicasite.core.logs.TextFormatter"},
    },
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["stdout"], "level": "WARNING"},
    "loggers": {
        # One record per request (cicasite.core.middleware.RequestLogMiddleware).
        "cicasite.request": {
            "handlers": ["stdout"],
            "level": env_str("REQUEST_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
        # Logins, failed logins (as tokens) and logouts (cicasite.core.logs); axes' attempts and lockouts.
        "cicasite.security": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "django.security": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
    },
}
# --- End of the operations block. ---
