"""Read the text of outcome documents' PDFs again (cicasite.core.pdftext), for site search.

Saving a document reads the text of a new or changed file by itself (Document.save() enqueues
it). Run this after upgrading the PDF reader or changing its limits (every document), or to
catch up on files whose text was never read, such as those uploaded before texts were read or
while a worker was down (--pending). Writes only the texts and their extraction state, with one
UPDATE per document: nothing else of the record changes, and no revision is made.
"""

from collections import Counter

from django.core.management.base import BaseCommand
from django.db.models import Q

from cicasite.core import pdftext
from events.models import Document


class Command(BaseCommand):
    help = "Read the text of outcome documents' PDFs again, for site search (all, or with --pending the missing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--pending",
            action="store_true",
            help=(
                "Only files whose stored text is not theirs: never read, changed since, or read by "
                "another version of the reader."
            ),
        )

    def handle(self, *args, pending: bool = False, **options):
        statuses = Counter()
        documents = (
            Document.objects.filter(~Q(file="") | ~Q(file_ru=""))
            .defer("text_en", "text_ru")
            .order_by("pk")
            .iterator(chunk_size=100)
        )
        read = 0
        for document in documents:
            force = not pending or any(
                state.get("reader") != pdftext.READER for state in (document.text_extraction or {}).values()
            )
            languages = document.extract_texts(force=force)
            if languages:
                read += 1
            for language in languages:
                status = document.text_extraction[language]["status"]
                statuses[status] += 1
                if status not in pdftext.Status.WITH_TEXT:
                    self.stderr.write(f"events.Document {document.pk} ({language}): {status}")
        summary = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items())) or "nothing to read"
        self.stdout.write(f"{read} documents read ({pdftext.READER}): {summary}.")
