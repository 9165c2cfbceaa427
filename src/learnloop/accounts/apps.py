from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "learnloop.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from learnloop.accounts import signals  # noqa: F401  (connects the audit receivers)
