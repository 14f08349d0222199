"""What pages say about themselves to machines: schema.org JSON-LD and the OpenGraph image.

Absolute URLs from SITE_URL (cicasite.core.links). Names are in the page's language. Only what the records
say is stated: an unknown venue is left out, a date is as precise as it is known.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext, pgettext

from cicasite.core.i18n import current_language, shown_language
from cicasite.core.images import rendition_slots
from cicasite.core.links import absolute, site_url

CONTEXT = "https://schema.org"
# Pages elsewhere about the same organisation (schema.org sameAs): the Secretariat's site (left out
# when this site is served there) and the encyclopaedia articles.
SAME_AS = (
    "https://www.s-cica.org/",
    "https://en.wikipedia.org/wiki/Conference_on_Interaction_and_Confidence-Building_Measures_in_Asia",
    "https://ru.wikipedia.org/wiki/Совещание_по_взаимодействию_и_мерам_доверия_в_Азии",
)
# The emblem per language, 1200x630 PNG (the favicon's design, at the size link previews use).
EMBLEMS = {"en": "img/cica-emblem.png", "ru": "img/cica-emblem-ru.png"}
EMBLEM_SIZE = (1200, 630)


def organization_id():
    """The organisation's node: every other node that names CICA points at it."""
    return site_url() + "/#organization"


def cica_name():
    return gettext("Conference on Interaction and Confidence Building Measures in Asia")


def cica_short_name():
    # Translators: CICA's abbreviation as used in this language (СВМДА in Russian).
    return pgettext("abbreviation", "CICA")


def cica():
    """A reference to the organisation, as an organiser or owner."""
    return {"@type": "GovernmentOrganization", "@id": organization_id(), "name": cica_short_name()}


def organization():
    logo = emblem()
    return {
        "@context": CONTEXT,
        # An organisation whose members are states (schema.org's type for intergovernmental bodies).
        "@type": "GovernmentOrganization",
        "@id": organization_id(),
        "name": cica_name(),
        "alternateName": cica_short_name(),
        "url": absolute("/"),
        "logo": {
            "@type": "ImageObject",
            "url": logo.url,
            "width": logo.width,
            "height": logo.height,
            "caption": logo.alt,
        },
        "sameAs": [url for url in SAME_AS if urlsplit(url).hostname != urlsplit(site_url()).hostname],
        "foundingDate": "1992-10-05",
        "description": gettext("An intergovernmental forum for dialogue and confidence-building measures in Asia."),
        "address": {
            "@type": "PostalAddress",
            "addressLocality": gettext("Astana"),
            "addressCountry": "KZ",
        },
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
        "about": {**cica(), "name": cica_name(), "alternateName": cica_short_name()},
        "publisher": publisher(site_settings),
    }


@dataclass(frozen=True)
class ShareImage:
    """An image for link previews (og:image): absolute URL, size in pixels, text alternative."""

    url: str
    width: int
    height: int
    alt: str


def emblem():
    """CICA's emblem in the page's language."""
    path = static(EMBLEMS.get(current_language(), EMBLEMS["en"]))
    width, height = EMBLEM_SIZE
    # Translators: text alternative of the emblem image in link previews.
    return ShareImage(media_url(path), width, height, gettext("Emblem of CICA"))


