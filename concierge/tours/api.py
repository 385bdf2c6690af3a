"""REST API of tour products (/api/v1/tours/…): products, departures (with seats left), orders with cancel and
seat changes. Reading is open to staff (scoped by `visible_to`); writing needs `can_manage_tours` (the same rule
as the web pages). An order the departure cannot take is refused with 409 and the code "not_enough_seats".
Included from concierge/api/urls.py (url names in the "api" namespace)."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import ClientErrorEnum
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi, visible_or_404
from concierge.api.fields import TextChoicesField, VisibleGuestField, VisibleRelatedField
from concierge.guests.models import Company
from concierge.properties.models import Property
from concierge.tours import selectors, services
from concierge.tours.choices import DepartureStatus, OrderStatus
from concierge.tours.filters import DepartureFilterSet, OrderFilterSet, ProductFilterSet
from concierge.tours.models import Departure, TourProduct
from concierge.tours.permissions import can_manage_tours, can_view_tours

TAGS = ["tours"]


class CanManageToursOrReadOnly(BasePermission):
    """GET for every active staff user; writes for sales reps, sales managers, managers and administrators."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return can_view_tours(request.user)
        return can_manage_tours(request.user)


class NotEnoughSeatsError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Not enough seats left on this departure.")
    default_code = "not_enough_seats"


class TourConflictErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=[("not_enough_seats", "not_enough_seats"),
                                            ("stale_version", "stale_version")])
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class TourErrorResponse409Serializer(serializers.Serializer):
    """409: the departure cannot take the seats (not_enough_seats) or the order changed meanwhile (stale_version)."""

    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = TourConflictErrorSerializer(many=True)


class ToursApi(ConciergeApi):
    permission_classes = [CanManageToursOrReadOnly]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, services.NotEnoughSeats):
            exc = NotEnoughSeatsError(detail=" ".join(exc.messages))
        return super().handle_exception(exc)


# --- serializers ------------------------------------------------------------------------------------------------


class ProductOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    description_zh = serializers.CharField()
    description_en = serializers.CharField()
    property = serializers.IntegerField(source="property_id", allow_null=True)
    duration_days = serializers.IntegerField()
    inclusions_zh = serializers.CharField()
    inclusions_en = serializers.CharField()
    currency = serializers.CharField()
    is_active = serializers.BooleanField()


class ProductInputSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=30)
    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200)
    description_zh = serializers.CharField(required=False, allow_blank=True, default="")
    description_en = serializers.CharField(required=False, allow_blank=True, default="")
    property = serializers.PrimaryKeyRelatedField(queryset=Property.objects.all(), allow_null=True, required=False,
                                                  default=None)
    duration_days = serializers.IntegerField(min_value=1, max_value=365)
    inclusions_zh = serializers.CharField(required=False, allow_blank=True, default="")
    inclusions_en = serializers.CharField(required=False, allow_blank=True, default="")
    currency = serializers.CharField(max_length=3, required=False, default="CNY")
    is_active = serializers.BooleanField(required=False, default=True)

    def validate_property(self, value: Property | None) -> Property | None:
        user = self.context["request"].user
        ids = user.property_ids()
        if ids is not None:
            if value is None:
                raise serializers.ValidationError(_("Choose one of your properties."))
            if value.pk not in ids:
                raise serializers.ValidationError(_("You do not work at this property."))
        return value


class DepartureOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product = serializers.IntegerField(source="product_id")
    departs_on = serializers.DateField()
    capacity = serializers.IntegerField()
    seats_taken = serializers.IntegerField()
    seats_left = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    child_price = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    status = TextChoicesField(DepartureStatus)
    note = serializers.CharField()


class DepartureInputSerializer(serializers.Serializer):
    product = VisibleRelatedField(TourProduct)
    departs_on = serializers.DateField()
    capacity = serializers.IntegerField(min_value=1)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    child_price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, allow_null=True,
                                           required=False, default=None)
    status = TextChoicesField(DepartureStatus, required=False, default=DepartureStatus.OPEN)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DepartureUpdateInputSerializer(DepartureInputSerializer):
    product = None  # type: ignore[assignment]


class OrderOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    departure = serializers.IntegerField(source="departure_id")
    product = serializers.IntegerField(source="departure.product_id")
    departs_on = serializers.DateField(source="departure.departs_on")
    guest = serializers.IntegerField(source="guest_id", allow_null=True)
    company = serializers.IntegerField(source="company_id", allow_null=True)
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    seats = serializers.IntegerField()
    children = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    child_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    status = TextChoicesField(OrderStatus)
    cancel_reason = serializers.CharField()
    cancelled_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    created_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class OrderInputSerializer(serializers.Serializer):
    departure = VisibleRelatedField(Departure)
    seats = serializers.IntegerField(min_value=1, max_value=999)
    children = serializers.IntegerField(min_value=0, max_value=999, required=False, default=0)
    company = VisibleRelatedField(Company, required=False, allow_null=True, default=None)
    guest = VisibleGuestField(required=False, allow_null=True, default=None)
    contact_name = serializers.CharField(max_length=100)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class OrderCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    version = serializers.IntegerField(required=False, help_text=_("The version you read; 409 if it changed since."))


class OrderSeatsInputSerializer(serializers.Serializer):
    seats = serializers.IntegerField(min_value=1, max_value=999)
    children = serializers.IntegerField(min_value=0, max_value=999, required=False)
    version = serializers.IntegerField(required=False, help_text=_("The version you read; 409 if it changed since."))


# --- views --------------------------------------------------------------------------------------------------------


