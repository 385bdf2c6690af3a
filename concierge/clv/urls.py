"""Lifetime value pages under /clv/ (namespace "clv")."""
from django.urls import path

from concierge.clv import views

app_name = "clv"
urlpatterns = [
    path("churn-risk/", views.churn_risk, name="clv_churn_risk"),
    path("models/", views.model_overview, name="clv_models"),
    path("models/refit/", views.refit, name="clv_refit"),
]
