"""The one publishing rule: who may change what the public sees, enforced below the admin.

Every model whose content reaches a public page is *governed*: Publishable records
(members, meetings, documents, initiatives) by their own publication status, children
(a member's roles) through the record they belong to, reference records (dimensions,
sources, organs, ...) because they are public as soon as they exist. Apps declare
their models here with govern(); tests/cicasite/test_publishing_rule.py fails for a
model registered in the admin that is neither governed nor declared internal.

The rule: a record is *live* when the public sees it or a Publisher has decided it
will (published, scheduled or ended). Only a Publisher may write a live record or make
one live. Everyone else's change to a live record becomes a working copy
(cicasite.core.review) that a Publisher approves. The rule is checked on every write of a
governed model (save, delete, many-to-many change) from whoever is acting: the admin,
its bulk actions, inlines and revert all run as the logged-in user (ActorMiddleware);
management commands and migrations act as the system, which is trusted.

sandbox() is the one exception: writes inside it are always rolled back. The review
workflow uses it to build and show a working copy with the admin's own forms, and to
render the public page as it would look, without the public ever seeing it.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.signals import m2m_changed, pre_delete, pre_save
from django.utils.translation import gettext as _

SYSTEM = None
_actor = ContextVar("publishing_actor", default=SYSTEM)
_sandboxed = ContextVar("publishing_sandboxed", default=False)

# The permission that makes a Publisher of reference records (and lets one approve working copies).
APPROVE_PERMISSION = "cicasite.approve_workingcopy"
PUBLICATION_FIELDS = ("publication_status", "publish_at", "unpublish_at")


@dataclass(frozen=True)
class Governance:
    """How a model's rows become live.

    parent: the name of the foreign key to the record a row is part of (a role is live
        when its member is); None for a record that stands on its own.
    live_when_new: a new row of a stand-alone, non-publishable model is public at once
        (an organ, a partner); False where nothing shows it until a live record cites it
        (a source).
    """

    parent: str | None = None
    live_when_new: bool = True


_governed = {}


def govern(model, *, parent=None, live_when_new=True):
    """Declare a model public content (called once per model, beside its class)."""
    _governed[model] = Governance(parent=parent, live_when_new=live_when_new)
    uid = f"publishing.{model._meta.label}"
    pre_save.connect(_check_save, sender=model, dispatch_uid=f"{uid}.save")
    pre_delete.connect(_check_delete, sender=model, dispatch_uid=f"{uid}.delete")
    for field in model._meta.local_many_to_many:
        m2m_changed.connect(_check_m2m, sender=field.remote_field.through, dispatch_uid=f"{uid}.{field.name}")
    return model


def is_governed(model):
    return model in _governed or _is_publishable(model)


def is_declared(model):
    return model in _governed


def governance(model):
    return _governed.get(model, Governance())


def governed_models():
    from django.apps import apps

    return [model for model in apps.get_models() if is_governed(model)]


def _is_publishable(model):
    from cicasite.core.models import Publishable

    return issubclass(model, Publishable)


# --- Who is acting ---------------------------------------------------------------------


@contextmanager
def acting_as(user):
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def actor():
    return _actor.get()


class ActorMiddleware:
    """Every write during a request is made by the request's user (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(request.user):
            return self.get_response(request)


# --- Live records and who may change them ----------------------------------------------


def root_of(obj):
    """The stand-alone record obj is part of (itself when it stands alone), or None if not governed."""
    model = type(obj)
    if not is_governed(model):
        return None
    parent = governance(model).parent
    if parent:
        related = getattr(obj, parent, None)
        return root_of(related) if related is not None else None
    return obj


def stored(obj):
    """The row as stored now (None for a new record): the rule judges what the public sees."""
    if obj.pk is None:
        return None
    return type(obj)._default_manager.filter(pk=obj.pk).first()


def is_live(obj):
    """Whether the public sees this stored record, or a Publisher has decided it will."""
    if obj is None:
        return False
    model = type(obj)
    parent = governance(model).parent
    if parent:
        related = getattr(obj, parent, None)
        return is_live(related)
    if _is_publishable(model):
        from cicasite.core.models import Publishable

        return obj.publication_status == Publishable.PublicationStatus.PUBLISHED
    if not governance(model).live_when_new:
        return obj.pk is not None and live_link(obj) is not None  # a source: public once a live record cites it
    return True


