"""Rebuilding a derived table by swap-in (PostgreSQL): fill a bare copy, index and check it in bulk, rename it in.

Used for tables that hold only derived data and are rewritten in bulk (customer values, lifetime-value scores):
loading a million rows into a table without indexes or foreign keys, then building each index with one sort and
validating each foreign key with one join, is several times faster than inserting into the live table (index
maintenance per row, a deferred foreign-key check per row at commit), and leaves no dead rows behind.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def swap_in(cursor: Any, table: str, fill: Callable[[str], None], *, maintenance_work_mem: str = "512MB") -> None:
    """Build `<table>_next` like `table` (columns, defaults, NOT NULL and CHECK constraints with their names, an
    identity of its own), let `fill(staging_name)` load it, give it the indexes and primary-key / unique / foreign-key
    constraints of `table` under their names, then drop `table` and rename the new one, in the caller's transaction.

    Readers keep reading the old table until the commit: the only lock that blocks them is taken by the DROP at the
    very end. The caller serialises writers of `table` (they would write to the table being replaced)."""
    staging = f"{table}_next"
    cursor.execute(f"SET LOCAL maintenance_work_mem = '{maintenance_work_mem}'")
    cursor.execute(f"DROP TABLE IF EXISTS {staging}")
    cursor.execute(f"CREATE TABLE {staging} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS"
                   f" INCLUDING IDENTITY)")
    fill(staging)
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid), conindid::regclass::text FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype DESC, conname", [table])
    constraints = cursor.fetchall()
    constraint_indexes = {index for _, kind, _, index in constraints if kind in ("p", "u")}
    cursor.execute("SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
                   " JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass ORDER BY c.relname",
                   [table])
    indexes = [(name, definition) for name, definition in cursor.fetchall() if name not in constraint_indexes]
    renames: list[str] = []
    for number, (name, definition) in enumerate(indexes):
        temporary = f"{staging}_i{number}"
        head, _, rest = definition.partition(f" INDEX {name} ON ")
        rest = rest.replace(f"public.{table} ", f"public.{staging} ", 1).replace(f"{table} ", f"{staging} ", 1)
        cursor.execute(f"{head} INDEX {temporary} ON {rest}")
        renames.append(f'ALTER INDEX {temporary} RENAME TO "{name}"')
    for number, (name, kind, definition, _index) in enumerate(constraints):
        temporary = f"{staging}_c{number}"
        if kind == "f":
            # Added unchecked, then validated by one join (no row locks on the referenced table).
            cursor.execute(f"ALTER TABLE {staging} ADD CONSTRAINT {temporary} {definition} NOT VALID")
            cursor.execute(f"ALTER TABLE {staging} VALIDATE CONSTRAINT {temporary}")
        else:
            cursor.execute(f"ALTER TABLE {staging} ADD CONSTRAINT {temporary} {definition}")
        renames.append(f'ALTER TABLE {table} RENAME CONSTRAINT {temporary} TO "{name}"')
    cursor.execute(f"ANALYZE {staging}")
    cursor.execute(f"DROP TABLE {table}")
    cursor.execute(f"ALTER TABLE {staging} RENAME TO {table}")
    for statement in renames:
        cursor.execute(statement)
    cursor.execute("SET LOCAL maintenance_work_mem TO DEFAULT")
