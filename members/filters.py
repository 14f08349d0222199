import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cicasite.core.filters import FacetedFilterSet, FacetSelect
from members.models import Dimension, Member, Region, Role


class MemberFilter(FacetedFilterSet):
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
        widget=FacetSelect,
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"),
        choices=Role.Kind.choices,
        empty_label=_("Any role or none"),
        method="filter_role",
        widget=FacetSelect,
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Member.Status.choices, empty_label=_("Any status"), widget=FacetSelect
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.all(),
        to_field_name="slug",
        empty_label=_("Any region"),
        widget=FacetSelect,
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
        # Dimension and role are matched together on one role row in filter_extra.
        return queryset

    def filter_extra(self, queryset, excluded):
        applied = self.applied()
        dimension = applied.get("dimension") if "dimension" not in excluded else None
        role = applied.get("role") if "role" not in excluded else None
        if dimension or role:
            queryset = queryset.with_role_in(dimension=dimension, role=role)
        return queryset

    def facets(self):
        applied = self.applied()
        # Roles of the members that every other filter keeps; dimension and role count each other's choice,
        # as numbers of distinct members.
        members = self.queryset_without("dimension", "role")
        roles = Role.objects.filter(member__in=members.values("pk"))
        by_dimension = roles.filter(role=applied["role"]) if "role" in applied else roles
        by_role = roles.filter(area__dimension=applied["dimension"]) if "dimension" in applied else roles
        return {
            "dimension": (by_dimension, "area__dimension__slug", "member"),
            "role": (by_role, "role", "member"),
            "status": (self.queryset_without("status"), "status", "pk"),
            "region": (self.queryset_without("region"), "region__slug", "pk"),
        }


def public_members(request):
    """Called per request: the public set depends on the clock (scheduled members)."""
    return Member.objects.published()


class RoleFilter(django_filters.FilterSet):
    """/roles/data.csv?dimension=economic&role=coordinator&member=kazakhstan"""

    dimension = django_filters.ModelChoiceFilter(
        label=_("Dimension"),
        queryset=Dimension.objects.all(),
        to_field_name="slug",
        field_name="area__dimension",
        empty_label=_("Any dimension"),
    )
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.Kind.choices, empty_label=_("Any role"))
    member = django_filters.ModelChoiceFilter(
        label=_("Member"), queryset=public_members, to_field_name="slug", empty_label=_("Any member")
    )

    class Meta:
        model = Role
        fields = {}
