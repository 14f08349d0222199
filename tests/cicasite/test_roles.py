"""Issue 3, the editorial workflow: what an Editor and a Publisher may do (the role matrix)."""

from datetime import UTC, datetime

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse
from reversion.models import Version

from cicasite.core.models import Publishable, WorkingCopy
from events.models import Document
from initiatives.models import Initiative
from members.models import Member
from tests.cicasite.staff import changeform_data, staff
from tests.factories import (
    DRAFT,
    PUBLISHED,
    make_document,
    make_event,
    make_initiative,
    make_member,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class RoleMatrixTests(TestCase):
    """Editor vs Publisher vs anonymous, each action, checked on the server."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = staff("erin", "Editor")
        cls.publisher = staff("paul", "Publisher")

    def add_member(self, **overrides):
        data = {
            "name_en": "Newland",
            "slug": "newland",
            "status": "member",
            "iso_code": "",
            "joined": "2001",
            "flag_alt_en": "",
            "publication_status": DRAFT,
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
        }
        data.update(overrides)
        return self.client.post(reverse("admin:members_member_add"), data)

    def test_groups_come_from_the_migration_with_the_publish_permissions(self):
        editor = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
        publisher = set(Group.objects.get(name="Publisher").permissions.values_list("codename", flat=True))
        publish = {"publish_member", "publish_event", "publish_document", "publish_initiative", "approve_workingcopy"}
        self.assertFalse(editor & publish)
        self.assertLessEqual(publish, publisher - editor)
        self.assertIn("change_member", editor)
        self.assertIn("change_source", editor)  # proposes changes to reference records, as working copies
        self.assertNotIn("delete_organ", editor)

    def test_editor_creates_a_draft(self):
        self.client.force_login(self.editor)
        self.assertEqual(self.add_member().status_code, 302)
        self.assertEqual(Member.objects.get().publication_status, DRAFT)

    def test_editor_creates_only_drafts_whatever_is_posted(self):
        # The publication fields are a Publisher's: shown read-only to editors, posted values ignored.
        self.client.force_login(self.editor)
        for number, overrides in enumerate(
            ({"publication_status": PUBLISHED}, {"publish_at_0": "2030-01-01", "publish_at_1": "10:00:00"})
        ):
            with self.subTest(overrides=overrides):
                response = self.add_member(slug=f"newland-{number}", **overrides)
                self.assertEqual(response.status_code, 302)
        self.assertEqual(Member.objects.count(), 2)
        self.assertFalse(Member.objects.exclude(publication_status=DRAFT).exists())
        self.assertFalse(Member.objects.filter(publish_at__isnull=False).exists())

    def test_editor_cannot_publish_an_existing_draft(self):
        member = make_member(publication_status=DRAFT)
        self.client.force_login(self.editor)
        url = reverse("admin:members_member_change", args=[member.pk])
        data = changeform_data(self.client, url)
        data["publication_status"] = PUBLISHED
        self.assertEqual(self.client.post(url, data).status_code, 302)
        member.refresh_from_db()
        self.assertEqual(member.publication_status, DRAFT)

    def test_editor_edits_a_draft(self):
        member = make_member(publication_status=DRAFT)
        self.client.force_login(self.editor)
        url = reverse("admin:members_member_change", args=[member.pk])
        data = changeform_data(self.client, url)
        data["capital_en"] = "New capital"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        member.refresh_from_db()
        self.assertEqual(member.capital, "New capital")

    def test_editor_change_to_a_published_record_goes_to_its_working_copy(self):
        member = make_member(capital="Old")
        self.client.force_login(self.editor)
        url = reverse("admin:members_member_change", args=[member.pk])
        self.assertContains(self.client.get(url), "You are editing its working copy")
        data = changeform_data(self.client, url)
        data["capital_en"] = "Changed"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        member.refresh_from_db()
        self.assertEqual(member.capital, "Old")
        self.assertEqual(WorkingCopy.objects.get().object_id, member.pk)
        self.assertContains(self.client.get(url), 'value="Changed"')

    def test_editor_cannot_delete_a_published_record_but_can_delete_a_draft(self):
        published, draft = make_member(), make_member(publication_status=DRAFT)
        self.client.force_login(self.editor)
        response = self.client.post(reverse("admin:members_member_delete", args=[published.pk]), {"post": "yes"})
        self.assertEqual(response.status_code, 403)
        self.assertTrue(Member.objects.filter(pk=published.pk).exists())
        response = self.client.post(reverse("admin:members_member_delete", args=[draft.pk]), {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Member.objects.filter(pk=draft.pk).exists())

    def test_editor_bulk_delete_of_published_records_is_refused(self):
        published = make_member()
        self.client.force_login(self.editor)
        response = self.client.post(
            reverse("admin:members_member_changelist"),
            {"action": "delete_selected", "_selected_action": [published.pk], "post": "yes"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertTrue(Member.objects.filter(pk=published.pk).exists())

    def test_editor_bulk_publish_is_refused(self):
        drafts = [make_initiative(publication_status=DRAFT) for _ in range(2)]
        self.client.force_login(self.editor)
        url = reverse("admin:initiatives_initiative_changelist")
        self.assertNotContains(self.client.get(url), 'value="publish"')
        self.client.post(url, {"action": "publish", "_selected_action": [d.pk for d in drafts]})
        self.assertEqual(Initiative.objects.published().count(), 0)

    def test_editor_cannot_publish_a_document_through_the_meeting_inline(self):
        event = make_event(publication_status=DRAFT)
        document = make_document(event=event, publication_status=DRAFT)
        self.client.force_login(self.editor)
        url = reverse("admin:events_event_change", args=[event.pk])
        data = changeform_data(self.client, url)
        data["documents-0-publication_status"] = PUBLISHED
        self.client.post(url, data)
        document.refresh_from_db()
        self.assertEqual(document.publication_status, DRAFT)

    def test_editor_cannot_delete_a_published_document_through_the_inline(self):
        event = make_event(publication_status=DRAFT)
        document = make_document(event=event)
        self.client.force_login(self.editor)
        url = reverse("admin:events_event_change", args=[event.pk])
        data = changeform_data(self.client, url)
        data["documents-0-DELETE"] = "on"
        self.assertContains(self.client.post(url, data), "Only a Publisher may delete a published")
        self.assertTrue(Document.objects.filter(pk=document.pk).exists())

    def test_publisher_publishes_schedules_unpublishes_and_deletes(self):
        member = make_member(publication_status=DRAFT)
        self.client.force_login(self.publisher)
        url = reverse("admin:members_member_change", args=[member.pk])
        data = changeform_data(self.client, url)
        data.update(publication_status=PUBLISHED, publish_at_0="2030-01-01", publish_at_1="10:00:00")
        self.assertEqual(self.client.post(url, data).status_code, 302)
        member.refresh_from_db()
        self.assertEqual(member.publication_state, Publishable.State.SCHEDULED)
        data = changeform_data(self.client, url)
        data.update(publication_status=DRAFT)
        self.assertEqual(self.client.post(url, data).status_code, 302)
        member.refresh_from_db()
        self.assertEqual(member.publication_status, DRAFT)
        published = make_member()
        response = self.client.post(reverse("admin:members_member_delete", args=[published.pk]), {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Member.objects.filter(pk=published.pk).exists())

    def test_publisher_bulk_publish_and_unpublish_make_revisions(self):
        drafts = [make_initiative(publication_status=DRAFT) for _ in range(2)]
        self.client.force_login(self.publisher)
        url = reverse("admin:initiatives_initiative_changelist")
        self.client.post(url, {"action": "publish", "_selected_action": [d.pk for d in drafts]})
        self.assertEqual(Initiative.objects.published().count(), 2)
        self.client.post(url, {"action": "unpublish", "_selected_action": [drafts[0].pk]})
        self.assertEqual(Initiative.objects.published().count(), 1)
        self.assertEqual(Version.objects.get_for_object(drafts[0]).count(), 2)

    def test_reversion_recover_views_are_for_publishers_only(self):
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get(reverse("admin:members_member_recoverlist")).status_code, 403)

    def test_anonymous_gets_the_login_page_for_every_action(self):
        member = make_member()
        for url in (
            reverse("admin:members_member_add"),
            reverse("admin:members_member_change", args=[member.pk]),
            reverse("admin:members_member_delete", args=[member.pk]),
            reverse("admin:members_member_history", args=[member.pk]),
            reverse("admin:members_member_changelist"),
        ):
            with self.subTest(url=url):
                response = self.client.post(url, {"action": "unpublish", "_selected_action": [member.pk]})
                self.assertEqual(response.status_code, 302)
                self.assertIn("/admin/login/", response["Location"])
        member.refresh_from_db()
        self.assertEqual(member.publication_status, PUBLISHED)
