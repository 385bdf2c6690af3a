from typing import Any

from django import template

from concierge.privacy.permissions import can_handle_personal_data_requests

register = template.Library()


@register.filter
def may_handle_personal_data(user: Any) -> bool:
    return can_handle_personal_data_requests(user)
