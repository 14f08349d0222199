"""Issue 11: live records edited as working copies: submit, send back, approve, conflicts, mail.

The rule over every model and an Editor walking every admin: test_review_every_model.py."""

from datetime import date

from django.core import mail
from django.test import TestCase
from django.urls import reverse
from reversion.models import Version

from cicasite.core.models import ReviewNote, Source, WorkingCopy
from events.models import Document, Event
from tests.cicasite.review_helpers import approve
from tests.cicasite.staff import changeform_data, staff
from tests.factories import DRAFT, PUBLISHED, make_document, make_event, make_member


class ReviewWorkflowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = staff("erin", "Editor")
        cls.editor.email = "erin@example.org"
        cls.editor.save()
        cls.publisher = staff("paul", "Publisher")
        cls.event = make_event(title="Sixth summit", summary="Old summary.")
        cls.document = make_document(event=cls.event, title="Astana Statement")

    def edit_as_editor(self, **changes):
        self.client.force_login(self.editor)
        url = reverse("admin:events_event_change", args=[self.event.pk])
        data = changeform_data(self.client, url)
        data.update(changes)
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.content[:3000] if response.status_code == 200 else "")
        return url

    def review_url(self):
        return reverse("admin:events_event_review", args=[self.event.pk])

    def act(self, data):
        """A review step; mail goes once the step's transaction commits."""
        if data["action"] == "approve":
            data = {**data, "seen": self.client.get(self.review_url()).context["seen"]}
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.review_url(), data)

    def test_editor_edits_a_live_meeting_and_adds_a_document_the_public_sees_nothing(self):
        self.edit_as_editor(
            summary_en="New summary.",
            **{
                "documents-TOTAL_FORMS": "2",
                "documents-1-title_en": "Annex to the statement",
                "documents-1-kind": "statement",
                "documents-1-date": "2022-10-13",
                "documents-1-position": "2",
            },
        )
        self.assertEqual(Document.objects.count(), 1)
        self.client.logout()
        page = self.client.get(self.event.get_absolute_url())
        self.assertContains(page, "Old summary.")
        self.assertNotContains(page, "Annex to the statement")
        # Staff see the pending version at the public address, under a banner, never cached.
        self.client.force_login(self.editor)
        preview = self.client.get(self.event.get_absolute_url())
        self.assertContains(preview, "Pending changes, not public yet.")
        self.assertContains(preview, "New summary.")
        self.assertContains(preview, "Annex to the statement")
        self.assertEqual(preview["Cache-Control"], "private, no-store")
        live = self.client.get(self.event.get_absolute_url() + "?live=1")
        self.assertContains(live, "Old summary.")
        # The review page shows what approval changes.
        review = self.client.get(self.review_url())
        self.assertContains(review, "<del>Old summary.</del>", html=False)
        self.assertContains(review, "Annex to the statement")

    def test_submit_send_back_fix_approve_with_mail_at_each_step(self):
        self.edit_as_editor(summary_en="Draft wording.")
        self.act({"action": "submit", "comment": "Ready."})
        self.assertEqual(WorkingCopy.objects.get().state, WorkingCopy.State.IN_REVIEW)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["paul@example.org"])
        self.assertIn(self.review_url(), mail.outbox[0].body)

        self.client.force_login(self.publisher)
        index = self.client.get(reverse("admin:index"))
        self.assertContains(index, "Waiting for review (1)")
        self.assertContains(index, "Sixth summit")
        self.act({"action": "send_back", "comment": ""})
        self.assertEqual(WorkingCopy.objects.get().state, WorkingCopy.State.IN_REVIEW)  # a reason is required
        self.act({"action": "send_back", "comment": "Say which year."})
        self.assertEqual(WorkingCopy.objects.get().state, WorkingCopy.State.SENT_BACK)
        self.assertEqual(mail.outbox[1].to, ["erin@example.org"])
        self.assertIn("Say which year.", mail.outbox[1].body)

        self.client.force_login(self.editor)
        self.assertContains(self.client.get(reverse("admin:index")), "Sent back for changes")
        self.edit_as_editor(summary_en="Final wording, 2022.")
        self.assertEqual(WorkingCopy.objects.get().state, WorkingCopy.State.EDITING)
        self.act({"action": "submit"})
        self.assertEqual(len(mail.outbox), 3)

        self.client.force_login(self.publisher)
        self.assertEqual(self.act({"action": "approve", "comment": "Thanks."}).status_code, 302)
        self.event.refresh_from_db()
        self.assertEqual((self.event.summary, self.event.publication_status), ("Final wording, 2022.", PUBLISHED))
        self.assertFalse(WorkingCopy.objects.exists())
        self.assertEqual(mail.outbox[3].to, ["erin@example.org"])
        self.assertIn("Published", mail.outbox[3].subject)
        self.assertEqual(Version.objects.get_for_object(self.event).count(), 1)  # one revision
        steps = list(ReviewNote.objects.values_list("action", flat=True))
        self.assertEqual(steps, ["submitted", "sent_back", "submitted", "approved"])
        self.client.logout()
        self.assertContains(self.client.get(self.event.get_absolute_url()), "Final wording, 2022.")

    def test_a_mail_server_that_is_down_never_undoes_or_breaks_a_step(self):
        self.edit_as_editor(summary_en="Submitted while the mail server is down.")
        refused = {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
        with self.settings(MAILERS={"default": refused}), self.assertLogs("cicasite.core.review", "ERROR") as logged:
            response = self.act({"action": "submit"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(WorkingCopy.objects.get().state, WorkingCopy.State.IN_REVIEW)
        self.assertIn("Review notification not sent", logged.output[0])

    def test_new_document_is_published_with_its_meeting_unless_unticked(self):
        self.edit_as_editor(
            **{
                "documents-TOTAL_FORMS": "3",
                "documents-1-title_en": "Annex one",
                "documents-1-kind": "statement",
                "documents-1-position": "2",
                "documents-2-title_en": "Annex two",
                "documents-2-kind": "statement",
                "documents-2-position": "3",
            }
        )
        copy = WorkingCopy.objects.get()
        new = copy.data["new"]
        self.assertEqual(len(new), 2)
        self.client.force_login(self.publisher)
        review = self.client.get(self.review_url())
        self.assertContains(review, 'name="publish_new"', count=2)
        ticked = f"{new[0][0]}:{new[0][1]}"
        approve(self.client, self.review_url(), publish_new=[ticked])
        self.assertEqual(
            dict(Document.objects.filter(title__startswith="Annex").values_list("title", "publication_status")),
            {"Annex one": PUBLISHED, "Annex two": DRAFT},
        )

    def test_a_working_copy_never_changes_publication(self):
        self.edit_as_editor(publication_status=DRAFT, **{"documents-0-publication_status": DRAFT})
        self.client.force_login(self.publisher)
        approve(self.client, self.review_url())
        self.event.refresh_from_db()
        self.document.refresh_from_db()
        self.assertEqual((self.event.publication_status, self.document.publication_status), (PUBLISHED, PUBLISHED))

    def test_two_editors_on_one_working_copy_never_lose_an_update(self):
        other = staff("olga", "Editor")
        url = reverse("admin:events_event_change", args=[self.event.pk])
        self.client.force_login(self.editor)
        stale = changeform_data(self.client, url)
        self.client.force_login(other)
        fresh = changeform_data(self.client, url)
        fresh["summary_en"] = "Olga's summary."
        self.assertEqual(self.client.post(url, fresh).status_code, 302)
        self.client.force_login(self.editor)
        stale["summary_en"] = "Erin's summary."
        self.assertContains(self.client.post(url, stale), "after you opened it")
        self.assertEqual(WorkingCopy.objects.get().data["objects"][0]["fields"]["summary_en"], "Olga's summary.")

    def test_discard_and_permissions(self):
        self.edit_as_editor(summary_en="Never mind.")
        other = staff("olga", "Editor")
        self.client.force_login(other)
        self.assertEqual(self.client.post(self.review_url(), {"action": "approve"}).status_code, 403)
        self.assertEqual(self.client.post(self.review_url(), {"action": "discard"}).status_code, 403)
        self.client.force_login(self.editor)
        self.client.post(self.review_url(), {"action": "discard"})
        self.assertFalse(WorkingCopy.objects.exists())
        self.event.refresh_from_db()
        self.assertEqual(self.event.summary, "Old summary.")

    def test_deleting_a_record_takes_its_working_copy_with_it(self):
        self.edit_as_editor(summary_en="Soon gone.")
        self.client.force_login(self.publisher)
        delete = reverse("admin:events_event_delete", args=[self.event.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 302)
        self.assertFalse(WorkingCopy.objects.exists())
        self.client.force_login(self.editor)
        self.assertContains(self.client.get(reverse("admin:index")), "You have no working copy of a public record.")

    def test_approval_publishes_only_what_the_publisher_saw(self):
        # Found by the outsider attack: the editor changed the copy between review and approval.
        self.edit_as_editor(summary_en="What the Publisher reviewed.")
        self.act({"action": "submit"})
        self.client.force_login(self.publisher)
        seen = self.client.get(self.review_url()).context["seen"]
        self.edit_as_editor(summary_en="Swapped in after the review.")
        self.client.force_login(self.publisher)
        response = self.client.post(self.review_url(), {"action": "approve", "seen": seen}, follow=True)
        self.assertContains(response, "saved again after you opened the review")
        self.event.refresh_from_db()
        self.assertEqual(self.event.summary, "Old summary.")
        self.assertTrue(WorkingCopy.objects.exists())

    def test_a_publishers_direct_edit_survives_approval_of_an_older_copy(self):
        self.edit_as_editor(summary_en="The editor's summary.")
        self.client.force_login(self.publisher)
        url = reverse("admin:events_event_change", args=[self.event.pk])
        data = changeform_data(self.client, url)
        data["title_en"] = "Sixth CICA Summit (corrected)"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        approve(self.client, self.review_url())
        self.event.refresh_from_db()
        self.assertEqual(
            (self.event.title, self.event.summary), ("Sixth CICA Summit (corrected)", "The editor's summary.")
        )

    def test_a_publishers_direct_edit_of_a_document_survives_approval_of_an_older_copy(self):
        # Found by the second outsider attack: the copy wrote its old document rows back.
        self.edit_as_editor(summary_en="The editor's summary.")
        other = make_event(slug="other-meeting")
        Document.objects.filter(pk=self.document.pk).update(title_en="Astana Statement (corrected)")
        moved = make_document(event=self.event, title="Annex")
        self.edit_as_editor(summary_en="The editor's summary, again.")  # the copy now holds the annex too
        Document.objects.filter(pk=moved.pk).update(event=other)  # the Publisher moves it elsewhere
        self.client.force_login(self.publisher)
        review = self.client.get(self.review_url())
        self.assertContains(review, "kept as they are now on approval")
        approve(self.client, self.review_url())
        self.document.refresh_from_db()
        moved.refresh_from_db()
        self.assertEqual(self.document.title, "Astana Statement (corrected)")
        self.assertEqual(moved.event, other)
        self.event.refresh_from_db()
        self.assertEqual(self.event.summary, "The editor's summary, again.")

    def test_a_document_moved_to_another_meeting_is_left_alone_by_an_older_copy(self):
        # Found by the third outsider attack: the copy deleted or edited a row another record owns now.
        other = make_event(slug="other-meeting")
        kept = make_document(event=self.event, title="Moved, then kept")
        url = reverse("admin:events_event_change", args=[self.event.pk])
        self.client.force_login(self.editor)
        data = changeform_data(self.client, url)
        position = next(key for key, value in data.items() if value == str(kept.pk) and key.endswith("-id"))
        prefix = position.removesuffix("-id")
        data[f"{prefix}-DELETE"] = "on"
        data["documents-0-title_en"] = "Edited in the copy"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        Document.objects.filter(pk__in=[kept.pk, self.document.pk]).update(event=other)  # the Publisher moves both
        self.client.force_login(self.publisher)
        approve(self.client, self.review_url())
        self.assertEqual(
            dict(Document.objects.filter(event=other).values_list("pk", "title")),
            {kept.pk: "Moved, then kept", self.document.pk: "Astana Statement"},
        )

    def test_a_source_changed_after_the_review_was_opened_is_not_published(self):
        # Found by the third outsider attack: an uncited source is the editor's to change until approval.
        source = Source.objects.create(code="S904", title="Reuters 2024", url="https://reuters.example/ok")
        self.edit_as_editor(sources=[str(source.pk)])
        self.client.force_login(self.publisher)
        seen = self.client.get(self.review_url()).context["seen"]
        Source.objects.filter(pk=source.pk).update(url="https://attacker.example/x")
        response = self.client.post(self.review_url(), {"action": "approve", "seen": seen}, follow=True)
        self.assertContains(response, "Nothing was published")
        self.assertFalse(self.event.sources.exists())

    def test_a_copy_pointing_at_a_deleted_record_is_refused_clearly_never_a_500(self):
        draft_host = make_member(name="Draft host", publication_status=DRAFT)
        self.edit_as_editor(host=str(draft_host.pk))
        self.client.force_login(self.editor)
        delete = reverse("admin:members_member_delete", args=[draft_host.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 302)  # only the copy points at it
        self.client.force_login(self.publisher)
        review = self.client.get(self.review_url())
        self.assertContains(review, "deleted since")
        response = self.client.post(self.review_url(), {"action": "approve", "seen": review.context["seen"]})
        self.assertEqual(response.status_code, 302)
        self.event.refresh_from_db()
        self.assertIsNone(self.event.host)

    def test_the_review_shows_the_address_a_cited_source_will_link_to(self):
        source = Source.objects.create(code="S99", title="A new source", url="https://example.org/new-source")
        self.edit_as_editor(sources=[str(source.pk)])
        self.client.force_login(self.publisher)
        self.assertContains(self.client.get(self.review_url()), "https://example.org/new-source")

    def test_a_copy_that_clashes_with_another_record_is_refused_clearly_never_a_500(self):
        other = make_event(slug="taken-slug", publication_status=DRAFT)
        self.edit_as_editor(slug="free-slug")
        Event.objects.filter(pk=other.pk).update(slug="free-slug")  # meanwhile another record takes it
        self.client.force_login(self.publisher)
        review = self.client.get(self.review_url())
        self.assertContains(review, "cannot be applied")
        self.assertNotContains(review, 'value="approve"')
        response = self.client.post(self.review_url(), {"action": "approve", "seen": review.context["seen"]})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Event.objects.get(pk=self.event.pk).slug, self.event.slug)
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get(reverse("admin:events_event_change", args=[self.event.pk])).status_code, 200)
        self.assertContains(self.client.get(self.event.get_absolute_url()), "cannot be shown")
        self.client.force_login(self.publisher)
        self.client.post(self.review_url(), {"action": "discard"})
        self.assertFalse(WorkingCopy.objects.exists())

    def test_save_as_new_is_refused_on_a_working_copy(self):
        url = reverse("admin:events_event_change", args=[self.event.pk])
        self.client.force_login(self.editor)
        data = changeform_data(self.client, url)
        data["_saveasnew"] = "Save as new"
        self.assertEqual(self.client.post(url, data).status_code, 403)
        self.assertFalse(WorkingCopy.objects.exists())

    def test_a_related_record_that_is_no_key_is_a_form_error_never_a_500(self):
        # Found by the outsider attack: the autocomplete widgets looked "abc" up to redraw the form.
        host = make_member(name="Host")
        url = reverse("admin:events_event_change", args=[self.event.pk])
        for user in (self.editor, self.publisher):
            self.client.force_login(user)
            for field, value in (("host", "abc"), ("host", str(10**30)), ("sources", "abc"), ("dimensions", "9" * 30)):
                with self.subTest(user=user.username, field=field, value=value):
                    data = changeform_data(self.client, url)
                    data[field] = value
                    response = self.client.post(url, data)
                    self.assertEqual(response.status_code, 200)
                    self.assertIn(field, response.context["adminform"].form.errors)
            data = changeform_data(self.client, url)
            data["host"] = str(host.pk)
            self.assertEqual(self.client.post(url, data).status_code, 302)

    def test_meeting_dates_stay_within_what_a_calendar_can_hold(self):
        self.client.force_login(self.publisher)
        url = reverse("admin:events_event_change", args=[self.event.pk])
        data = changeform_data(self.client, url)
        data["start_date"] = "9999-12-31"
        self.assertContains(self.client.post(url, data), "Give a date from 1992 to 2100.")
        Event.objects.filter(pk=self.event.pk).update(start_date=date(9999, 12, 31))  # whatever wrote it
        self.client.logout()
        self.assertEqual(self.client.get("/events/calendar.ics").status_code, 200)

    def test_editor_saves_a_draft_meeting_that_has_a_published_document(self):
        event = make_event(publication_status=DRAFT, summary="Before.")
        make_document(event=event, publication_status=PUBLISHED)
        self.client.force_login(self.editor)
        url = reverse("admin:events_event_change", args=[event.pk])
        data = changeform_data(self.client, url)
        data["summary_en"] = "After."
        self.assertEqual(self.client.post(url, data).status_code, 302)
        event.refresh_from_db()
        self.assertEqual(event.summary, "After.")
        self.assertFalse(WorkingCopy.objects.exists())  # a draft is edited directly
