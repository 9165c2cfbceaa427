from django.apps import AppConfig

from learnloop.web.navigation import NavItem


class NetworkConfig(AppConfig):
    name = "learnloop.network"
    label = "network"
    verbose_name = "Knowledge network"

    nav_items = (NavItem("Network", "network:report", order=62, visible=lambda user: _may_see(user),
                         section="/network/"),)


def _may_see(user) -> bool:
    from learnloop.network.services import can_see_report

    return can_see_report(user)
