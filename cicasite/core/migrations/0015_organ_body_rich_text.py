"""Bodies become rich text: today's plain text turns into HTML paragraphs, every character kept
(cicasite.core.richtext.from_text; blank lines part paragraphs, a single newline is a <br>)."""

from django.db import migrations, models

from cicasite.core.richtext import paragraphs_migration


class Migration(migrations.Migration):

    dependencies = [
        ('cicasite', '0014_research_notes_are_public'),
    ]

    operations = [
        migrations.AlterField(
            model_name='organ',
            name='body',
            field=models.TextField(blank=True, help_text='Further facts: paragraphs, lists, links.', max_length=40000, verbose_name='details'),
        ),
        migrations.AlterField(
            model_name='organ',
            name='body_en',
            field=models.TextField(blank=True, help_text='Further facts: paragraphs, lists, links.', max_length=40000, null=True, verbose_name='details'),
        ),
        migrations.AlterField(
            model_name='organ',
            name='body_ru',
            field=models.TextField(blank=True, help_text='Further facts: paragraphs, lists, links.', max_length=40000, null=True, verbose_name='details'),
        ),
        paragraphs_migration("cicasite", "organ"),
    ]
