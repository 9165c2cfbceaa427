from django.apps import AppConfig

from learnloop.web.navigation import HomePanel, NavItem


class KnowledgeConfig(AppConfig):
    name = "learnloop.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"

    nav_items = (NavItem("Knowledge", "knowledge:search", order=10, section="/knowledge/"),)
    home_panels = (
        HomePanel("Recent lessons", "knowledge/_panel_recent.html", "learnloop.knowledge.panels.recent", order=20),
        HomePanel("Due for your review", "knowledge/_panel_reviews.html", "learnloop.knowledge.panels.reviews",
                  order=30),
    )

    def ready(self):
        from django.db.models.signals import post_migrate

        from learnloop.knowledge.handover import register_kinds
        from learnloop.knowledge.references import register_types
        from learnloop.knowledge.signals import (
            outcome_recorded_received,
            rebuild_outdated_search_index,
            rebuild_search_index,
        )
        from learnloop.links.signals import outcome_recorded
        from learnloop.ops.signals import data_replaced

        data_replaced.connect(rebuild_search_index, dispatch_uid="knowledge-search-index")
        post_migrate.connect(rebuild_outdated_search_index, sender=self, dispatch_uid="knowledge-search-format")
        outcome_recorded.connect(outcome_recorded_received, dispatch_uid="knowledge-outcome-recorded")
        register_types()
        register_kinds()  # what its people own, for handing over when they leave (org.ownership)
