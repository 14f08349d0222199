"""Rebuild what is derived from stored media: image renditions and dimensions, PDF size and SHA-256.

Saving a record in the admin does this for a new upload; run this command for records stored
before renditions existed, after restoring media from a backup, or when the rendition widths
change; with --random-names, for uploads stored before every name was random. It reads each
stored file once and writes only the derived fields (and, when moved, the file's name), with
save(update_fields=...), so nothing else of the record changes.
"""

import posixpath
import re
from functools import partial

from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import transaction

from cicasite.core.images import rendition_slots
from cicasite.core.media import document_upload_to
from events.models import Document, Event
from members.models import Member

IMAGES = ((Member, "flag"), (Event, "image"))
RANDOM_DOCUMENT_NAME = re.compile(r"^documents/[0-9a-f]{32}\.pdf$")


class Command(BaseCommand):
    help = "Rebuild image renditions and dimensions, and PDF sizes and SHA-256 hashes, of stored media."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reencode",
            action="store_true",
            help=(
                "Also re-encode every stored original without metadata (EXIF, GPS...) under a new name, "
                "and delete the old file: for uploads stored before originals were cleaned."
            ),
        )
        parser.add_argument(
            "--random-names",
            action="store_true",
            help=(
                "Also move every stored upload to a random name and delete the old file: images are "
                "re-encoded as with --reencode, documents keep their bytes under documents/<random>.pdf. "
                "For uploads stored before names were random (uploader's names, content hashes)."
            ),
        )
        parser.add_argument(
            "--documents-missing-only",
            action="store_true",
            help="Measure only documents without a stored SHA-256 (faster; images are always rebuilt).",
        )

    def handle(
        self,
        *args,
        reencode: bool = False,
        random_names: bool = False,
        documents_missing_only: bool = False,
        **options,
    ):
        images = renditions = documents = missing = renamed = 0
        reencode = reencode or random_names  # a re-encoded image is stored under a new random name
        for model, field_name in IMAGES:
            field = model._meta.get_field(field_name)
            for record in model.objects.exclude(**{field_name: ""}).order_by("pk").iterator():
                try:
                    if reencode:
                        renditions += self.reencode(record, field)
                        images += 1
                        continue
                    renditions += len(field.rebuild(record))
                except (OSError, SyntaxError, ValueError) as exc:
                    missing += 1
                    self.stderr.write(
                        f"{model._meta.label} {record.pk}: cannot read {getattr(record, field_name).name}: {exc}"
                    )
                    continue
                record.save(update_fields=[field.stored_width_field, field.stored_height_field])
                images += 1
        queryset = Document.objects.exclude(file="").order_by("pk")
        if documents_missing_only:
            queryset = queryset.filter(file_sha256="")
        for document in queryset.iterator():
            try:
                if random_names and not RANDOM_DOCUMENT_NAME.match(document.file.name):
                    self.rename(document)
                    renamed += 1
                document.measure_file()
            except OSError as exc:
                missing += 1
                self.stderr.write(f"events.Document {document.pk}: cannot read {document.file.name}: {exc}")
                continue
            document.save(update_fields=["file_size", "file_sha256"])
            documents += 1
        self.stdout.write(
            f"{images} images ({renditions} renditions), {documents} documents refreshed"
            + (f" ({renamed} documents renamed)" if random_names else "")
            + f"; {missing} files unreadable."
        )

    def rename(self, document):
        """Store the same bytes under documents/<random>.pdf, then delete the old file."""
        storage, old_name = document.file.storage, document.file.name
        with storage.open(old_name, "rb") as stored:
            new_name = storage.save(document_upload_to(document, old_name), stored)
        document.file.name = new_name
        with transaction.atomic():
            document.save(update_fields=["file"])
            transaction.on_commit(partial(storage.delete, old_name))

    def reencode(self, record, field):
        """Clean the stored original as if it were uploaded now, then delete the old file."""
        storage, old_name = getattr(record, field.attname).storage, getattr(record, field.attname).name
        with storage.open(old_name, "rb") as stored:
            setattr(record, field.attname, File(stored, name=posixpath.basename(old_name)))
            with transaction.atomic():
                record.save(update_fields=[field.attname, field.stored_width_field, field.stored_height_field])
                transaction.on_commit(partial(storage.delete, old_name))
        return 2 * len(rendition_slots(getattr(record, field.stored_width_field)))
