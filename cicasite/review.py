"""Working copies of live records and their review: edit, submit, send back, approve.

An Editor's change to a live record (cicasite.publishing) is kept as a WorkingCopy:
the record and its children (a member's roles, a meeting's documents) serialised as
they would be after the change. The public keeps seeing the live rows until a
Publisher approves; approval writes the copy over them in one transaction, as one
revision, keeping every publication field as the Publisher decided it.

The copy is made with the admin's own forms: editing() opens a publishing.sandbox(),
writes the current copy over the live rows inside it, lets the admin validate and
save as usual, serialises the result and rolls everything back. preview() does the
same for the public page, so staff see the pending version rendered by the real views.
"""

import hashlib
import json
import logging
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from reversion import create_revision, set_comment, set_user
from reversion.revisions import _get_options, is_registered

from cicasite import publishing
from cicasite.models import Publishable, ReviewNote, WorkingCopy

ALL = object()  # apply(publish_new=ALL): every new child published, as approval does by default
State = WorkingCopy.State
Action = ReviewNote.Action
log = logging.getLogger(__name__)


def needs_working_copy(user, root):
    """Whether user's changes to this record go to a working copy rather than to the live rows."""
    return publishing.is_live(root) and not publishing.may_publish(user, type(root))


def copy_of(obj):
    return WorkingCopy.objects.of(obj).first()


def _key(obj):
    return [obj._meta.label_lower, obj.pk]


def children(root):
    """The rows edited together with root: the relations its admin edits inline (reversion's follow)."""
    model = type(root)
    if not is_registered(model):
        return []
    found = []
    for name in _get_options(model).follow:
        related = getattr(root, name, None)
        if related is not None and hasattr(related, "all"):
            found += list(related.all())
    return found


def serialise(objects):
    return json.loads(serializers.serialize("json", objects))


def snapshot_of(root):
    from cicasite.editorial import snapshot

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
    from cicasite.editorial import snapshot

    data = copy.data
    new = {tuple(key) for key in data.get("new", [])}
    publish_new = publish_new if publish_new is ALL else set(publish_new or ())
    root_model = copy.content_type.model_class()
    links = child_links(root_model)
    for label, pk in data.get("deleted", []):
        row = _model(label)._default_manager.filter(pk=pk).first()
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


def _model(label):
    from django.apps import apps

    return apps.get_model(label)


class EditingSession:
    """What editing() hands the admin: the copy (or None) and capture() after a successful save."""

    def __init__(self, root, user):
        self.root = root
        self.user = user
        self.copy = copy_of(root)
        self.live_children = {tuple(_key(child)) for child in children(root)}
        self.captured = None
        self.conflict = None

    def capture(self):
        """Serialise the record and its children as the admin just saved them (inside the sandbox)."""
        root = type(self.root)._default_manager.get(pk=self.root.pk)
        self.captured_fingerprints = fingerprints(root)
        kids = children(root)
        now = {tuple(_key(child)) for child in kids}
        self.captured = {
            "objects": serialise([root, *kids]),
            "new": sorted(now - self.live_children),
            "deleted": sorted(self.live_children - now),
            "repr": str(root)[:300],
        }

    def save(self):
        """After the sandbox: keep the captured copy (one row per record, every editor on the same copy)."""
        if self.captured is None:
            return None
        repr_ = self.captured.pop("repr")
        live = fingerprints(type(self.root)._default_manager.get(pk=self.root.pk))  # as stored, not as edited
        copy = self.copy or WorkingCopy(
            content_type=ContentType.objects.get_for_model(self.root),
            object_id=self.root.pk,
            created_by=self.user,
            base=live,
        )
        copy.data = self.captured
        # Per row and field: what the copy holds as it is live now is not the editor's change, and
        # follows the live version from here on (approval keeps a Publisher's later edit of it).
        copy.base = {
            key: {
                name: value if captured.get(name) == value else copy.base.get(key, {}).get(name, value)
                for name, value in fields.items()
            }
            for key, fields in live.items()
            if (captured := self.captured_fingerprints.get(key)) is not None
        }
        copy.object_repr = repr_
        copy.updated_by = self.user
        if copy.state == State.SENT_BACK:
            copy.state = State.EDITING
        copy.save()
        self.copy = copy
        return copy


@contextmanager
def editing(root, user):
    """Let the admin edit root's working copy as if it were the live record; keep what it saves."""
    session = EditingSession(root, user)
    with publishing.sandbox():
        if session.copy is not None:
            try:
                apply(session.copy)
            except Conflict as conflict:
                session.conflict = str(conflict)  # the form shows the live version; saving replaces the copy
        yield session
    session.save()


