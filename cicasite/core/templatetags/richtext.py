"""{{ record.body|richtext }}: a body's HTML on a public page, cleaned once more as it is shown."""

from django import template
from django.utils.safestring import mark_safe

from cicasite.core.richtext import sanitize

register = template.Library()


@register.filter
def richtext(html):
    """The stored HTML, through the same allow-list as on save: what the database holds is not
    trusted either (a restored backup, a hand-edited row). Cheap: nh3 cleans a body in microseconds."""
    return mark_safe(sanitize(html or ""))  # cleaned by the allow-list just above
