from datetime import date

import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase

from events.models import Event
from tests.factories import make_document, make_event


class EventModelTests(TestCase):
    def test_slug_is_unique(self):
        make_event(slug="sixth-cica-summit-2022")
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_event(slug="sixth-cica-summit-2022")

    def test_end_date_cannot_precede_start_date(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_event(start_date=date(2022, 10, 12), end_date=date(2022, 10, 11))

    def test_end_date_message_in_clean(self):
        event = make_event(start_date=date(2022, 10, 12))
        event.end_date = date(2022, 10, 1)
        with self.assertRaisesMessage(ValidationError, "cannot be before"):
            event.clean()

    @time_machine.travel(date(2026, 6, 1), tick=False)
    def test_a_meeting_in_the_future_is_planned_unless_said_otherwise(self):
        future = Event(title="Seventh summit", slug="seventh-summit", kind="summit", start_date=date(2026, 10, 1))
        past = Event(title="Sixth summit", slug="sixth-summit", kind="summit", start_date=date(2022, 10, 12))
        future.clean()
        past.clean()
        self.assertEqual((future.status, past.status), (Event.Status.PLANNED, Event.Status.HELD))

    def test_a_new_record_is_not_verified_until_an_editor_says_so(self):
        self.assertFalse(Event(title="New", slug="new", kind="summit", start_date=date(2024, 1, 1)).verified)

    def test_image_needs_alt_text(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_event(image="events/x.png", image_alt="")

    def test_date_display_keeps_its_precision(self):
        self.assertEqual(make_event(start_date=date(2026, 1, 1), date_precision="year").date_display, "2026")
        self.assertEqual(make_event(start_date=date(2021, 6, 1), date_precision="month").date_display, "June 2021")
        self.assertEqual(make_event(start_date=date(2022, 10, 12)).date_display, "12 October 2022")
        two_days = make_event(start_date=date(1996, 2, 7), end_date=date(1996, 2, 8))
        self.assertEqual(two_days.date_display, "7 February 1996 – 8 February 1996")

    @time_machine.travel("2030-01-01")
    def test_planned_meeting_stays_upcoming_while_planned(self):
        # A year-only planned meeting whose year is already past is still upcoming until marked held.
        planned = make_event(start_date=date(2026, 1, 1), date_precision="year", status=Event.Status.PLANNED)
        held = make_event(start_date=date(2024, 12, 17))
        self.assertQuerySetEqual(Event.objects.upcoming(), [planned])
        self.assertQuerySetEqual(Event.objects.past(), [held])

    def test_document_title_unique_per_event(self):
        event = make_event()
        make_document(event=event, title="Almaty Act")
        make_document(title="Almaty Act")  # another meeting may reuse a title
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_document(event=event, title="Almaty Act")
