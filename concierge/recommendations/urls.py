"""Product affinity pages under /recommendations/ (namespace "recommendations")."""
from django.urls import path

from concierge.recommendations import views

app_name = "recommendations"
urlpatterns = [
    path("", views.rule_list, name="rule_list"),
    path("rules.csv", views.rules_csv, name="rules_csv"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
]
