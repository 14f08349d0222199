from django.urls import path, re_path

from initiatives import feeds, views

app_name = "initiatives"

urlpatterns = [
    path("", views.InitiativeListView.as_view(), name="initiative-list"),
    re_path(r"^data\.(?P<format>csv|json)$", views.initiative_data, name="initiative-data"),
    path("feed/", feeds.InitiativeFeed(), name="initiative-feed"),
    path("<slug:slug>/", views.InitiativeDetailView.as_view(), name="initiative-detail"),
]
