"""What happens to an uploaded image before anyone sees it, and the renditions made from it.

An upload that passed cicasite.core.validators is re-encoded by Pillow: the EXIF orientation is
applied to the pixels, colours are converted to sRGB when the file carries an ICC profile,
and nothing else of the file survives (no EXIF, GPS, XMP, ICC or text chunks). It is stored
under a random name (nobody can guess the address of an unpublished record's image), in its
own format family.

Renditions are made at the same time, never during a public request: up to three widths
(RENDITION_WIDTHS, never upscaled), each as WebP and as a JPEG or PNG fallback. Their names
follow from the original's name, so a page builds their URLs from the stored width alone,
without touching the storage or Pillow.
"""

import io
import posixpath
import secrets
from dataclasses import dataclass
from functools import cached_property

from django.core.files.base import ContentFile
from PIL import Image, ImageCms, ImageOps

RENDITION_WIDTHS = (160, 480, 960)

# Stored format per uploaded format, and the extension it is stored under.
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# The fallback next to WebP renditions: PNG keeps PNG (flags with sharp edges or alpha).
FALLBACK = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "JPEG"}
MIME_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 80, "method": 4},
}
SRGB = ImageCms.createProfile("sRGB")


@dataclass
class CleanImage:
    image: Image.Image  # the re-encoded pixels, for the renditions
    content: bytes
    format: str  # JPEG, PNG or WEBP
    width: int
    height: int

    @cached_property
    def name(self):
        """Random, never derived from the content: knowing the picture must not give its address."""
        return f"{secrets.token_hex(16)}.{EXTENSIONS[self.format]}"


def _pixels(image, image_format):
    """The upload's pixels, upright, in sRGB and a mode its format stores, with no metadata."""
    image = ImageOps.exif_transpose(image)
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
            image = ImageCms.profileToProfile(image, source, SRGB, outputMode=output_mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: keep the pixels as they are, as a browser would
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if image_format == "JPEG":
        mode = "L" if image.mode == "L" else "RGB"
    elif image.mode in ("L", "RGB") and not has_alpha:
        mode = image.mode
    else:
        mode = "RGBA" if has_alpha else "RGB"
    clean = image.convert(mode) if image.mode != mode else image.copy()
    clean.info = {}  # EXIF, GPS, XMP, ICC, comments, text chunks: none of it is written
    return clean


def encode(image, image_format):
    buffer = io.BytesIO()
    if image_format == "JPEG" and image.mode not in ("L", "RGB"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A") if "A" in image.getbands() else None)
        image = background
    image.save(buffer, format=image_format, **SAVE_OPTIONS[image_format])
    return buffer.getvalue()


def clean_upload(file):
    """Re-encode an upload that cicasite.core.validators accepted."""
    file.seek(0)
    with Image.open(file) as original:
        image_format = original.format
        original.load()
        image = _pixels(original, image_format)
    file.seek(0)
    return CleanImage(image, encode(image, image_format), image_format, image.width, image.height)


def rendition_name(name, slot, extension):
    directory, filename = posixpath.split(name)
    stem = posixpath.splitext(filename)[0]
    return posixpath.join(directory, "renditions", f"{stem}-{slot}.{extension}")


def rendition_slots(width):
    """(slot, actual width) pairs for an image this wide: never upscaled, no two alike."""
    slots, seen = [], set()
    for slot in RENDITION_WIDTHS:
        actual = min(slot, width)
        if actual not in seen:
            seen.add(actual)
            slots.append((slot, actual))
    return slots


def formats_for(name):
    """The rendition formats of an original: WebP plus its fallback."""
    extension = posixpath.splitext(name)[1].lstrip(".").lower()
    original = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}.get(extension, "JPEG")
    return ("WEBP", FALLBACK[original])


def make_renditions(storage, name, image):
    """Store every rendition of the original `name` (whose pixels are `image`); return their names."""
    delete_renditions(storage, name)
    made = []
    for slot, width in rendition_slots(image.width):
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
        for image_format in formats_for(name):
            target = rendition_name(name, slot, EXTENSIONS[image_format])
            made.append(storage.save(target, ContentFile(encode(resized, image_format))))
    return made


def delete_renditions(storage, name):
    """Remove whatever renditions of `name` exist (all slots, all formats)."""
    for slot in RENDITION_WIDTHS:
        for extension in ("webp", "jpg", "png"):
            storage.delete(rendition_name(name, slot, extension))


def open_stored(storage, name):
    """The pixels of a stored original, for rebuilding its renditions."""
    with storage.open(name, "rb") as stored, Image.open(stored) as image:
        image.load()
        return _pixels(image, image.format), image.format


@dataclass
class Picture:
    """What a template needs for <picture>: built from stored fields, with no storage access."""

    url: str
    width: int
    height: int
    sources: list  # [(mime type, srcset)], WebP first
    fallback_srcset: str
    fallback_url: str


def picture(fieldfile, width, height):
    if not fieldfile or not width or not height:
        return None
    storage, name = fieldfile.storage, fieldfile.name
    slots = rendition_slots(width)
    srcsets = {}
    for image_format in formats_for(name):
        extension = EXTENSIONS[image_format]
        srcsets[extension] = ", ".join(
            f"{storage.url(rendition_name(name, slot, extension))} {actual}w" for slot, actual in slots
        )
    webp, fallback = (EXTENSIONS[f] for f in formats_for(name))
    return Picture(
        url=fieldfile.url,
        width=width,
        height=height,
        sources=[(MIME_TYPES[webp], srcsets[webp])],
        fallback_srcset=srcsets[fallback],
        fallback_url=storage.url(rendition_name(name, slots[-1][0], fallback)),
    )
