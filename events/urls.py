from django.urls import path, re_path

from events import feeds, views

app_name = "events"

urlpatterns = [
    path("", views.EventListView.as_view(), name="event-list"),
    re_path(r"^data\.(?P<format>csv|json)$", views.event_data, name="event-data"),
    path("feed/", feeds.EventFeed(), name="event-feed"),
    path("calendar.ics", feeds.meetings_ics, name="event-calendar"),
    path("<slug:slug>/calendar.ics", feeds.event_ics, name="event-ics"),
    path("<slug:slug>/", views.EventDetailView.as_view(), name="event-detail"),
]
