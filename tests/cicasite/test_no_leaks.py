"""Nothing of a record the public may not see leaks: not its name through a related record, not its files.

The canary crawl: draft, scheduled and ended records of every publishable model, and pending
working copies (cicasite.core.review) of live ones, each with a unique name and files, linked to
public records in every way the site knows (lead, host, role, chairmanship, meeting of a
document, related meetings and initiatives). Then every
public address is fetched in both languages (pages, filters, feeds, calendars, sitemaps,
search, data files, JSON-LD inside pages), following the links it finds, and no canary
string may appear; the canaries' files answer 404 to the public.

To extend it: add a canary in CanaryCrawlTests.make_canaries or make_pending_canaries (its
strings go through self.canary(), its files into self.canary_media), and addresses to
public_urls().
"""

import re
import shutil
import tempfile
from datetime import timedelta
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.test import TestCase, override_settings
from django.utils import timezone

from cicasite.core import media, review
from cicasite.core.images import RENDITION_WIDTHS, rendition_name
from cicasite.core.models import Publishable, WorkingCopy
from events.models import Document
from initiatives.models import Chairmanship, Initiative
from tests.factories import (
    DRAFT,
    PUBLISHED,
    image_bytes,
    make_area,
    make_chairmanship,
    make_dimension,
    make_document,
    make_event,
    make_initiative,
    make_member,
    make_role,
    pdf_bytes,
)

MEDIA = tempfile.mkdtemp(prefix="cica-test-leaks-")
TOKEN = "Zqcanary"  # in every canary name: searching for it finds any canary that leaks into search
CRAWL_LIMIT = 1500  # addresses fetched at most (the canary data makes about 400)
LINK = re.compile(r"""(?:href|src)=["']([^"'#]+)|<loc>([^<#]+)</loc>""")  # pages, feeds, sitemaps
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/")


def states():
    """The three ways a record is not public: (state name, fields)."""
    now = timezone.now()
    return {
        "draft": {"publication_status": DRAFT},
        "scheduled": {"publication_status": PUBLISHED, "publish_at": now + timedelta(days=30)},
        "ended": {
            "publication_status": PUBLISHED,
            "publish_at": now - timedelta(days=60),
            "unpublish_at": now - timedelta(days=1),
        },
    }


def store_flag(member, label):
    member.flag_alt = f"{label} flag"
    member.flag.save("uploaded-flag.png", ContentFile(image_bytes("PNG", size=(200, 100))), save=True)


def store_image(event, label):
    event.image_alt = f"{label} image"
    event.image.save("uploaded-photo.jpg", ContentFile(image_bytes("JPEG", size=(300, 200))), save=True)


def store_pdf(document):
    """Both PDFs of a document: English and Russian (each served by its own owner check)."""
    document.file.save("declaration.html", ContentFile(pdf_bytes()), save=False)
    document.file_ru.save("декларация.html", ContentFile(pdf_bytes()), save=True)
    return [document.file.name, document.file_ru.name]


def media_names(fieldfile):
    """A stored file and, for an image, its renditions."""
    names = [fieldfile.name]
    if isinstance(fieldfile.field, models.ImageField):
        names += [
            rendition_name(fieldfile.name, width, extension)
            for width in RENDITION_WIDTHS
            for extension in ("webp", "png", "jpg")
        ]
    return [name for name in names if default_storage.exists(name)]


def public_urls(public):
    """Seed addresses of every public page, feed, calendar, data file and sitemap, in every language.

    `public` holds the public records the canaries hang on; the crawl adds every page linked from these.
    """
    members, events, initiatives = public["members"], public["events"], public["initiatives"]
    dimensions, chairmanships = public["dimensions"], public["chairmanships"]
    pages = [
        "/",
        "/about/",
        "/timeline/",
        "/data/",
        "/members/",
        "/dimensions/",
        "/dimensions/?all=1",
        "/events/",
        "/events/?when=upcoming",
        "/events/?when=past",
        "/initiatives/",
        f"/search/?q={TOKEN}",
        *[f"/search/?q={word}" for word in ("canary", "Канарейка", "declaration", "initiative")],
        *(member.get_absolute_url() for member in members),
        *(event.get_absolute_url() for event in events),
        *(initiative.get_absolute_url() for initiative in initiatives),
        *(dimension.get_absolute_url() for dimension in dimensions),
    ]
    filtered = []
    for dimension in dimensions:
        filtered += [
            f"/members/?dimension={dimension.slug}",
            f"/members/?dimension={dimension.slug}&role=coordinator",
            f"/events/?dimension={dimension.slug}",
            f"/initiatives/?dimension={dimension.slug}",
            f"/dimensions/?dimension={dimension.slug}",
        ]
    filtered += [f"/events/?host={member.slug}" for member in members]
    filtered += [f"/initiatives/?chairmanship={chairmanship.slug}" for chairmanship in chairmanships]
    filtered += ["/initiatives/?proposed_by=member", "/initiatives/?status=in_progress", "/members/?status=member"]
    feeds = []
    for query in ["", *(f"?{urlsplit(url).query}" for url in filtered if urlsplit(url).query)]:
        feeds += [f"/events/feed/{query}", f"/events/calendar.ics{query}", f"/initiatives/feed/{query}"]
        for data in ("members", "roles", "events", "initiatives"):
            feeds += [f"/{data}/data.csv{query}", f"/{data}/data.json{query}"]
    feeds += [f"/events/{event.slug}/calendar.ics" for event in events]
    localized = pages + filtered + feeds
    return [*localized, *(f"/ru{url}" for url in localized), "/sitemap.xml", "/robots.txt"]


