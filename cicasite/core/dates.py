"""Dates as CICA's editors write them in the page's language, only as precise as they are known.

    English: 12 October 2022 · October 2022 · 2022 · 7 February 1996 – 8 February 1996 · 2020–2024
    Russian: 12 октября 2022 г. · октябрь 2022 г. · 2022 г. · 7–8 февраля 1996 г. · 2020–2024 гг.

Every pattern is a message of the catalogue (contexts "date format ..."), so each
language writes its own dates and a new language needs only its translations.
"""

from django.template.defaultfilters import date as format_date
from django.utils.translation import pgettext, pgettext_lazy

# Month names as they stand alone before a year ("октябрь 2022 г."), not in a day's
# genitive ("12 октября"), which Django's "E" format gives.
MONTHS = {
    1: pgettext_lazy("month before a year", "January"),
    2: pgettext_lazy("month before a year", "February"),
    3: pgettext_lazy("month before a year", "March"),
    4: pgettext_lazy("month before a year", "April"),
    5: pgettext_lazy("month before a year", "May"),
    6: pgettext_lazy("month before a year", "June"),
    7: pgettext_lazy("month before a year", "July"),
    8: pgettext_lazy("month before a year", "August"),
    9: pgettext_lazy("month before a year", "September"),
    10: pgettext_lazy("month before a year", "October"),
    11: pgettext_lazy("month before a year", "November"),
    12: pgettext_lazy("month before a year", "December"),
}


def day(value):
    """A date known to the day: '12 October 2022', '12 октября 2022 г.'."""
    # Translators: a Django date format (j = day, E = month name in a date, Y = year).
    return format_date(value, pgettext("date format, day known", "j E Y"))


def month(value):
    """A date known to the month: 'October 2022', 'октябрь 2022 г.'."""
    pattern = pgettext("date format, month known", "%(month)s %(year)s")
    return pattern % {"month": MONTHS[value.month], "year": value.year}


def year(value):
    """A year (a number or a date): '2022', '2022 г.'."""
    number = getattr(value, "year", value)
    return pgettext("date format, year known", "%(year)s") % {"year": number}


def day_range(first, last):
    """Several days: '7 February 1996 – 8 February 1996', '7–8 февраля 1996 г.'."""
    if not last or last == first:
        return day(first)
    if (first.year, first.month) == (last.year, last.month):
        # Translators: a Django date format for the first day of a range within one month.
        first_text = format_date(first, pgettext("date format, first day of a range within a month", "j E Y"))
        pattern = pgettext("date range within a month", "%(first)s – %(last)s")
    elif first.year == last.year:
        # Translators: a Django date format for the first day of a range within one year.
        first_text = format_date(first, pgettext("date format, first day of a range within a year", "j E Y"))
        pattern = pgettext("date range", "%(first)s – %(last)s")
    else:
        first_text = day(first)
        pattern = pgettext("date range", "%(first)s – %(last)s")
    return pattern % {"first": first_text, "last": day(last)}


def years(start, end=None):
    """A term in years: '2020–2024', '2020–2024 гг.'; open-ended: '2024–', 'с 2024 г.'."""
    if end is None:
        return pgettext("years of a term still open", "%(start)s–") % {"start": start}
    if end == start:
        return year(start)
    return pgettext("years of a term", "%(start)s–%(end)s") % {"start": start, "end": end}
