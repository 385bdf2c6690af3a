"""Data migration: one open AccountOwnership row for every company that already has an owner.

The period starts on the day the company was created (the best date we know); `reason` says it was backfilled.
Companies that already have an open row are skipped, so the migration can be re-applied safely.
"""
from django.db import migrations


def backfill(apps, schema_editor):
    Company = apps.get_model("guests", "Company")
    AccountOwnership = apps.get_model("sales", "AccountOwnership")
    has_open = set(AccountOwnership.objects.filter(valid_to__isnull=True).values_list("company_id", flat=True))
    rows = []
    for company_id, owner_id, created_at in (
        Company.objects.filter(owner__isnull=False).values_list("id", "owner_id", "created_at").iterator()
    ):
        if company_id in has_open:
            continue
        rows.append(AccountOwnership(company_id=company_id, owner_id=owner_id, valid_from=created_at.date(),
                                     reason="backfilled"))
        if len(rows) >= 2000:
            AccountOwnership.objects.bulk_create(rows)
            rows = []
    AccountOwnership.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_accountplan_handover_accountteammember")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