@contextmanager
def preview(copy):
    """The site as it will be once the copy is approved, for the length of the block (then rolled back).

    New documents show with their meeting, as approval publishes them unless a Publisher unticks them.
    """
    with publishing.sandbox():
        apply(copy, publish_new=ALL)  # Conflict: nothing to show; the caller says why
        yield


def changes(copy, root):
    """What approving the copy changes: per row, field by field (the same rows as the history pages)."""
    from cicasite.editorial import current_field_dict, field_changes

    def dicts():
        rows = {tuple(_key(root)): (root, current_field_dict(root))}
        for child in children(root):
            rows[tuple(_key(child))] = (child, current_field_dict(child))
        return rows

    live = dicts()
    with preview(copy):
        fresh = type(root)._default_manager.get(pk=root.pk)
        pending = {tuple(_key(fresh)): (fresh, current_field_dict(fresh))}
        for child in children(fresh):
            pending[tuple(_key(child))] = (child, current_field_dict(child))
        new = {tuple(key) for key in copy.data.get("new", [])}
        rows = []
        for key, (obj, after) in pending.items():
            before = live.get(key, (None, {}))[1]
            differences = field_changes(type(obj), before, after)
            if differences or key in new:
                rows.append(
                    {
                        "key": f"{key[0]}:{key[1]}",
                        "name": str(obj),
                        "kind": obj._meta.verbose_name,
                        "new": key in new,
                        "publishable": isinstance(obj, Publishable),
                        "changes": differences,
                    }
                )
        for key, (obj, _after) in live.items():
            if key not in pending:
                rows.append({"key": None, "name": str(obj), "kind": obj._meta.verbose_name, "removed": True})
    return rows


