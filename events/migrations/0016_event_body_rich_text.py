"""Bodies become rich text: today's plain text turns into HTML paragraphs, every character kept
(cicasite.core.richtext.from_text; blank lines part paragraphs, a single newline is a <br>)."""

from django.db import migrations, models

from cicasite.core.richtext import paragraphs_migration


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0015_admin_list_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='event',
            name='body',
            field=models.TextField(blank=True, help_text='Full text: paragraphs, headings, lists, links.', max_length=40000, verbose_name='body'),
        ),
        migrations.AlterField(
            model_name='event',
            name='body_en',
            field=models.TextField(blank=True, help_text='Full text: paragraphs, headings, lists, links.', max_length=40000, null=True, verbose_name='body'),
        ),
        migrations.AlterField(
            model_name='event',
            name='body_ru',
            field=models.TextField(blank=True, help_text='Full text: paragraphs, headings, lists, links.', max_length=40000, null=True, verbose_name='body'),
        ),
        paragraphs_migration("events", "event"),
    ]
