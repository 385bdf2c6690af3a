from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeUnit(models.TextChoices):
    DAY = "day", _("Days")
    WEEK = "week", _("Weeks")


class ChurnReason(models.TextChoices):
    """Why a valuable guest shows up on the churn-risk list (stored as codes with parameters, rendered on read)."""

    LONG_GAP = "long_gap", _("Long gap vs own rhythm")
    OPEN_COMPLAINT = "open_complaint", _("Unresolved complaint")
    LOW_SURVEY = "low_survey", _("Low survey score")
    LOST_CONTRACT = "lost_contract", _("Lost contract")
    COMPETITOR = "competitor", _("Competitor mentioned")
    P_ALIVE_DROP = "p_alive_drop", _("Probability alive dropped")


def reason_text(reason: dict) -> dict[str, str]:
    """One stored reason ({"code": ..., params}) as {"code", "label", "detail"} in the active language."""
    from django.utils.translation import get_language, gettext, ngettext

    code = reason.get("code", "")
    try:
        label = str(ChurnReason(code).label)
    except ValueError:
        return {"code": code, "label": code, "detail": ""}
    detail = ""
    if code == ChurnReason.LONG_GAP:
        detail = gettext("%(gap)s days since the last stay; usually every %(usual)s days") % {
            "gap": reason.get("gap_days", "?"), "usual": reason.get("usual_days", "?")}
    elif code == ChurnReason.P_ALIVE_DROP:
        detail = gettext("from %(before)s to %(now)s since the previous fit") % {
            "before": f"{reason.get('before', 0):.0%}", "now": f"{reason.get('now', 0):.0%}"}
    elif code == ChurnReason.OPEN_COMPLAINT:
        count = int(reason.get("count", 1))
        detail = ngettext("%(count)s open complaint", "%(count)s open complaints", count) % {"count": count}
    elif code == ChurnReason.LOW_SURVEY:
        detail = gettext("negative survey response on %(date)s") % {"date": reason.get("date", "?")}
    elif code == ChurnReason.LOST_CONTRACT:
        chinese = (get_language() or "").startswith("zh")
        company = reason.get("company_zh" if chinese else "company_en") or reason.get("company_en", "")
        detail = gettext("company %(company)s is marked lost") % {"company": company}
    elif code == ChurnReason.COMPETITOR:
        detail = (gettext("competitor mentioned on %(date)s") % {"date": reason["date"]} if reason.get("date")
                  else gettext("competitor tag or note on the profile"))
    return {"code": code, "label": label, "detail": detail}
