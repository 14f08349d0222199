import json
from pathlib import Path

from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from django.views.generic import DetailView

from cicasite.core import structured_data
from cicasite.core.i18n import order_by_shown
from cicasite.core.models import public_q
from cicasite.core.opendata import download
from cicasite.core.pagecache import cached_data
from cicasite.core.views import FilteredListView, PreviewMixin, content_fragments, filter_chips
from members.filters import MemberFilter
from members.forms import MatrixFilterForm
from members.models import Dimension, Member, PriorityArea, Role
from members.opendata import MEMBERS, ROLES

DETAIL_LIST_LIMIT = 10  # related meetings and initiatives shown on a member's or a dimension's page

# The members map's shapes by ISO code, from Natural Earth (scripts/build_map.py): SVG path data in a view
# box of MAP_SHAPES["width"] x ["height"]; "marker" where a state is too small to see, "box" for an inset.
MAP_SHAPES = json.loads((Path(__file__).resolve().parent / "map.json").read_text())


def members_map(filterset=None):
    """What templates/includes/members_map.html draws: CICA's states, its observer organisations.

    One query, whatever the number of members (none while it is kept in the data cache): every
    published member, in the page's language and order, each marked whether it matches the filters
    of the members list when some are applied (`filterset`), so that those stand out on the map.
    """
    applied = filterset is not None and bool(filterset.applied())
    members = Member.objects.published().defer("body", "notes", "summary")
    if applied:
        members = members.annotate(matches=Exists(filterset.qs.filter(pk=OuterRef("pk")).values("pk")))
    members = order_by_shown(members, "name", "pk")
    key = f"{get_language()}?{filterset.canonical_query() if applied else ''}"
    members = cached_data("members-map", key, lambda: list(members))

    countries, insets = MAP_SHAPES["countries"], MAP_SHAPES["insets"]
    groups = {}  # (matches, dotted, status) -> states; drawn in that order: what matches on top of the rest
    organisations, unmapped, frames, drawn = [], [], [], set()
    counts = dict.fromkeys(Member.Status.values, 0)
    for member in members:
        counts[member.status] += 1
        if member.status == Member.Status.OBSERVER_ORG:
            organisations.append(member)
            continue
        code = member.iso_code.upper()
        shape = countries.get(code) or insets.get(code)
        if shape is None:
            unmapped.append(member)  # no ISO code, or not on the map: still in the legend
            continue
        drawn.add(code)
        if "box" in shape:
            frames.append(shape["box"])
        matches = getattr(member, "matches", True)
        # Dotted states after the others, so that no neighbour's shape covers their dot.
        groups.setdefault((matches, "marker" in shape, member.status), []).append({"member": member, "shape": shape})
    return {
        "width": MAP_SHAPES["width"],
        "height": MAP_SHAPES["height"],
        # Every other country in the frame, one faint path.
        "background": "".join(shape["d"] for code, shape in countries.items() if code not in drawn),
        "frames": frames,
        "groups": [
            {"status": status, "receded": not matches, "states": states}
            for (matches, _, status), states in sorted(groups.items(), key=lambda item: item[0])
        ],
        "filtered": applied,
        "matches": [m for m in members if applied and m.matches and m.status != Member.Status.OBSERVER_ORG],
        "unmapped": unmapped,
        "organisations": organisations,
        "counts": counts,
    }


