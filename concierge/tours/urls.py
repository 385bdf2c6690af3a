"""Pages of the Tour products module (namespace "tours")."""
from django.urls import path

from concierge.tours import views

app_name = "tours"
urlpatterns = [
    path("", views.product_list, name="tour_product_list"),
    path("products/new/", views.product_edit, name="tour_product_create"),
    path("products/<int:pk>/", views.product_detail, name="tour_product_detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="tour_product_edit"),
    path("products/<int:product_pk>/departures/new/", views.departure_edit, name="tour_departure_create"),
    path("products/<int:product_pk>/departures/<int:pk>/edit/", views.departure_edit, name="tour_departure_edit"),
    path("orders/", views.order_list, name="tour_order_list"),
    path("orders/new/", views.order_create, name="tour_order_create"),
    path("orders/<int:pk>/", views.order_detail, name="tour_order_detail"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="tour_order_cancel"),
    path("orders/<int:pk>/change/", views.order_change, name="tour_order_change"),
    path("orders/<int:pk>/confirmation.docx", views.order_document, name="tour_order_document"),
]
