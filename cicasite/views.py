"""Site-wide views (home, about, error pages) and the list view every app uses."""

from django.conf import settings
from django.db.models import Count, Q
from django.shortcuts import render
from django.views.generic import ListView

from cicasite.models import Organ, Partner, Publishable, SecretariatHead
from events.models import Event
from initiatives.models import Chairmanship, Initiative
from members.models import Dimension, Member

PUBLISHED = Publishable.PublicationStatus.PUBLISHED


class FilteredListView(ListView):
    """A paginated list narrowed by a django-filter FilterSet from GET parameters.

    Invalid filter values never fail the page: the invalid field is ignored,
    marked in the form, and announced in a message above the results.
    """

    filterset_class = None
    paginate_by = settings.PAGE_SIZE
    page_kwarg = "page"

    def get_base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=self.get_base_queryset(), request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filterset.form
        invalid = [form[name] for name in form.errors] if self.filterset.is_bound else []
        context.update(
            filterset=self.filterset,
            filter_form=form,
            invalid_fields=invalid,
            active_filters=[
                form[name]
                for name, value in (form.cleaned_data.items() if self.filterset.is_bound else [])
                if value not in (None, "", [])
            ],
            result_count=context["paginator"].count if context.get("paginator") else len(context["object_list"]),
        )
        return context


def home(request):
    dimensions = Dimension.objects.annotate(
        member_count=Count(
            "areas__roles__member",
            filter=Q(areas__roles__member__publication_status=PUBLISHED),
            distinct=True,
        )
    )
    status_counts = dict(
        Member.objects.published().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    events = Event.objects.published().select_related("host")
    chair = Chairmanship.objects.current()
    chair_initiatives = (
        Initiative.objects.published().filter(chairmanship=chair).order_by("title")
        if chair
        else Initiative.objects.none()
    )
    return render(
        request,
        "cicasite/home.html",
        {
            "dimensions": dimensions,
            "member_states": status_counts.get(Member.Status.MEMBER, 0),
            "observer_states": status_counts.get(Member.Status.OBSERVER_STATE, 0),
            "observer_orgs": status_counts.get(Member.Status.OBSERVER_ORG, 0),
            "latest_events": events.past()[:4],
            "next_events": events.upcoming()[:3],
            "chairmanship": chair,
            "chair_initiatives": chair_initiatives,
        },
    )


def about(request):
    return render(
        request,
        "cicasite/about.html",
        {
            "organs": Organ.objects.prefetch_related("sources"),
            "heads": SecretariatHead.objects.all(),
            "partners": Partner.objects.all(),
            "chairmanships": Chairmanship.objects.select_related("member").order_by("start_year"),
        },
    )
