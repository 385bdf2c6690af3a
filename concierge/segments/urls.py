"""Segment pages under /segments/ (namespace "segments")."""
from django.urls import path

from concierge.segments import views

app_name = "segments"
urlpatterns = [
    path("", views.segment_list, name="segment_list"),
    path("new/", views.segment_create, name="segment_create"),
    path("builder/", views.builder, name="builder"),
    path("count/", views.count, name="count"),
    path("<int:pk>/", views.segment_detail, name="segment_detail"),
    path("<int:pk>/edit/", views.segment_edit, name="segment_edit"),
    path("<int:pk>/delete/", views.segment_delete, name="segment_delete"),
    path("<int:pk>/recount/", views.segment_recount, name="segment_recount"),
    path("<int:pk>/snapshot/", views.segment_snapshot, name="segment_snapshot"),
    path("<int:pk>/members.<str:fmt>", views.segment_export, name="segment_export"),
]
