"""Site-wide middleware: one log line per request, headers Django does not set, the language from the URL,
the anonymous page cache."""

import gzip
import hashlib
import ipaddress
import logging
import re
import time

from django.conf import settings
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language_from_path

from cicasite.core import logs, pagecache

log = logging.getLogger("cicasite.request")


class RequestLogMiddleware:
    """One log record per request: id, method, path, status, duration, size and the client's address.

    Outermost, so it times everything. The request's id (cicasite.core.logs) is the X-Request-ID a
    trusted proxy sent, else a new random one; every record logged during the request carries it, and
    the response returns it in X-Request-ID. The formatters escape what the client chose.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        given = request.headers.get("x-request-id", "")
        trusted = request.META.get("REMOTE_ADDR", "") in settings.TRUSTED_PROXIES
        current = given if trusted and logs.REQUEST_ID.fullmatch(given) else logs.new_request_id()
        request.id = current
        reset = logs.request_id.set(current)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = current
            duration_ms = (time.perf_counter() - started) * 1000
            log.info(
                "%s %s %s",
                request.method,
                request.path[:500],
                response.status_code,
                extra={
                    "event": "request",
                    "request_id": current,
                    "method": request.method,
                    "path": request.path[:500],
                    "status": response.status_code,
                    "duration_ms": round(duration_ms, 1),
                    "bytes": len(response.content) if not response.streaming else None,
                    "remote_addr": client_ip(request),
                },
            )
            return response
        finally:
            logs.request_id.reset(reset)


class CrossOriginResourcePolicyMiddleware:
    """Cross-Origin-Resource-Policy: same-origin: other sites cannot embed our responses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


def client_ip(request):
    """The client's address for login throttling, impossible to spoof with X-Forwarded-For.

    REMOTE_ADDR is the peer that connected. Only when that peer is one of
    TRUSTED_PROXIES is X-Forwarded-For read, from the right, skipping the
    trusted proxies: the first address left is the one our proxy saw.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = set(settings.TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if address in trusted:
            continue
        try:
            return str(ipaddress.ip_address(address))
        except ValueError:
            return remote
    return remote


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, without `Vary: Accept-Language` where the URL decides.

    Public pages live under i18n_patterns without a prefix for English, so an
    unprefixed public URL is English whatever the browser asks for, and a /ru/
    URL is Russian: the language never depends on a header or a cookie. Django
    still adds `Vary: Accept-Language` to unprefixed responses, which would split
    every shared cache by browser language for nothing; it is removed here.
    Browsers that prefer another language are offered it by a notice that a
    static script reveals (static/js/language-offer.js), so the HTML is the same
    for everyone.
    """

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if "Vary" in response:
            kept = [v.strip() for v in response["Vary"].split(",") if v.strip().lower() != "accept-language"]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        return response


def finish_body(content):
    """(length, gzipped body or None, ETag) of a shareable body, as AnonymousPageCacheMiddleware stores it.

    A view whose body is itself kept per content version (a sitemap section: 400 KB, whose gzip alone
    costs more than reading it back) keeps these with it and hands them over as `response.finished_body`,
    so a render compresses and hashes nothing: only a body of that length is taken to be the same.
    """
    compressed = gzip.compress(content, 6) if len(content) > 1024 else None
    return len(content), compressed, '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


