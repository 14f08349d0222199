"""Open data of the initiatives app: the initiatives and ideas (documented on /data/).

They grow with the archive (5,000 beside 100,000 meetings): rows are dicts read with values()
(cicasite.core.opendata), so each column reads a key of the row.
"""

from operator import itemgetter

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from cicasite.core.models import Source
from cicasite.core.opendata import (
    CHUNK_SIZE,
    DIMENSIONS,
    REQUIRED,
    SLUG,
    UNIQUE,
    Column,
    Dataset,
    Translated,
    in_order,
    linked,
    linked_ids,
    one_of,
    page_url,
    row_record_columns,
    translated_columns,
)
from events.models import Event
from initiatives.filters import InitiativeFilter
from initiatives.models import Chairmanship, Initiative
from members.models import Dimension, Member

# The initiatives' translated columns the download reads.
INITIATIVE_TEXTS = ("title", "summary", "notes")


def initiative_rows(queryset, extra=()):
    """The initiatives of the queryset as dicts, in its order: one statement with the lead (when public)
    and the ids of the dimensions, related meetings and sources; plus one query each for the public
    chairmanships, the dimensions' and sources' order and the public meetings these name, oldest first
    (Initiative.public_chairmanship, public_lead and public_events, from the same public querysets)."""
    queryset = queryset.prefetch_related(None)
    rows = queryset.annotate(
        lead_public=Exists(Member.objects.published().filter(pk=OuterRef("lead_id"))),
        dimension_ids=linked_ids(Initiative.dimensions.through, "initiative", "dimension_id"),
        event_ids=linked_ids(Initiative.events.through, "initiative", "event_id"),
        source_ids=linked_ids(Initiative.sources.through, "initiative", "source_id"),
    ).values(
        "slug",
        *translated_columns("", *INITIATIVE_TEXTS),
        "status",
        "proposed_by",
        "chairmanship_id",
        "lead_public",
        "lead__slug",
        *translated_columns("lead__", "name"),
        "verified",
        "partly_verified",
        "dimension_ids",
        "event_ids",
        "source_ids",
        *extra,
    )
    # Read now, in the view: the addresses follow the request's site (cicasite.core.links).
    url = page_url("initiatives:initiative-detail")
    chairmanships = {c.pk: c for c in Chairmanship.objects.published().select_related("member")}
    dimensions = in_order(Dimension.objects.all())  # as i.dimensions.all() orders them
    sources = in_order(Source.objects.all(), "code")
    named = Event.objects.published().filter(initiatives__in=queryset.order_by().values("pk"))
    events = in_order(named.order_by("start_date", "pk").distinct())  # as with_public_events() orders them
    texts = {name: Translated(Initiative, name) for name in INITIATIVE_TEXTS}
    lead_name = Translated(Member, "name", "lead__")

    def read():
        for row in rows.iterator(chunk_size=CHUNK_SIZE):
            for name, text in texts.items():
                row[name] = text(row)
            chairmanship = chairmanships.get(row["chairmanship_id"])
            row["chairmanship_slug"] = chairmanship.slug if chairmanship else None
            row["chairmanship_name"] = str(chairmanship) if chairmanship else None
            public = row["lead_public"]
            row["lead_slug"] = row["lead__slug"] if public else None
            row["lead_name"] = lead_name(row) if public else None
            row["dimensions"] = linked(row["dimension_ids"], dimensions)
            row["meetings"] = linked(row["event_ids"], events)
            row["sources"] = linked(row["source_ids"], sources)
            row["url"] = url(row["slug"])
            yield row

    return read()


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
        Column("slug", SLUG, itemgetter("slug"), constraints=UNIQUE),
        Column("title", _("Name of the initiative."), itemgetter("title"), constraints=REQUIRED),
        Column(
            "status",
            _("proposed, in_progress or achieved."),
            itemgetter("status"),
            constraints=REQUIRED | one_of(Initiative.Status),
        ),
        Column(
            "proposed_by",
            _(
                "chairmanship, member (a member state) or commentary "
                "(an idea from public debate, not a CICA initiative)."
            ),
            itemgetter("proposed_by"),
            constraints=REQUIRED | one_of(Initiative.ProposedBy),
        ),
        Column(
            "chairmanship_slug",
            _("Slug of the chairmanship that proposed it, e.g. kazakhstan-2020-2024; empty if none."),
            itemgetter("chairmanship_slug"),
        ),
        Column(
            "chairmanship_name",
            _("That chairmanship: the member state and its years."),
            itemgetter("chairmanship_name"),
        ),
        Column("lead_slug", _("Slug of the member that leads it; empty if none."), itemgetter("lead_slug")),
        Column("lead_name", _("Name of that member."), itemgetter("lead_name")),
        Column("dimensions", DIMENSIONS, itemgetter("dimensions"), type="list"),
        Column(
            "meetings",
            _("Slugs of related meetings (see the meetings data), “;”-separated in CSV, an array in JSON."),
            itemgetter("meetings"),
            type="list",
        ),
        *row_record_columns(),
    ),
    foreign_keys=((("lead_slug",), "members", ("slug",)),),
    rows=initiative_rows,
)
