from cicasite.core.sitemaps import PublishedSitemap
from events.models import Document, Event


class EventSitemap(PublishedSitemap):
    model = Event


class DocumentSitemap(PublishedSitemap):
    model = Document  # published() leaves out the documents of meetings that are not public