def live_link(obj):
    """A live record that points at obj (its host, lead, a citation), or None.

    Deleting obj would change that record (Django clears or deletes the link), and a record
    that shows only through such links (a source) is public exactly when one exists.
    """
    for relation in obj._meta.related_objects:
        model = relation.related_model
        if not is_governed(model) or governance(model).parent == relation.field.name:
            continue  # a child of obj (a member's role) is as live as obj itself
        for row in model._default_manager.filter(**{relation.field.name: obj})[:200]:
            if is_live(row):
                return row
    return None


def may_publish(user, model):
    """Whether user decides what the public sees of this model's records (a Publisher)."""
    if user is SYSTEM:
        return True
    if not (user.is_active and user.is_authenticated):
        return False
    parent = governance(model).parent
    if parent:
        return may_publish(user, model._meta.get_field(parent).related_model)
    if _is_publishable(model):
        opts = model._meta
        return user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")
    return user.has_perm(APPROVE_PERMISSION)


def refusal(user, obj, *, deleting=False):
    """Why user may not write obj as it is now in memory (or delete it), or None.

    Judges both sides of the write: the stored row (is the public seeing it?) and the
    new values (would this make something live, or move a child to a live record?).
    """
    model = type(obj)
    if not is_governed(model) or _sandboxed.get() or may_publish(user, model):
        return None
    name = model._meta.verbose_name
    before = stored(obj)
    if deleting:
        if is_live(before):
            return _("Only a Publisher may delete a published %(name)s (%(record)s).") % {"name": name, "record": obj}
        linked = live_link(before) if before is not None else None
        if linked is not None:
            return _(
                "Only a Publisher may delete this %(name)s: the published %(other)s “%(record)s” refers to it."
            ) % {"name": name, "other": linked._meta.verbose_name, "record": linked}
        return None
    if before is not None and is_live(before):
        return _(
            "This %(name)s is public: your changes are kept as a working copy for a Publisher to review. "
            "Edit it from its own page in the admin."
        ) % {"name": name}
    if _is_publishable(model):
        if before is None and obj.publication_status != "draft":
            return _("Only a Publisher may publish or schedule a %(name)s.") % {"name": name}
        if before is not None and any(getattr(obj, f) != getattr(before, f) for f in PUBLICATION_FIELDS):
            return _("Only a Publisher may publish, schedule or unpublish a %(name)s.") % {"name": name}
    governed = governance(model)
    if governed.parent:
        if is_live(getattr(obj, governed.parent, None)):
            return _(
                "This %(name)s belongs to a public record: change it on that record's page, where your "
                "change becomes a working copy for a Publisher to review."
            ) % {"name": name}
    elif before is None and not _is_publishable(model) and governed.live_when_new:
        return _("Only a Publisher may add a %(name)s: it is public as soon as it exists.") % {"name": name}
    return None


def check(obj, *, deleting=False):
    """Raise PermissionDenied if the acting user may not make this write."""
    user = actor()
    if user is SYSTEM:
        return
    reason = refusal(user, obj, deleting=deleting)
    if reason:
        raise PermissionDenied(reason)


def _check_save(sender, instance, **kwargs):
    check(instance)  # raw saves too: a revision's revert saves raw


def _check_delete(sender, instance, **kwargs):
    check(instance, deleting=True)


def _check_m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    if not action.startswith("pre_"):
        return
    if is_governed(type(instance)):
        check(instance)
    if reverse and pk_set and is_governed(model):
        for related in model._default_manager.filter(pk__in=pk_set):
            check(related)


# --- The sandbox ------------------------------------------------------------------------


@contextmanager
def sandbox(using="default"):
    """Writes inside are allowed to anyone and always rolled back; nothing leaves it but what the caller keeps.

    The caller serialises what it needs (a working copy, a rendered page) before the
    block ends. Callbacks registered with transaction.on_commit inside are dropped.
    """
    token = _sandboxed.set(True)
    try:
        with transaction.atomic(using=using):
            try:
                yield
            finally:
                transaction.set_rollback(True, using=using)
    finally:
        _sandboxed.reset(token)


def in_sandbox():
    return _sandboxed.get()