def seen_token(copy):
    """What a Publisher saw on the review page: approval is refused if it changed since.

    The copy itself, and the records it cites that an Editor may still change directly
    (a source no live record cites yet goes public through this approval).
    """
    parts = [json.dumps(copy.data, sort_keys=True), copy.updated_at.isoformat()]
    for cited in editable_citations(copy):
        parts.append(f"{row_key(cited)}={json.dumps(snapshot_of(cited), sort_keys=True)}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def editable_citations(copy):
    """Records the copy points at that become public through it and are not live yet (new sources)."""
    cited = []
    for item in serializers.deserialize("json", json.dumps(copy.data.get("objects", []))):
        for name, values in (item.m2m_data or {}).items():
            model = item.object._meta.get_field(name).related_model
            if publishing.is_governed(model) and not publishing.governance(model).live_when_new:
                cited += [row for row in model._default_manager.filter(pk__in=values) if not publishing.is_live(row)]
    return sorted(set(cited), key=row_key)


def live_changed_since(copy, root):
    """What changed live after the copy was started (a Publisher's direct edit), per row and field.

    Returns (kept, overridden): fields approval keeps at their new live value, and fields the copy
    changed too, whose copy value wins. Each as (row, field name).
    """
    from cicasite.editorial import snapshot

    copied = {}
    for item in serializers.deserialize("json", json.dumps(copy.data.get("objects", []))):
        copied[row_key(item.object)] = snapshot(item.object, dict(item.m2m_data or {}))
    kept, overridden = [], []
    for key, base in copy.base.items():
        label, pk = key.rsplit(":", 1)
        obj = _model(label)._default_manager.filter(pk=pk).first()
        if obj is None:
            continue  # deleted since: approval leaves it deleted
        for name, value in snapshot_of(obj).items():
            if base.get(name) in (None, value):
                continue
            theirs = copied.get(key, {}).get(name)
            (overridden if theirs not in (None, base.get(name)) else kept).append((obj, name))
    return kept, overridden


# --- The review steps ----------------------------------------------------------------------


def note(root, action, user, text=""):
    return ReviewNote.objects.create(
        content_type=ContentType.objects.get_for_model(root),
        object_id=root.pk,
        action=action,
        text=text.strip(),
        author=user,
    )


def notes(root):
    return ReviewNote.objects.of(root).select_related("author")


@transaction.atomic
def submit(copy, root, user, text=""):
    copy.state = State.IN_REVIEW
    copy.submitted_at = timezone.now()
    copy.save(update_fields=["state", "submitted_at", "updated_at"])
    note(root, Action.SUBMITTED, user, text)
    transaction.on_commit(lambda: notify_publishers(copy, root, user, text))


@transaction.atomic
def send_back(copy, root, user, text):
    copy.state = State.SENT_BACK
    copy.save(update_fields=["state", "updated_at"])
    note(root, Action.SENT_BACK, user, text)
    transaction.on_commit(lambda: notify_editors(copy, root, user, Action.SENT_BACK, text))


def comment(copy, root, user, text):
    note(root, Action.COMMENTED, user, text)


@transaction.atomic
def discard(copy, root, user):
    copy.delete()
    note(root, Action.DISCARDED, user)


def forget(obj):
    """A record that is deleted takes its working copy with it (its review notes stay, as history)."""
    WorkingCopy.objects.of(obj).delete()


def approve(copy, root, user, *, publish_new=None, text=""):
    """The copy goes live: one transaction, one revision, publication fields untouched."""
    model = type(root)
    with transaction.atomic():
        model._default_manager.select_for_update().filter(pk=root.pk).first()  # no save in between
        with publishing.acting_as(user), create_revision():
            set_user(user)
            set_comment(
                _("Approved the working copy of %(who)s.") % {"who": copy.updated_by or copy.created_by or "—"}
            )
            saved = apply(copy, publish_new=publish_new)  # registered rows: one revision with the children
        copy.delete()
        note(root, Action.APPROVED, user, text)
        transaction.on_commit(lambda: notify_editors(copy, root, user, Action.APPROVED, text))
    return saved


def restore(root, revision, user, when):
    """Put an old revision's content back; never its publication state.

    A live record gets it in its working copy (returned) for a Publisher to approve;
    a record the public does not see gets it at once, as a new revision (returns None).
    """
    session = EditingSession(root, user)
    with publishing.sandbox():
        revision.revert(delete=True)  # the revision's content replaces the copy's, whatever it held
        session.capture()
    if publishing.is_live(root):
        copy = session.save()
        note(root, Action.RESTORED, user, _("Revision of %(when)s.") % {"when": when})
        return copy
    session.captured.pop("repr", None)
    with transaction.atomic(), publishing.acting_as(user), create_revision():
        set_user(user)
        set_comment(_("Restored the content of the revision of %(when)s.") % {"when": when})
        content_type = ContentType.objects.get_for_model(root)
        apply(WorkingCopy(content_type=content_type, object_id=root.pk, data=session.captured))
    return None


# --- Mail ------------------------------------------------------------------------------------


def _review_url(root):
    opts = root._meta
    from cicasite.links import absolute

    return absolute(reverse(f"admin:{opts.app_label}_{opts.model_name}_review", args=[root.pk]))


def publishers():
    return (
        get_user_model()
        .objects.with_perm(publishing.APPROVE_PERMISSION, backend="django.contrib.auth.backends.ModelBackend")
        .filter(is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def notify_publishers(copy, root, user, text):
    recipients = [person.email for person in publishers() if person.pk != user.pk]
    if not recipients:
        return
    subject = _("For review: %(record)s") % {"record": root}
    body = _("%(who)s submitted changes to “%(record)s” for review.\n\n%(comment)s\nReview them: %(url)s") % {
        "who": user.get_username(),
        "record": root,
        "comment": f"{text}\n" if text else "",
        "url": _review_url(root),
    }
    _send(subject, body, recipients)


def notify_editors(copy, root, user, action, text):
    editors = {copy.created_by, copy.updated_by} - {None, user}
    recipients = sorted({person.email for person in editors if person.email})
    if not recipients:
        return
    if action == Action.APPROVED:
        subject = _("Published: %(record)s") % {"record": root}
        body = _("%(who)s approved your changes to “%(record)s”; the public sees them now.\n\n%(comment)s") % {
            "who": user.get_username(),
            "record": root,
            "comment": text,
        }
    else:
        subject = _("Sent back: %(record)s") % {"record": root}
        body = _("%(who)s sent your changes to “%(record)s” back:\n\n%(comment)s\n\nEdit them: %(url)s") % {
            "who": user.get_username(),
            "record": root,
            "comment": text,
            "url": _review_url(root),
        }
    _send(subject, body.strip() + "\n", recipients)


def _send(subject, body, recipients):
    """Mail after the step is committed: a mail server that is down is logged, the step stands."""
    try:
        send_mail(subject, body, None, recipients)
    except OSError:
        log.exception("Review notification not sent (%s) to %s", subject, ", ".join(recipients))


def is_reviewer(user):
    return user.has_perm(publishing.APPROVE_PERMISSION)


def queue(user):
    """The admin index's panel: what waits for this user (a Publisher: all submitted; others: their own)."""
    copies = WorkingCopy.objects.select_related("content_type", "created_by", "updated_by")
    if is_reviewer(user):
        return copies.filter(state=State.IN_REVIEW)
    return copies.filter(created_by=user) | copies.filter(updated_by=user)
