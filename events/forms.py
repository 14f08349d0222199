from django import forms

from cicasite.core.admin_base import EditorialForm


class DocumentSlugMixin(forms.ModelForm):
    """A document's slug may be left empty: Document.save() makes one from the title and year.

    An empty slug is cleaned to None, so that the unique checks (of the form and of an inline
    formset, which compares its rows) skip it: two new documents added at once without slugs are
    not duplicates of each other."""

    def clean_slug(self):
        return self.cleaned_data.get("slug") or None


class DocumentInlineForm(DocumentSlugMixin, forms.ModelForm):
    pass


class DocumentForm(DocumentSlugMixin, EditorialForm):
    pass