def share_image(picture, alt):
    """The largest rendition of an uploaded image (what <img> falls back to), with its size."""
    if picture is None:
        return None
    width = rendition_slots(picture.width)[-1][1]
    height = max(1, round(picture.height * width / picture.width))  # as cicasite.core.images makes it
    return ShareImage(media_url(picture.fallback_url), width, height, alt)


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
    }
    if event.kind != event.Kind.MILESTONE:  # a milestone (the 1992 UN address) is no CICA meeting
        data["organizer"] = cica()
    if event.end_date and event.date_precision == event.Precision.DAY:
        data["endDate"] = event.end_date.isoformat()
    if event.summary:
        data["description"] = event.summary
    if event.city:
        address = {"@type": "PostalAddress", "addressLocality": event.city}
        if event.country:
            address["addressCountry"] = event.country
        data["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
        data["location"] = {"@type": "Place", "name": event.place, "address": address}
    elif event.online:  # the record says so; a missing city alone claims nothing
        data["eventAttendanceMode"] = "https://schema.org/OnlineEventAttendanceMode"
        data["location"] = {"@type": "VirtualLocation", "url": absolute(event.get_absolute_url())}
    picture = event.image_picture
    if picture:
        data["image"] = media_url(picture.fallback_url)
    documents = [document(d) for d in getattr(event, "public_documents", [])]
    if documents:
        data["subjectOf"] = documents
    return data


def media_url(url):
    """Media URLs are site paths on the filesystem storage, absolute on object storage."""
    return url if "://" in url else absolute(url)


def document(document):
    """An outcome document on its meeting's page: its own page and each of its PDFs (document.files(): English,
    Russian) with its language, size and SHA-256."""
    data = {"@type": "DigitalDocument", "name": document.title, "url": absolute(document.get_absolute_url())}
    files = [pdf_file(pdf) for pdf in document.files()]
    if files:
        data["associatedMedia"] = files
    return data


def pdf_file(pdf):
    """One PDF of an outcome document as a citable file: its language, where it is, its size and its SHA-256."""
    data = {
        "@type": "MediaObject",
        "inLanguage": pdf.language,
        "contentUrl": media_url(pdf.file.url),
        "encodingFormat": "application/pdf",
    }
    if pdf.size is not None:
        data["contentSize"] = f"{pdf.size} B"
    if pdf.sha256:
        data["sha256"] = pdf.sha256
    return data


# Kinds of outcome document that are legal instruments (schema.org Legislation); the others are documents.
LEGISLATION_KINDS = ("act", "rules")


def outcome_document(document):
    """An outcome document's own page: the document, who issued it, where, when, its files and their hashes."""
    event = document.event
    issued, precision = document.issued
    url = absolute(document.get_absolute_url())
    legislation = document.kind in LEGISLATION_KINDS
    data = {
        "@context": CONTEXT,
        "@type": "Legislation" if legislation else "DigitalDocument",
        "@id": url,
        "name": document.title,
        "inLanguage": shown_language(document, "title"),
        "url": url,
        "genre": document.get_kind_display(),
        "author": cica(),
        "publisher": cica(),
        "dateCreated": date_as_known(issued, precision),
        "isPartOf": {"@type": "Event", "name": event.title, "url": absolute(event.get_absolute_url())},
    }
    if legislation:
        data["legislationDate"] = data["dateCreated"]
        data["legislationPassedBy"] = cica()
    if event.place:
        data["locationCreated"] = {"@type": "Place", "name": event.place}
    encodings = [pdf_file(pdf) for pdf in document.files()]
    if encodings:
        data["encoding"] = encodings
    return data


def date_as_known(day, precision):
    """A date to the precision it is known: 2026, 2021-06 or 2022-10-12."""
    if precision == "year":
        return f"{day:%Y}"
    if precision == "month":
        return f"{day:%Y-%m}"
    return day.isoformat()


def member(member):
    """A state (Country) or an organisation. schema.org has no property for "observer of", and
    memberOf is not a Country's: the page's text says how it takes part in CICA, the JSON-LD does not."""
    is_state = member.status != member.Status.OBSERVER_ORG
    data = {
        "@context": CONTEXT,
        "@type": "Country" if is_state else "GovernmentOrganization",
        "name": member.name,
        "url": absolute(member.get_absolute_url()),
    }
    if member.iso_code:
        data["identifier"] = member.iso_code
    if member.website:
        data["sameAs"] = member.website
    picture = member.flag_picture
    if picture:
        data["image"] = media_url(picture.fallback_url)
    return data
