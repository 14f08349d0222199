from cicasite.core.sitemaps import PublishedSitemap, SiteUrlSitemap
from members.models import Dimension, Member


class MemberSitemap(PublishedSitemap):
    model = Member


class DimensionSitemap(SiteUrlSitemap):
    def items(self):
        return Dimension.objects.order_by("position").only("slug")
