"""seed_contracts: every status, rates, some expiring soon; a second run creates nothing."""
from __future__ import annotations

from django.core.management import call_command

from concierge.contracts.models import Contract


def test_seed_is_idempotent_and_covers_every_status(company, subsidiary, rep, property_a):
    call_command("seed_contracts")
    statuses = set(Contract.objects.values_list("status", flat=True))
    assert statuses == {"draft", "sent", "signed", "active", "expired", "terminated", "cancelled"}
    assert Contract.objects.count() == 30
    assert not Contract.objects.filter(rates__isnull=True).exists()
    assert Contract.objects.filter(kind="travel_agency").exists() and Contract.objects.filter(kind="corporate").exists()
    from concierge.contracts.selectors import contracts_filter

    assert contracts_filter(Contract.objects.all(), expiring_within=60).count() >= 3
    call_command("seed_contracts")
    assert Contract.objects.count() == 30
