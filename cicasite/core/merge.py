"""Applying a working copy (cicasite.core.review) over the live rows: the rows a record is edited
with, their fingerprints, and the three-way merge that keeps a Publisher's direct edits made
meanwhile. Everything runs in the caller's transaction."""

import json
import logging

from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from reversion.revisions import _get_options, is_registered  # _get_options: private, tests/test_private_apis.py

from cicasite.core import publishing
from cicasite.core.models import Publishable

ALL = object()  # apply(publish_new=ALL): every new child published, as approval does by default
log = logging.getLogger(__name__)


def label_and_pk(obj):
    return [obj._meta.label_lower, obj.pk]


def children(root):
    """The rows edited together with root: the relations its admin edits inline (reversion's follow)."""
    model = type(root)
    if not is_registered(model):
        return []
    found = []
    for name in _get_options(model).follow:  # no public reader of follow: tests/test_private_apis.py
        related = getattr(root, name, None)
        if related is not None and hasattr(related, "all"):
            found += list(related.all())
    return found


def serialise(objects):
    return json.loads(serializers.serialize("json", objects))


def snapshot_of(root):
    from cicasite.core.admin_base import snapshot

    return snapshot(root)


def row_key(obj):
    return f"{obj._meta.label_lower}:{obj.pk}"


def fingerprints(root):
    """Per row of the record and its children ("app.model:pk"), the fingerprint of every field."""
    return {row_key(obj): snapshot_of(obj) for obj in [root, *children(root)]}


# --- Applying a copy ---------------------------------------------------------------------


class Conflict(Exception):
    """The copy cannot be written over the live rows as they are now (a value another record holds)."""


def apply(copy, *, publish_new=None):
    """Write the copy over the live rows (in the caller's transaction); return the root as saved.

    Existing rows keep their stored publication fields: a copy never publishes,
    schedules or unpublishes anything. New children are drafts, except those in
    publish_new (keys "app.model:pk" a Publisher ticked), published with the record.
    The record's own fields that the copy did not change keep their live values, so a
    Publisher's direct edit made meanwhile is not undone. Raises Conflict, writing
    nothing, when a row would break a rule of the database (a unique code or slug).
    """
    try:
        with transaction.atomic():
            return _apply(copy, publish_new)
    except ValidationError as error:
        raise Conflict(" ".join(error.messages)) from error
    except IntegrityError as error:
        raise Conflict(_("A value in it is already another record's (%(detail)s).") % {"detail": error}) from error


def followed(model):
    """The names of the relations edited together with model's records (reversion's follow)."""
    if not is_registered(model):
        return ()
    return tuple(_get_options(model).follow)  # no public reader of follow: tests/test_private_apis.py


def child_links(root_model):
    """For each kind of child edited with root_model's records: the name of its foreign key to the record."""
    if not is_registered(root_model):
        return {}
    links = {}
    for name in _get_options(root_model).follow:
        relation = root_model._meta.get_field(name)
        links[relation.related_model._meta.label_lower] = relation.field.attname
    return links


def _belongs(row, links, root_pk):
    """Whether a stored child row is still part of the record (a Publisher may have moved it elsewhere)."""
    attname = links.get(row._meta.label_lower)
    return attname is None or getattr(row, attname) == root_pk


def _check_references(obj, m2m):
    """Every record the row points at still exists; else a Conflict, not a failed commit."""
    missing = []
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if field.is_relation and value is not None:
            if not field.remote_field.model._base_manager.filter(pk=value).exists():
                missing.append(field.verbose_name)
    for name, values in m2m.items():
        field = obj._meta.get_field(name)
        if field.remote_field.model._base_manager.filter(pk__in=values).count() != len(set(values)):
            missing.append(field.verbose_name)
    if missing:
        fields = ", ".join(str(name) for name in missing)
        raise Conflict(_("It points at a record that was deleted since (%(fields)s).") % {"fields": fields})


def _apply(copy, publish_new):
    from cicasite.core.admin_base import snapshot

    data = copy.data
    new = {tuple(key) for key in data.get("new", [])}
    publish_new = publish_new if publish_new is ALL else set(publish_new or ())
    root_model = copy.content_type.model_class()
    links = child_links(root_model)
    for label, pk in data.get("deleted", []):
        row = model_for(label)._default_manager.filter(pk=pk).first()
        if row is not None and _belongs(row, links, copy.object_id):
            row.delete()  # a row moved to another record since is that record's now: left alone
    root = None
    for item in serializers.deserialize("json", json.dumps(data.get("objects", []))):
        obj = item.object
        model = type(obj)
        key = (model._meta.label_lower, obj.pk)
        stored = model._default_manager.filter(pk=obj.pk).first()
        m2m = dict(item.m2m_data or {})
        if key in new:
            if stored is not None:
                obj.pk = None  # the number was taken meanwhile (SQLite reuses them): a new row
                obj._state.adding = True
            if issubclass(model, Publishable):
                ticked = publish_new is ALL or f"{key[0]}:{key[1]}" in publish_new
                obj.publication_status = (
                    Publishable.PublicationStatus.PUBLISHED if ticked else Publishable.PublicationStatus.DRAFT
                )
        elif stored is None:
            continue  # removed from the live record since the copy was made: stays removed
        elif root is not None and not _belongs(stored, links, copy.object_id):
            continue  # moved to another record since: that record's now, left alone
        else:
            obj._state.adding, obj._state.db = False, stored._state.db  # an update: its own pk is no clash
            if issubclass(model, Publishable):
                for field in publishing.PUBLICATION_FIELDS:
                    setattr(obj, field, getattr(stored, field))
            if hasattr(stored, "created_at"):
                obj.created_at = stored.created_at
            base = copy.base.get(f"{key[0]}:{key[1]}")
            if base:  # a three-way merge with the live row: what the copy did not change stays as it is now
                untouched = [name for name, value in snapshot(obj, m2m).items() if base.get(name) == value]
                for name in untouched:
                    field = model._meta.get_field(name)
                    if field.many_to_many:
                        m2m.pop(name, None)
                    else:
                        setattr(obj, field.attname, getattr(stored, field.attname))
        _check_references(obj, m2m)
        obj.validate_unique()
        obj.validate_constraints()
        obj.save()
        for name, values in m2m.items():
            getattr(obj, name).set(values)
        if root is None:
            root = obj
    return root


def model_for(label):
    from django.apps import apps

    return apps.get_model(label)
