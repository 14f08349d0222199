"""schema.org descriptions of records, for search engines (JSON-LD). Absolute URLs from SITE_URL."""

from django.conf import settings
from django.urls import reverse

from cicasite.i18n import current_language, shown_language
from cicasite.links import absolute

CONTEXT = "https://schema.org"
ORGANIZATION_NAME = "Conference on Interaction and Confidence Building Measures in Asia"


def organization():
    return {
        "@context": CONTEXT,
        "@type": "Organization",
        "name": "Conference on Interaction and Confidence Building Measures in Asia",
        "alternateName": "CICA",
        "url": settings.SITE_URL + "/",
        "foundingDate": "1992-10-05",
        "description": "An intergovernmental forum for dialogue and confidence-building measures in Asia.",
        "address": {"@type": "PostalAddress", "addressLocality": "Astana", "addressCountry": "KZ"},
    }


def publisher(site_settings):
    """Who publishes the site, from cicasite.SiteSettings (the editors' setting): never a claim of ours."""
    node = {"@type": "Organization", "name": site_settings.publisher_name}
    if site_settings.publisher_url:
        node["url"] = site_settings.publisher_url
    return node


def about_page(site_settings):
    """/about/: the page about CICA, and who publishes the site."""
    return {
        "@context": CONTEXT,
        "@type": "AboutPage",
        "url": absolute(reverse("about")),
        "inLanguage": current_language(),
        "about": {"@type": "Organization", "name": ORGANIZATION_NAME, "alternateName": "CICA"},
        "publisher": publisher(site_settings),
    }


def event_date(event):
    """The date to the precision it is known: 2026, 2021-06 or 2022-10-12."""
    if event.date_precision == event.Precision.YEAR:
        return f"{event.start_date:%Y}"
    if event.date_precision == event.Precision.MONTH:
        return f"{event.start_date:%Y-%m}"
    return event.start_date.isoformat()


def event(event):
    data = {
        "@context": CONTEXT,
        "@type": "Event",
        "name": event.title,
        "inLanguage": shown_language(event, "title"),  # the page's language, or English where the title falls back
        "url": absolute(event.get_absolute_url()),
        "startDate": event_date(event),
        "eventStatus": "https://schema.org/EventScheduled",
        "organizer": {"@type": "Organization", "name": "CICA", "url": settings.SITE_URL + "/"},
    }
    if event.end_date and event.date_precision == event.Precision.DAY:
        data["endDate"] = event.end_date.isoformat()
    if event.summary:
        data["description"] = event.summary
    if event.city:
        data["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
        data["location"] = {
            "@type": "Place",
            "name": event.place,
            "address": {"@type": "PostalAddress", "addressLocality": event.city, "addressCountry": event.country},
        }
    else:
        data["eventAttendanceMode"] = "https://schema.org/OnlineEventAttendanceMode"
        data["location"] = {"@type": "VirtualLocation", "url": absolute(event.get_absolute_url())}
    picture = event.image_picture
    if picture:
        data["image"] = media_url(picture.fallback_url)
    documents = [document(d) for d in getattr(event, "public_documents", []) if d.file]
    if documents:
        data["subjectOf"] = documents
    return data


def media_url(url):
    """Media URLs are site paths on the filesystem storage, absolute on object storage."""
    return url if "://" in url else absolute(url)


def document(document):
    """An outcome document as a citable file: where it is, its size and its SHA-256."""
    data = {
        "@type": "DigitalDocument",
        "name": document.title,
        "url": media_url(document.file.url),
        "encodingFormat": "application/pdf",
    }
    if document.file_size is not None:
        data["contentSize"] = f"{document.file_size} B"
    if document.file_sha256:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "SHA-256", "value": document.file_sha256}
    return data


def member(member):
    is_state = member.status != member.Status.OBSERVER_ORG
    data = {
        "@context": CONTEXT,
        "@type": "Country" if is_state else "GovernmentOrganization",
        "name": member.name,
        "url": absolute(member.get_absolute_url()),
        "memberOf": {"@type": "Organization", "name": "CICA", "url": settings.SITE_URL + "/"},
    }
    if member.iso_code:
        data["identifier"] = member.iso_code
    if member.website:
        data["sameAs"] = member.website
    picture = member.flag_picture
    if picture:
        data["image"] = media_url(picture.fallback_url)
    return data
