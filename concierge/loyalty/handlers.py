"""Signal receivers: earn (or reverse) points after a stay is saved, once the stay's transaction commits."""
from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction


def stay_saved(sender: Any, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    """Queue `stay_points_sync` after commit. Cheap for stays that cannot matter (never checked out, no guest)."""
    if raw:
        return
    from concierge.loyalty.models import PointTransaction
    from concierge.loyalty.services import stay_points_sync_safely
    from concierge.stays.choices import StayStatus

    if instance.status != StayStatus.CHECKED_OUT and (
        created or not PointTransaction.objects.filter(stay_id=instance.pk).exists()
    ):
        return
    transaction.on_commit(partial(stay_points_sync_safely, instance.pk), robust=True)
