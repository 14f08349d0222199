"""Real-browser tests of the admin: the editorial and review workflows (tests/browser.py)."""

import re

import pytest

from tests.browser import StaffBrowserTestCase, requires_chromium

pytestmark = requires_chromium


@pytest.mark.browser
class EditorialWorkflowBrowserTests(StaffBrowserTestCase):
    """Issue 3's 'done when': an Editor writes a draft, a Publisher publishes it, the public sees it."""

    def test_editor_drafts_publisher_publishes_public_sees_it_with_its_flag(self):
        from members.models import Member
        from tests.factories import image_bytes

        context, page = self.log_in("erin")
        page.goto(f"{self.live_server_url}/admin/members/member/add/")
        page.locator("#id_name_en").press_sequentially("Newland")
        page.fill("#id_name_ru", "Ньюленд")  # both languages on one form
        self.assertEqual(page.input_value("#id_slug"), "newland")  # the admin's slug script ran
        page.select_option("#id_status", "member")
        page.set_input_files(
            "#id_flag", files=[{"name": "flag.png", "mimeType": "image/png", "buffer": image_bytes()}]
        )
        page.fill("#id_flag_alt_en", "Flag of Newland")
        page.click("input[name=_save]")
        page.wait_for_url(re.compile(r"/admin/members/member/$"))
        self.assertIn("Draft", page.locator("#result_list").inner_text())
        member = Member.objects.get(slug="newland")
        self.assertEqual(member.publication_status, "draft")
        self.assertEqual(self.public_status("/members/newland/"), 404)

        # The editor's preview shows the draft under its banner.
        page.goto(f"{self.live_server_url}/members/newland/")
        self.assertIn("Draft, not public.", page.locator(".preview-banner").inner_text())
        # Publication is a Publisher's decision: the editor sees it, read-only.
        page.goto(f"{self.live_server_url}/admin/members/member/{member.pk}/change/")
        self.assertEqual(page.locator("#id_publication_status").count(), 0)
        self.assertIn("Draft", page.locator(".field-publication_status .readonly").inner_text())
        context.close()
        self.assertEqual(self.public_status("/members/newland/"), 404)

        context, page = self.log_in("paul")
        page.goto(f"{self.live_server_url}/admin/members/member/{member.pk}/change/")
        page.select_option("#id_publication_status", "published")
        page.click("input[name=_save]")
        page.wait_for_url(re.compile(r"/admin/members/member/$"))
        context.close()

        public = self.browser.new_context()
        page = public.new_page()
        self.assertEqual(page.goto(f"{self.live_server_url}/members/newland/").status, 200)
        self.assertEqual(page.locator("h1").inner_text().strip(), "Newland")
        flag = page.locator("img[alt='Flag of Newland']").first
        self.assertTrue(flag.evaluate("img => img.complete && img.naturalWidth > 0"))
        public.close()


@pytest.mark.browser
class ReviewWorkflowBrowserTests(StaffBrowserTestCase):
    """Issue 11's 'done when': a live meeting edited, reviewed, sent back, fixed and approved, in both languages."""

    def setUp(self):
        super().setUp()
        from django.contrib.auth import get_user_model

        from tests.factories import make_document, make_event

        for username in ("erin", "paul"):
            get_user_model().objects.filter(username=username).update(email=f"{username}@example.org")
        self.event = make_event(title="Sixth CICA Summit", summary="Leaders met in Astana.", slug="sixth-summit")
        self.event.summary_ru = "Лидеры встретились в Астане."
        self.event.save()
        make_document(event=self.event, title="Astana Statement")

    def public_text(self, path):
        context = self.browser.new_context()
        page = context.new_page()
        self.assertEqual(page.goto(f"{self.live_server_url}{path}").status, 200)
        text = page.locator("main").inner_text()
        context.close()
        return text

    def review(self, page, action, comment=""):
        page.goto(f"{self.live_server_url}/admin/events/event/{self.event.pk}/review/")
        if comment:
            page.fill("#id_comment", comment)
        page.click(f"button[value={action}]")
        page.wait_for_load_state()

    def test_editor_edits_a_live_meeting_publisher_sends_back_then_approves(self):
        from django.core import mail

        en, ru = self.event.get_absolute_url(), f"/ru{self.event.get_absolute_url()}"
        context, page = self.log_in("erin")
        page.goto(f"{self.live_server_url}/admin/events/event/{self.event.pk}/change/")
        self.assertIn("You are editing its working copy", page.locator(".editorial-panel--copy").inner_text())
        page.fill("#id_summary_en", "Leaders adopted the Astana Statement.")
        page.fill("#id_summary_ru", "Лидеры приняли Астанинское заявление.")
        page.click("#documents-group .add-row a")
        page.fill("#id_documents-1-title_en", "Statement on the 30th anniversary")
        page.select_option("#id_documents-1-kind", "statement")
        page.click("input[name=_save]")
        page.wait_for_url(re.compile(r"/admin/events/event/$"))
        self.assertIn("Saved in the working copy", page.locator(".messagelist").inner_text())
        # The public sees nothing of it, in either language; the editor's preview shows it all.
        for path, old in ((en, "Leaders met in Astana."), (ru, "Лидеры встретились в Астане.")):
            text = self.public_text(path)
            self.assertIn(old, text)
            self.assertNotIn("30th anniversary", text)
        page.goto(f"{self.live_server_url}{ru}")
        self.assertIn("Лидеры приняли Астанинское заявление.", page.locator("main").inner_text())
        self.assertIn("Statement on the 30th anniversary", page.locator("main").inner_text())
        self.review(page, "submit", "Adds the anniversary statement.")
        self.assertEqual([m.to for m in mail.outbox], [["paul@example.org"]])
        context.close()

        context, page = self.log_in("paul")
        self.assertIn("Waiting for review (1)", page.locator("#review-queue").inner_text())
        page.click("#review-queue a")
        self.assertIn("Statement on the 30th anniversary", page.locator("#content-main").inner_text())
        self.review(page, "send_back", "Name the summit's year in the summary.")
        self.assertEqual(mail.outbox[-1].to, ["erin@example.org"])
        self.assertIn("Name the summit's year", mail.outbox[-1].body)
        context.close()

        context, page = self.log_in("erin")
        self.assertIn("Sent back for changes", page.locator("#review-queue").inner_text())
        page.goto(f"{self.live_server_url}/admin/events/event/{self.event.pk}/change/")
        self.assertEqual(page.input_value("#id_summary_en"), "Leaders adopted the Astana Statement.")
        page.fill("#id_summary_en", "In 2022 leaders adopted the Astana Statement.")
        page.click("input[name=_save]")
        page.wait_for_url(re.compile(r"/admin/events/event/$"))
        self.review(page, "submit")
        context.close()

        context, page = self.log_in("paul")
        self.review(page, "approve", "Thank you.")
        self.assertIn("Approved", page.locator(".messagelist").inner_text())
        context.close()
        self.assertEqual(len(mail.outbox), 4)
        self.assertIn("Published", mail.outbox[-1].subject)
        text = self.public_text(en)
        self.assertIn("In 2022 leaders adopted the Astana Statement.", text)
        self.assertIn("Statement on the 30th anniversary", text)
        self.assertIn("Лидеры приняли Астанинское заявление.", self.public_text(ru))
