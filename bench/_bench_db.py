"""Database set-up shared by the benchmarks: each uses its own database whose name contains 'bench'."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def prepare_database(url: str, *, postgres_only: bool = False) -> None:
    """Create the bench database if needed and point Django at it. Refuses names without 'bench'."""
    import environ

    config = environ.Env.db_url_config(url)
    name = str(config["NAME"])
    if "bench" not in Path(name).name:
        sys.exit(f"Refusing to use database {name!r}: the bench flushes it, so its name must contain 'bench'.")
    is_postgres = config["ENGINE"].endswith("postgresql")
    if postgres_only and not is_postgres:
        sys.exit("This benchmark is for PostgreSQL (it loads rows with COPY).")
    if is_postgres:
        import psycopg

        with psycopg.connect(
            host=config.get("HOST") or None, port=config.get("PORT") or None, user=config.get("USER") or None,
            password=config.get("PASSWORD") or None, dbname="postgres", autocommit=True,
        ) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
                print(f"created database {name}")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concierge.settings_test")
