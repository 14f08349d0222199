"""FacetSelect writes in Python the same markup as Django's select templates (compared as HTML)."""

from django import forms
from django.test import SimpleTestCase

from cicasite.core.filters import FacetSelect


class FacetSelectTests(SimpleTestCase):
    def widget(self, **kwargs):
        widget = FacetSelect(attrs={"class": "filter", "data-x": 'a "quoted" <value>'}, **kwargs)
        widget.choices = [("", "Any kind"), ("summit", "Summit"), ("forum", "Think <Tank> Forum"), ("soc", "SOC")]
        widget.counts = {"summit": 3, "forum": 0}
        return widget

    def test_same_html_as_the_templates(self):
        for value in ("", "summit", "forum", None):
            with self.subTest(value=value):
                widget = self.widget()
                attrs = {"id": "id_kind", "aria-invalid": True, "required": False}
                ours = widget.render("kind", value, attrs=attrs)
                django = forms.Select.render(widget, "kind", value, attrs=attrs)
                self.assertHTMLEqual(ours, django)

    def test_counts_disable_empty_options_but_not_the_selected_one(self):
        html = self.widget().render("kind", "forum", attrs={"id": "id_kind"})
        self.assertInHTML('<option value="forum" selected>Think &lt;Tank&gt; Forum (0)</option>', html)
        self.assertInHTML('<option value="soc" disabled>SOC (0)</option>', html)
        self.assertInHTML('<option value="">Any kind</option>', html)

    def test_optgroups_as_the_templates_write_them(self):
        widget = FacetSelect()
        widget.choices = [("", "Any"), ("Asia", [("kz", "Kazakhstan"), ("cn", "China")])]
        self.assertHTMLEqual(widget.render("host", "cn"), forms.Select.render(widget, "host", "cn"))
