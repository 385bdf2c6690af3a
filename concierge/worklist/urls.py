"""Pages of the Tasks module under /tasks/ (namespace "worklist")."""
from django.urls import path

from concierge.worklist import views

app_name = "worklist"
urlpatterns = [
    path("", views.task_list, name="task_list"),
    path("new/", views.task_create, name="task_create"),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("<int:pk>/", views.task_detail, name="task_detail"),
    path("<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("<int:pk>/cancel/", views.task_cancel, name="task_cancel"),
    path("<int:pk>/reassign/", views.task_reassign, name="task_reassign"),
]
