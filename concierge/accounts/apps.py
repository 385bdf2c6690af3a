from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "concierge.accounts"
    label = "accounts"

    def ready(self) -> None:
        from concierge.accounts.staff import can_manage_staff
        from concierge.web.navigation import SECTIONS, NavItem, NavSection, register

        SECTIONS.setdefault("administration", NavSection("administration", _("Administration"), 85))
        register("administration", NavItem(_("Staff"), "accounts:staff_list", "bi-person-badge", ("staff_",),
                                           visible=can_manage_staff, order=10))
