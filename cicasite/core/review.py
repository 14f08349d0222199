"""Working copies of live records and their review: edit, submit, send back, approve.

An Editor's change to a live record (cicasite.core.publishing) is kept as a WorkingCopy:
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

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reversion import create_revision, set_comment, set_user

from cicasite.core import publishing
from cicasite.core.merge import (  # noqa: F401 (Conflict: review.Conflict for callers)
    ALL,
    Conflict,
    apply,
    children,
    fingerprints,
    label_and_pk,
    model_for,
    row_key,
    serialise,
    snapshot_of,
)
from cicasite.core.models import Publishable, ReviewNote, WorkingCopy

State = WorkingCopy.State
Action = ReviewNote.Action
log = logging.getLogger(__name__)


def needs_working_copy(user, root):
    """Whether user's changes to this record go to a working copy rather than to the live rows."""
    return publishing.is_live(root) and not publishing.may_publish(user, type(root))


def copy_of(obj):
    return WorkingCopy.objects.of(obj).first()


class EditingSession:
    """What editing() hands the admin: the copy (or None) and capture() after a successful save."""

    def __init__(self, root, user):
        self.root = root
        self.user = user
        self.copy = copy_of(root)
        self.live_children = {tuple(label_and_pk(child)) for child in children(root)}
        self.captured = None
        self.conflict = None

    def capture(self):
        """Serialise the record and its children as the admin just saved them (inside the sandbox)."""
        root = type(self.root)._default_manager.get(pk=self.root.pk)
        self.captured_fingerprints = fingerprints(root)
        kids = children(root)
        now = {tuple(label_and_pk(child)) for child in kids}
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
    from cicasite.core.history import current_field_dict, field_changes

    def dicts():
        rows = {tuple(label_and_pk(root)): (root, current_field_dict(root))}
        for child in children(root):
            rows[tuple(label_and_pk(child))] = (child, current_field_dict(child))
        return rows

    live = dicts()
    with preview(copy):
        fresh = type(root)._default_manager.get(pk=root.pk)
        pending = {tuple(label_and_pk(fresh)): (fresh, current_field_dict(fresh))}
        for child in children(fresh):
            pending[tuple(label_and_pk(child))] = (child, current_field_dict(child))
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
    from cicasite.core.admin_base import snapshot

    copied = {}
    for item in serializers.deserialize("json", json.dumps(copy.data.get("objects", []))):
        copied[row_key(item.object)] = snapshot(item.object, dict(item.m2m_data or {}))
    kept, overridden = [], []
    for key, base in copy.base.items():
        label, pk = key.rsplit(":", 1)
        obj = model_for(label)._default_manager.filter(pk=pk).first()
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
    from cicasite.core.links import absolute

    return absolute(reverse(f"admin:{opts.app_label}_{opts.model_name}_review", args=[root.pk]))


def publishers():
    return (
        get_user_model()
        .objects.with_perm(publishing.APPROVE_PERMISSION, backend="django.contrib.auth.backends.ModelBackend")
        .filter(is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def by_language(people):
    """{language: sorted e-mail addresses}: each person's mail in the admin language they chose."""
    from cicasite.core.models import StaffPreferences

    people = [person for person in people if person.email]
    chosen = dict(StaffPreferences.objects.filter(user__in=people).values_list("user_id", "language"))
    groups = {}
    for person in people:
        language = chosen.get(person.pk, settings.LANGUAGE_CODE)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        groups.setdefault(language, set()).add(person.email)
    return {language: sorted(emails) for language, emails in sorted(groups.items())}


def notify_publishers(copy, root, user, text):
    people = [person for person in publishers() if person.pk != user.pk]
    for language, recipients in by_language(people).items():
        with translation.override(language):
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
    for language, recipients in by_language(editors).items():
        with translation.override(language):
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
