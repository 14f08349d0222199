"""Who may fetch an uploaded file: the public while the record that owns it is public, otherwise staff.

Every upload (a member's flag, a meeting's image, an outcome document's PDF) is stored
under a random name with an extension from the allow-list below, never under the
uploader's file name. Pages link to it at /media/<name>; cicasite.views.serve_media finds
the record that owns the name (an image's renditions belong to their original) and
serves the file to everyone while that record is public, and to staff who may view the
record otherwise (private, no-store). A file no record points at (an image that was
replaced, kept for the history) is staff-only too. The clock is read at request time,
as for pages, so a scheduled record's files appear and disappear with it.

With MEDIA_STORAGE=s3 the bucket is private: the same check ends in a redirect to a
short-lived signed URL (cicasite.core.storage).
"""

import posixpath
import secrets
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from cicasite.core.images import EXTENSIONS, RENDITION_WIDTHS
from cicasite.core.models import public_q

# What an uploaded file may be served as, by the extension we stored it under; anything
# else (only ever a file put there by hand) is a download, never rendered.
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
}
FALLBACK_TYPE = "application/octet-stream"
# How long a signed object-storage URL stays valid, and how long the redirect to it may be reused.
SIGNED_URL_SECONDS = 300
PUBLIC_REDIRECT_SECONDS = 240
# How long a browser or proxy may keep a public record's file: unpublishing takes effect within this.
PUBLIC_MEDIA_SECONDS = 600


def random_name(extension):
    """A name nobody can guess, with an extension from the allow-list (never the uploader's)."""
    if f".{extension}" not in MEDIA_TYPES:
        raise ValueError(f"Not an allowed media extension: {extension!r}")
    return f"{secrets.token_hex(16)}.{extension}"


def document_upload_to(instance, filename):
    """events.Document.file and file_ru: a PDF (checked by cicasite.core.validators) is stored as <random>.pdf."""
    return f"documents/{random_name('pdf')}"


def content_type(name):
    return MEDIA_TYPES.get(posixpath.splitext(name)[1].lower(), FALLBACK_TYPE)


def content_disposition(name):
    """Inline for the allow-listed types, a download for anything else; the stored name, not the uploader's."""
    kind = "inline" if content_type(name) != FALLBACK_TYPE else "attachment"
    return f'{kind}; filename="{posixpath.basename(name)}"'


@dataclass(frozen=True)
class MediaOwner:
    """The file fields of a publishable model, and the records of it whose files the public may fetch."""

    prefix: str  # where the fields store their files (their upload_to)
    model_label: str  # "members.Member"
    fields: tuple  # ("flag",); a document's PDFs: ("file", "file_ru"), each with its own index
    also_public: str = ""  # a relation that must be public too ("event__": a document of a public meeting)

    @property
    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_label)

    def public_records(self):
        records = self.model.objects.published()
        return records.filter(public_q(self.also_public)) if self.also_public else records

    def owns(self, names):
        return reduce(or_, [Q(**{f"{field}__in": names}) for field in self.fields])


# Every file field of a model whose content reaches a public page (tests/cicasite/test_no_leaks.py
# fails when a model's file field is missing here).
MEDIA_OWNERS = (
    MediaOwner("members/flags/", "members.Member", ("flag",)),
    MediaOwner("events/", "events.Event", ("image",)),
    # Its English and Russian PDFs (events.models.FILES).
    MediaOwner("documents/", "events.Document", ("file", "file_ru"), also_public="event__"),
)


def original_names(name):
    """The stored names `name` may belong to: itself, or for a rendition its original in every format."""
    directory, filename = posixpath.split(name)
    if posixpath.basename(directory) != "renditions":
        return [name]
    stem = posixpath.splitext(filename)[0]
    base, _, slot = stem.rpartition("-")
    if not base or not slot.isdigit() or int(slot) not in RENDITION_WIDTHS:
        return [name]
    parent = posixpath.dirname(directory)
    extensions = sorted({*EXTENSIONS.values(), "jpeg"})  # "jpeg": originals stored before images were cleaned
    return [posixpath.join(parent, f"{base}.{extension}") for extension in extensions]


def owner_of(name):
    for owner in MEDIA_OWNERS:
        if name.startswith(owner.prefix):
            return owner
    return None


def is_public(name):
    """Whether the public may fetch the stored file `name` now. One query, on the field's index."""
    owner = owner_of(name)
    if owner is None:
        return False
    return owner.public_records().filter(owner.owns(original_names(name))).exists()


def staff_may_fetch(name, user):
    """Staff who may view the kind of record the file belongs to get any of its files (previews, history)."""
    if not (user.is_active and user.is_staff):
        return False
    owner = owner_of(name)
    if owner is None:
        return user.is_superuser
    opts = owner.model._meta
    return user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