class AnonymousPageCacheMiddleware:
    """Serve public pages to anonymous visitors from the shared page cache (cicasite.core.pagecache).

    Served from the cache: GET and HEAD requests that carry no cookie at all (staff have a session
    cookie, anyone who opened a form a CSRF cookie; the public site sets none), outside /admin/ and the
    health checks. Stored: 200 answers to such a GET that set no cookie, vary on nothing but Cookie and
    Accept-Language (the language is in the key), allow shared caching, used no CSP nonce and are not
    streamed or huge. Every answer of that kind gets an ETag, Last-Modified (when it was rendered) and
    Cache-Control, and a conditional GET that matches gets 304; HTML is served without indentation and,
    to clients that accept it, gzipped (with the page cache off too: that part costs no state).

    Placed below SecurityMiddleware (HTTPS redirect, HSTS) and whitenoise, above the CSP, session, CSRF
    and auth middleware, whose headers are stored with the page: a hit costs one cache read.
    """

    EXEMPT = re.compile(r"^/(admin/|healthz$|readyz$)")
    SHAREABLE_VARY = {"cookie", "accept-language"}
    MAX_BYTES = 1024 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or request.COOKIES or self.EXEMPT.match(request.path_info):
            return self.get_response(request)
        key = version = None
        if settings.PAGE_CACHE:
            try:
                # The URL alone decides the language (/ru/... or English): never a header or cookie.
                language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
                key = pagecache.page_key(request, language)
                version, entry = pagecache.get_page(key)
            except Exception:  # the cache is down: render as if there were none
                log.warning("Page cache unavailable", exc_info=True)
                key = entry = None
            if entry is not None:
                return self.serve(request, entry, "hit")

        response = self.get_response(request)
        if request.method != "GET" or not self.shareable(request, response):
            return response
        entry = self.make_entry(response)
        timeout = pagecache.page_timeout() if key else 0
        if timeout:
            try:
                pagecache.set_page(key, version, entry, timeout)
            except Exception:
                log.warning("Page cache unavailable", exc_info=True)
        return self.serve(request, entry, "miss" if key else None)

    def make_entry(self, response):
        """(headers, body, gzipped body or None, ETag, time rendered): made once, served many times.

        HTML loses the templates' indentation (a third of a list page) unless it has <pre> or
        <textarea>; bodies over 1 KB are also kept gzipped, for clients that accept it (anonymous
        pages carry no secret, so compression cannot leak one).
        """
        content = response.content
        finished = getattr(response, "finished_body", None)
        if finished is not None and finished[0] == len(content):  # the view kept them: see finish_body()
            _, compressed, etag = finished
        else:
            if response.get("Content-Type", "").startswith("text/html") and not re.search(rb"<pre|<textarea", content):
                content = re.sub(rb"\n\s+", b"\n", content)
            _, compressed, etag = finish_body(content)
        rendered_at = int(time.time())
        patch_vary_headers(response, ["Cookie", "Accept-Encoding"] if compressed else ["Cookie"])
        # s-maxage: what the shared cache in front (nginx's micro-cache, a CDN) may keep; browsers revalidate.
        cache_control = f"public, max-age={settings.PAGE_CACHE_MAX_AGE}"
        if settings.EDGE_CACHE_SECONDS:
            cache_control += f", s-maxage={settings.EDGE_CACHE_SECONDS}"
        response["Cache-Control"] = cache_control
        response["Last-Modified"] = http_date(rendered_at)
        headers = {name: value for name, value in response.items() if name.lower() != "content-length"}
        return headers, content, compressed, etag, rendered_at

    def serve(self, request, entry, state):
        headers, content, compressed, etag, rendered_at = entry
        if compressed is not None and "gzip" in request.headers.get("accept-encoding", ""):
            content, etag = compressed, etag[:-1] + '-gzip"'
            headers = headers | {"Content-Encoding": "gzip"}
        response = HttpResponse(content, headers=headers)
        response["Content-Length"] = len(content)
        response["ETag"] = etag
        if state:
            response["X-Page-Cache"] = state
        response = get_conditional_response(request, etag=etag, last_modified=rendered_at, response=response)
        if settings.EDGE_CACHE_SECONDS:
            # For nginx's micro-cache (deploy/nginx.conf.template), which counts whole seconds: fresh until
            # the end of the current second (EDGE_CACHE_SECONDS=1), where s-maxage=1 would mean up to
            # 2 s. Set on 304s too: nginx's revalidation reads it. nginx never passes it on to clients.
            response["X-Accel-Expires"] = f"@{int(time.time()) + settings.EDGE_CACHE_SECONDS - 1}"
        return response

    def shareable(self, request, response):
        vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
        cache_control = response.get("Cache-Control", "").lower()
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and len(response.content) <= self.MAX_BYTES
            and vary <= self.SHAREABLE_VARY
            and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
            and not getattr(request, "_csp_nonce", None)  # a nonce is per request: never replay it
            and not getattr(getattr(request, "user", None), "is_authenticated", False)
        )
