"""Issue 11: one publishing rule for everything public, checked on every model an Editor can reach."""

from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from reversion.models import Version

from cicasite.core import publishing
from cicasite.core.editorial import EditorialAdmin
from cicasite.core.models import LegacyRedirect, Organ, Source, WorkingCopy
from events.models import Document, Event
from initiatives.models import Initiative
from members.models import Dimension, Member, PriorityArea, Role
from tests.cicasite.review_helpers import (
    CANARY,
    INTERNAL,
    YEAR,
    approve,
    number_field,
    public_pages,
    text_field,
    url_field,
)
from tests.cicasite.staff import changeform_data, staff
from tests.content import load_content
from tests.factories import DRAFT, make_area, make_event, make_member, make_role


class RuleCoversEveryModelTests(TestCase):
    def test_every_model_in_the_admin_is_governed_or_internal(self):
        for model in admin.site._registry:
            with self.subTest(model=model._meta.label_lower):
                if model._meta.label_lower in INTERNAL:
                    continue
                self.assertTrue(publishing.is_governed(model), "public content outside the publishing rule")
                self.assertIsInstance(admin.site._registry[model], EditorialAdmin)

    def test_the_rule_refuses_an_editor_below_the_admin(self):
        # No form, no admin class: the ORM itself refuses a write to a live record by an editor.
        load_content()
        editor = staff("erin", "Editor")
        member = Member.objects.get(slug="kazakhstan")
        refused = [
            lambda: member.save(),
            lambda: member.sources.clear(),
            lambda: Role.objects.filter(member=member).first().delete(),
            lambda: Source.objects.first().delete(),
            lambda: Organ.objects.create(name=CANARY, slug="x", kind=Organ.Kind.ADVISORY),
        ]
        with publishing.acting_as(editor):
            member.capital = CANARY
            for write in refused:
                with self.assertRaises(PermissionDenied), transaction.atomic():
                    write()
            Source.objects.create(code="S999", title="A new source, cited by nothing yet")  # not public: allowed
        with publishing.acting_as(AnonymousUser()), self.assertRaises(PermissionDenied), transaction.atomic():
            Dimension.objects.first().save()


