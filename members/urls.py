from django.urls import path, re_path

from members import views

app_name = "members"

urlpatterns = [
    path("members/", views.MemberListView.as_view(), name="member-list"),
    re_path(r"^members/data\.(?P<format>csv|json)$", views.member_data, name="member-data"),
    re_path(r"^roles/data\.(?P<format>csv|json)$", views.role_data, name="role-data"),
    path("members/<slug:slug>/", views.MemberDetailView.as_view(), name="member-detail"),
    path("dimensions/", views.dimension_list, name="dimension-list"),
    path("dimensions/<slug:slug>/", views.dimension_detail, name="dimension-detail"),
]
