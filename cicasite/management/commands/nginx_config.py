"""manage.py nginx_config: render deploy/nginx.conf.template into <dir>/nginx.conf (make serve, bench/, tests).

The security headers nginx adds to what Django does not answer itself (static files, nginx's own errors)
are read from Django: a /healthz request through the whole middleware stack, as over HTTPS, so the two
can never disagree. Everything else comes from the options; the template lists each value it takes.
"""

import logging
import os
import pwd
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client

TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "nginx.conf.template"
MODULES = Path("/usr/lib/nginx/modules")
BROTLI_MODULES = ("ngx_http_brotli_filter_module.so", "ngx_http_brotli_static_module.so")
# Template name -> the response header Django sends.
HEADERS = {
    "HEADER_CSP": "Content-Security-Policy",
    "HEADER_XFO": "X-Frame-Options",
    "HEADER_XCTO": "X-Content-Type-Options",
    "HEADER_REFERRER": "Referrer-Policy",
    "HEADER_COOP": "Cross-Origin-Opener-Policy",
    "HEADER_CORP": "Cross-Origin-Resource-Policy",
    "HEADER_HSTS": "Strict-Transport-Security",
}
UNPRIVILEGED = ("nobody", "nogroup")


def django_headers():
    """The security headers of Django's answer to GET /healthz over HTTPS, by template name."""
    host = next((h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")), "localhost")
    request_log = logging.getLogger("cicasite.request")
    level = request_log.level
    request_log.setLevel(logging.WARNING)  # stdout carries the path of the file written, nothing else
    try:
        response = Client(HTTP_HOST=host).get("/healthz", secure=True)
    finally:
        request_log.setLevel(level)
    if response.status_code != 200:
        raise CommandError(f"/healthz answered {response.status_code}: cannot read Django's headers")
    values = {name: response.get(header, "") for name, header in HEADERS.items()}
    for name, value in values.items():
        if '"' in value or "$" in value or "\n" in value:
            raise CommandError(f"{HEADERS[name]} has a character nginx would misread: {value!r}")
    return values


def render(values):
    text = TEMPLATE.read_text()
    for name, value in values.items():
        marker = f"%%{name}%%"
        if marker not in text:
            raise CommandError(f"{TEMPLATE} has no {marker}")
        text = text.replace(marker, value)
    if "%%" in text.replace("%%NAME%%", ""):
        left = text[text.index("%%") :].split("\n", 1)[0]
        raise CommandError(f"{TEMPLATE}: a value is missing for {left}")
    return text


class Command(BaseCommand):
    help = "Write nginx.conf for the site (deploy/nginx.conf.template) into --dir and print its path."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=Path(settings.BASE_DIR) / "var" / "nginx")
        parser.add_argument("--listen", type=str, default="127.0.0.1:8000", help="host:port nginx answers on")
        parser.add_argument("--upstream", type=str, default="127.0.0.1:8001", help="gunicorn's host:port")
        parser.add_argument("--static-root", type=Path, default=Path(settings.STATIC_ROOT))
        parser.add_argument("--tls-cert", type=Path, help="certificate (PEM): TLS ends at nginx")
        parser.add_argument("--tls-key", type=Path, help="its private key (PEM)")
        parser.add_argument("--redirect-listen", type=str, default="", help="with TLS: a plain-HTTP host:port")
        parser.add_argument(
            "--behind-tls",
            action="store_true",
            help="TLS ends in front of nginx (a load balancer or CDN): tell Django the scheme is https",
        )
        parser.add_argument("--access-log", type=str, default="", help="a file for the JSON access log")
        parser.add_argument("--error-log", type=str, default="stderr")

    def handle(self, *args, **options):
        directory = options["dir"].resolve()
        static_root = options["static_root"].resolve()
        tls = bool(options["tls_cert"])
        if tls != bool(options["tls_key"]):
            raise CommandError("--tls-cert and --tls-key go together")
        for sub in ("tmp", "cache"):
            (directory / sub).mkdir(parents=True, exist_ok=True)
        if tls:
            listen = (
                f"listen {options['listen']} ssl http2;\n"
                f"        ssl_certificate {options['tls_cert'].resolve()};\n"
                f"        ssl_certificate_key {options['tls_key'].resolve()};\n"
                "        ssl_protocols TLSv1.2 TLSv1.3;\n"
                "        ssl_session_cache shared:cica_tls:10m;"
            )
        else:
            listen = f"listen {options['listen']};"
        redirect = ""
        if tls and options["redirect_listen"]:
            # Plain HTTP only ever says "go to https" (the health checks too: the load balancer speaks TLS).
            redirect = (
                f"server {{\n        listen {options['redirect_listen']};\n        server_name _;\n"
                "        return 301 https://$host$request_uri;\n    }"
            )
        brotli = all((MODULES / module).exists() for module in BROTLI_MODULES)
        user = ""
        if os.geteuid() == 0:
            # Workers drop to nobody: they need to read static files and write only below --dir.
            user = f"user {' '.join(UNPRIVILEGED)};"
            uid, gid = pwd.getpwnam(UNPRIVILEGED[0]).pw_uid, pwd.getpwnam(UNPRIVILEGED[0]).pw_gid
            for path in (directory, directory / "tmp", directory / "cache"):
                shutil.chown(path, uid, gid)
            for path in (directory, static_root):
                path.chmod(path.stat().st_mode | 0o055)
                blocked = [p for p in path.parents if not p.stat().st_mode & 0o001]
                if blocked:
                    raise CommandError(
                        f"nginx's workers ({UNPRIVILEGED[0]}) cannot reach {path}: chmod o+x {blocked[0]}"
                    )
        values = {
            "USER": user,
            "LOAD_MODULES": "\n".join(f"load_module {MODULES / module};" for module in BROTLI_MODULES)
            if brotli
            else "",
            "DIR": str(directory),
            "ERROR_LOG": options["error_log"],
            "ACCESS_LOG": f"access_log {options['access_log']} edge;" if options["access_log"] else "access_log off;",
            "LISTEN": listen,
            "REDIRECT_SERVER": redirect,
            "UPSTREAM": options["upstream"],
            "PROTO": "https" if tls or options["behind_tls"] else "$scheme",
            "STATIC_ROOT": str(static_root),
            "BROTLI": (
                "brotli on;\n    brotli_comp_level 5;\n    brotli_types text/css text/plain text/xml "
                "application/xml application/json application/javascript image/svg+xml text/csv text/calendar;"
            )
            if brotli
            else "",
            "BROTLI_STATIC": "brotli_static on;" if brotli else "",
        } | django_headers()
        path = directory / "nginx.conf"
        path.write_text(render(values))
        self.stdout.write(str(path))
