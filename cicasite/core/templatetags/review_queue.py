"""The admin index's "Waiting for review" panel (cicasite.core.review.queue)."""

from django import template

from cicasite.core import review

register = template.Library()

SHOWN = 50


@register.simple_tag
def review_queue(user):
    """Up to SHOWN working copies that concern user, and how many there are in all."""
    copies = review.queue(user)
    return {"items": list(copies[:SHOWN]), "count": copies.count(), "reviewer": review.is_reviewer(user)}
