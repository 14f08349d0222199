from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from cicasite import views
from cicasite.core import richtext
from cicasite.core.preferences import preferences_view
from cicasite.sitemaps import SITEMAPS

handler500 = "cicasite.views.server_error"

# Addresses that are the same in every language.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    # An index of sections, each paginated by 1,000 entries (?p=2...): every record is listed at any
    # archive size; each page once per language (cicasite.core.sitemaps).
    path("sitemap.xml", views.sitemap_index, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    # Addresses of the old official site.
    path("index.php", views.legacy_redirect, {"kind": "page"}, name="legacy-page"),
    path("news_detail/", views.legacy_redirect, {"kind": "news"}, name="legacy-news"),
    path("speeches_detail/", views.legacy_redirect, {"kind": "speech"}, name="legacy-speech"),
    # Each member of staff chooses the language of their admin (cicasite.core.preferences).
    path("admin/preferences/", admin.site.admin_view(preferences_view), name="admin-preferences"),
    # The rich-text editor's internal-link search (staff only), before the admin's own addresses.
    path("admin/rich-text/links/", admin.site.admin_view(richtext.link_targets), name="richtext-links"),
    path("admin/", admin.site.urls),
]

# Public pages: English at /..., every other language at /<code>/...
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("timeline/", views.timeline, name="timeline"),
    path("data/", views.open_data, name="data"),
    path("data/datapackage.json", views.data_package, name="datapackage"),
    path("search/", views.search, name="search"),
    path("", include("members.urls")),
    path("", include("events.urls")),
    path("initiatives/", include("initiatives.urls")),
    prefix_default_language=False,
)

# Uploaded files, always through the app: it checks that the record owning the file is public
# (cicasite.core.media), then sends the file or, on object storage, redirects to a signed URL.
urlpatterns.append(path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.serve_media, name="media"))
