"""Indexes for segment counts over a million guests (PostgreSQL only; other backends skip them).

They live on other apps' tables because segments is what reads those tables this way:

* stays (arrival) INCLUDE (…): the period aggregates (stays / room nights / revenue in the last N days, market
  segment in a period) read the stays of the period from the index alone instead of scanning every stay.
* customer values (rfm_cell) and lifetime values (churn_risk), partial on the group-wide rows (property IS NULL),
  covering guest_id: "RFM cell is any of" / "churn risk is any of" become an index-only scan feeding a hash join.
"""
from django.db import migrations

INDEXES = [
    ("stays_stay", "seg_stay_arrival_cover",
     'CREATE INDEX IF NOT EXISTS "seg_stay_arrival_cover" ON "stays_stay" ("arrival") '
     'INCLUDE ("guest_id", "status", "room_nights", "room_revenue", "fnb_revenue", "other_revenue", "market_segment")'),
    ("analytics_customervalue", "seg_cv_group_rfm_cell",
     'CREATE INDEX IF NOT EXISTS "seg_cv_group_rfm_cell" ON "analytics_customervalue" ("rfm_cell") '
     'INCLUDE ("guest_id") WHERE "property_id" IS NULL'),
    ("clv_guestclv", "seg_clv_group_churn_risk",
     'CREATE INDEX IF NOT EXISTS "seg_clv_group_churn_risk" ON "clv_guestclv" ("churn_risk") '
     'INCLUDE ("guest_id") WHERE "property_id" IS NULL'),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _name, sql in INDEXES:
        schema_editor.execute(sql)
        schema_editor.execute(f'ANALYZE "{table}"')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, name, _sql in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("segments", "0001_initial"),
        ("stays", "0001_initial"),
        ("analytics", "0002_costratios_valuerefresh"),
        ("clv", "0002_scores_summary"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
