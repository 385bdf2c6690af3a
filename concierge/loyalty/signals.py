"""Signals other modules (journeys) listen to. Sent after the transaction that made the change commits."""
from django.dispatch import Signal

# kwargs: membership_id, guest_id, from_tier_id (None on the first tier), to_tier_id, kind ("upgrade"/"downgrade"),
# effective_on (date).
tier_changed = Signal()
