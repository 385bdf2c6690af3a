"""Marketing benchmark: journey evaluation over 1,000,000 guests, and a 100,000-recipient email campaign.

    .venv/bin/python bench/marketing.py                    # both parts, issue-sized
    .venv/bin/python bench/marketing.py journeys [ARGS]    # only the journeys part (bench/_marketing_journeys.py)
    .venv/bin/python bench/marketing.py email [ARGS]       # only the campaign part (bench/_marketing_email.py)

Targets (PostgreSQL, 2 cores): journey evaluation over 1,000,000 guests ≤ 60 s; a 100,000-recipient email campaign
through a Celery worker to a loopback SMTP server with no duplicate and no lost message (counted at the server),
throughput reported. Each part prints its own table; see the part's module docstring for its options.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PARTS = {"journeys": "_marketing_journeys", "email": "_marketing_email"}


def main(argv: list[str]) -> int:
    import importlib

    if argv and argv[0] in PARTS:
        return importlib.import_module(PARTS[argv[0]]).main(argv[1:]) or 0
    status = 0
    for name in ("journeys", "email"):
        print(f"\n== {name} ==", flush=True)
        status |= importlib.import_module(PARTS[name]).main(list(argv)) or 0
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
