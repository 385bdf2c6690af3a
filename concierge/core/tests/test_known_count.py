"""with_known_count: the paginator takes the recorded count and runs no COUNT query; the page itself still queries."""
import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concierge.core.querysets import with_known_count
from concierge.properties.models import HotelGroup

pytestmark = pytest.mark.django_db


def test_paginator_uses_the_known_count_without_counting():
    for name in ("AAA", "BBB", "CCC"):
        HotelGroup.objects.create(name_zh=name, name_en=name)
    rows = with_known_count(HotelGroup.objects.order_by("name_en"), 3)
    with CaptureQueriesContext(connection) as queries:
        page = Paginator(rows, 2).get_page(2)
        assert page.paginator.count == 3 and page.paginator.num_pages == 2
        assert [g.name_en for g in page] == ["CCC"]
    assert len(queries) == 1 and "COUNT" not in queries[0]["sql"].upper()
