from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django.views.generic import DetailView

from cicasite import structured_data
from cicasite.models import Publishable
from cicasite.views import FilteredListView
from events.models import Event
from initiatives.models import Initiative
from members.filters import MemberFilter
from members.models import Dimension, Member, PriorityArea, Role

PUBLISHED = Publishable.PublicationStatus.PUBLISHED


class MemberListView(FilteredListView):
    filterset_class = MemberFilter
    template_name = "members/member_list.html"

    def get_base_queryset(self):
        return (
            Member.objects.published()
            .select_related("region")
            .prefetch_related(Prefetch("roles", queryset=Role.objects.select_related("area__dimension")))
            .defer("body", "notes")
            .order_by("name", "pk")
        )


class MemberDetailView(DetailView):
    template_name = "members/member_detail.html"

    def get_queryset(self):
        return (
            Member.objects.published()
            .select_related("region")
            .prefetch_related(
                Prefetch("roles", queryset=Role.objects.select_related("area__dimension")),
                Prefetch(
                    "hosted_events",
                    queryset=Event.objects.published().order_by("-start_date"),
                    to_attr="public_hosted_events",
                ),
                Prefetch(
                    "led_initiatives",
                    queryset=Initiative.objects.published().select_related("chairmanship__member"),
                    to_attr="public_led_initiatives",
                ),
                "chairmanships",
                "sources",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        by_dimension = {}
        for role in self.object.roles.all():
            by_dimension.setdefault(role.area.dimension, []).append(role)
        context["roles_by_dimension"] = sorted(by_dimension.items(), key=lambda item: item[0].position)
        context["structured_data"] = structured_data.member(self.object)
        return context


def public_roles():
    return Role.objects.filter(member__publication_status=PUBLISHED).select_related("member__region")


@require_safe
def dimension_list(request):
    dimensions = Dimension.objects.annotate(
        member_count=Count(
            "areas__roles__member", filter=Q(areas__roles__member__publication_status=PUBLISHED), distinct=True
        ),
        area_count=Count("areas", distinct=True),
    ).prefetch_related("areas")
    return render(request, "members/dimension_list.html", {"dimensions": dimensions})


@require_safe
def dimension_detail(request, slug):
    dimension = get_object_or_404(
        Dimension.objects.prefetch_related(
            Prefetch(
                "areas",
                queryset=PriorityArea.objects.prefetch_related(
                    # "coordinator" sorts after "co-coordinator": descending puts coordinators first.
                    Prefetch("roles", queryset=public_roles().order_by("-role", "member__name"))
                ),
            ),
        ),
        slug=slug,
    )
    return render(
        request,
        "members/dimension_detail.html",
        {
            "dimension": dimension,
            "initiatives": Initiative.objects.published().filter(dimensions=dimension).order_by("title"),
            "events": Event.objects.published().filter(dimensions=dimension).order_by("-start_date")[:10],
        },
    )
