"""Lost-write check of the load benchmark: every write the load generator saw acknowledged must be in the database.

The locust process appends one JSON object per acknowledged write to a JSONL file:

    {"kind": "case", "id": 123, "subject": "..."}                                  # POST /api/v1/cases/ -> 201
    {"kind": "profile", "id": 456, "version": 7, "field": "notes", "value": "..."}  # PATCH /api/v1/guests/456/ -> 200

`count_lost_writes` looks each one up with the ORM (the caller has set Django up on the right database):
a case must exist with its subject; a profile update must have left the guest at that version or later and the
value must be in the guest's history at exactly that version (simple_history writes it in the same transaction),
so a later edit of the same field does not hide an earlier one.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable


def read_acknowledged(path: Path) -> list[dict[str, Any]]:
    """The acknowledged writes logged by the locust process (a missing file means none)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def count_lost_writes(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Per kind: acknowledged, found and lost, plus up to 10 examples of lost writes."""
    from concierge.cases.models import Case
    from concierge.guests.models import Guest

    records = list(records)
    result: dict[str, Any] = {kind: {"acknowledged": 0, "found": 0, "lost": 0} for kind in ("case", "profile")}
    examples: list[dict[str, Any]] = []

    cases = [r for r in records if r["kind"] == "case"]
    subjects = dict(Case.objects.filter(pk__in=[r["id"] for r in cases]).values_list("pk", "subject"))
    for record in cases:
        ok = subjects.get(record["id"]) == record["subject"]
        _tally(result["case"], ok, record, examples)

    profiles = [r for r in records if r["kind"] == "profile"]
    versions = dict(Guest.objects.filter(pk__in={r["id"] for r in profiles}).values_list("pk", "version"))
    by_field: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in profiles:
        by_field[record["field"]].append(record)
    history: set[tuple[int, int, str]] = set()
    for name, group in by_field.items():
        rows = Guest.history.filter(id__in={r["id"] for r in group}).values_list("id", "version", name)
        history |= {(pk, version, str(value)) for pk, version, value in rows}
    for record in profiles:
        ok = (versions.get(record["id"], 0) >= record["version"]
              and (record["id"], record["version"], str(record["value"])) in history)
        _tally(result["profile"], ok, record, examples)

    result["total"] = {key: result["case"][key] + result["profile"][key] for key in ("acknowledged", "found", "lost")}
    result["examples"] = examples
    return result


def _tally(counts: dict[str, int], ok: bool, record: dict[str, Any], examples: list[dict[str, Any]]) -> None:
    counts["acknowledged"] += 1
    if ok:
        counts["found"] += 1
    else:
        counts["lost"] += 1
        if len(examples) < 10:
            examples.append(record)
