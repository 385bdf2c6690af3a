"""One FilterSet for the outbox, shared by the web list and the REST API."""
from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from concierge.messaging.choices import Channel, MessageStatus, Purpose, Reason
from concierge.messaging.models import Message


class MessageFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MessageStatus.choices, label=_("Status"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    purpose = django_filters.ChoiceFilter(choices=Purpose.choices, label=_("Purpose"))
    reason = django_filters.ChoiceFilter(choices=Reason.choices, label=_("Reason"))
    guest = django_filters.NumberFilter(field_name="guest_id", label=_("Guest"))
    source = django_filters.CharFilter(label=_("Source"))
    source_id = django_filters.NumberFilter(label=_("Source id"))

    class Meta:
        model = Message
        fields: list[str] = []
