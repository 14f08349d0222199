"""Issue 3, the editorial workflow: scheduling, preview, status at a glance, no lost updates.

Roles: test_roles.py; history with compare and revert: test_history.py."""

import io
from datetime import UTC, datetime, timedelta

import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from cicasite.core.models import Publishable, next_publication_change
from members.models import Member
from tests.cicasite.staff import changeform_data, staff
from tests.factories import (
    DRAFT,
    make_area,
    make_dimension,
    make_document,
    make_event,
    make_initiative,
    make_member,
    make_region,
    make_role,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SOON = NOW + timedelta(days=2)
PASSED = NOW - timedelta(days=2)
HIDDEN = "Zzhidden"  # in the name of every record the public must not see


class SchedulingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.scheduled = make_member(name="Scheduled", publish_at=SOON)
        cls.ending = make_member(name="Ending", unpublish_at=SOON)
        cls.window = make_member(name="Window", publish_at=SOON, unpublish_at=SOON + timedelta(days=1))
        cls.draft_with_date = make_member(name="Draft dated", publication_status=DRAFT, publish_at=PASSED)

    def public_names(self):
        return set(Member.objects.published().values_list("name", flat=True))

    def test_before_publish_at_only_the_ending_record_is_public(self):
        with time_machine.travel(NOW, tick=False):
            self.assertEqual(self.public_names(), {"Ending"})
            self.assertEqual(self.client.get(self.scheduled.get_absolute_url()).status_code, 404)
            self.assertEqual(self.client.get(self.ending.get_absolute_url()).status_code, 200)

    def test_after_publish_at_the_scheduled_record_appears_without_any_job(self):
        with time_machine.travel(SOON + timedelta(seconds=1), tick=False):
            self.assertEqual(self.public_names(), {"Scheduled", "Window"})
            self.assertEqual(self.client.get(self.scheduled.get_absolute_url()).status_code, 200)
            self.assertContains(self.client.get("/members/"), "Scheduled")
            self.assertEqual(self.client.get(self.ending.get_absolute_url()).status_code, 404)

    def test_after_unpublish_at_the_record_disappears(self):
        with time_machine.travel(SOON + timedelta(days=2), tick=False):
            self.assertEqual(self.public_names(), {"Scheduled"})
            self.assertNotContains(self.client.get("/members/"), "Window")

    def test_a_draft_stays_a_draft_whatever_its_dates(self):
        with time_machine.travel(SOON + timedelta(days=30), tick=False):
            self.assertNotIn("Draft dated", self.public_names())

    def test_derived_state(self):
        with time_machine.travel(NOW, tick=False):
            self.assertEqual(self.scheduled.publication_state, Publishable.State.SCHEDULED)
            self.assertEqual(self.ending.publication_state, Publishable.State.PUBLISHED)
            self.assertEqual(self.draft_with_date.publication_state, Publishable.State.DRAFT)
        with time_machine.travel(SOON + timedelta(days=2), tick=False):
            self.assertEqual(self.ending.publication_state, Publishable.State.ENDED)

    def test_next_publication_change_is_the_nearest_future_moment_across_models(self):
        make_event(publish_at=NOW + timedelta(hours=3))
        make_initiative(publication_status=DRAFT, publish_at=NOW + timedelta(hours=1))  # a draft never changes
        with time_machine.travel(NOW, tick=False), self.assertNumQueries(4):  # one per publishable model
            self.assertEqual(next_publication_change(), NOW + timedelta(hours=3))
        with time_machine.travel(NOW + timedelta(hours=4), tick=False):
            self.assertEqual(next_publication_change(), SOON)
        with time_machine.travel(SOON + timedelta(days=5), tick=False):
            self.assertIsNone(next_publication_change())

    def test_unpublish_before_publish_is_refused(self):
        member = make_member()
        member.publish_at, member.unpublish_at = SOON, NOW
        with self.assertRaisesMessage(ValidationError, "must be after publish at"):
            member.full_clean()
        with self.assertRaises(IntegrityError), transaction.atomic():
            member.save()


class NoLeakTests(TestCase):
    """Drafts, scheduled and ended records of every kind, linked to public ones, on every public URL."""

    @classmethod
    def setUpTestData(cls):
        cls.dimension = make_dimension(slug="economic-dim")
        area = make_area(dimension=cls.dimension)
        region = make_region()
        cls.public_member = make_member(name="Publicland", region=region)
        make_role(member=cls.public_member, area=area)
        cls.public_event = make_event(title="Public summit", host=cls.public_member)
        cls.public_event.dimensions.add(cls.dimension)
        make_initiative(title="Public initiative").dimensions.add(cls.dimension)
        cls.hidden = []
        states = {
            "draft": {"publication_status": DRAFT},
            "scheduled": {"publish_at": SOON},
            "ended": {"unpublish_at": PASSED},
        }
        for state, fields in states.items():
            member = make_member(name=f"{HIDDEN} {state} member", slug=f"hidden-{state}", region=region, **fields)
            make_role(member=member, area=area)
            event = make_event(
                title=f"{HIDDEN} {state} meeting", slug=f"hidden-{state}-meeting", host=member, **fields
            )
            event.dimensions.add(cls.dimension)
            make_document(event=cls.public_event, title=f"{HIDDEN} {state} document", **fields)
            initiative = make_initiative(
                title=f"{HIDDEN} {state} initiative", slug=f"hidden-{state}-initiative", lead=member, **fields
            )
            initiative.dimensions.add(cls.dimension)
            initiative.events.add(cls.public_event)
            cls.hidden += [member, event, initiative]

    def public_urls(self):
        return [
            "/",
            "/members/",
            "/members/?q=zzhidden",
            f"/members/?dimension={self.dimension.slug}",
            "/members/?status=member",
            "/members/data.csv",
            "/members/data.json",
            "/roles/data.csv",
            "/roles/data.json",
            "/dimensions/",
            self.dimension.get_absolute_url(),
            "/events/",
            f"/events/?dimension={self.dimension.slug}",
            "/events/data.csv",
            "/events/data.json",
            "/events/feed/",
            "/events/calendar.ics",
            self.public_event.get_absolute_url(),
            f"{self.public_event.get_absolute_url()}calendar.ics",
            "/initiatives/",
            f"/initiatives/?dimension={self.dimension.slug}",
            "/initiatives/data.csv",
            "/initiatives/data.json",
            "/initiatives/feed/",
            self.public_member.get_absolute_url(),
            "/timeline/",
            "/search/?q=zzhidden",
            "/search/?q=member",
            "/sitemap.xml",
            "/sitemap-members.xml",
            "/sitemap-events.xml",
            "/sitemap-initiatives.xml",
        ]

    def test_no_hidden_record_on_any_public_url(self):
        with time_machine.travel(NOW, tick=False):
            for url in self.public_urls():
                with self.subTest(url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    body = b"".join(response) if response.streaming else response.content
                    text = body.decode().lower()
                    for state in ("draft", "scheduled", "ended"):
                        self.assertNotIn(f"{HIDDEN} {state}".lower(), text)
                    self.assertNotIn("hidden-", text)

    def test_hidden_detail_pages_and_calendars_are_404_for_the_public(self):
        with time_machine.travel(NOW, tick=False):
            for obj in self.hidden:
                with self.subTest(obj=str(obj)):
                    self.assertEqual(self.client.get(obj.get_absolute_url()).status_code, 404)
            self.assertEqual(self.client.get("/events/hidden-draft-meeting/calendar.ics").status_code, 404)

    def test_counts_and_facets_count_only_public_records(self):
        with time_machine.travel(NOW, tick=False):
            response = self.client.get("/members/")
            self.assertEqual(response.context["paginator"].count, 1)
            home = self.client.get("/")
            self.assertEqual({d.slug: d.member_count for d in home.context["dimensions"]}["economic-dim"], 1)

    def test_scheduled_records_appear_everywhere_once_their_time_comes(self):
        with time_machine.travel(SOON + timedelta(minutes=1), tick=False):
            self.assertContains(self.client.get("/members/"), f"{HIDDEN} scheduled member")
            self.assertContains(self.client.get("/events/feed/"), f"{HIDDEN} scheduled meeting")
            self.assertContains(self.client.get("/sitemap-initiatives.xml"), "hidden-scheduled-initiative")
            self.assertContains(self.client.get(self.public_event.get_absolute_url()), f"{HIDDEN} scheduled document")
            self.assertNotContains(self.client.get("/members/"), f"{HIDDEN} draft member")


class PreviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = staff("erin", "Editor")
        cls.draft = make_member(name="Draftland", publication_status=DRAFT)
        cls.scheduled = make_event(title="Future summit", publish_at=SOON)
        cls.initiative = make_initiative(title="Draft initiative", publication_status=DRAFT)

    def test_staff_see_a_draft_under_a_banner_and_it_is_never_cached(self):
        self.client.force_login(self.editor)
        for obj in (self.draft, self.initiative):
            with self.subTest(obj=str(obj)):
                response = self.client.get(obj.get_absolute_url())
                self.assertContains(response, "Draft, not public.")
                self.assertContains(response, "<h1", count=1)
                self.assertEqual(response["Cache-Control"], "private, no-store")
                self.assertEqual(response["X-Robots-Tag"], "noindex")

    def test_staff_see_when_a_scheduled_record_will_appear(self):
        self.client.force_login(self.editor)
        with time_machine.travel(NOW, tick=False):
            response = self.client.get(self.scheduled.get_absolute_url())
        self.assertContains(response, "Scheduled for 3 June 2026, 12:00")

    def test_everyone_else_gets_404(self):
        outsider = get_user_model().objects.create_user("visitor", "v@example.org", "a-long-password-123")
        for client_user in (None, outsider):
            if client_user:
                self.client.force_login(client_user)
            with self.subTest(user=client_user):
                self.assertEqual(self.client.get(self.draft.get_absolute_url()).status_code, 404)

    def test_public_page_has_no_banner(self):
        self.client.force_login(self.editor)
        response = self.client.get(make_member(name="Openland").get_absolute_url())
        self.assertNotContains(response, "not public")
        self.assertNotEqual(response.get("Cache-Control"), "private, no-store")

    def test_view_on_site_leads_to_the_preview(self):
        self.client.force_login(self.editor)
        response = self.client.get(reverse("admin:members_member_change", args=[self.draft.pk]))
        self.assertContains(response, "Preview on the site")
        view_on_site = self.client.get(response.context["original"].get_absolute_url())
        self.assertContains(view_on_site, "Draft, not public.")


class StatusAtAGlanceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = staff("paul", "Publisher")
        make_member(name="Draftland", publication_status=DRAFT)
        make_member(name="Soonland", publish_at=SOON)
        make_member(name="Openland")

    def test_list_shows_state_and_filters_by_it(self):
        self.client.force_login(self.publisher)
        url = reverse("admin:members_member_changelist")
        with time_machine.travel(NOW, tick=False):
            response = self.client.get(url)
            self.assertContains(response, 'class="state state--scheduled"')
            self.assertContains(response, 'class="state state--draft"')
            for state, name in [("draft", "Draftland"), ("scheduled", "Soonland"), ("published", "Openland")]:
                with self.subTest(state=state):
                    names = [m.name for m in self.client.get(url, {"state": state}).context["cl"].result_list]
                    self.assertEqual(names, [name])

    def test_readiness_panel_warns_without_blocking(self):
        self.client.force_login(self.publisher)
        event = make_event(summary="")
        response = self.client.get(reverse("admin:events_event_change", args=[event.pk]))
        self.assertContains(response, "The summary is empty")
        self.assertContains(response, "No outcome documents.")
        self.assertContains(response, "No dimension")
        member = Member.objects.get(name="Openland")
        response = self.client.get(reverse("admin:members_member_change", args=[member.pk]))
        self.assertContains(response, "No flag or emblem")


class LostUpdateTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first = staff("ann", "Editor")
        cls.second = staff("bob", "Editor")
        cls.member = make_member(name="Mongolia", capital="Ulaanbaatar", publication_status=DRAFT)

    def test_the_second_save_is_refused_and_names_what_changed(self):
        url = reverse("admin:members_member_change", args=[self.member.pk])
        self.client.force_login(self.first)
        ann = changeform_data(self.client, url)
        self.client.force_login(self.second)
        bob = changeform_data(self.client, url)
        bob["capital_en"] = "Ulan Bator"
        bob["summary_en"] = "Bob's summary"
        self.assertEqual(self.client.post(url, bob).status_code, 302)

        self.client.force_login(self.first)
        ann["name_en"] = "Mongolia (edited)"
        response = self.client.post(url, ann)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "saved this record at")
        self.assertContains(response, "Changed meanwhile: Capital [en], Summary [en].")
        self.assertContains(response, "bob")
        self.member.refresh_from_db()
        self.assertEqual((self.member.name, self.member.capital), ("Mongolia", "Ulan Bator"))

        # After reloading, Ann's change goes through on top of Bob's.
        ann = changeform_data(self.client, url)
        ann["name_en"] = "Mongolia (edited)"
        self.assertEqual(self.client.post(url, ann).status_code, 302)
        self.member.refresh_from_db()
        self.assertEqual((self.member.name, self.member.capital), ("Mongolia (edited)", "Ulan Bator"))

    def test_a_missing_or_forged_token_is_refused_clearly(self):
        url = reverse("admin:members_member_change", args=[self.member.pk])
        self.client.force_login(self.first)
        data = changeform_data(self.client, url)
        for token in ("", "forged:token"):
            with self.subTest(token=token):
                response = self.client.post(url, {**data, "edit_token": token})
                self.assertContains(response, "This form is out of date or incomplete.")


class CreateStaffUserCommandTests(TestCase):
    def test_creates_an_editor_and_a_publisher(self):
        out = io.StringIO()
        with self.settings():
            import os

            os.environ["STAFF_PASSWORD"] = "a-long-password-123"
            try:
                call_command("create_staff_user", "erin", role="editor", no_input=True, stdout=out)
                call_command("create_staff_user", "paul", role="publisher", no_input=True, stdout=out)
                with self.assertRaisesMessage(CommandError, "too short"):
                    os.environ["STAFF_PASSWORD"] = "short"
                    call_command("create_staff_user", "x", role="editor", no_input=True, stdout=out)
            finally:
                del os.environ["STAFF_PASSWORD"]
        self.assertIn("Created erin: staff, group Editor.", out.getvalue())
        erin = get_user_model().objects.get(username="erin")
        self.assertTrue(erin.is_staff)
        self.assertFalse(erin.is_superuser)
        self.assertTrue(erin.check_password("a-long-password-123"))
        self.assertFalse(erin.has_perm("members.publish_member"))
        self.assertTrue(get_user_model().objects.get(username="paul").has_perm("members.publish_member"))
