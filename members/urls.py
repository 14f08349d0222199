from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("members/", views.MemberListView.as_view(), name="member-list"),
    path("members/<slug:slug>/", views.MemberDetailView.as_view(), name="member-detail"),
    path("dimensions/", views.dimension_list, name="dimension-list"),
    path("dimensions/<slug:slug>/", views.dimension_detail, name="dimension-detail"),
]
