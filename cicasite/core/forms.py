from django import forms
from django.utils.translation import gettext_lazy as _

from cicasite.core.validators import validate_image_file


class CheckedImageFormField(forms.ImageField):
    """An image upload field that explains exactly why a file is refused.

    Django's ImageField answers every broken file with one generic message;
    this runs the site's content check first (format, bytes, pixels, complete
    decode), so an editor reads "too many pixels" or "truncated" instead.
    """

    def to_python(self, data):
        if data not in self.empty_values and hasattr(data, "size"):
            validate_image_file(data)
        return super().to_python(data)


class SearchForm(forms.Form):
    """The q of /search/: at most 200 characters, no NUL bytes (CharField's own validator)."""

    MAX_LENGTH = 200

    q = forms.CharField(label=_("Search for"), max_length=MAX_LENGTH, required=False, strip=True)

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())
