"""The bulk guest writer must key profiles exactly as the guests service does."""
from __future__ import annotations

import pytest

from concierge.guests.models import SearchKey
from concierge.guests.services import guest_create, guest_search_key_rows
from concierge.imports.importers.guests import search_key_pairs

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("values", [
    {"family_name": "曾", "given_name": "小军", "phone": "138 0013 8000", "email": "Zeng@Example.cn"},
    {"family_name": "Müller", "given_name": "Anna Lena", "family_name_latin": "MUELLER"},
    {"family_name": "吕", "given_name": "丽", "family_name_latin": "LYU", "given_name_latin": "Li"},
    {"full_name": "欧阳娜娜"},
])
def test_bulk_search_keys_equal_the_services(frontdesk_a, property_a, values):
    guest = guest_create(actor=frontdesk_a, property=property_a, extra_phones=["021 6321 0000"],
                         extra_emails=["second@example.com"], **values)
    points = list(guest.contact_points.all())

    expected = sorted((k.kind, k.key) for k in guest_search_key_rows(guest, contact_points=points))
    phones = [p.value for p in points if p.kind == "phone"]
    emails = [p.value for p in points if p.kind == "email"]

    assert sorted(search_key_pairs(guest, phones, emails)) == expected
    assert sorted(SearchKey.objects.filter(guest=guest).values_list("kind", "key")) == expected
