"""Site-wide pages (home, about, timeline, search, open data, health, error pages, media, old addresses)."""

import json
import sys
from itertools import groupby
from pathlib import Path

from django.conf import settings
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.contrib.sitemaps.views import x_robots_tag
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import Case, Count, F, Value, When, Window
from django.db.models.functions import ExtractYear, RowNumber
from django.http import FileResponse, Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import render
from django.template import loader
from django.urls import resolve, reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from cicasite.core import media, structured_data
from cicasite.core.context_processors import current_site_settings
from cicasite.core.filters import canonical_redirect
from cicasite.core.forms import SearchForm
from cicasite.core.links import absolute, site_url
from cicasite.core.middleware import finish_body
from cicasite.core.models import LegacyRedirect, Organ, Partner, SecretariatHead, Source, public_q
from cicasite.core.opendata import LICENCE_URL, datapackage
from cicasite.core.pagecache import cached_data
from cicasite.core.search import search_site
from cicasite.core.views import content_fragments
from events.models import Event
from events.opendata import DOCUMENTS, MEETINGS
from initiatives.models import Chairmanship, Initiative
from initiatives.opendata import INITIATIVES
from members import views as member_views
from members.models import Dimension, Member
from members.opendata import MEMBERS, ROLES

# Every app's open data, in the order /data/ and the data package list them.
DATASETS = (MEMBERS, MEETINGS, DOCUMENTS, ROLES, INITIATIVES)
HOME_LIST_LIMIT = 10  # initiatives of the current chairmanship shown on the home page


@require_safe
@content_fragments
def home(request):
    def content_context():  # looked up when the content is rendered: never when it is kept ({% cachedcontent %})
        dimensions = Dimension.objects.annotate(
            member_count=Count(
                "areas__roles__member",
                filter=public_q("areas__roles__member__"),
                distinct=True,
            )
        )
        members_map = member_views.members_map()  # its one query also counts the members by status
        events = Event.objects.published().select_related("host")
        chair = Chairmanship.objects.current()
        # The first few, and one more to know whether to link to all of them (the page keeps its size).
        chair_initiatives = (
            list(
                Initiative.objects.published()
                .cica_own()
                .filter(chairmanship=chair)
                .order_by("title", "pk")[: HOME_LIST_LIMIT + 1]
            )
            if chair
            else []
        )
        return {
            "dimensions": dimensions,
            "member_states": members_map["counts"][Member.Status.MEMBER],
            "observer_states": members_map["counts"][Member.Status.OBSERVER_STATE],
            "observer_orgs": members_map["counts"][Member.Status.OBSERVER_ORG],
            "members_map": members_map,
            "latest_events": events.past()[:4],
            "next_events": events.upcoming()[:3],
            "chairmanship": chair,
            "chair_initiatives": chair_initiatives[:HOME_LIST_LIMIT],
            "more_chair_initiatives": len(chair_initiatives) > HOME_LIST_LIMIT,
        }

    return render(
        request,
        "cicasite/home.html",
        {"content_context": content_context, "structured_data": structured_data.organization()},
    )


# CICA's observer status in the UN General Assembly (resolution of December 2007): the sources of the fact.
UN_STATUS_SOURCES = ["S05", "S50"]


@require_safe
def about(request):
    return render(
        request,
        "cicasite/about.html",
        {
            "organs": Organ.objects.prefetch_related("sources"),
            "heads": SecretariatHead.objects.prefetch_related("sources"),
            "un_status_sources": Source.objects.filter(code__in=UN_STATUS_SOURCES),
            "partners": Partner.objects.all(),
            "chairmanships": Chairmanship.objects.published().select_related("member").order_by("start_year"),
            "structured_data": structured_data.about_page(current_site_settings(request)),
        },
    )


TIMELINE_MEETINGS = 5  # meetings shown a year on /timeline/; the rest are a link to that year's list


