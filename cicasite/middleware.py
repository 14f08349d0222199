"""Site-wide middleware: one log line per request, headers Django does not set, the language from the URL."""

import ipaddress
import logging
import time

from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware

log = logging.getLogger("cicasite.request")


class RequestLogMiddleware:
    """Log one line per request: method, path, status, duration and size. Outermost, so it times everything."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        log.info(
            'method=%s path="%s" status=%s duration_ms=%.1f bytes=%s',
            request.method,
            request.path.replace('"', "%22")[:500],
            response.status_code,
            duration_ms,
            len(response.content) if not response.streaming else "-",
        )
        return response


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
