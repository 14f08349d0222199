"""The admin index's "Waiting for review" panel (cicasite.core.review.queue)."""

from django import template

from cicasite.core import review

register = template.Library()

SHOWN = 50


@register.simple_tag
def review_queue(user):
    """Up to SHOWN working copies that concern user, and how many there are in all.

    Each is named in the reader's admin language (copy.name: the record's name now, one query per
    kind of record); its object_repr was written in the language of whoever saved it last.
    """
    copies = review.queue(user)
    items = list(copies[:SHOWN])
    wanted = {}
    for copy in items:
        wanted.setdefault(copy.content_type, []).append(copy.object_id)
    names = {}
    for content_type, pks in wanted.items():
        model = content_type.model_class()
        for pk, obj in model._default_manager.in_bulk(pks).items() if model else ():
            names[content_type.pk, pk] = str(obj)
    for copy in items:
        copy.name = names.get((copy.content_type_id, copy.object_id), copy.object_repr)
    return {"items": items, "count": copies.count(), "reviewer": review.is_reviewer(user)}
