"""One importer per kind of file; `IMPORTERS` maps the kind to its class."""
from __future__ import annotations

from concierge.imports.importers.companies import CompanyImporter
from concierge.imports.importers.guests import GuestImporter
from concierge.imports.importers.leads import LeadImporter
from concierge.imports.importers.stays import StayImporter

IMPORTERS = {
    "guests": GuestImporter,
    "companies": CompanyImporter,
    "stays": StayImporter,
    "leads": LeadImporter,
}
