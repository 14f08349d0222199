"""Reading the settings from the environment (cicasite.settings): strict helpers that raise
ImproperlyConfigured on a value they cannot read, rather than guess.

DATABASE_URL and CACHE_URL are parsed here rather than by dj-database-url or
django-environ: the site accepts only SQLite and PostgreSQL, and only Redis and the
local-memory cache, sets its own connection options (connect_timeout, health checks,
persistent connections) and refuses anything else with a message that says what to
use. That is about forty lines; a dependency would take more to configure.
"""

import hashlib
import os
import stat
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=None):
    """Return the variable, or default; with default None the variable is required."""
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default
    return value


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no; got {value!r}.")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}.") from None


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_database_url(url):
    """Turn DATABASE_URL into a Django DATABASES entry (SQLite or PostgreSQL only)."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path
        path = unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path)
        if not path:
            raise ImproperlyConfigured("DATABASE_URL sqlite:/// needs a file path.")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / path}
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured("DATABASE_URL for PostgreSQL needs a database name.")
        # Fail fast when the database is down (a clear 503) rather than hang.
        options = {"connect_timeout": "3"} | {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            # Persistent connections, checked before reuse so a restarted
            # database costs one failed check, not a failed request.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported; use sqlite:// or postgres://.")


def read_secret_key(debug):
    """SECRET_KEY from the environment or SECRET_KEY_FILE; production refuses a weak or missing one."""
    value = os.environ.get("SECRET_KEY")
    if value is None and os.environ.get("SECRET_KEY_FILE"):
        path = Path(os.environ["SECRET_KEY_FILE"])
        mode = stat.S_IMODE(path.stat().st_mode)
        if not debug and mode & 0o077:
            raise ImproperlyConfigured(
                f"SECRET_KEY_FILE {path} can be read by other users (mode {mode:04o}): chmod 600 it."
            )
        value = path.read_text(encoding="utf-8").strip()
    if value is None:
        if debug:
            return "django-insecure-development-only-key-not-for-production"
        raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE) to a long random value.")
    if not debug and (len(value) < 50 or len(set(value)) < 5 or value.startswith("django-insecure")):
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak for production: use at least 50 random characters, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'."
        )
    return value


def read_key(name, debug, min_length=32):
    """A key from the environment (name) or a file (name_FILE); None when neither is set.

    In production a key file others can read, or a key shorter than min_length, is refused, as for
    SECRET_KEY_FILE. Used for BACKUP_KEY (backup signatures) and LOG_HASH_KEY (tokens in the logs).
    """
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value is None and file_name:
        path = Path(file_name)
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE {path} cannot be read: {exc.strerror}.") from None
        if not debug and mode & 0o077:
            raise ImproperlyConfigured(
                f"{name}_FILE {path} can be read by other users (mode {mode:04o}): chmod 600 it."
            )
        value = text.strip()
    if not value:
        return None
    if not debug and len(value) < min_length:
        raise ImproperlyConfigured(
            f"{name} is too short: use at least {min_length} random characters, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'."
        )
    return value


def parse_cache_url(url):
    parts = urlsplit(url)
    if parts.scheme in {"redis", "rediss"}:
        # Django's RedisCache, with one redis client per pool instead of one per operation.
        return {"BACKEND": "cicasite.core.redis_cache.ReusingRedisCache", "LOCATION": url}
    if parts.scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": parts.netloc or "cica"}
    raise ImproperlyConfigured(f"CACHE_URL scheme {parts.scheme!r} is not supported; use redis:// or locmem://.")


# What a page is made from besides the content: a change to any of these files (a deploy) must not be
# answered with pages or data cached by the build before it.
BUILD_SOURCES = ("cicasite", "members", "events", "initiatives", "templates", "static", "locale")


def build_id(base_dir=BASE_DIR):
    """A fingerprint of the code, templates, translations and static files: BUILD_ID, or a hash of them.

    Folded into the page cache's key prefix (cicasite.settings), so that a deploy that changes how a page
    looks never serves the pages, fragments or data the previous build kept in Redis or var/cache, while
    the content version (cicasite.core.pagecache) stays what it was. A deploy pipeline may set BUILD_ID
    (a commit hash); otherwise every process hashes the files itself, the same files giving the same id
    (a few milliseconds at start-up), plus requirements.txt for a changed library.
    """
    given = env_str("BUILD_ID", "")
    if given:
        return given
    digest = hashlib.sha256()
    files = [base_dir / "requirements.txt"]
    for top in BUILD_SOURCES:
        files += (path for path in (base_dir / top).rglob("*") if path.is_file() and "__pycache__" not in path.parts)
    for path in sorted(files):
        if path.exists():
            digest.update(str(path.relative_to(base_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]