@override_settings(
    MEDIA_ROOT=MEDIA,
    PAGE_CACHE=True,  # the public crawl goes through the shared page cache, as anonymous visitors do
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "no-leaks"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "no-leaks-pages"},
    },
)
class CanaryCrawlTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.canaries = []  # every string that must never reach the public
        cls.canary_media = []  # stored names of the canaries' files
        cls.public = {"members": [], "events": [], "initiatives": [], "dimensions": [], "chairmanships": []}
        cls.make_canaries()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    @classmethod
    def canary(cls, kind, state):
        """(English name, Russian name, slug) of a new canary; all three are remembered."""
        name, name_ru, slug = f"{TOKEN} {kind} {state}", f"Канарейка {kind} {state}", f"zqcanary-{kind}-{state}"
        cls.canaries += [name, name_ru, slug]
        return name, name_ru, slug

    @classmethod
    def make_pending(cls, root, change):
        """An Editor's working copy of the live record root, made by change(root), not yet approved."""
        with review.editing(root, cls.editor) as session:
            change(root)
            session.capture()

    @classmethod
    def keep_public(cls, kind, *records):
        cls.public[kind] += records
        return records[0]

    @classmethod
    def make_canaries(cls):
        dimension = cls.keep_public("dimensions", make_dimension(name="Economic dimension", slug="economic"))
        area = make_area(dimension=dimension)
        chair_member = cls.keep_public("members", make_member(name="Public chair", slug="public-chair"))
        chair = cls.keep_public("chairmanships", make_chairmanship(member=chair_member, start_year=2020))
        host = cls.keep_public("members", make_member(name="Public host", slug="public-host"))
        make_role(member=host, area=area)
        for state, fields in states().items():
            # A member that is not public: lead of a public initiative, host of a public meeting,
            # holder of a role, in the chair, with a year of joining and a flag.
            name, name_ru, slug = cls.canary("member", state)
            member = make_member(name=name, name_ru=name_ru, slug=slug, joined=2011, **fields)
            store_flag(member, name)
            cls.canary_media += media_names(member.flag)
            make_role(member=member, area=area)
            own_chair = make_chairmanship(member=member, start_year=2030 + len(cls.canary_media), end_year=None)
            cls.canaries.append(own_chair.slug)
            cls.keep_public(
                "events",
                make_event(title=f"Public meeting hosted by a {state} member", host=member),
            )
            led = make_initiative(
                title=f"Public initiative led by a {state} member",
                lead=member,
                proposed_by=Initiative.ProposedBy.CHAIRMANSHIP,
                chairmanship=own_chair,
            )
            led.dimensions.add(dimension)
            cls.keep_public("initiatives", led)

            # A meeting that is not public: related to a public initiative, hosted by a public member,
            # with a published document and an image.
            name, name_ru, slug = cls.canary("meeting", state)
            event = make_event(title=name, title_ru=name_ru, slug=slug, host=host, **fields)
            event.dimensions.add(dimension)
            store_image(event, name)
            cls.canary_media += media_names(event.image)
            name, name_ru, _slug = cls.canary("document of a meeting", state)
            store_pdf(make_document(event=event, title=name, title_ru=name_ru))
            stored = Document.objects.get(title=name)
            cls.canary_media += [stored.file.name, stored.file_ru.name]
            related = make_initiative(title=f"Public initiative related to a {state} meeting", lead=host)
            related.events.add(event)
            cls.keep_public("initiatives", related)

            # A document that is not public, of a public meeting.
            meeting = cls.keep_public("events", make_event(title=f"Public meeting with a {state} document"))
            name, name_ru, _slug = cls.canary("document", state)
            document = make_document(event=meeting, title=name, title_ru=name_ru, **fields)
            cls.canary_media += store_pdf(document)
            make_document(event=meeting, title=f"Public declaration beside a {state} one")

            # An initiative that is not public: related to a public meeting, led by a public member,
            # of the public chairmanship, in a dimension.
            name, name_ru, slug = cls.canary("initiative", state)
            initiative = make_initiative(
                title=name,
                title_ru=name_ru,
                slug=slug,
                lead=host,
                proposed_by=Initiative.ProposedBy.CHAIRMANSHIP,
                chairmanship=chair,
                **fields,
            )
            initiative.dimensions.add(dimension)
            initiative.events.add(meeting)

        cls.make_pending_canaries(dimension)

    @classmethod
    def make_pending_canaries(cls, dimension):
        """Live records with an Editor's pending changes: a new name, a new flag, a new document with its PDF."""
        cls.editor = get_user_model().objects.create_user("pending-editor", is_staff=True)
        cls.editor.groups.add(Group.objects.get(name="Editor"))

        def rename(record, field, kind):
            name, name_ru, _slug = cls.canary(kind, "pending")
            setattr(record, f"{field}_en", name)
            setattr(record, f"{field}_ru", name_ru)
            record.save()
            return record

        member = cls.keep_public("members", make_member(name="Member with pending changes", slug="pending-member"))

        def change_member(member):
            rename(member, "name", "member")
            store_flag(member, "Pending")
            cls.canary_media.extend(media_names(member.flag))

        cls.make_pending(member, change_member)
        event = cls.keep_public("events", make_event(title="Meeting with pending changes", slug="pending-meeting"))
        event.dimensions.add(dimension)

        def change_event(event):
            rename(event, "title", "meeting")
            name, name_ru, _slug = cls.canary("new document", "pending")
            document = make_document(event=event, title=name, title_ru=name_ru)
            cls.canary_media.extend(store_pdf(document))

        cls.make_pending(event, change_event)
        initiative = make_initiative(title="Initiative with pending changes", slug="pending-initiative", lead=member)
        initiative.events.add(event)
        cls.keep_public("initiatives", initiative)
        cls.make_pending(initiative, lambda initiative: rename(initiative, "title", "initiative"))

    def crawl(self):
        """Every public address and the addresses they link to: {address: text of the answer}."""
        seen, queue, answers = set(), list(public_urls(self.public)), {}
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            self.assertLess(len(seen), CRAWL_LIMIT, "the crawl does not end")
            response = self.client.get(url)
            if response.status_code in (301, 302):
                queue.append(response["Location"])
                continue
            self.assertEqual(response.status_code, 200, url)
            text = b"".join(response.streaming_content if response.streaming else [response.content])
            answers[url] = text.decode()
            for match in LINK.finditer(answers[url]):
                link = (match[1] or match[2]).replace("&amp;", "&")
                if link.startswith(settings.SITE_URL):
                    link = link.removeprefix(settings.SITE_URL) or "/"
                if link.startswith("/") and not link.startswith("//") and not link.startswith(SKIPPED_PREFIXES):
                    queue.append(link)
        return answers

    def test_no_canary_reaches_any_public_address(self):
        answers = self.crawl()
        # ~285 distinct answers: untidy filter combinations 301 to the canonical address (issue 12).
        self.assertGreater(len(answers), 250)
        for must_reach in ("/ru/initiatives/", "/sitemap-members.xml", "/events/data.json", "/events/calendar.ics"):
            self.assertTrue(must_reach in answers, f"the crawl never reached {must_reach}")
        canaries = [*self.canaries, *self.canary_media]
        for url, text in answers.items():
            found = [canary for canary in canaries if canary in text]
            self.assertEqual(found, [], f"{url} shows what the public may not see")
        # The public records the canaries hang on are shown (the crawl looked where it matters).
        self.assertTrue("Public initiative led by a draft member" in answers["/initiatives/"])
        self.assertTrue("Public meeting with a draft document" in answers["/events/"])

    def test_canary_files_answer_404_to_the_public_and_only_staff_get_them(self):
        # Per state: a flag and a meeting image, each with renditions at two widths in two formats, two
        # documents with an English and a Russian PDF each; pending: a new flag and a new document's two PDFs.
        self.assertEqual(len(self.canary_media), 3 * (5 + 5 + 2 + 2) + 5 + 2)
        self.assertEqual(WorkingCopy.objects.count(), 3)
        staff = get_user_model().objects.create_user("erin", "erin@example.org", "a-long-password-123", is_staff=True)
        staff.groups.add(Group.objects.get(name="Editor"))
        for name in self.canary_media:
            with self.subTest(name=name):
                self.assertEqual(self.client.get(f"/media/{name}").status_code, 404)
        self.client.force_login(staff)
        for name in self.canary_media:
            with self.subTest(name=name, user="staff"):
                response = self.client.get(f"/media/{name}")
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Cache-Control"], "private, no-store")

    def test_the_pending_canaries_are_real_staff_see_them_in_the_preview(self):
        self.client.force_login(self.editor)
        self.assertContains(self.client.get("/members/pending-member/"), f"{TOKEN} member pending")
        self.assertContains(self.client.get("/events/pending-meeting/"), f"{TOKEN} new document pending")
        self.client.logout()
        self.assertNotContains(self.client.get("/members/pending-member/"), TOKEN)

    def test_every_file_field_of_a_public_model_has_its_owner_check(self):
        """A new file field on a public model must be added to cicasite.core.media.MEDIA_OWNERS."""
        checked = {(owner.model_label, field) for owner in media.MEDIA_OWNERS for field in owner.fields}
        for model in apps.get_models():
            if not issubclass(model, Publishable):
                continue
            for field in model._meta.get_fields():
                if isinstance(field, models.FileField):
                    self.assertIn((model._meta.label, field.name), checked)
                    owner = media.owner_of(field.generate_filename(model(), "upload.pdf"))
                    self.assertEqual(owner.model_label, model._meta.label)
                    self.assertIn(field.name, owner.fields)


