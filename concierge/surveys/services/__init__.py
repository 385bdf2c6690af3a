"""Writes of the surveys module, in three parts: building, inviting (and sending), answering (and acting).

Import from here: `from concierge.surveys.services import survey_send_followup`.
"""
from concierge.surveys.services.answering import (
    account_manager_notify,
    answer_save_preference,
    answers_clean,
    response_submit,
    surveys_anonymize_guest,
)
from concierge.surveys.services.building import (
    ChoiceSpec,
    marker_create,
    marker_remove,
    question_create,
    question_move,
    question_remove,
    question_update,
    survey_create,
    survey_update,
    trigger_remove,
    trigger_set,
)
from concierge.surveys.services.inviting import (
    DispatchResult,
    SendResult,
    invitation_create,
    invitation_email,
    invitation_link,
    invitations_create_for_guests,
    invitations_enqueue,
    invitations_fail_stale,
    invitations_release_stale,
    invitations_retry_failed,
    invitations_send,
    post_stay_invitations_create,
    survey_run_cancel,
    survey_run_schedule,
    survey_runs_execute_due,
    survey_send_followup,
    surveys_dispatch,
)

__all__ = [
    "ChoiceSpec", "DispatchResult", "SendResult", "account_manager_notify", "answer_save_preference", "answers_clean",
    "invitation_create", "invitation_email", "invitation_link", "invitations_create_for_guests",
    "invitations_enqueue", "invitations_fail_stale", "invitations_release_stale",
    "invitations_retry_failed", "invitations_send",
    "marker_create", "marker_remove", "post_stay_invitations_create", "question_create", "question_move",
    "question_remove", "question_update", "response_submit", "survey_create", "survey_run_cancel",
    "survey_run_schedule", "survey_runs_execute_due", "survey_send_followup", "survey_update",
    "surveys_anonymize_guest", "surveys_dispatch", "trigger_remove", "trigger_set",
]
