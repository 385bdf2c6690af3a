from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", _("Front desk")
    SERVICE_AGENT = "service_agent", _("Service agent")
    SALES_REP = "sales_rep", _("Sales rep")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    MARKETING = "marketing", _("Marketing")
    QUALITY = "quality", _("Quality")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


# Roles that see every property of the group, whatever properties they are assigned to.
GROUP_WIDE_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.MARKETING})