class MemberListView(FilteredListView):
    filterset_class = MemberFilter
    template_name = "members/member_list.html"
    results_partial = "members/member_list.html#results"

    def get_base_queryset(self):
        members = (
            Member.objects.published()
            .select_related("region")
            .prefetch_related(Prefetch("roles", queryset=Role.objects.select_related("area__dimension")))
            .defer("body", "notes")
        )
        return order_by_shown(members, "name", "pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"members_map": members_map(self.filterset)}


@method_decorator(content_fragments, name="dispatch")
class MemberDetailView(PreviewMixin, DetailView):
    model = Member  # what the page shows (cicasite.views.target_is_public reads it)
    template_name = "members/member_detail.html"

    def get_queryset(self):
        return Member.objects.visible_to(self.request.user).select_related("region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["structured_data"] = structured_data.member(self.object)
        flag = structured_data.share_image(self.object.flag_picture, self.object.flag_alt)
        if flag:
            context["og_image"] = flag  # else the emblem (cicasite.core.context_processors.site)
        return context

    def content_context(self):
        """What only the page's main content shows, looked up when it is rendered: never when it comes
        whole from the data cache ({% cachedcontent %})."""
        member = self.object
        prefetch_related_objects(
            [member],
            Prefetch("roles", queryset=Role.objects.select_related("area__dimension").prefetch_related("sources")),
            "chairmanships",
            "sources",
        )
        by_dimension = {}
        for role in member.roles.all():
            by_dimension.setdefault(role.area.dimension, []).append(role)
        context = {"roles_by_dimension": sorted(by_dimension.items(), key=lambda item: item[0].position)}
        # The latest few, and one more to know whether to link to all of them: the page keeps its size
        # whether a member hosted ten meetings or ten thousand. LIMIT queries read in index order.
        related = {
            # Through the reverse relations: the members app imports no app above it (README "Layout").
            "public_hosted_events": member.hosted_events.published()
            .defer("body", "notes")
            .order_by("-start_date", "pk"),
            "public_led_initiatives": member.led_initiatives.published()
            .cica_own()
            .select_related("chairmanship__member")
            .defer("body", "notes")
            .order_by("title", "pk"),
        }
        for name, queryset in related.items():
            rows = list(queryset[: DETAIL_LIST_LIMIT + 1])
            context[f"more_{name}"] = len(rows) > DETAIL_LIST_LIMIT
            setattr(member, name, rows[:DETAIL_LIST_LIMIT])
        return context


def public_roles():
    return Role.objects.filter(public_q("member__")).select_related("member__region")


@require_safe
def dimension_list(request):
    """/dimensions/: the five dimensions, then the matrix of who coordinates which priority area.

    Three queries whatever the data size (four with ?all=1); the grid is built here, in Python.
    """
    dimensions = list(Dimension.objects.prefetch_related("areas"))
    form = MatrixFilterForm(request.GET or None, dimensions=dimensions)
    filters = {}
    invalid_fields = []
    if form.is_bound:
        form.is_valid()  # invalid fields drop out of cleaned_data and are reported, never applied
        filters = form.cleaned_data
        invalid_fields = [form[name] for name in form.errors]
    dimension_slug, status, show_all = filters.get("dimension"), filters.get("status"), filters.get("all") == "1"

    # Rows in the page's alphabet: by the name shown (Russian on /ru/, English where it has none).
    roles = list(
        order_by_shown(
            public_roles().select_related(None).select_related("member").defer("member__body", "member__notes"),
            "member__name",
            "member__pk",
            "pk",
        )
    )
    area_dimension = {area.pk: dimension for dimension in dimensions for area in dimension.areas.all()}
    areas = {area.pk: area for dimension in dimensions for area in dimension.areas.all()}
    for dimension in dimensions:
        dimension.area_count = len(dimension.areas.all())
        dimension.member_count = len({r.member_id for r in roles if area_dimension[r.area_id] is dimension})

    shown = [d for d in dimensions if not dimension_slug or d.slug == dimension_slug]
    columns = [area for dimension in shown for area in dimension.areas.all()]
    column_index = {area.pk: i for i, area in enumerate(columns)}
    roles = [r for r in roles if r.area_id in column_index and (not status or r.member.status == status)]
    if show_all:
        members = order_by_shown(Member.objects.published().defer("body", "notes"), "name", "pk")
        if status:
            members = members.filter(status=status)
    else:
        members = {r.member_id: r.member for r in roles}.values()
    rows = {member.pk: {"member": member, "cells": [None] * len(columns), "roles": []} for member in members}
    for role in roles:
        role.area = areas[role.area_id]
        role.dimension = area_dimension[role.area_id]
        row = rows[role.member_id]
        row["cells"][column_index[role.area_id]] = role
    for row in rows.values():
        row["roles"] = [role for role in row["cells"] if role]

    return render(
        request,
        "members/dimension_list.html",
        {
            "dimensions": dimensions,
            "matrix_dimensions": [(d, list(d.areas.all())) for d in shown if d.areas.all()],
            "columns": columns,
            "rows": list(rows.values()),
            "filter_form": form,
            "invalid_fields": invalid_fields,
            "active_filters": filter_chips(request, form, {name: value for name, value in filters.items() if value}),
            "selected_dimension": shown[0] if dimension_slug else None,
            "selected_status": Member.Status(status).label if status else None,
            "show_all": show_all,
        },
    )


@require_safe
def dimension_detail(request, slug):
    dimension = get_object_or_404(
        Dimension.objects.prefetch_related(
            "sources",
            Prefetch(
                "areas",
                queryset=PriorityArea.objects.prefetch_related(
                    # "coordinator" sorts after "co-coordinator": descending puts coordinators first.
                    Prefetch(
                        "roles",
                        queryset=public_roles().prefetch_related("sources").order_by("-role", "member__name"),
                    )
                ),
            ),
        ),
        slug=slug,
    )
    # At most DETAIL_LIST_LIMIT of each, then a link to the list filtered by the dimension: an archive's
    # thousands of initiatives made this page 170 KB. One more row is read to know whether there are more.
    initiatives = list(dimension.initiatives.published().cica_own().order_by("title")[: DETAIL_LIST_LIMIT + 1])
    events = list(dimension.events.published().order_by("-start_date")[: DETAIL_LIST_LIMIT + 1])
    return render(
        request,
        "members/dimension_detail.html",
        {
            "dimension": dimension,
            "initiatives": initiatives[:DETAIL_LIST_LIMIT],
            "more_initiatives": len(initiatives) > DETAIL_LIST_LIMIT,
            "events": events[:DETAIL_LIST_LIMIT],
            "more_events": len(events) > DETAIL_LIST_LIMIT,
        },
    )


@require_safe
def member_data(request, format):
    """/members/data.csv and .json: every member the list shows for the same filters, all pages at once."""
    queryset = MemberListView().get_base_queryset().defer(None).defer("body").prefetch_related("sources")
    return download(request, MEMBERS, queryset, format)


@require_safe
def role_data(request, format):
    """/roles/data.csv and .json: every coordinating role of a published member."""
    queryset = (
        public_roles()
        .select_related("member", "area__dimension")
        .prefetch_related("sources")
        # As on the dimension pages: coordinators ("coordinator" sorts after "co-coordinator") first.
        .order_by("area__dimension__position", "area__position", "-role", "member__name", "pk")
    )
    return download(request, ROLES, queryset, format)
