from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "learnloop.web"
    label = "web"
    verbose_name = "Web shell"

    def ready(self):
        from learnloop.web import input_checks

        input_checks.install()
