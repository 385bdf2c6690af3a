"""Simplified Chinese number format for the CRM: Django's zh_Hans dates, but figures grouped by thousands with a
comma (1,234,567), as Chinese hotel and finance reports write them; Django's default has no separator."""
from django.conf.locale.zh_Hans.formats import *  # noqa: F401,F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
