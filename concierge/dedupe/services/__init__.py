"""Writes for duplicate handling: the finder, the create-time check, merge, undo and dismissal."""
from concierge.dedupe.services.finder import (
    Candidate,
    FindResult,
    candidate_dismiss,
    candidate_reopen,
    candidate_upsert,
    duplicate_warning_override,
    duplicates_auto_merge,
    duplicates_find,
    guest_duplicate_candidates,
    guest_record,
    guest_records_stream,
    population_prior_bits,
)
from concierge.dedupe.services.merge import (
    MERGE_FIELDS,
    guest_merge,
    guest_merge_undo,
    guest_relations,
    merge_default_survivor,
    merge_defaults,
)
from concierge.dedupe.services.runs import dedupe_settings_update, finder_run_execute, finder_run_queue

__all__ = [
    "MERGE_FIELDS", "Candidate", "FindResult", "candidate_dismiss", "candidate_reopen", "candidate_upsert",
    "dedupe_settings_update", "duplicate_warning_override", "duplicates_auto_merge", "finder_run_execute",
    "finder_run_queue", "duplicates_find", "guest_duplicate_candidates", "guest_merge", "guest_merge_undo",
    "guest_record", "guest_records_stream", "guest_relations", "merge_default_survivor", "merge_defaults",
    "population_prior_bits",
]
