"""Two workers starting the same campaign at the same moment (PostgreSQL: real row locks) make one message each."""
from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from concierge.campaigns.services import campaign_start
from concierge.messaging.models import Message
from concierge.segments.models import SegmentSnapshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_threads_starting_at_once_enqueue_each_guest_once(campaign, audience):
    barrier = threading.Barrier(2)
    results: list[bool] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(campaign_start(campaign_id=campaign.pk))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert sorted(results) == [False, True]
    assert Message.objects.filter(source="campaign", source_id=campaign.pk).count() == len(audience)
    assert SegmentSnapshot.objects.filter(segment=campaign.segment).count() == 1
