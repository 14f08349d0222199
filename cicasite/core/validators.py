"""Validators for uploaded files, checked by content rather than by name.

Images must be JPEG, PNG or WebP, within a byte and a pixel ceiling, and must
decode completely (a truncated or corrupt file is refused). Documents must be
PDF files (starting with %PDF-) within a byte ceiling.
"""

import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image

ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}


def validate_image_file(file):
    """Refuse anything that is not a complete JPEG, PNG or WebP image of sane size."""
    if file.size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The image is %(size)s; the limit is %(limit)s."),
            code="image_too_large",
            params={
                "size": filesizeformat(file.size),
                "limit": filesizeformat(settings.IMAGE_MAX_BYTES),
            },
        )
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                image_format = image.format
                width, height = image.size
                if image_format not in ALLOWED_IMAGE_FORMATS:
                    raise ValidationError(
                        _("Upload a JPEG, PNG or WebP image; this file is %(format)s."),
                        code="image_format",
                        params={"format": image_format or _("of an unknown kind")},
                    )
                if width * height > settings.IMAGE_MAX_PIXELS:
                    raise ValidationError(
                        _("The image is %(width)s × %(height)s pixels; the limit is %(limit)s megapixels."),
                        code="image_too_many_pixels",
                        params={
                            "width": width,
                            "height": height,
                            "limit": settings.IMAGE_MAX_PIXELS // 1_000_000,
                        },
                    )
                image.load()  # decodes every pixel: catches truncated and corrupt files
            check_not_polyglot(file, image_format)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(_("The image has too many pixels to be processed safely."), code="image_bomb") from exc
    except Exception as exc:  # Pillow raises many kinds for broken files
        raise ValidationError(
            _("The file is not a complete image (it may be truncated or corrupt)."),
            code="image_invalid",
        ) from exc
    finally:
        file.seek(0)


# Markup that a browser (or a careless proxy) could take for a page or a script.
MARKUP = (b"<html", b"<script", b"<svg", b"<body", b"<iframe", b"<!doctype", b"<?xml", b"javascript:")


def image_end(data, image_format):
    """Where the image data ends by its own format's rules, or None when it cannot be told."""
    if image_format == "PNG":
        marker = data.rfind(b"IEND")
        return marker + 8 if marker >= 4 else None  # chunk type, then a 4-byte CRC
    if image_format == "JPEG":
        marker = data.rfind(b"\xff\xd9")
        return marker + 2 if marker >= 0 else None
    if image_format == "WEBP" and data[:4] == b"RIFF":
        return 8 + int.from_bytes(data[4:8], "little")
    return None


def check_not_polyglot(file, image_format):
    """Refuse an image that is also something else: bytes after its end, or markup inside it."""
    file.seek(0)
    data = file.read()
    file.seek(0)
    end = image_end(data, image_format)
    if end is None or len(data) > end:
        raise ValidationError(
            _("The file carries data after the end of the image; upload the image alone."), code="image_polyglot"
        )
    # Browsers sniff the start of a file; scanning all of it would also reject about one large
    # image in a hundred by chance (four bytes like "<svg" occur in compressed data).
    head = data[:2048].lower()
    if any(marker in head for marker in MARKUP):
        raise ValidationError(
            _("The image contains web page or script markup; export it again from an image editor."),
            code="image_markup",
        )


def validate_pdf_file(file):
    """Refuse anything that is not a PDF within the size ceiling."""
    if file.size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("The document is %(size)s; the limit is %(limit)s."),
            code="document_too_large",
            params={
                "size": filesizeformat(file.size),
                "limit": filesizeformat(settings.DOCUMENT_MAX_BYTES),
            },
        )
    file.seek(0)
    header = file.read(5)
    file.seek(0)
    # At the very start: a file with anything before the marker (a page, an SVG) is not a PDF,
    # whatever a lenient reader makes of it. It is stored as <random>.pdf (cicasite.core.media).
    if header != b"%PDF-":
        raise ValidationError(_("Upload a PDF document; this file is not a PDF."), code="not_pdf")
