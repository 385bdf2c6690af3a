"""The base view every endpoint uses, and the one helper that fetches objects for a user."""
from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ParseError
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

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        refuse_null_characters(request.query_params)

    def handle_exception(self, exc: Exception) -> Response:
        return super().handle_exception(to_api_exception(exc))

    def paginated(self, queryset: QuerySet, serializer_class: Any) -> Response:
        page = self.paginate_queryset(queryset)
        serializer = serializer_class(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)


def refuse_null_characters(params: Any) -> None:
    """A NUL character in the query string (a name or a value) is a 400 `parse_error`, before any view code passes it
    to PostgreSQL, which refuses NUL in text (ValueError -> 500, found by schemathesis). A parse error, not a
    validation error on the parameter: it may be one the endpoint does not know, and every 400 documents parse_error."""
    for name, values in params.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            raise ParseError(_("Query parameters cannot contain null characters."))


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
