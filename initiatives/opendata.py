"""Open data of the initiatives app: the initiatives and ideas (documented on /data/)."""

from django.utils.translation import gettext_lazy as _

from cicasite.core.opendata import (
    DIMENSIONS,
    NOTES,
    PARTLY_VERIFIED,
    REQUIRED,
    SLUG,
    SOURCES,
    SUMMARY,
    UNIQUE,
    URL,
    VERIFIED,
    Column,
    Dataset,
    absolute_url,
    name_of,
    one_of,
    slug_of,
    source_codes,
)
from initiatives.filters import InitiativeFilter
from initiatives.models import Initiative

INITIATIVES = Dataset(
    slug="initiatives",
    title=_("Initiatives"),
    description=_(
        "CICA's own initiatives (of chairmanships and member states), ordered by title; "
        "with proposed_by=commentary, the ideas from public debate instead."
    ),
    url_name="initiatives:initiative-data",
    list_url_name="initiatives:initiative-list",
    filterset_class=InitiativeFilter,
    columns=(
        Column("slug", SLUG, lambda i: i.slug, constraints=UNIQUE),
        Column("title", _("Name of the initiative."), lambda i: i.title, constraints=REQUIRED),
        Column(
            "status",
            _("proposed, in_progress or achieved."),
            lambda i: i.status,
            constraints=REQUIRED | one_of(Initiative.Status),
        ),
        Column(
            "proposed_by",
            _(
                "chairmanship, member (a member state) or commentary "
                "(an idea from public debate, not a CICA initiative)."
            ),
            lambda i: i.proposed_by,
            constraints=REQUIRED | one_of(Initiative.ProposedBy),
        ),
        Column(
            "chairmanship_slug",
            _("Slug of the chairmanship that proposed it, e.g. kazakhstan-2020-2024; empty if none."),
            lambda i: slug_of(i.public_chairmanship),
        ),
        Column(
            "chairmanship_name",
            _("That chairmanship: the member state and its years."),
            lambda i: str(i.public_chairmanship) if i.public_chairmanship else None,
        ),
        Column("lead_slug", _("Slug of the member that leads it; empty if none."), lambda i: slug_of(i.public_lead)),
        Column("lead_name", _("Name of that member."), lambda i: name_of(i.public_lead)),
        Column("dimensions", DIMENSIONS, lambda i: [d.slug for d in i.dimensions.all()], type="list"),
        Column(
            "meetings",
            _("Slugs of related meetings (see the meetings data), “;”-separated in CSV, an array in JSON."),
            lambda i: [e.slug for e in i.public_events],
            type="list",
        ),
        Column("summary", SUMMARY, lambda i: i.summary),
        Column("notes", NOTES, lambda i: i.notes),
        Column("verified", VERIFIED, lambda i: i.verified, type="boolean", constraints=REQUIRED),
        Column("partly_verified", PARTLY_VERIFIED, lambda i: i.partly_verified, type="boolean", constraints=REQUIRED),
        Column("sources", SOURCES, source_codes, type="list"),
        Column("url", URL, absolute_url, format="uri", constraints=REQUIRED),
    ),
    foreign_keys=((("lead_slug",), "members", ("slug",)),),
)
