from cicasite.core.sitemaps import PublishedSitemap
from initiatives.models import Initiative


class InitiativeSitemap(PublishedSitemap):
    """CICA's own initiatives (the ideas from public debate have their own section)."""

    model = Initiative

    def items(self):
        return super().items().cica_own()


class IdeaSitemap(PublishedSitemap):
    """Ideas from public debate: commentators' proposals, not CICA initiatives."""

    model = Initiative

    def items(self):
        return super().items().public_debate()
