"""What the review tests share: the canary, the public pages to check, approving, form fields."""

import re

from django import forms

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