@require_safe
def timeline(request):
    """/timeline/: CICA's history from the records, year by year, oldest first.

    Three queries whatever the data size: published meetings, chairmanships of
    published members, published members whose joining year is known. A year shows at
    most TIMELINE_MEETINGS meetings, summits and ministerial meetings first (CICA's own
    record has three at most), and links to the meetings list for the rest: the page
    stays the same size however many meetings an archive holds.
    """
    years = {}

    def year(number):
        return years.setdefault(number, {"year": number, "chairs": [], "accessions": [], "meetings": [], "more": 0})

    for chairmanship in (
        Chairmanship.objects.published()
        .select_related("member")
        .defer("member__body", "member__notes")
        .order_by("start_year", "pk")
    ):
        year(chairmanship.start_year)["chairs"].append(chairmanship)
    accessions = (
        Member.objects.published()
        .filter(joined__isnull=False)
        .only("name", "slug", "status", "joined", "publication_status", "publish_at", "unpublish_at")
        .order_by("joined", "name", "pk")
    )
    statuses = list(Member.Status)
    for (joined, status), members in groupby(
        sorted(accessions, key=lambda m: (m.joined, statuses.index(m.status))), key=lambda m: (m.joined, m.status)
    ):
        year(joined)["accessions"].append({"status": status, "members": list(members)})
    importance = Case(
        When(kind__in=[Event.Kind.SUMMIT, Event.Kind.MILESTONE], then=Value(0)),
        When(kind=Event.Kind.MINISTERIAL, then=Value(1)),
        default=Value(2),
    )
    in_year = {"partition_by": [ExtractYear("start_date")]}
    meetings = (
        Event.objects.published()
        .defer("body", "notes")
        .annotate(
            rank=Window(RowNumber(), order_by=[importance.asc(), F("start_date").asc(), F("pk").asc()], **in_year),
            in_year=Window(Count("pk"), **in_year),
        )
        .filter(rank__lte=TIMELINE_MEETINGS)
        .order_by("start_date", "title", "pk")
    )
    for event in meetings:
        entry = year(event.start_date.year)
        entry["meetings"].append(event)
        entry["more"] = max(event.in_year - TIMELINE_MEETINGS, 0)

    timeline = [years[number] for number in sorted(years)]
    decades = {}
    for entry in timeline:
        decades.setdefault(entry["year"] // 10 * 10, entry["year"])
    return render(request, "cicasite/timeline.html", {"years": timeline, "decades": decades.items()})


@require_safe
def sitemap_index(request, sitemaps):
    """/sitemap.xml: one entry per page of each section, absolute from SITE_URL (never the Host header).

    One COUNT per record section, kept per content version (DATA_CACHE); each section page
    (/sitemap-events.xml?p=2) lists at most 1,000 entries (500 records, each in two languages).
    """
    entries = []
    for section, sitemap_class in sitemaps.items():
        location = absolute(reverse("sitemap-section", kwargs={"section": section}))
        pages = cached_data("sitemap-pages", section, lambda cls=sitemap_class: cls().paginator.num_pages)
        entries += [{"location": location}] + [{"location": f"{location}?p={n}"} for n in range(2, pages + 1)]
    return render(request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")


@require_safe
@x_robots_tag
def sitemap_section(request, section, sitemaps):
    """/sitemap-events.xml?p=2: Django's sitemap view, its XML kept per content version (DATA_CACHE).

    A section page lists 1,000 addresses with their language alternates (400 KB): rendering it cost
    about 130 ms of CPU, against well under 1 ms to read it back; any change of content makes a new
    version, so an edit is listed at once. Keyed by the site address (the entries are absolute) and
    the language too; a page out of range is a 404, never stored.
    """
    page = request.GET.get("p", "1")

    def render_xml():
        response = django_sitemap(request, sitemaps, section=section)
        response.render()
        return response.content, response.get("Last-Modified"), finish_body(response.content)

    key = f"{site_url()} {translation.get_language()} {section} {page}"
    content, last_modified, finished = cached_data("sitemap-section", key, render_xml)
    response = HttpResponse(content, content_type="application/xml")
    # Gzipped and hashed once per version too: compressing 400 KB cost more than all the rest of a request.
    response.finished_body = finished
    if last_modified:
        response["Last-Modified"] = last_modified
    return response


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {absolute('/sitemap.xml')}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
def open_data(request):
    """/data/: what the downloads offer, what each column means, and the licence."""
    return render(request, "cicasite/data.html", {"datasets": DATASETS, "licence_url": LICENCE_URL})


@require_safe
def data_package(request):
    """/data/datapackage.json: the downloads described for machines (Frictionless Data Package)."""
    redirect = canonical_redirect(request, [])  # it takes no parameters: one address
    if redirect:
        return redirect
    response = HttpResponse(
        json.dumps(datapackage(DATASETS), ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Access-Control-Allow-Origin"] = "*"  # open data, as the downloads (cicasite.core.opendata)
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@require_safe
def search(request):
    """/search/?q=: published records of every kind matching q, grouped by kind. Never fails on odd input."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    groups = search_site(query) if query else []
    return render(
        request,
        "cicasite/search.html",
        {
            "form": form,
            "query": query,
            # What the search box shows again: the text as typed, never a NUL byte, at most 200 characters.
            "shown_query": request.GET.get("q", "").replace("\x00", "")[: SearchForm.MAX_LENGTH],
            "groups": [group for group in groups if group.total],
            "result_count": sum(group.total for group in groups),
            # Development on SQLite only: say that search is the simple fallback (cicasite.core.search).
            "simple_search_note": settings.DEBUG and connection.vendor == "sqlite",
        },
    )


@require_safe
def healthz(request):
    """The process is alive (for load balancers). Touches nothing else."""
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
def readyz(request):
    """The process can serve: the database answers and the shared cache works."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", content_type="text/plain", status=503)
    try:
        cache.set("readyz", "ok", timeout=10)
        cache_ok = cache.get("readyz") == "ok"
    except Exception:  # each cache backend raises its own connection errors
        cache_ok = False
    if not cache_ok:
        return HttpResponse("cache unavailable\n", content_type="text/plain", status=503)
    return HttpResponse("ready\n", content_type="text/plain")


def server_error(request):
    """500 page, or 503 when the database is unreachable. Needs no database, no context processor."""
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        response = render_error_page("503.html", status=503)
        response["Retry-After"] = "30"
        return response
    return render_error_page("500.html", status=500)


def render_error_page(template_name, status):
    return HttpResponse(loader.get_template(template_name).render(), status=status)


@require_safe
def serve_media(request, path):
    """/media/<path>: an uploaded file, to everyone while its record is public, otherwise to staff only.

    The owner check is in cicasite.core.media. On the filesystem the file is sent from here, typed
    by the allow-list, never as HTML; on object storage (MEDIA_STORAGE=s3) the answer is a
    redirect to a short-lived signed URL of the private bucket.
    """
    name = path.replace("\\", "/")
    if "\x00" in name or any(part in ("", ".", "..") for part in name.split("/")):
        raise Http404("No such file.")
    if media.is_public(name):
        cache_control = f"public, max-age={media.PUBLIC_MEDIA_SECONDS}"
    elif media.staff_may_fetch(name, request.user):
        cache_control = "private, no-store"
    else:
        raise Http404("No such file.")
    storage = default_storage
    if hasattr(storage, "signed_url"):
        # No round trip to ask whether the object exists: the bucket answers 404 itself.
        response = HttpResponseRedirect(storage.signed_url(name, cache_control))
        if cache_control.startswith("public"):
            cache_control = f"public, max-age={media.PUBLIC_REDIRECT_SECONDS}"
    else:
        root = Path(settings.MEDIA_ROOT).resolve()
        try:
            target = (root / name).resolve()
            if not target.is_relative_to(root) or not target.is_file():
                raise Http404("No such file.")
            handle = target.open("rb")
        except (OSError, ValueError):  # a name too long for the file system, a NUL byte
            raise Http404("No such file.") from None
        content_type = media.content_type(name)
        response = FileResponse(handle, content_type=content_type)
        response["Content-Disposition"] = media.content_disposition(name)
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = cache_control
    if not cache_control.startswith("public"):
        response["X-Robots-Tag"] = "noindex"
    return response


LEGACY_PARAMETERS = {
    LegacyRedirect.Kind.PAGE: "t",
    LegacyRedirect.Kind.NEWS: "newsid",
    LegacyRedirect.Kind.SPEECH: "id",
}


@require_safe
def legacy_redirect(request, kind):
    """Send an address of the old official site to its page here, or explain kindly that there is none."""
    key = request.GET.get(LEGACY_PARAMETERS[kind], "")[:200]
    redirect = LegacyRedirect.objects.filter(kind=kind, key=key).first() if key and "\x00" not in key else None
    if redirect and target_is_public(redirect.target):
        return HttpResponsePermanentRedirect(redirect.target)
    return render(request, "cicasite/legacy_missing.html", {"key": key}, status=404)


def target_is_public(path):
    """Whether a path on this site shows a page the public may see: a redirect never names a draft's address."""
    path = path.split("#", 1)[0].split("?", 1)[0]
    if path.startswith(settings.MEDIA_URL):
        return False  # a redirect leads to a page, never to a file (files follow their record's rule)
    try:
        match = resolve(path)
    except Http404:
        return False
    model = getattr(getattr(match.func, "view_class", None), "model", None) or getattr(match.func, "model", None)
    slug = match.kwargs.get("slug")
    if model is None or slug is None or not hasattr(model.objects, "published"):
        return True  # a list or site page: public whenever it resolves
    return model.objects.published().filter(slug=slug).exists()
