"""Fast inserts for imports: `COPY` on PostgreSQL, `executemany` on SQLite, ids allocated up front.

Django's `bulk_create` compiles every value of every row through the SQL compiler; for an import of
100,000 stays (with their guests, history rows, search keys and timeline entries — about a million
rows) that compilation, not the database, takes most of the time. Here values go to the driver as they
are, except for the fields that need preparing (dates and datetimes on SQLite, JSON, encrypted text),
which are prepared by the field itself, exactly as `bulk_create` would.

Ids are allocated before the insert, so rows can reference each other in the same batch: on PostgreSQL
from the table's sequence; on SQLite from max(existing id, sqlite_sequence), which is safe because an
import runs in one IMMEDIATE transaction — the only writer until it commits. Other databases fall back
to `bulk_create`.
"""
from __future__ import annotations

from typing import Any, Sequence

from django.db import connection, connections, models
from django.db.models import Model
from django.db.models.base import ModelState
from django.utils import timezone

# Field classes whose Python value the drivers store as is (sqlite3 and psycopg both adapt these).
_PLAIN = frozenset({
    models.AutoField, models.BigAutoField, models.CharField, models.TextField, models.SlugField, models.EmailField,
    models.IntegerField, models.PositiveIntegerField, models.PositiveSmallIntegerField, models.SmallIntegerField,
    models.BigIntegerField, models.PositiveBigIntegerField, models.BooleanField, models.ForeignKey, models.URLField,
})
# On PostgreSQL psycopg adapts these natively too; SQLite needs Django's text form.
_PLAIN_PG = _PLAIN | {models.DateField, models.DecimalField, models.DateTimeField}
CHUNK = 5000


def _plain(field: models.Field) -> bool:
    kinds = _PLAIN_PG if connection.vendor == "postgresql" else _PLAIN
    return type(field) in kinds and not getattr(field, "auto_now", False)


class _Preparer:
    """Prepares the columns that need it with `field.get_db_prep_save`, memoised for dates and datetimes
    (an import repeats a few values: the run's time stamp, arrival dates)."""

    def __init__(self, fields: Sequence[models.Field]) -> None:
        self.conn = connections["default"]  # the real connection: the proxy's attribute look-ups add up
        self.fields = fields
        self.plain = [_plain(f) for f in fields]
        self.columns = [i for i, plain in enumerate(self.plain) if not plain]
        self.memo: list[dict[Any, Any] | None] = [
            {} if isinstance(f, (models.DateField, models.DateTimeField)) else None for f in fields
        ]

    def prepare_row(self, row: list[Any]) -> list[Any]:
        for i in self.columns:
            value = row[i]
            memo = self.memo[i]
            if memo is None:
                row[i] = self.fields[i].get_db_prep_save(value, self.conn)
                continue
            try:
                row[i] = memo[value]
            except KeyError:
                row[i] = memo[value] = self.fields[i].get_db_prep_save(value, self.conn)
        return row


_DEFAULTS: dict[type[Model], dict[str, Any]] = {}


def new_instance(model: type[Model], values: dict[str, Any]) -> Model:
    """An unsaved instance built without `Model.__init__` (which costs more than the row's insert).

    Every concrete field starts at its default (callable defaults are evaluated once per model per
    process, so pass time stamps explicitly); `values` are attnames ("guest_id", not "guest"). No
    signals are sent — no app listens to pre_init/post_init on the models imports create.
    """
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = _DEFAULTS[model] = {f.attname: f.get_default() for f in model._meta.concrete_fields}
    obj = model.__new__(model)
    obj._state = ModelState()
    obj.__dict__.update(defaults)
    obj.__dict__.update(values)
    return obj


def allocate_ids(model: type[Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model` (see the module docstring for why this is safe)."""
    if count <= 0:
        return []
    opts = model._meta
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [connection.ops.quote_name(opts.db_table), opts.pk.column, count])
            return [row[0] for row in cursor.fetchall()]
        table = connection.ops.quote_name(opts.db_table)
        column = connection.ops.quote_name(opts.pk.column)
        cursor.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {table}")  # noqa: S608 - names from the model
        top = cursor.fetchone()[0]
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
        if cursor.fetchone():
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [opts.db_table])
            row = cursor.fetchone()
            top = max(top, row[0] if row else 0)
        return list(range(top + 1, top + 1 + count))


def insert_objects(objs: Sequence[Model]) -> None:
    """Insert unsaved instances of one model, setting their primary keys (like `bulk_create`)."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor not in ("postgresql", "sqlite"):
        model._default_manager.bulk_create(objs, batch_size=1000)
        return
    missing = [obj for obj in objs if obj.pk is None]
    for obj, pk in zip(missing, allocate_ids(model, len(missing))):
        obj.pk = pk
    fields = model._meta.concrete_fields
    now = timezone.now()
    preparer = _Preparer(fields)
    attnames = [f.attname for f in fields]
    relations = [(i, f) for i, f in enumerate(fields) if f.is_relation]
    stamped = [i for i, f in enumerate(fields) if getattr(f, "auto_now", False)]
    stamped_on_add = [i for i, f in enumerate(fields) if getattr(f, "auto_now_add", False)]
    rows = []
    for obj in objs:
        values = obj.__dict__
        row = [values.get(name) for name in attnames]
        for i, f in relations:
            if row[i] is None and f.is_cached(obj):
                related = f.get_cached_value(obj)
                row[i] = values[attnames[i]] = related.pk if related is not None else None
        for i in stamped:
            row[i] = values[attnames[i]] = now
        for i in stamped_on_add:
            if row[i] is None:
                row[i] = values[attnames[i]] = now
        rows.append(preparer.prepare_row(row))
    _write(model, [f.column for f in fields], rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = "default"


def insert_rows(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert value tuples for `columns` (attnames; include the id). Values are prepared by their fields."""
    if not rows:
        return
    if connection.vendor not in ("postgresql", "sqlite"):
        model._default_manager.bulk_create([model(**dict(zip(columns, row))) for row in rows], batch_size=1000)
        return
    fields = [model._meta.get_field(c) for c in columns]
    preparer = _Preparer(fields)
    if preparer.columns:
        rows = [preparer.prepare_row(list(row)) for row in rows]
    _write(model, [f.column for f in fields], rows)


def _write(model: type[Model], columns: list[str], rows: Sequence[Sequence[Any]]) -> None:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for start in range(0, len(rows), CHUNK * 10):
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows[start:start + CHUNK * 10]:
                        copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model
            for start in range(0, len(rows), CHUNK):
                cursor.executemany(sql, rows[start:start + CHUNK])


def insert_history(model: type[Model], objs: Sequence[Model], *, history_type: str, user: Any = None,
                   reason: str = "", date: Any = None) -> None:
    """The django-simple-history rows for `objs` ("+" created, "~" changed), as `bulk_history_create` writes them."""
    if not objs:
        return
    history = model.history.model  # type: ignore[attr-defined]
    fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    fixed = {"history_date": date or timezone.now(), "history_change_reason": reason[:100] or None,
             "history_type": history_type, "history_user_id": getattr(user, "pk", None)}
    rows = [[fixed[f.attname] if f.attname in fixed else obj.__dict__.get(f.attname) for f in fields] for obj in objs]
    insert_rows(history, [f.attname for f in fields], rows)