class EditorWalksEveryModelTests(TestCase):
    """As an Editor, every admin of a public model: change, add, delete, bulk delete, restore. Nothing public moves."""

    @classmethod
    def setUpTestData(cls):
        load_content()
        cls.editor = staff("erin", "Editor")
        cls.publisher = staff("paul", "Publisher")
        # Live records with a revision each, so restore can be tried on every model.
        LegacyRedirect.objects.create(key="old-page", target="/about/")

    def live_object(self, model):
        obj = model._default_manager.order_by("pk").first()
        if isinstance(obj, Member | Event | Document | Initiative):
            obj = model._default_manager.published().order_by("pk").first()
        self.assertIsNotNone(obj, model)
        self.assertTrue(publishing.is_live(obj))
        return obj

    def rows(self):
        """Every governed row as stored (what every public page is made from)."""
        return {
            model._meta.label_lower: list(model._default_manager.order_by("pk").values())
            for model in publishing.governed_models()
        }

    def test_editor_changes_reach_no_public_page_until_a_publisher_approves(self):
        before_pages = public_pages(self.client)
        before_rows = self.rows()
        changed = {}
        for model in admin.site._registry:
            if not publishing.is_governed(model):
                continue
            opts = model._meta
            obj = self.live_object(model)
            with self.subTest(model=opts.label_lower):
                self.client.force_login(self.editor)
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
                data = changeform_data(self.client, url)
                form = self.client.get(url).context["adminform"].form
                field = text_field(form, model)
                if field:
                    data[field] = f"{CANARY} {opts.model_name}"
                else:  # a role has numbers and choices only
                    field = number_field(form)
                    self.assertIsNotNone(field, f"nothing to change in {list(form.fields)}")
                    data[field] = YEAR
                if url_field(form):
                    data["url"] = f"https://{CANARY.lower()}.example/"
                response = self.client.post(url, data)
                if response.status_code == 200:
                    self.fail(f"not saved: {response.context['adminform'].form.errors}")
                self.assertEqual(response.status_code, 302)
                changed[model] = obj
                # Delete, one by one and in bulk: refused for a live record.
                delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
                self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
                changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
                self.client.post(
                    changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
                )
                self.assertTrue(model._default_manager.filter(pk=obj.pk).exists())
                # Add: either not allowed to an editor, or the new record is not public.
                add = self.client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
                self.assertIn(add.status_code, (200, 403))
        self.assertEqual(self.rows(), before_rows, "an editor's change reached the live rows")
        self.assertEqual(public_pages(self.client), before_pages)
        for page in before_pages.values():
            self.assertNotIn(CANARY.encode(), page)
        # Each model's change waits in a working copy of its record (a role's in its member's).
        roots = {publishing.root_of(obj) for obj in changed.values()}
        self.assertEqual(WorkingCopy.objects.count(), len(roots))

        # The Publisher approves them all: now the public sees them.
        self.client.force_login(self.publisher)
        for copy in WorkingCopy.objects.all():
            response = approve(self.client, copy.get_absolute_url())
            self.assertEqual(response.status_code, 302)
        self.assertFalse(WorkingCopy.objects.exists())
        for model, obj in changed.items():
            with self.subTest(approved=model._meta.label_lower):
                values = model._default_manager.filter(pk=obj.pk).values().get()
                self.assertTrue(any(CANARY in str(value) or value == YEAR for value in values.values()), values)
        self.assertIn(CANARY.encode(), public_pages(self.client)["/about/"])

    def test_editor_restoring_an_old_revision_of_any_model_changes_nothing_public(self):
        models = [model for model in admin.site._registry if publishing.is_governed(model)]
        older = {}
        self.client.force_login(self.publisher)
        for model in models:  # a Publisher's two saves of each: today's text, then a change
            opts = model._meta
            obj = self.live_object(model)
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            self.assertEqual(self.client.post(url, changeform_data(self.client, url)).status_code, 302)
            data = changeform_data(self.client, url)
            form = self.client.get(url).context["adminform"].form
            field = text_field(form, model)
            data[field or number_field(form)] = f"Newer {opts.model_name}" if field else YEAR
            self.assertEqual(self.client.post(url, data).status_code, 302, opts.label_lower)
            older[model] = (obj, Version.objects.get_for_object(obj).last())
        before_pages = public_pages(self.client)
        before_rows = self.rows()
        self.client.force_login(self.editor)
        for model, (obj, version) in older.items():
            opts = model._meta
            with self.subTest(model=opts.label_lower):
                revert = reverse(f"admin:{opts.app_label}_{opts.model_name}_revert", args=[obj.pk, version.pk])
                self.assertEqual(self.client.post(revert).status_code, 302)
        self.assertEqual(self.rows(), before_rows)
        self.assertEqual(public_pages(self.client), before_pages)
        roots = {publishing.root_of(obj) for obj, _version in older.values()}
        self.assertEqual(WorkingCopy.objects.count(), len(roots))

    def test_editor_cannot_add_a_role_to_a_published_member_through_the_role_admin(self):
        member = Member.objects.get(slug="kazakhstan")
        area = PriorityArea.objects.exclude(roles__member=member).first()
        roles = Role.objects.count()
        self.client.force_login(self.editor)
        response = self.client.post(
            reverse("admin:members_role_add"),
            {"member": member.pk, "area": area.pk, "role": "coordinator", "as_of": "2024"},
        )
        self.assertContains(response, "belongs to a public record")
        self.assertEqual(Role.objects.count(), roles)

    def test_a_role_edited_in_the_role_admin_waits_in_its_members_working_copy(self):
        role = Role.objects.filter(member__slug="kazakhstan").first()
        self.client.force_login(self.editor)
        url = reverse("admin:members_role_change", args=[role.pk])
        data = changeform_data(self.client, url)
        data["as_of"] = "1999"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        role.refresh_from_db()
        self.assertNotEqual(role.as_of, 1999)
        copy = WorkingCopy.objects.get()
        self.assertEqual((copy.content_type.model, copy.object_id), ("member", role.member_id))
        self.assertNotIn(b",1999", b"".join(self.client.get("/roles/data.csv").streaming_content))

    def test_history_answers_for_every_loaded_record(self):
        self.client.force_login(self.editor)
        for model in publishing.governed_models():
            opts = model._meta
            obj = model._default_manager.order_by("pk").first()
            with self.subTest(model=opts.label_lower):
                response = self.client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]))
                self.assertContains(response, "No revision yet")


class ReferenceRecordsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = staff("erin", "Editor")
        cls.publisher = staff("paul", "Publisher")
        cls.member = make_member(name="Sourceland")
        cls.source = Source.objects.create(code="S05", title="Kazakh MFA fact sheet", url="https://mfa.kz/")
        cls.member.sources.add(cls.source)
        make_role(member=cls.member, area=make_area())

    def test_editor_change_to_a_cited_source_waits_for_review(self):
        self.client.force_login(self.editor)
        url = reverse("admin:cicasite_source_change", args=[self.source.pk])
        data = changeform_data(self.client, url)
        data["url"] = "https://evil.example/"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.client.logout()
        self.assertNotContains(self.client.get(self.member.get_absolute_url()), "evil.example")
        self.source.refresh_from_db()
        self.assertEqual(self.source.url, "https://mfa.kz/")

    def test_editor_role_changes_of_a_published_member_stay_out_of_public_view(self):
        role = self.member.roles.get()
        self.client.force_login(self.editor)
        self.assertEqual(
            self.client.post(reverse("admin:members_role_delete", args=[role.pk]), {"post": "yes"}).status_code, 403
        )
        url = reverse("admin:members_member_change", args=[self.member.pk])
        data = changeform_data(self.client, url)
        data["roles-0-DELETE"] = "on"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertTrue(Role.objects.filter(pk=role.pk).exists())
        self.client.logout()
        self.assertContains(self.client.get("/roles/data.csv"), "Sourceland")
        self.client.force_login(self.publisher)
        approve(self.client, reverse("admin:members_member_review", args=[self.member.pk]))
        self.assertFalse(Role.objects.filter(pk=role.pk).exists())

    def test_an_uncited_source_is_the_editors_own_until_a_live_record_cites_it(self):
        self.client.force_login(self.editor)
        fresh = Source.objects.create(code="S98", title="Not cited yet")
        url = reverse("admin:cicasite_source_change", args=[fresh.pk])
        data = changeform_data(self.client, url)
        data["title"] = "Not cited yet, retitled"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        fresh.refresh_from_db()
        self.assertEqual(fresh.title, "Not cited yet, retitled")  # nobody sees it: edited directly
        self.assertFalse(WorkingCopy.objects.exists())
        delete = reverse("admin:cicasite_source_delete", args=[fresh.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 302)
        # A cited one is not the editor's to delete, nor is a draft member a live meeting names as host.
        self.assertEqual(
            self.client.post(
                reverse("admin:cicasite_source_delete", args=[self.source.pk]), {"post": "yes"}
            ).status_code,
            403,
        )

    def test_deleting_a_draft_never_changes_a_live_record(self):
        # Found by the second outsider attack: deleting a draft host cleared a live meeting's host.
        draft = make_member(name="Draft host", publication_status=DRAFT)
        meeting = make_event(host=draft)
        self.client.force_login(self.editor)
        response = self.client.post(reverse("admin:members_member_delete", args=[draft.pk]), {"post": "yes"})
        self.assertEqual(response.status_code, 403)
        meeting.refresh_from_db()
        self.assertEqual(meeting.host, draft)

    def test_publisher_edits_reference_records_directly(self):
        self.client.force_login(self.publisher)
        url = reverse("admin:cicasite_source_change", args=[self.source.pk])
        data = changeform_data(self.client, url)
        data["title"] = "Kazakh MFA: CICA fact sheet"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.source.refresh_from_db()
        self.assertEqual(self.source.title, "Kazakh MFA: CICA fact sheet")
        self.assertFalse(WorkingCopy.objects.exists())
