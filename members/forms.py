from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Member


class MatrixFilterForm(forms.Form):
    """/dimensions/?dimension=economic&status=member&all=1: the coordination matrix's filters.

    The dimension choices come from the dimensions the page already loaded, so
    validating and rendering the form costs no query.
    """

    dimension = forms.ChoiceField(label=_("Dimension"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Member.Status.choices]
    )
    all = forms.ChoiceField(
        label=_("Members shown"),
        required=False,
        choices=[("", _("Only members holding a role")), ("1", _("All members"))],
    )

    def __init__(self, *args, dimensions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimension"].choices = [("", _("Any dimension"))] + [(d.slug, d.short_name) for d in dimensions]
