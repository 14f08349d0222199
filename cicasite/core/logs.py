"""Log lines nobody can forge, and login failures that name nobody.

Every log record of the site (Django's, django-axes', gunicorn's error and access logs) is written by
one of two formatters:

- JSONFormatter (production): one JSON object per line. JSON escapes CR, LF and every other control
  character, so a value a client chose (a path, a header, a username) can never end the line and
  start a forged one; the characters some viewers still break lines at or hide text with (DEL, the
  C1 controls such as NEL, U+2028/U+2029, bidirectional overrides) are escaped too. Fields: time
  (UTC, ending in Z), level, logger, message, request_id, whatever the call passed in `extra`, and the
  traceback as one string.
- TextFormatter (development): the usual readable line, with the same characters escaped in the
  message and the extra fields (key=value), so a forged line cannot appear there either.

Each request gets an id (RequestLogMiddleware): the X-Request-ID a trusted proxy sent, or a new
random one. It is sent back in the X-Request-ID header, and every record logged while the request runs
carries it, as does gunicorn's access line.

A failed login is logged as two tokens: a keyed hash (HMAC-SHA256) of the normalised username and
one of the client's address, never the username or password as typed. The same username from the
same address always gives the same tokens, so failures can be counted and followed; only someone
holding the key (LOG_HASH_KEY, else SECRET_KEY) can tell whose they are: `manage.py log_token`.

Imports nothing of Django at module level: gunicorn's master process loads the formatters before
Django starts (gunicorn.conf.py).
"""

import contextvars
import json
import logging
import re
import secrets
import time
import traceback
import unicodedata

from gunicorn.glogging import Logger as GunicornBaseLogger

# The id of the request being served in this thread (set by cicasite.core.middleware.RequestLogMiddleware).
request_id = contextvars.ContextVar("request_id", default=None)
# What a proxy may send as X-Request-ID: nginx's $request_id is 32 hex digits.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

# Characters that are not JSON control characters but still break or hide lines in terminals and viewers.
UNSAFE = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")
# The same plus C0 controls, for the text format.
UNSAFE_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")
# Attributes every LogRecord has: anything else on a record came from `extra`.
STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def new_request_id():
    return secrets.token_hex(16)


def _escape(match):
    char = match.group()
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def escape_text(value):
    """A string with every control or line-breaking character written as an escape (\\x0a, \\u2028)."""
    return UNSAFE_TEXT.sub(_escape, str(value))


def extra_fields(record):
    """The fields a call passed in `extra`, with the request's id (django.request logs after the middleware
    has finished, passing the request itself: its id is kept, its repr dropped)."""
    fields = {key: value for key, value in vars(record).items() if key not in STANDARD and not key.startswith("_")}
    request = fields.pop("request", None)
    if "request_id" not in fields and getattr(request, "id", None):
        fields["request_id"] = request.id
    return fields


_second = (None, "")  # (a whole second, its text): one strftime per second, not per record


def utc_time(record):
    """2026-12-05T17:26:34.584Z: UTC, milliseconds."""
    global _second
    seconds = int(record.created)
    cached = _second
    if cached[0] != seconds:
        cached = _second = (seconds, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)))
    return f"{cached[1]}.{int(record.msecs):03d}Z"


class JSONFormatter(logging.Formatter):
    """One JSON object per line (see the module's docstring)."""

    def format(self, record):
        entry = {
            "time": utc_time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = extra_fields(record)
        current = fields.pop("request_id", None) or request_id.get()
        if current:
            entry["request_id"] = current
        entry.update(fields)
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info))
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        text = json.dumps(entry, ensure_ascii=False, default=str, separators=(",", ":"))
        # Inside a JSON string a \\uXXXX escape means the same character: the line stays one line everywhere.
        return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class TextFormatter(logging.Formatter):
    """Development: `time level logger message key=value ...`, control characters escaped."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatTime(self, record, datefmt=None):
        return utc_time(record)

    def formatMessage(self, record):
        record.message = escape_text(record.message)
        line = super().formatMessage(record)
        fields = extra_fields(record)
        current = fields.pop("request_id", None) or request_id.get()
        if current:
            fields["request_id"] = current
        return line + "".join(f" {key}={escape_text(value)}" for key, value in fields.items())


# Login failures -------------------------------------------------------------------------------------


def normalise_username(username):
    """What the same person typing the same name gives: NFKC, trimmed, case-folded."""
    return unicodedata.normalize("NFKC", str(username or "")).strip().casefold()


def token(kind, value):
    """A keyed hash of value: 16 hex digits, the same for the same value and key (LOG_HASH_KEY or SECRET_KEY)."""
    from django.conf import settings
    from django.utils.crypto import salted_hmac

    key = settings.LOG_HASH_KEY or settings.SECRET_KEY
    return salted_hmac(f"cicasite.core.logs.{kind}", value, secret=key, algorithm="sha256").hexdigest()[:16]


def user_token(username):
    return token("user", normalise_username(username))


def address_token(address):
    return token("address", str(address or "").strip().lower())


def axes_client_str(username, ip_address, user_agent, path_info, request):
    """django-axes' description of a client in its log lines (AXES_CLIENT_STR_CALLABLE): tokens only."""
    return f"{{user: {user_token(username)}, address: {address_token(ip_address)}}}"


security_log = logging.getLogger("cicasite.security")


def log_login_failed(sender, credentials, request=None, **kwargs):
    """user_login_failed: one WARNING with the tokens (Django has already masked the password)."""
    from cicasite.core.middleware import client_ip

    address = client_ip(request) if request is not None else ""
    security_log.warning(
        "login failed",
        extra={
            "event": "login_failed",
            "user_token": user_token(credentials.get("username", "")),
            "address_token": address_token(address),
        },
    )


def log_logged_in(sender, request, user, **kwargs):
    security_log.info("login", extra={"event": "login", "user_id": user.pk})


def log_logged_out(sender, request, user, **kwargs):
    security_log.info("logout", extra={"event": "logout", "user_id": getattr(user, "pk", None)})


# gunicorn ---------------------------------------------------------------------------------------------


class GunicornLogger(GunicornBaseLogger):
    """gunicorn's logger with a structured access line: fields, not a format string (gunicorn.conf.py)."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled or not self.access_log.isEnabledFor(logging.INFO):
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = {name.lower(): value for name, value in resp.headers}
        try:
            status = int(status)
        except (TypeError, ValueError):
            pass
        self.access_log.info(
            "%s %s %s",
            environ.get("REQUEST_METHOD", "-"),
            environ.get("RAW_URI", "-"),
            status,
            extra={
                "event": "access",
                "method": environ.get("REQUEST_METHOD"),
                "path": environ.get("RAW_URI"),
                "status": status,
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "bytes": getattr(resp, "sent", None),
                "remote_addr": environ.get("REMOTE_ADDR"),
                "user_agent": environ.get("HTTP_USER_AGENT", "")[:300],
                "referer": environ.get("HTTP_REFERER", "")[:300],
                "request_id": headers.get("x-request-id"),
            },
        )
