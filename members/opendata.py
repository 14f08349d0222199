"""Open data of the members app: members and observers, and their roles (documented on /data/)."""

from django.utils.translation import gettext_lazy as _

from cicasite.core.opendata import (
    NOTES,
    PARTLY_VERIFIED,
    REQUIRED,
    SLUG,
    SOURCES,
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
from members.filters import MemberFilter, RoleFilter
from members.models import Member, Role


def member_dimensions(member):
    slugs = []
    for role in member.roles.all():
        if role.area.dimension.slug not in slugs:
            slugs.append(role.area.dimension.slug)
    return slugs


MEMBERS = Dataset(
    slug="members",
    title=_("Members and observers"),
    description=_("Member states, observer states and observer organisations, one row each, ordered by name."),
    url_name="members:member-data",
    list_url_name="members:member-list",
    filterset_class=MemberFilter,
    columns=(
        Column("slug", SLUG, lambda m: m.slug, constraints=UNIQUE),
        Column("name", _("Common English name."), lambda m: m.name, constraints=REQUIRED),
        Column(
            "status",
            _("member (member state), observer_state or observer_org (observer organisation)."),
            lambda m: m.status,
            constraints=REQUIRED | one_of(Member.Status),
        ),
        Column(
            "iso_code",
            _("ISO 3166-1 alpha-2 code of a state; empty for organisations."),
            lambda m: m.iso_code,
            constraints={"pattern": "[A-Z]{2}"},
        ),
        Column(
            "region_slug",
            _("Slug of the region the member is grouped in; empty if none."),
            lambda m: slug_of(m.region),
        ),
        Column("region_name", _("Name of that region."), lambda m: name_of(m.region)),
        Column(
            "joined", _("Year it joined in its current status; empty when not known."), lambda m: m.joined, type="year"
        ),
        Column("capital", _("Capital city, or seat of an organisation."), lambda m: m.capital),
        # No website and no summary: the records have none for any member (an empty column says nothing).
        Column(
            "dimensions",
            _(
                "Slugs of the dimensions in which it holds a coordinating role (see the roles data), "
                "“;”-separated in CSV, an array in JSON."
            ),
            member_dimensions,
            type="list",
        ),
        Column("notes", NOTES, lambda m: m.notes),
        Column("verified", VERIFIED, lambda m: m.verified, type="boolean", constraints=REQUIRED),
        Column("partly_verified", PARTLY_VERIFIED, lambda m: m.partly_verified, type="boolean", constraints=REQUIRED),
        Column("sources", SOURCES, source_codes, type="list"),
        Column("url", URL, absolute_url, format="uri", constraints=REQUIRED),
    ),
)

ROLES = Dataset(
    slug="roles",
    title=_("Coordinating roles"),
    description=_(
        "Every coordinator and co-coordinator role of a published member in a priority area, ordered by "
        "dimension, priority area, coordinators first, then member name."
    ),
    url_name="members:role-data",
    list_url_name=None,
    filterset_class=RoleFilter,
    columns=(
        Column(
            "member_slug", _("Slug of the member holding the role."), lambda r: r.member.slug, constraints=REQUIRED
        ),
        Column("member_name", _("Name of that member."), lambda r: r.member.name),
        Column(
            "dimension_slug",
            _("Slug of the dimension of the priority area."),
            lambda r: r.area.dimension.slug,
            constraints=REQUIRED,
        ),
        Column("dimension_name", _("Name of that dimension."), lambda r: r.area.dimension.name),
        Column(
            "area_slug",
            _("Slug of the priority area (unique within its dimension)."),
            lambda r: r.area.slug,
            constraints=REQUIRED,
        ),
        Column("area_name", _("Name of the priority area."), lambda r: r.area.name),
        Column(
            "role", _("coordinator or co-coordinator."), lambda r: r.role, constraints=REQUIRED | one_of(Role.Kind)
        ),
        Column("as_of", _("Year the role was last reported; empty when not known."), lambda r: r.as_of, type="year"),
        Column("verified", VERIFIED, lambda r: r.verified, type="boolean", constraints=REQUIRED),
        Column("sources", SOURCES, source_codes, type="list"),
        Column(
            "member_url",
            _("Absolute address of the member's page."),
            lambda r: absolute_url(r.member),
            format="uri",
        ),
        Column(
            "area_url",
            _("Absolute address of the priority area on its dimension's page."),
            lambda r: absolute_url(r.area),
            format="uri",
        ),
    ),
    # One role per member and priority area; an area's slug is unique within its dimension.
    primary_key=("member_slug", "dimension_slug", "area_slug"),
    foreign_keys=((("member_slug",), "members", ("slug",)),),
)
