"""Snapshots (one INSERT…SELECT), the public selectors and optimistic locking."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from concierge.guests.services import StaleVersionError
from concierge.segments import selectors, services
from concierge.segments.models import SegmentSnapshotMember

pytestmark = pytest.mark.django_db

GOLD = {"op": "and", "items": [{"field": "tier", "operator": "in", "value": ["gold"]}]}


def test_take_snapshot_writes_the_members_in_one_statement(cast, manager, django_assert_max_num_queries):
    segment = services.segment_create(actor=manager, name="Gold", definition=GOLD)
    with django_assert_max_num_queries(6):
        snapshot = selectors.take_snapshot(segment, manager, "campaign 7")
    members = set(SegmentSnapshotMember.objects.filter(snapshot=snapshot).values_list("guest_id", flat=True))
    assert members == {cast.one.pk, cast.only_b.pk} and snapshot.count == 2
    assert snapshot.definition == segment.definition
    # Later changes do not touch the frozen audience.
    cast.one.tier = ""
    cast.one.save()
    assert selectors.count_definition(GOLD, manager) == 1
    assert SegmentSnapshotMember.objects.filter(snapshot=snapshot).count() == 2


def test_snapshot_is_scoped_to_the_user(cast, manager, sales_a):
    segment = services.segment_create(actor=manager, name="Gold", definition=GOLD)
    assert services.take_snapshot(segment=segment, actor=sales_a).count == 1


def test_segment_members_and_count(cast, manager):
    segment = services.segment_create(actor=manager, name="Gold", definition=GOLD)
    assert set(selectors.segment_members(segment, manager)) == {cast.one, cast.only_b}
    assert segment.last_count == 2 and segment.counted_at is not None


def test_update_with_a_stale_version_is_refused(cast, manager):
    segment = services.segment_create(actor=manager, name="Gold", definition=GOLD)
    services.segment_update(actor=manager, segment=segment, expected_version=1, name="Gold guests")
    with pytest.raises(StaleVersionError):
        services.segment_update(actor=manager, segment=segment, expected_version=1, name="Other")


def test_create_refuses_a_bad_definition_under_the_definition_key(manager):
    with pytest.raises(ValidationError) as exc:
        services.segment_create(actor=manager, name="x", definition={"op": "and", "items": [{"field": "nope"}]})
    assert exc.value.message_dict == {"definition": ["condition 1: unknown field “nope”"]}
    with pytest.raises(ValidationError) as exc:
        services.segment_create(actor=manager, name="  ", definition={})
    assert "name" in exc.value.message_dict


def test_count_is_one_query(cast, manager, django_assert_num_queries):
    definition = {"op": "or", "items": [
        {"field": "stays", "operator": "lte", "value": {"amount": 1, "last_days": 365}},
        {"field": "revenue", "operator": "gte", "value": {"amount": "100"}},
        {"op": "and", "items": [{"field": "tags", "operator": "all", "value": ["golf", "VIP"]},
                                {"field": "survey_score", "operator": "gte",
                                 "value": {"measure": "avg", "scale": "5", "amount": "4"}}]},
    ]}
    selectors.count_definition(definition, manager)  # warm choice caches (validation reads industries etc.)
    with django_assert_num_queries(1):
        selectors.count_definition(definition, manager)
