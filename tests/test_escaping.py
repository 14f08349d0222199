"""Every text an editor can enter is escaped wherever the public site shows it."""

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse

from cicasite.core.models import Organ, Partner, SecretariatHead, Source
from tests.factories import (
    make_area,
    make_chairmanship,
    make_dimension,
    make_document,
    make_event,
    make_initiative,
    make_member,
    make_region,
    make_role,
)

PAYLOADS = ['<script>alert("xss")</script>', '"><img src=x onerror=alert(1)>', "</title><svg onload=alert(2)>"]


def payload(n):
    return PAYLOADS[n % len(PAYLOADS)] + f" #{n}"


class EscapingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        n = iter(range(1000))
        source = Source.objects.create(
            code="S99", title=payload(next(n)), url="https://example.org/", used_for=payload(next(n))
        )
        dimension = make_dimension(
            slug="economic", name=payload(next(n)), short_name=payload(next(n)), summary=payload(next(n))
        )
        area = make_area(dimension, name=payload(next(n)))
        region = make_region(name=payload(next(n)), slug="central-asia")
        member = make_member(
            slug="kazakhstan",
            name=payload(next(n)),
            capital=payload(next(n)),
            summary=payload(next(n)),
            body=payload(next(n)),
            notes=payload(next(n)),
            region=region,
        )
        member.sources.add(source)
        make_role(member=member, area=area)
        event = make_event(
            slug="summit",
            title=payload(next(n)),
            city=payload(next(n)),
            country=payload(next(n)),
            summary=payload(next(n)),
            body=payload(next(n)),
            notes=payload(next(n)),
            host=member,
        )
        event.dimensions.add(dimension)
        make_document(event=event, title=payload(next(n)))
        chair = make_chairmanship(member=member, summary=payload(next(n)))
        initiative = make_initiative(
            slug="fund",
            title=payload(next(n)),
            summary=payload(next(n)),
            body=payload(next(n)),
            notes=payload(next(n)),
            chairmanship=chair,
            proposed_by="chairmanship",
            lead=member,
        )
        initiative.dimensions.add(dimension)
        initiative.events.add(event)
        Organ.objects.create(
            name=payload(next(n)), slug="summit", kind="governing", summary=payload(next(n)), body=payload(next(n))
        )
        SecretariatHead.objects.create(
            name=payload(next(n)), title=payload(next(n)), country=payload(next(n)), notes=payload(next(n))
        )
        Partner.objects.create(name=payload(next(n)))
        cls.count = next(n)

    def test_payloads_are_escaped_on_every_public_page(self):
        pages = [
            "/",
            "/about/",
            "/members/",
            "/members/?q=%3Cscript%3E",
            "/members/kazakhstan/",
            "/dimensions/",
            "/dimensions/economic/",
            "/events/",
            "/events/summit/",
            "/initiatives/",
            "/initiatives/fund/",
            "/members/?region=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        ]
        shown = set()
        for url in pages:
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                for raw in PAYLOADS:
                    self.assertNotIn(raw, html)
                for tag in ("<script>alert", "<img src=x onerror", "<svg onload"):
                    self.assertNotIn(tag, html)
                for i in range(self.count):
                    if f" #{i}<" in html or f" #{i} " in html or f" #{i}\n" in html or f" #{i}&" in html:
                        shown.add(i)
        # The payloads were really rendered (escaped), not just absent.
        self.assertGreater(len(shown), self.count * 0.7)

    def test_admin_refuses_a_javascript_url(self):
        user = get_user_model().objects.create_superuser("editor", "e@example.org", "a-long-password-123")
        self.client.force_login(user)
        data = {
            "name": "Testland",
            "slug": "testland",
            "status": "member",
            "website": "javascript:alert(1)",
            "publication_status": "published",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
        }
        response = self.client.post(reverse("admin:members_member_add"), data)
        self.assertContains(response, "Enter a valid URL")
