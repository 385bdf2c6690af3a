"""Duplicate review and merge pages (names start with duplicate_ or merge_, which the sidebar item highlights)."""
from django.urls import path

from concierge.web import views_dedupe as dedupe

urlpatterns = [
    path("duplicates/", dedupe.duplicate_list, name="duplicate_list"),
    path("duplicates/run/", dedupe.duplicate_run, name="duplicate_run"),
    path("duplicates/run/status/", dedupe.duplicate_run_status, name="duplicate_run_status"),
    path("duplicates/settings/", dedupe.duplicate_settings, name="duplicate_settings"),
    path("duplicates/<int:pk>/", dedupe.duplicate_detail, name="duplicate_detail"),
    path("duplicates/<int:pk>/dismiss/", dedupe.duplicate_dismiss, name="duplicate_dismiss"),
    path("duplicates/<int:pk>/reopen/", dedupe.duplicate_reopen, name="duplicate_reopen"),
    path("duplicates/<int:pk>/merge/", dedupe.merge_pair, name="merge_pair"),
    path("merges/<int:pk>/", dedupe.merge_detail, name="merge_detail"),
    path("merges/<int:pk>/undo/", dedupe.merge_undo, name="merge_undo"),
]
