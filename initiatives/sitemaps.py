from cicasite.sitemaps import PublishedSitemap
from initiatives.models import Initiative


class InitiativeSitemap(PublishedSitemap):
    model = Initiative