@override_settings(MEDIA_ROOT=MEDIA)
class RelatedRecordTests(TestCase):
    """Each hole found, on its own: a related record that is not public is not shown."""

    @classmethod
    def setUpTestData(cls):
        cls.draft = make_member(name="Quietland", slug="quietland", publication_status=DRAFT)
        cls.initiative = make_initiative(title="Water council", slug="water-council", lead=cls.draft)

    def test_a_draft_lead_member_is_not_named_on_a_published_initiative(self):
        urls = ["/initiatives/", "/initiatives/water-council/"]
        for url in [*urls, *(f"/ru{url}" for url in urls)]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, "Water council")
                self.assertNotContains(response, "Quietland")
                self.assertNotContains(response, "/members/quietland/")

    def test_a_published_lead_member_is_named_and_linked(self):
        self.draft.publication_status = PUBLISHED
        self.draft.save()
        response = self.client.get("/initiatives/water-council/")
        self.assertContains(response, '<a href="/members/quietland/">Quietland</a>', html=True)

    def test_the_chairmanship_of_a_draft_member_is_not_shown(self):
        chair = make_chairmanship(member=self.draft, start_year=2024, end_year=2026)
        self.initiative.chairmanship = chair
        self.initiative.proposed_by = Initiative.ProposedBy.CHAIRMANSHIP
        self.initiative.save()
        for url in ("/", "/about/", "/initiatives/", "/initiatives/water-council/", "/initiatives/data.csv"):
            with self.subTest(url=url):
                response = self.client.get(url)
                content = b"".join(response.streaming_content) if response.streaming else response.content
                self.assertNotIn(b"Quietland", content)
                self.assertNotIn(b"quietland-2024-2026", content)
        self.assertIsNone(Chairmanship.objects.current())

    def test_an_ended_host_is_not_named_on_the_meeting(self):
        self.draft.publication_status = PUBLISHED
        self.draft.unpublish_at = timezone.now() - timedelta(minutes=1)
        self.draft.publish_at = timezone.now() - timedelta(days=1)
        self.draft.save()
        event = make_event(title="Open summit", host=self.draft)
        self.assertIsNone(event.public_host)
        for url in (event.get_absolute_url(), "/events/", "/events/data.json"):
            with self.subTest(url=url):
                self.assertNotContains(self.client.get(url), "Quietland")


class PublicAccessorTests(TestCase):
    def test_public_accessors_make_no_query_when_the_relations_are_loaded(self):
        make_initiative(lead=make_member(), chairmanship=make_chairmanship(), proposed_by="chairmanship")
        initiative = Initiative.objects.select_related("lead", "chairmanship__member").get()
        with self.assertNumQueries(0):
            self.assertEqual(initiative.public_lead, initiative.lead)
            self.assertEqual(initiative.public_chairmanship, initiative.chairmanship)
