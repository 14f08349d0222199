from django import forms

from cicasite.validators import validate_image_file


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
