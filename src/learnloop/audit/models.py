"""Security events: who did what to accounts, roles, tokens and data, from where and when."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOGIN_THROTTLED = "login_throttled", _("Sign-in limit reached: attempts delayed")
    LOGIN_SECOND_FACTOR_FAILED = "login_second_factor_failed", _("Wrong second-factor code")
    TWO_FACTOR_ENABLED = "two_factor_enabled", _("Authenticator set up")
    TWO_FACTOR_DISABLED = "two_factor_disabled", _("Authenticator removed")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    LOGOUT = "logout", _("Signed out")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
    PASSWORD_RESET_DONE = "password_reset_done", _("Password reset completed")
    ROLE_CHANGED = "role_changed", _("Role changed")
    PERSON_CREATED = "person_created", _("Person created")
    PERSON_DEACTIVATED = "person_deactivated", _("Person deactivated")
    PERSON_REACTIVATED = "person_reactivated", _("Person reactivated")
    PERSON_DELETED = "person_deleted", _("Person deleted")
    OWNERSHIP_HANDED_OVER = "ownership_handed_over", _("Ownership handed over")
    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
    INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    IMPORT = "import", _("Bulk import")
    EXPORT = "export", _("Data exported")
    BACKUP = "backup", _("Backup made")
    RESTORE = "restore", _("Backup restored")


class AuditEvent(models.Model):
    kind = models.CharField(max_length=40, choices=AuditKind.choices)
    # The actor row may be deleted later (people who never authored anything can be); the
    # label keeps the log readable when that happens.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    target = models.CharField(max_length=254, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} {self.actor_label}"
