"""The image field every uploaded picture uses: checked, measured and given renditions on save."""

from functools import partial

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models.fields.files import ImageFieldFile, ImageFileDescriptor

from cicasite.core import images
from cicasite.core.forms import CheckedImageFormField
from cicasite.core.validators import validate_image_file


class CheckedImageDescriptor(ImageFileDescriptor):
    """Remembers the name an image had before it was replaced, so its renditions can go."""

    def __set__(self, instance, value):
        previous = instance.__dict__.get(self.field.attname)
        key = self.field.previous_name_key
        if previous is not None and key not in instance.__dict__:
            instance.__dict__[key] = getattr(previous, "name", previous) or ""
        super().__set__(instance, value)


class CheckedImageFieldFile(ImageFieldFile):
    """Every way of storing an image (a form upload, or code calling .save()) cleans it first."""

    def save(self, name, content, save=True):
        self.instance.__dict__.setdefault(self.field.previous_name_key, self.name or "")
        clean = images.clean_upload(content)
        self.instance.__dict__[self.field.clean_image_key] = clean.image  # for the renditions
        self.field.store_dimensions(self.instance, clean.width, clean.height)
        super().save(clean.name, ContentFile(clean.content), save)

    save.alters_data = True


class CheckedImageField(models.ImageField):
    """An ImageField whose uploads are checked by content (cicasite.core.validators), then cleaned.

    On save, a new upload is re-encoded without metadata under a name made from its content
    hash (cicasite.core.images), its width and height go to the two named fields of the same row,
    and its renditions are stored next to it; the renditions of the image it replaces (or
    that was cleared) are deleted. The replaced original itself is kept: a revision or a
    backup may still point at it.
    """

    attr_class = CheckedImageFieldFile
    descriptor_class = CheckedImageDescriptor

    def __init__(self, *args, stored_width_field=None, stored_height_field=None, **kwargs):
        kwargs.setdefault("validators", [validate_image_file])
        self.stored_width_field = stored_width_field
        self.stored_height_field = stored_height_field
        super().__init__(*args, **kwargs)

    @property
    def previous_name_key(self):
        return f"_{self.attname}_previous_name"

    @property
    def clean_image_key(self):
        return f"_{self.attname}_clean_image"

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.stored_width_field:
            kwargs["stored_width_field"] = self.stored_width_field
        if self.stored_height_field:
            kwargs["stored_height_field"] = self.stored_height_field
        # The path migrations name it by (as Django shortens its own fields' paths): where
        # cicasite.core.models exports it, whichever submodule defines it.
        return name, "cicasite.core.models.CheckedImageField", args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CheckedImageFormField, **kwargs})

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            file.save(file.name, file.file, save=False)  # cleaned by CheckedImageFieldFile.save
        previous = model_instance.__dict__.pop(self.previous_name_key, None)
        clean_image = model_instance.__dict__.pop(self.clean_image_key, None)
        if not file:
            self.store_dimensions(model_instance, None, None)
        if previous and previous != file.name:
            # Only once the row points elsewhere: a rolled-back save keeps the old image whole.
            transaction.on_commit(partial(images.delete_renditions, file.storage, previous))
        if file and clean_image is not None:
            images.make_renditions(file.storage, file.name, clean_image)
        elif file and not file.storage.exists(images.rendition_name(file.name, images.RENDITION_WIDTHS[0], "webp")):
            # A stored original without renditions: brought back by a revert (whatever the
            # history library), or its renditions were lost. One existence check per save
            # of a record with an image; never during a public request.
            try:
                self.rebuild(model_instance)
            except (OSError, SyntaxError, ValueError):
                pass  # the file itself is gone or unreadable: nothing to make renditions from
        return super().pre_save(model_instance, add)

    def store_dimensions(self, model_instance, width, height):
        if self.stored_width_field:
            setattr(model_instance, self.stored_width_field, width)
        if self.stored_height_field:
            setattr(model_instance, self.stored_height_field, height)

    def rebuild(self, model_instance):
        """Make the renditions and dimensions of the stored original again (refresh_media)."""
        file = getattr(model_instance, self.attname)
        image, _format = images.open_stored(file.storage, file.name)
        self.store_dimensions(model_instance, image.width, image.height)
        return images.make_renditions(file.storage, file.name, image)

    def picture(self, model_instance):
        """The <picture> data for templates, from stored fields only (no storage, no Pillow)."""
        return images.picture(
            getattr(model_instance, self.attname),
            getattr(model_instance, self.stored_width_field, None),
            getattr(model_instance, self.stored_height_field, None),
        )
