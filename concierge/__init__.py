"""Concierge: an open-source CRM for hotels, hotel groups and travel agencies."""
from concierge.celery import app as celery_app

__all__ = ("celery_app",)
