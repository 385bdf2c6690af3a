"""Keeping `SurveyStat` (the daily counts behind the results page) in step with the rows it counts."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from concierge.properties.models import Property
from concierge.surveys.choices import StatMetric
from concierge.surveys.models import Answer, Invitation, Response, Survey, SurveyStat

# (survey id, metric, local day, property key, question key, value)
StatKey = tuple[int, str, dt.date, int, int, int]


def property_tz(property_: Any) -> ZoneInfo:
    return ZoneInfo(getattr(property_, "timezone", "") or settings.TIME_ZONE)


def local_day(moment: dt.datetime, property_: Any) -> dt.date:
    """The calendar day of `moment` at the property (the day a hotel would say it happened)."""
    return moment.astimezone(property_tz(property_)).date()


def stats_add(keys: Iterable[StatKey]) -> None:
    """Add one to the count of each key (a key may repeat): one INSERT … ON CONFLICT DO UPDATE statement.

    Keys are sorted so that concurrent transactions lock the rows they share in the same order (no
    deadlocks); repeats are summed first because one statement may not update a row twice.
    """
    counts = Counter(keys)
    if not counts:
        return
    table = connection.ops.quote_name(SurveyStat._meta.db_table)
    columns = ("survey_id", "metric", "day", "property_key", "question_key", "value", "n")
    key_columns = ", ".join(connection.ops.quote_name(c) for c in columns[:-1])
    n = connection.ops.quote_name("n")
    rows = sorted(counts.items())
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in columns)}) VALUES {placeholders} "
        f"ON CONFLICT ({key_columns}) DO UPDATE SET {n} = {table}.{n} + excluded.{n}"
    )
    params: list[Any] = [value for key, count in rows for value in (*key, count)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@transaction.atomic
def survey_stats_rebuild(*, survey: Survey) -> int:
    """Recompute the survey's counts from its invitations, responses and answers (after bulk loads or repairs).

    Each property is counted in its own time zone, so days match what the services record. Returns the
    number of stat rows written.
    """
    SurveyStat.objects.filter(survey=survey).delete()
    property_ids = set(Invitation.objects.filter(survey=survey).values_list("property_id", flat=True).distinct())
    property_ids |= set(Response.objects.filter(survey=survey).values_list("property_id", flat=True).distinct())
    properties = {p.pk: p for p in Property.objects.filter(pk__in=[i for i in property_ids if i])}
    rows: list[SurveyStat] = []
    for pid in property_ids:
        tz = property_tz(properties.get(pid)) if pid else property_tz(None)
        key = pid or 0
        at = Q(property_id=pid) if pid else Q(property__isnull=True)
        answers = Answer.objects.filter(at, survey=survey)
        queries: list[tuple[str, Any, str, str]] = [
            (StatMetric.ANSWER, answers.filter(score__isnull=False).annotate(d=TruncDate("submitted_at", tzinfo=tz)),
             "question_id", "score"),
            (StatMetric.TEXT, answers.exclude(text="").annotate(d=TruncDate("submitted_at", tzinfo=tz)),
             "question_id", ""),
            (StatMetric.RESPONSE, Response.objects.filter(at, survey=survey).annotate(
                d=TruncDate("submitted_at", tzinfo=tz)), "", ""),
            (StatMetric.SENT, Invitation.objects.filter(at, survey=survey, sent_at__isnull=False).annotate(
                d=TruncDate("sent_at", tzinfo=tz)), "", ""),
            (StatMetric.ANSWERED, Invitation.objects.filter(at, survey=survey, sent_at__isnull=False,
                                                            answered_at__isnull=False).annotate(
                d=TruncDate("sent_at", tzinfo=tz)), "", ""),
        ]
        for metric, qs, question_field, value_field in queries:
            fields = ["d"] + [f for f in (question_field, value_field) if f]
            for row in qs.order_by().values(*fields).annotate(c=Count("id")):
                rows.append(SurveyStat(survey=survey, metric=metric, day=row["d"], property_key=key,
                                       question_key=row.get(question_field, 0) if question_field else 0,
                                       value=row.get(value_field, 0) if value_field else 0, n=row["c"]))
        chosen = (
            Answer.choices.through.objects.filter(answer__survey=survey, **(
                {"answer__property_id": pid} if pid else {"answer__property__isnull": True}))
            .annotate(d=TruncDate("answer__submitted_at", tzinfo=tz)).order_by()
            .values("d", "answer__question_id", "choice_id").annotate(c=Count("id"))
        )
        rows += [SurveyStat(survey=survey, metric=StatMetric.CHOICE, day=row["d"], property_key=key,
                            question_key=row["answer__question_id"], value=row["choice_id"], n=row["c"])
                 for row in chosen]
    SurveyStat.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
