import django_filters
from django.utils.translation import gettext_lazy as _

from initiatives.models import Chairmanship, Initiative
from members.models import Dimension


class InitiativeFilter(django_filters.FilterSet):
    """/initiatives/?status=in_progress&chairmanship=kazakhstan-2020-2024&dimension=human&proposed_by=commentary"""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Initiative.Status.choices, empty_label=_("Any status")
    )
    chairmanship = django_filters.ModelChoiceFilter(
        label=_("Chairmanship"),
        queryset=Chairmanship.objects.select_related("member"),
        to_field_name="slug",
        empty_label=_("Any chairmanship"),
    )
    dimension = django_filters.ModelChoiceFilter(
        label=_("Dimension"),
        queryset=Dimension.objects.all(),
        to_field_name="slug",
        field_name="dimensions",
        empty_label=_("Any dimension"),
    )
    proposed_by = django_filters.ChoiceFilter(
        label=_("Proposed by"), choices=Initiative.ProposedBy.choices, empty_label=_("Anyone")
    )

    class Meta:
        model = Initiative
        fields = {}
