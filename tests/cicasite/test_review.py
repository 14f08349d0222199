"""Issue 11: one publishing rule for everything public; live records edited as working copies and reviewed."""

import re
from datetime import date

from django import forms
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from reversion.models import Version

from cicasite import publishing
from cicasite.editorial import EditorialAdmin
from cicasite.models import LegacyRedirect, Organ, ReviewNote, Source, WorkingCopy
from events.models import Document, Event
from initiatives.models import Initiative
from members.models import Dimension, Member, PriorityArea, Role
from tests.cicasite.test_editorial import changeform_data, staff
from tests.content import load_content
from tests.factories import DRAFT, PUBLISHED, make_area, make_document, make_event, make_member, make_role

CANARY = "Qqpending"  # in every value an editor's unapproved change writes
YEAR = 2001  # where the change is a number

# Models an editor never sees on a public page (accounts, login throttling): outside the rule.
INTERNAL = {"auth.group", "auth.user", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}

PUBLIC_URLS = [
    "/",
    "/ru/",
    "/members/",
    "/members/kazakhstan/",
    "/ru/members/kazakhstan/",
    "/members/?dimension=economic",
    "/dimensions/",
    "/dimensions/economic/",
    "/events/",
    "/events/sixth-cica-summit-2022/",
    "/events/feed/",
    "/events/calendar.ics",
    "/initiatives/",
    "/initiatives/feed/",
    "/about/",
    "/ru/about/",
    "/timeline/",
    "/members/data.csv",
    "/roles/data.csv",
    "/roles/data.json",
    "/events/data.json",
    "/initiatives/data.json",
    f"/search/?q={CANARY.lower()}",  # the page repeats the query: the canary itself is capitalised
    "/sitemap-members.xml",
    "/sitemap-events.xml",
]


def public_pages(client):
    """Every public channel above, as the anonymous public gets it (less per-response nonces and clock stamps)."""
    client.logout()
    pages = {}
    for url in PUBLIC_URLS:
        response = client.get(url, follow=True)
        assert response.status_code == 200, (url, response.status_code)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        content = re.sub(rb'nonce="[^"]*"', b"", content)
        pages[url] = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)", b"<time>", content)
    return pages


def approve(client, url, **data):
    """As a Publisher does: open the review page, then approve what it showed."""
    seen = client.get(url).context["seen"]
    return client.post(url, {"action": "approve", "seen": seen, **data})


def text_field(form, model):
    """A text field of the change form that an editor could change (the first one found)."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.TextInput | forms.Textarea) and not isinstance(widget, forms.NumberInput):
            if not name.endswith("_ru") and name not in ("slug", "edit_token", "code", "iso_code", "key", "target"):
                return name
    return None


def number_field(form):
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.NumberInput) and name not in ("position",):
            return name
    return None


def url_field(form):
    return "url" if "url" in form.fields else None


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
        with self.settings(MAILERS={"default": refused}), self.assertLogs("cicasite.review", "ERROR") as logged:
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
