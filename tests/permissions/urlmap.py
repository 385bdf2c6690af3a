"""Walk every URL pattern of the project and turn each into a concrete path for the permission walker."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import URLPattern, URLResolver, get_resolver, reverse


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str  # the full route, for messages
    is_api: bool


@functools.cache
def walk() -> tuple[Route, ...]:
    """Every URL pattern reachable from ROOT_URLCONF (Django admin included), in resolver order."""
    routes: list[Route] = []

    def _walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
                full = prefix + str(entry.pattern)
                routes.append(Route(name=name or full, pattern=full, is_api=full.startswith("api/")))

    _walk(get_resolver().url_patterns, "", "")
    return tuple(routes)


# URL kwargs for each route that takes some: a world object key (its pk is used) or a literal value. A route with
# kwargs that is missing here makes the coverage test fail.
ARGS: dict[str, dict[str, str]] = {
    "api:guest-detail": {"pk": "@guest"},
    "api:guest-card": {"pk": "@guest"},
    "api:company-detail": {"pk": "@company"},
    "api:contact-detail": {"pk": "@contact"},
    "api:stay-detail": {"pk": "@stay"},
    "api:preference-detail": {"pk": "@preference"},
    "api:alert-detail": {"pk": "@alert"},
    "api:import-detail": {"pk": "@import_batch"},
    "api:case-detail": {"pk": "@case"},
    "api:case-assign": {"pk": "@case"},
    "api:case-transition": {"pk": "@case"},
    "api:case-respond": {"pk": "@case"},
    "api:case-resolve": {"pk": "@case"},
    "api:case-reopen": {"pk": "@case"},
    "api:kb-article": {"pk": "@article"},
    "api:survey-detail": {"pk": "@survey"},
    "api:survey-send": {"pk": "@survey"},
    "api:survey-responses": {"pk": "@survey"},
    "api:survey-results": {"pk": "@survey"},
    "api:guest-offers": {"pk": "@guest"},
    "api:loyalty-member-statement": {"pk": "@membership"},
    "api:loyalty-member-redeem": {"pk": "@membership"},
    "api:guest-clv": {"pk": "@guest"},
    "api:segment-detail": {"pk": "@segment"},
    "api:segment-members": {"pk": "@segment"},
    "api:task-detail": {"pk": "@task"},
    "api:task-complete": {"pk": "@task"},
    "api:task-reassign": {"pk": "@task"},
    "api:campaign-detail": {"pk": "@campaign"},
    "api:campaign-send": {"pk": "@campaign"},
    "api:campaign-schedule": {"pk": "@campaign"},
    "api:campaign-cancel": {"pk": "@campaign"},
    "api:campaign-report": {"pk": "@campaign"},
    "api:journey-detail": {"pk": "@journey"},
    "api:journey-runs": {"pk": "@journey"},
    "api:attribution-campaign-detail": {"pk": "@campaign"},
    "api:attribution-lead-import-create": {"pk": "@campaign"},
    "api:attribution-lead-import-detail": {"pk": "@lead_import"},
    "api:account-plan": {"pk": "@company"},
    "api:account-ownership": {"pk": "@company"},
    "api:handover-detail": {"pk": "@handover"},
    "api:opportunity-detail": {"pk": "@opportunity"},
    "api:opportunity-move": {"pk": "@opportunity"},
    "api:opportunity-win": {"pk": "@opportunity"},
    "api:opportunity-lose": {"pk": "@opportunity"},
    "api:contract-detail": {"pk": "@contract"},
    "api:contract-renew": {"pk": "@contract"},
    "api:contract-document": {"pk": "@contract"},
    "api:contract-send": {"pk": "@contract"},
    "api:contract-sign": {"pk": "@contract"},
    "api:contract-activate": {"pk": "@contract"},
    "api:contract-expire": {"pk": "@contract"},
    "api:contract-terminate": {"pk": "@contract"},
    "api:contract-cancel": {"pk": "@contract"},
    "api:tours-product-detail": {"pk": "@tour_product"},
    "api:tours-departure-detail": {"pk": "@departure"},
    "api:tours-order-detail": {"pk": "@tour_order"},
    "api:tours-order-cancel": {"pk": "@tour_order"},
    "api:tours-order-seats": {"pk": "@tour_order"},
    "api:guest-personal-data": {"pk": "@guest"},
    "api:guest-erase": {"pk": "@guest"},
    "cases:case_detail": {"pk": "@case"},
    "cases:case_edit": {"pk": "@case"},
    "cases:case_assign": {"pk": "@case"},
    "cases:case_transition": {"pk": "@case"},
    "cases:case_respond": {"pk": "@case"},
    "cases:case_note": {"pk": "@case"},
    "cases:case_resolve": {"pk": "@case"},
    "cases:case_reopen": {"pk": "@case"},
    "cases:case_escalate": {"pk": "@case"},
    "cases:case_guest_told": {"pk": "@case"},
    "cases:case_promote": {"pk": "@case"},
    "cases:kb_detail": {"pk": "@article"},
    "cases:kb_edit": {"pk": "@article"},
    "cases:kb_status": {"pk": "@article"},
    "cases:lost_detail": {"pk": "@lost_item"},
    "cases:lost_action": {"pk": "@lost_item", "action": "notify"},
    "faq:faq": {"code": "SHA"},
    "faq:faq_feedback": {"code": "SHA", "pk": "@article"},
    "surveys:answer": {"token": "not-a-real-token"},
    "surveys:marker_remove": {"pk": "@survey_marker"},
    "surveys:survey_detail": {"pk": "@survey"},
    "surveys:survey_edit": {"pk": "@survey"},
    "surveys:survey_status": {"pk": "@survey"},
    "surveys:survey_preview": {"pk": "@survey"},
    "surveys:question_create": {"pk": "@survey"},
    "surveys:question_edit": {"pk": "@question"},
    "surveys:question_remove": {"pk": "@question"},
    "surveys:question_move": {"pk": "@question", "direction": "up"},
    "surveys:trigger_save": {"pk": "@survey"},
    "surveys:trigger_remove": {"pk": "@survey_trigger"},
    "surveys:survey_send": {"pk": "@survey"},
    "surveys:audience_preview": {"pk": "@survey"},
    "surveys:guest_lookup": {"pk": "@survey"},
    "surveys:send_to_guest": {"pk": "@survey"},
    "surveys:invitation_list": {"pk": "@survey"},
    "surveys:invitations_retry": {"pk": "@survey"},
    "surveys:survey_results": {"pk": "@survey"},
    "surveys:results_csv": {"pk": "@survey"},
    "surveys:response_list": {"pk": "@survey"},
    "surveys:responses_csv": {"pk": "@survey"},
    "surveys:response_detail": {"pk": "@response"},
    "surveys:answer_preference": {"pk": "@answer"},
    "recommendations:product_detail": {"pk": "@product"},
    "dashboards:overview_csv": {"chart": "revenue"},
    "loyalty:member_detail": {"pk": "@membership"},
    "loyalty:member_redeem": {"pk": "@membership"},
    "loyalty:member_adjust": {"pk": "@membership"},
    "segments:segment_detail": {"pk": "@segment"},
    "segments:segment_edit": {"pk": "@segment"},
    "segments:segment_delete": {"pk": "@segment"},
    "segments:segment_recount": {"pk": "@segment"},
    "segments:segment_snapshot": {"pk": "@segment"},
    "segments:segment_export": {"pk": "@segment", "fmt": "csv"},
    "messaging:msg_template_edit": {"pk": "@template"},
    "messaging:msg_message_detail": {"pk": "@message"},
    "messaging:msg_rule_edit": {"property_id": "@property"},
    "messaging_public:unsubscribe": {"token": "not-a-real-token"},
    "worklist:calendar_feed": {"token": "not-a-real-token"},
    "worklist:task_detail": {"pk": "@task"},
    "worklist:task_complete": {"pk": "@task"},
    "worklist:task_cancel": {"pk": "@task"},
    "worklist:task_reassign": {"pk": "@task"},
    "campaigns:campaign_detail": {"pk": "@campaign"},
    "campaigns:campaign_edit": {"pk": "@campaign"},
    "campaigns:campaign_progress": {"pk": "@campaign"},
    "campaigns:campaign_send_now": {"pk": "@campaign"},
    "campaigns:campaign_schedule": {"pk": "@campaign"},
    "campaigns:campaign_cancel": {"pk": "@campaign"},
    "campaigns:campaign_report_csv": {"pk": "@campaign"},
    "journeys:journey_detail": {"pk": "@journey"},
    "journeys:journey_edit": {"pk": "@journey"},
    "journeys:journey_toggle": {"pk": "@journey"},
    "journeys:journey_run_now": {"pk": "@journey"},
    "journeys:journey_runs": {"pk": "@journey"},
    "journeys:step_add": {"pk": "@journey"},
    "journeys:step_remove": {"pk": "@journey", "step_pk": "@journey_step"},
    "journeys:step_move": {"pk": "@journey", "step_pk": "@journey_step"},
    "journeys:step_preview": {"pk": "@journey", "step_pk": "@journey_step"},
    "attribution:campaign_detail": {"pk": "@campaign"},
    "attribution:lead_upload": {"pk": "@campaign"},
    "attribution:lead_import_detail": {"pk": "@lead_import"},
    "attribution:lead_import_status": {"pk": "@lead_import"},
    "attribution:lead_import_start": {"pk": "@lead_import"},
    "sales:account_detail": {"pk": "@company"},
    "sales:account_plan_save": {"pk": "@company"},
    "sales:account_team_add": {"pk": "@company"},
    "sales:account_team_remove": {"pk": "@company", "member_id": "999999"},
    "sales:account_owner_change": {"pk": "@company"},
    "sales:contact_log": {"pk": "@contact"},
    "sales:handover_detail": {"pk": "@handover"},
    "sales:help_role": {"role": "sales_rep"},
    "pipeline:opportunity_detail": {"pk": "@opportunity"},
    "pipeline:opportunity_move": {"pk": "@opportunity"},
    "campaigns_public:open": {"token": "not-a-real-token"},
    "campaigns_public:click": {"token": "not-a-real-token"},
    "contracts:contract_detail": {"pk": "@contract"},
    "contracts:contract_edit": {"pk": "@contract"},
    "contracts:contract_renew": {"pk": "@contract"},
    "contracts:contract_document": {"pk": "@contract", "lang": "en"},
    "contracts:contract_transition": {"pk": "@contract", "action": "send"},
    "tours:tour_product_detail": {"pk": "@tour_product"},
    "tours:tour_product_edit": {"pk": "@tour_product"},
    "tours:tour_departure_create": {"product_pk": "@tour_product"},
    "tours:tour_departure_edit": {"product_pk": "@tour_product", "pk": "@departure"},
    "tours:tour_order_detail": {"pk": "@tour_order"},
    "tours:tour_order_cancel": {"pk": "@tour_order"},
    "tours:tour_order_change": {"pk": "@tour_order"},
    "tours:tour_order_document": {"pk": "@tour_order"},
    "privacy:guest_export": {"pk": "@guest"},
    "privacy:guest_erase": {"pk": "@guest"},
    "web:guest_detail": {"pk": "@guest"},
    "web:guest_edit": {"pk": "@guest"},
    "web:interaction_add": {"pk": "@guest"},
    "web:preference_add": {"pk": "@guest"},
    "web:alert_add": {"pk": "@guest"},
    "web:preference_remove": {"pk": "@preference"},
    "web:alert_remove": {"pk": "@alert"},
    "web:document_reveal": {"pk": "@document"},
    "web:company_detail": {"pk": "@company"},
    "web:company_edit": {"pk": "@company"},
    "web:company_log": {"pk": "@company"},
    "web:company_contact_add": {"pk": "@company"},
    "web:contact_detail": {"pk": "@contact"},
    "web:contact_edit": {"pk": "@contact"},
    "web:stay_detail": {"pk": "@stay"},
    "web:stay_edit": {"pk": "@stay"},
    "web:stay_status": {"pk": "@stay"},
    "web:duplicate_detail": {"pk": "@duplicate"},
    "web:duplicate_dismiss": {"pk": "@duplicate"},
    "web:duplicate_reopen": {"pk": "@duplicate"},
    "web:merge_pair": {"pk": "@duplicate"},
    "web:merge_detail": {"pk": "@merge"},
    "web:merge_undo": {"pk": "@merge"},
    "web:import_detail": {"pk": "@import_batch"},
    "web:import_mapping": {"pk": "@import_batch"},
    "web:import_start": {"pk": "@import_batch"},
    "web:import_progress": {"pk": "@import_batch"},
    "web:export_list": {"kind": "guests", "fmt": "csv"},
    "web:company_vcard": {"pk": "@company"},
    "api:guest-reveal-id": {"pk": "@guest"},
    "accounts:staff_deactivate": {"pk": "@staff_user"},
    "accounts:staff_job": {"pk": "@staff_deactivation"},
}


# Query strings for GET endpoints that need input to show something ("@key" is replaced by the object's pk).
QUERY: dict[str, str] = {
    "api:search": "q=sima yiran",
    "api:guest-lookup": "id_number=11010519491231002X",
    "api:timeline": "guest=@guest",
    "api:screen-pop": "phone=13924681357",
    "api:kb-search": "q=Wi-Fi",
    "api:analytics-rfm-members": "r=5&f=5",
    "analytics:value_rfm_cell": "r=5&f=5",
    "dashboards:flow_guests": "flow=new",
    "web:search": "q=sima yiran",
    "cases:screen_pop": "phone=13924681357",
}


def _value(value: str, objects: dict[str, Any]) -> Any:
    return objects[value[1:]].pk if value.startswith("@") else value


def path_for(route: Route, objects: dict[str, Any]) -> str:
    """The concrete path of `route` with the world's objects filled in (and its query string, if any)."""
    kwargs = {key: _value(value, objects) for key, value in ARGS.get(route.name, {}).items()}
    path = reverse(route.name, kwargs=kwargs or None)
    query = QUERY.get(route.name)
    if query:
        pairs = [pair.split("=", 1) for pair in query.split("&")]
        path += "?" + urlencode([(key, _value(value, objects)) for key, value in pairs])
    return path
