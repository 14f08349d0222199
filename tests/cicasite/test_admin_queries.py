"""The admin's queries per page stay flat as the archive grows (issue 13: fast with 100,000 meetings).

Every changelist of the site's models (first page, a search, a filter, a sort) and every
autocomplete, as a superuser and as an Editor, costs the same number of queries with 10 and with
60 records of each kind, and at most 15. bench/admin.py gives the times on a 100,000-meeting
archive; this keeps the shape of the queries from regressing.
"""

from itertools import count

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cicasite.core.models import LegacyRedirect, Organ, Partner, SecretariatHead, SiteSettings
from cicasite.core.roles import EDITOR
from events.models import Event
from initiatives.models import Initiative
from members.models import Member
from tests.factories import (
    make_area,
    make_chairmanship,
    make_document,
    make_event,
    make_initiative,
    make_member,
    make_region,
    make_role,
    make_source,
)

APPS = {"cicasite", "members", "events", "initiatives"}
MAX_QUERIES = 15
_seq = count(1)


def grow(n):
    """n more records of every kind the admin lists, linked as real ones are."""
    for _ in range(n):
        i = next(_seq)
        member = make_member(region=make_region())
        area = make_area()
        make_role(member=member, area=area)
        event = make_event(host=member)
        event.dimensions.add(area.dimension)
        make_document(event=event)
        chairmanship = make_chairmanship(member=member)
        initiative = make_initiative(chairmanship=chairmanship, lead=member, proposed_by="chairmanship")
        initiative.events.add(event)
        initiative.dimensions.add(area.dimension)
        make_source()
        Organ.objects.create(name=f"Organ {i}", slug=f"organ-{i}", kind="governing")
        SecretariatHead.objects.create(name=f"Head {i}", title="Secretary General", start_year=2000 + i % 20)
        Partner.objects.create(name=f"Partner {i}")
        LegacyRedirect.objects.create(key=f"old-page-{i}", target="/events/")


def pages(model, model_admin):
    """(what, url) of one changelist: the first page, a search, the first filter's first choice, a sort;
    then each autocomplete of its form (its own and its inlines')."""
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    yield "first page", changelist
    if model_admin.search_fields:
        yield "search", f"{changelist}?q=e"  # "e" is in every factory-made name and title: rows to show
    yield "sort by the first column", f"{changelist}?o=1"
    for owner in [model_admin, *(inline(model, admin.site) for inline in model_admin.inlines)]:
        for field in owner.autocomplete_fields:
            query = f"app_label={owner.opts.app_label}&model_name={owner.opts.model_name}&field_name={field}"
            yield f"autocomplete {field}", f"{reverse('admin:autocomplete')}?{query}"
            yield f"autocomplete {field} with a term", f"{reverse('admin:autocomplete')}?{query}&term=e"


def site_admins():
    registry = admin.site._registry.items()
    return [(model, model_admin) for model, model_admin in registry if model._meta.app_label in APPS]


class AdminQueriesStayFlat:
    """One user's changelists and autocompletes; a class per user, so that the two can run at once
    (pytest-xdist gives each class to a worker)."""

    who = None

    @classmethod
    def setUpTestData(cls):
        users = get_user_model().objects
        cls.superuser = users.create_superuser("admin", "admin@example.org", "a-long-password-123")
        cls.editor = users.create_user("editor", "editor@example.org", "a-long-password-123", is_staff=True)
        cls.editor.groups.add(Group.objects.get(name=EDITOR))
        SiteSettings.objects.create(**SiteSettings.default_values())
        grow(10)

    def counts(self, user, model, model_admin):
        """{what: (status, queries)} for one changelist as user, each page's second request (the first
        fills per-process caches: content types, permissions)."""
        self.client.force_login(user)
        counts = {}
        for what, url in pages(model, model_admin):
            self.client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get(url)
            counts[f"{what} ({url})"] = (response.status_code, len(ctx))
        return counts

    def test_every_changelist_and_autocomplete_costs_the_same_queries_with_10_and_60_records(self):
        user = getattr(self, self.who)
        before = {model: self.counts(user, model, model_admin) for model, model_admin in site_admins()}
        grow(50)
        for model, model_admin in site_admins():
            after = self.counts(user, model, model_admin)
            for what, (status, queries) in after.items():
                with self.subTest(user=self.who, model=model._meta.model_name, page=what):
                    self.assertIn(status, (200, 403))  # an Editor may not see every model
                    self.assertEqual((status, queries), before[model][what])
                    self.assertLessEqual(queries, MAX_QUERIES)

    def test_the_change_form_of_a_published_record_with_its_children_stays_within_the_bound(self):
        # The readiness panel reads the record's relations and children: loaded once each, not per row.
        self.client.force_login(getattr(self, self.who))
        for model in (Member, Event, Initiative):
            record = model.objects.published().order_by("pk").first()
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[record.pk])
            self.client.get(url)
            with self.subTest(model=model._meta.model_name), CaptureQueriesContext(connection) as ctx:
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertLessEqual(len(ctx), MAX_QUERIES)


class SuperuserAdminQueriesTests(AdminQueriesStayFlat, TestCase):
    who = "superuser"


class EditorAdminQueriesTests(AdminQueriesStayFlat, TestCase):
    who = "editor"

    def test_the_editor_sees_the_changelists_of_the_public_records(self):
        # So that the test above measures the Editor's lists, not only refusals.
        self.client.force_login(self.editor)
        for name in ("members_member", "events_event", "events_document", "initiatives_initiative"):
            with self.subTest(name):
                self.assertEqual(self.client.get(reverse(f"admin:{name}_changelist")).status_code, 200)
