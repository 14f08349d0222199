from django.urls import path, re_path

from events import feeds, views

app_name = "events"

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="event-list"),
    re_path(r"^events/data\.(?P<format>csv|json)$", views.event_data, name="event-data"),
    path("events/feed/", feeds.EventFeed(), name="event-feed"),
    path("events/calendar.ics", feeds.meetings_ics, name="event-calendar"),
    path("events/<slug:slug>/calendar.ics", feeds.event_ics, name="event-ics"),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="event-detail"),
    # Outcome documents: a page each, with its citation in three formats.
    path("documents/", views.DocumentListView.as_view(), name="document-list"),
    re_path(r"^documents/data\.(?P<format>csv|json)$", views.document_data, name="document-data"),
    path("documents/feed/", feeds.DocumentFeed(), name="document-feed"),
    path("documents/<slug:slug>/", views.DocumentDetailView.as_view(), name="document-detail"),
    re_path(r"^documents/(?P<slug>[-a-zA-Z0-9_]+)/cite\.(?P<format>bib|ris|json)$", views.cite, name="document-cite"),
]
