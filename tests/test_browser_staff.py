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


@pytest.mark.browser
class RichTextBrowserTests(StaffBrowserTestCase):
    """Issue 13's 'done when': a Publisher writes a meeting's Russian body with a bold phrase and an
    internal link, pastes a hostile snippet too, and the public Russian page shows the first two only."""

    HOSTILE = (
        '<p>Вставка<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> '
        '<a href="javascript:window.pwned=3">ссылка</a><span style="color:red" onclick="window.pwned=4">!</span></p>'
    )

    def test_bold_and_an_internal_link_in_russian_reach_the_public_page_a_pasted_attack_does_not(self):
        from events.models import Event
        from tests.factories import make_event, make_member

        make_member(name="Kazakhstan", name_ru="Казахстан", slug="kazakhstan")
        event = make_event(title="Sixth CICA Summit", title_ru="Шестой саммит СВМДА", slug="sixth-cica-summit-2022")
        context, page = self.log_in("paul")
        problems = []
        page.on("console", lambda msg: msg.type in ("error", "warning") and problems.append(msg.text))
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"{self.live_server_url}/admin/events/event/{event.pk}/change/")
        editor = page.locator(".prose-editor:has(#id_body_ru)")
        editor.locator(".tiptap").click()
        page.keyboard.type("Саммит прошёл в Астане. ")
        page.keyboard.press("Control+b")
        page.keyboard.type("Принята декларация")
        page.keyboard.press("Control+b")
        page.keyboard.type(". Председатель — Казахстан")
        for _ in "Казахстан":  # select the word just typed
            page.keyboard.press("Shift+ArrowLeft")
        editor.locator("button[data-name=internalLink]").click()
        dialog = page.locator("dialog.richtext-links")
        dialog.get_by_label("Find a member, meeting, document or initiative").fill("Казах")
        dialog.locator(".richtext-links__choice", has_text="Казахстан").click()
        page.keyboard.press("End")
        self.assertEqual(problems, [])  # the editor itself: no CSP report, no script error
        # A paste from a web page, as the browser hands it to the editor.
        editor.locator(".tiptap").evaluate(
            """(el, html) => {
                const data = new DataTransfer();
                data.setData("text/html", html);
                data.setData("text/plain", "Вставка ссылка!");
                el.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
            }""",
            self.HOSTILE,
        )
        # While the editor reads the pasted HTML, the page's CSP refuses the snippet's handlers and
        # styles (and says so in the console): nothing of it runs, even before the server cleans it.
        self.assertEqual(page.evaluate("window.pwned"), None)
        self.assertEqual([p for p in problems if "violates the following Content Security Policy" not in p], [])
        page.click("input[name=_save]")
        page.wait_for_url(re.compile(r"/admin/events/event/$"))
        context.close()

        visitor = self.browser.new_context()
        public = visitor.new_page()
        public.goto(f"{self.live_server_url}/ru/events/sixth-cica-summit-2022/")
        body = public.locator("main .prose")
        self.assertEqual(body.locator("strong").inner_text(), "Принята декларация")
        link = body.locator("a", has_text="Казахстан")
        self.assertEqual(link.get_attribute("href"), "/ru/members/kazakhstan/")  # relative, in Russian
        self.assertIsNone(link.get_attribute("rel"))
        self.assertIn("Вставка", body.inner_text())  # the pasted text stays
        body_html = body.inner_html()
        for attack in ("<script", "onerror", "onclick", "javascript:", "style=", "pwned"):
            self.assertNotIn(attack, body_html)
        self.assertNotIn("pwned", public.content())
        self.assertIsNone(public.evaluate("window.pwned"))
        link.click()
        public.wait_for_url(re.compile(r"/ru/members/kazakhstan/$"))
        visitor.close()
        stored = Event.objects.get(pk=event.pk).body_ru
        self.assertIn("<strong>Принята декларация</strong>", stored)
        self.assertNotIn("pwned", stored)
