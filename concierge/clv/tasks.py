"""Celery wrappers for lifetime value (bodies live in services)."""
from __future__ import annotations

from celery import shared_task

from concierge.clv.services import fit_all_scopes


@shared_task(name="concierge.clv.tasks.fit_clv_models", acks_late=True)
def fit_clv_models() -> dict[str, int]:
    """Nightly: refit group-wide and every property; replaces each scope's scores (safe to run twice)."""
    fits = fit_all_scopes()
    return {"fits": len(fits), "failed": sum(1 for f in fits if f.error)}