# `code` is unique across the group (the model's check, through the service); `property` must be one of yours.
@extend_validation_errors(["unique"], field_name="code", methods=["post"])
@extend_validation_errors(["invalid"], field_name="property", methods=["post"])
class ProductListApi(ToursApi):
    filterset_class = ProductFilterSet

    def get_queryset(self) -> QuerySet:
        return TourProduct.objects.visible_to(self.request.user).order_by("code")

    @extend_schema(tags=TAGS, summary="List tour products", responses=ProductOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), ProductOutputSerializer)

    @extend_schema(tags=TAGS, summary="Create a tour product", request=ProductInputSerializer,
                   responses={201: ProductOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = ProductInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        product = services.product_save(actor=request.user, **serializer.validated_data)
        return Response(ProductOutputSerializer(product).data, status=status.HTTP_201_CREATED)


@extend_validation_errors(["unique"], field_name="code", methods=["put"])
@extend_validation_errors(["invalid"], field_name="property", methods=["put"])
class ProductDetailApi(ToursApi):
    @extend_schema(tags=TAGS, summary="A tour product", responses=ProductOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ProductOutputSerializer(visible_or_404(TourProduct.objects, request.user, pk)).data)

    @extend_schema(tags=TAGS, summary="Change a tour product (all fields)", request=ProductInputSerializer,
                   responses=ProductOutputSerializer)
    def put(self, request: Request, pk: int) -> Response:
        product = visible_or_404(TourProduct.objects, request.user, pk)
        serializer = ProductInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        product = services.product_save(actor=request.user, product=product, **serializer.validated_data)
        return Response(ProductOutputSerializer(product).data)


class DepartureListApi(ToursApi):
    filterset_class = DepartureFilterSet

    def get_queryset(self) -> QuerySet:
        return selectors.departures_for(self.request.user).order_by("departs_on", "id")

    @extend_schema(tags=TAGS, summary="List departures with seats left", responses=DepartureOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), DepartureOutputSerializer)

    @extend_schema(tags=TAGS, summary="Add a departure to a product", request=DepartureInputSerializer,
                   responses={201: DepartureOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = DepartureInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        departure = services.departure_create(actor=request.user, **serializer.validated_data)
        return Response(DepartureOutputSerializer(departure).data, status=status.HTTP_201_CREATED)


class DepartureDetailApi(ToursApi):
    @extend_schema(tags=TAGS, summary="A departure", responses=DepartureOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(DepartureOutputSerializer(visible_or_404(Departure.objects, request.user, pk)).data)

    @extend_schema(tags=TAGS, summary="Change a departure's date, capacity, prices or status (never below the seats "
                   "sold)", request=DepartureUpdateInputSerializer, responses=DepartureOutputSerializer)
    def put(self, request: Request, pk: int) -> Response:
        departure = visible_or_404(Departure.objects, request.user, pk)
        serializer = DepartureUpdateInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        departure = services.departure_update(actor=request.user, departure=departure, **serializer.validated_data)
        return Response(DepartureOutputSerializer(departure).data)


class OrderListApi(ToursApi):
    filterset_class = OrderFilterSet

    def get_queryset(self) -> QuerySet:
        return selectors.orders_for(self.request.user)

    @extend_schema(tags=TAGS, summary="List tour orders", responses=OrderOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), OrderOutputSerializer)

    @extend_schema(tags=TAGS, summary="Place an order (409 not_enough_seats when the departure cannot take it)",
                   request=OrderInputSerializer,
                   responses={201: OrderOutputSerializer, 409: TourErrorResponse409Serializer})
    def post(self, request: Request) -> Response:
        serializer = OrderInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        order = services.order_place(actor=request.user, **serializer.validated_data)
        return Response(OrderOutputSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderDetailApi(ToursApi):
    @extend_schema(tags=TAGS, summary="A tour order", responses=OrderOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(OrderOutputSerializer(visible_or_404(selectors.orders_for(request.user), request.user,
                                                             pk)).data)


class OrderCancelApi(ToursApi):
    @extend_schema(tags=TAGS, summary="Cancel an order and return its seats (cancelling twice changes nothing)",
                   request=OrderCancelInputSerializer,
                   responses={200: OrderOutputSerializer, 409: TourErrorResponse409Serializer})
    def post(self, request: Request, pk: int) -> Response:
        order = visible_or_404(selectors.orders_for(request.user), request.user, pk)
        serializer = OrderCancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.order_cancel(actor=request.user, order=order, reason=serializer.validated_data["reason"],
                                      expected_version=serializer.validated_data.get("version"))
        return Response(OrderOutputSerializer(order).data)


class OrderSeatsApi(ToursApi):
    @extend_schema(tags=TAGS, summary="Change the seats of an order (409 not_enough_seats when more cannot be taken)",
                   request=OrderSeatsInputSerializer,
                   responses={200: OrderOutputSerializer, 409: TourErrorResponse409Serializer})
    def post(self, request: Request, pk: int) -> Response:
        order = visible_or_404(selectors.orders_for(request.user), request.user, pk)
        serializer = OrderSeatsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.order_change_seats(actor=request.user, order=order, seats=serializer.validated_data["seats"],
                                            children=serializer.validated_data.get("children"),
                                            expected_version=serializer.validated_data.get("version"))
        return Response(OrderOutputSerializer(order).data)


urlpatterns = [
    path("tours/products/", ProductListApi.as_view(), name="tours-product-list"),
    path("tours/products/<int:pk>/", ProductDetailApi.as_view(), name="tours-product-detail"),
    path("tours/departures/", DepartureListApi.as_view(), name="tours-departure-list"),
    path("tours/departures/<int:pk>/", DepartureDetailApi.as_view(), name="tours-departure-detail"),
    path("tours/orders/", OrderListApi.as_view(), name="tours-order-list"),
    path("tours/orders/<int:pk>/", OrderDetailApi.as_view(), name="tours-order-detail"),
    path("tours/orders/<int:pk>/cancel/", OrderCancelApi.as_view(), name="tours-order-cancel"),
    path("tours/orders/<int:pk>/seats/", OrderSeatsApi.as_view(), name="tours-order-seats"),
]
