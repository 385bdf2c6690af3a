"""Writes of the service centre. Import from here: `from concierge.cases.services import case_resolve`."""
from concierge.cases.services.cases import (
    case_assign,
    case_create,
    case_escalate,
    case_note,
    case_reopen,
    case_resolve,
    case_respond,
    case_transition,
    case_update,
    case_view_audit,
    department_head_for,
)
from concierge.cases.services.kb import (
    article_create,
    article_status_set,
    article_translation_save,
    article_update,
    case_promote_to_article,
    faq_feedback_record,
)
from concierge.cases.services.loop import case_guest_told, complaint_loop_close, default_alert_text
from concierge.cases.services.lost import (
    lost_item_candidate_stays,
    lost_item_create,
    lost_item_dispose,
    lost_item_match,
    lost_item_notify,
    lost_item_return,
)
from concierge.cases.services.sweep import SweepResult, sla_sweep

__all__ = [
    "SweepResult", "article_create", "article_status_set", "article_translation_save", "article_update",
    "case_assign", "case_create", "case_escalate", "case_guest_told", "case_note", "case_promote_to_article",
    "case_reopen", "case_resolve", "case_respond", "case_transition", "case_update",
    "case_view_audit", "complaint_loop_close",
    "default_alert_text", "department_head_for", "faq_feedback_record", "lost_item_candidate_stays",
    "lost_item_create", "lost_item_dispose", "lost_item_match", "lost_item_notify", "lost_item_return",
    "sla_sweep",
]
