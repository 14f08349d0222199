import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Dimension, Member, Region, Role


class MemberFilter(django_filters.FilterSet):
    """/members/?dimension=economic&status=member&region=central-asia&role=coordinator&q=kaz"""

    q = django_filters.CharFilter(
        label=_("Name or capital"),
        method="filter_text",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    dimension = django_filters.ModelChoiceFilter(
        label=_("Dimension"),
        queryset=Dimension.objects.all(),
        to_field_name="slug",
        empty_label=_("Any dimension"),
        method="filter_role",
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=Role.Kind.choices, empty_label=_("Any role or none"), method="filter_role"
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Member.Status.choices, empty_label=_("Any status"))
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), to_field_name="slug", empty_label=_("Any region")
    )

    class Meta:
        model = Member
        fields = {}

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(capital__icontains=value) | Q(iso_code__iexact=value))

    def filter_role(self, queryset, name, value):
        # Dimension and role are matched together on one role row in filter_queryset.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        dimension = self.form.cleaned_data.get("dimension")
        role = self.form.cleaned_data.get("role")
        if dimension or role:
            queryset = queryset.with_role_in(dimension=dimension, role=role)
        return queryset
