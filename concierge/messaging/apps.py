from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "concierge.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from concierge.messaging.permissions import can_manage_messaging
        from concierge.web.navigation import NavItem, register

        register("marketing", NavItem(_("Message templates"), "messaging:msg_template_list", "bi-file-earmark-text",
                                      ("msg_template_", "msg_rule_"), visible=can_manage_messaging, order=60))
        register("marketing", NavItem(_("Outbox"), "messaging:msg_outbox", "bi-send", ("msg_outbox", "msg_message_"),
                                      order=61))
