"""Issue 3, the editorial workflow: history, compare and revert of every record."""

from datetime import UTC, datetime

from django.test import TestCase
from django.urls import reverse
from reversion.models import Version

from cicasite.core import i18n
from events.models import Document
from tests.cicasite.staff import changeform_data, staff
from tests.factories import (
    DRAFT,
    PUBLISHED,
    make_area,
    make_document,
    make_event,
    make_member,
    make_role,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class HistoryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = staff("paul", "Publisher")
        cls.editor = staff("erin", "Editor")

    def setUp(self):
        self.client.force_login(self.publisher)

    def edit(self, obj, **changes):
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        data = changeform_data(self.client, url)
        # A translated field is edited in its English column (django-modeltranslation's name_en, ...).
        data.update({f"{name}_en" if i18n.is_translated(type(obj), name) else name: v for name, v in changes.items()})
        response = self.client.post(url, data)
        if response.status_code != 302:
            errors = [response.context["adminform"].form.errors]
            for inline in response.context["inline_admin_formsets"]:
                errors.append((inline.formset.errors, inline.formset.non_form_errors()))
            self.fail(f"not saved: {errors}")

    def test_history_diff_and_one_click_revert(self):
        member = make_member(name="Kazakhstan", capital="Almaty")
        area = make_area()
        make_role(member=member, area=area)
        self.edit(member, capital="Astana", summary="Host of the secretariat.")
        self.edit(member, capital="Nur-Sultan")
        versions = list(Version.objects.get_for_object(member))  # newest first
        self.assertEqual(len(versions), 2)

        history = self.client.get(reverse("admin:members_member_history", args=[member.pk]))
        self.assertContains(history, "paul")
        self.assertContains(history, "Capital")
        compare_url = reverse("admin:members_member_compare", args=[member.pk, versions[1].pk])
        compare = self.client.get(compare_url)
        self.assertContains(compare, "<del>Astana</del>", html=False)
        self.assertContains(compare, "<ins>Nur-Sultan</ins>", html=False)
        self.assertNotContains(compare, '<th scope="row">Name</th>')

        self.assertEqual(
            self.client.get(reverse("admin:members_member_revert", args=[member.pk, versions[1].pk])).status_code, 405
        )
        response = self.client.post(reverse("admin:members_member_revert", args=[member.pk, versions[1].pk]))
        # The member is public: the old content goes to its working copy, for review.
        self.assertRedirects(response, reverse("admin:members_member_review", args=[member.pk]))
        member.refresh_from_db()
        self.assertEqual(member.capital, "Nur-Sultan")
        self.approve(member)
        member.refresh_from_db()
        self.assertEqual(member.capital, "Astana")
        self.assertEqual(member.publication_status, PUBLISHED)
        self.assertEqual(member.roles.count(), 1)  # the inline roles came back with it
        latest = Version.objects.get_for_object(member).first()
        self.assertEqual(Version.objects.get_for_object(member).count(), 3)
        self.assertIn("Approved the working copy", latest.revision.get_comment())
        self.assertEqual(latest.revision.user, self.publisher)

    def approve(self, obj):
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_review", args=[obj.pk])
        self.client.force_login(self.publisher)
        seen = self.client.get(url).context["seen"]
        self.assertEqual(self.client.post(url, {"action": "approve", "seen": seen}).status_code, 302)

    def test_revert_restores_inline_children(self):
        member = make_member()
        self.edit(member, capital="First")
        first = Version.objects.get_for_object(member).first()
        make_role(member=member)
        self.edit(member, capital="Second")
        self.client.post(reverse("admin:members_member_revert", args=[member.pk, first.pk]))
        self.assertEqual(member.roles.count(), 1)  # live until approved
        self.approve(member)
        self.assertEqual(member.roles.count(), 0)

    def test_unknown_revision_is_404(self):
        member = make_member()
        other = make_member()
        self.edit(other, capital="x")
        version = Version.objects.get_for_object(other).first()
        self.assertEqual(
            self.client.get(reverse("admin:members_member_compare", args=[member.pk, version.pk])).status_code, 404
        )
        self.assertEqual(
            self.client.get(reverse("admin:members_member_compare", args=[member.pk, 99999])).status_code, 404
        )

    def test_restoring_a_published_revision_of_a_draft_restores_content_not_status(self):
        member = make_member(publication_status=DRAFT, capital="Then")
        self.edit(member, publication_status=PUBLISHED)
        published = Version.objects.get_for_object(member).first()
        self.edit(member, publication_status=DRAFT, capital="Now")
        self.client.force_login(self.editor)
        response = self.client.post(
            reverse("admin:members_member_revert", args=[member.pk, published.pk]), follow=True
        )
        self.assertContains(response, "Restored the content of the revision")
        member.refresh_from_db()
        self.assertEqual((member.capital, member.publication_status), ("Then", DRAFT))

    def test_editor_cannot_revert_a_meeting_to_a_revision_that_publishes_its_document(self):
        event = make_event(publication_status=DRAFT)
        document = make_document(event=event, publication_status=PUBLISHED)
        self.edit(event, summary="With its published document.")
        with_published = Version.objects.get_for_object(event).first()
        self.edit(event, **{"documents-0-publication_status": DRAFT})
        document.refresh_from_db()
        self.assertEqual(document.publication_status, DRAFT)
        self.client.force_login(self.editor)
        url = reverse("admin:events_event_revert", args=[event.pk, with_published.pk])
        self.client.post(url, follow=True)
        document.refresh_from_db()
        self.assertEqual(document.publication_status, DRAFT)

    def test_editor_cannot_revert_away_a_published_document_added_since(self):
        event = make_event(publication_status=DRAFT)
        self.edit(event, summary="Before the document.")
        before = Version.objects.get_for_object(event).first()
        document = make_document(event=event, publication_status=PUBLISHED)
        self.client.force_login(self.editor)
        url = reverse("admin:events_event_revert", args=[event.pk, before.pk])
        self.assertContains(
            self.client.post(url, follow=True), "Only a Publisher may delete a published outcome document"
        )
        self.assertTrue(Document.objects.filter(pk=document.pk).exists())

    def test_editor_reverts_a_draft(self):
        member = make_member(publication_status=DRAFT, capital="One")
        self.edit(member, capital="Two")
        first = Version.objects.get_for_object(member).first()
        self.edit(member, capital="Three")
        self.client.force_login(self.editor)
        self.client.post(reverse("admin:members_member_revert", args=[member.pk, first.pk]))
        member.refresh_from_db()
        self.assertEqual(member.capital, "Two")
