"""Outcome documents get pages of their own (/documents/<slug>/) and a text of their own.

Every existing document gets a slug from its English title and year (almaty-act-2002); where two
documents would share one, the later gets -2, -3... Editors may change them afterwards.
"""

from django.db import migrations, models
from django.utils.text import slugify

import cicasite.core.search_indexes


def slug_base(title, year):
    """As events.models.document_slug: the title's words, cut to fit, then the year."""
    base = slugify(title or "")[:180].rstrip("-")
    if len(slugify(title or "")) > 180 and "-" in base:
        base = base.rsplit("-", 1)[0]
    return f"{base or 'document'}-{year}"


def give_slugs(apps, schema_editor):
    Document = apps.get_model("events", "Document")
    taken = set()
    batch = []
    rows = Document.objects.select_related("event").only("pk", "title_en", "title", "date", "event__start_date")
    for document in rows.order_by("event__start_date", "position", "pk").iterator(chunk_size=1000):
        day = document.date or document.event.start_date
        base = slug_base(document.title_en or document.title, day.year)
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        document.slug = slug
        batch.append(document)
        if len(batch) >= 1000:
            Document.objects.bulk_update(batch, ["slug"])
            batch = []
    if batch:
        Document.objects.bulk_update(batch, ["slug"])


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0017_stored_search_vectors'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='document',
            name='document_search_en',
        ),
        migrations.RemoveIndex(
            model_name='document',
            name='document_search_ru',
        ),
        migrations.AddField(
            model_name='document',
            name='body',
            field=models.TextField(blank=True, help_text='The text of the document, where we have it: paragraphs, headings, lists, links.', max_length=40000, verbose_name='text'),
        ),
        migrations.AddField(
            model_name='document',
            name='body_en',
            field=models.TextField(blank=True, help_text='The text of the document, where we have it: paragraphs, headings, lists, links.', max_length=40000, null=True, verbose_name='text'),
        ),
        migrations.AddField(
            model_name='document',
            name='body_ru',
            field=models.TextField(blank=True, help_text='The text of the document, where we have it: paragraphs, headings, lists, links.', max_length=40000, null=True, verbose_name='text'),
        ),
        migrations.AddField(
            model_name='document',
            name='slug',
            field=models.SlugField(blank=True, default='', help_text="ASCII, from the title and year, e.g. almaty-act-2002: the last part of the page's address. Left empty, it is made from the English title and the year.", max_length=200, verbose_name='slug'),
            preserve_default=False,
        ),
        migrations.RunPython(give_slugs, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='document',
            index=models.Index(fields=['event', 'publication_status', 'position', 'id'], name='document_event_list_idx'),
        ),
        migrations.AddIndex(
            model_name='document',
            index=models.Index(fields=['publication_status', 'kind', 'event'], name='document_public_kind_idx'),
        ),
        migrations.AddIndex(
            model_name='document',
            index=models.Index(fields=['date'], name='document_date_idx'),
        ),
        migrations.AddIndex(
            model_name='document',
            index=models.Index(fields=['title', 'event'], name='document_title_event_idx'),
        ),
        migrations.AddIndex(
            model_name='document',
            index=cicasite.core.search_indexes.StoredSearchVector(a=('title',), b=(), c=('body',), config='english', language='en', name='document_search_en'),
        ),
        migrations.AddIndex(
            model_name='document',
            index=cicasite.core.search_indexes.StoredSearchVector(a=('title',), b=(), c=('body',), config='russian', language='ru', name='document_search_ru'),
        ),
        migrations.AddIndex(
            model_name='document',
            index=models.Index(fields=['title_en', 'event'], name='document_title_event_idx-en'),
        ),
        migrations.AddIndex(
            model_name='document',
            index=models.Index(fields=['title_ru', 'event'], name='document_title_event_idx-ru'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.UniqueConstraint(fields=('slug',), name='document_slug_unique'),
        ),
    ]
