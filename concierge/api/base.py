"""The base view every endpoint uses, and the one helper that fetches objects for a user."""
from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from concierge.api.errors import to_api_exception
from concierge.api.permissions import CanUseGuestData
from concierge.guests.models import Guest
from concierge.guests.selectors import resolve_guest

M = TypeVar("M", bound=Model)


# The base of every endpoint: validate input, fetch through `visible_to`, call one service or selector,
# serialise. Domain errors (Django `ValidationError`, `StaleVersionError`) are translated here, so each view
# simply lets them propagate. (A comment, not a docstring: drf-spectacular would show a docstring as the
# description of every operation.)
class ConciergeApi(GenericAPIView):

    permission_classes = [CanUseGuestData]

    def handle_exception(self, exc: Exception) -> Response:
        return super().handle_exception(to_api_exception(exc))

    def paginated(self, queryset: QuerySet, serializer_class: Any) -> Response:
        page = self.paginate_queryset(queryset)
        serializer = serializer_class(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)


def visible_or_404(queryset: QuerySet, user: Any, pk: Any) -> Any:
    """The object with this pk if `user` may see it, else 404 (never 403: existence is not revealed)."""
    try:
        return queryset.visible_to(user).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def guest_or_404(user: Any, pk: Any) -> Guest:
    """A visible guest; a merged tombstone's id resolves to the surviving profile."""
    try:
        return resolve_guest(int(pk), user)
    except (Guest.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
