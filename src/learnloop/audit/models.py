"""Security events: who did what to accounts, roles, tokens and data, from where and when."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditKind(models.TextChoices):
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    LOGIN_THROTTLED = "login_throttled", "Sign-in limit reached: attempts delayed"
    LOGIN_SECOND_FACTOR_FAILED = "login_second_factor_failed", "Wrong second-factor code"
    TWO_FACTOR_ENABLED = "two_factor_enabled", "Authenticator set up"
    TWO_FACTOR_DISABLED = "two_factor_disabled", "Authenticator removed"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
    LOGOUT = "logout", "Signed out"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested", "Password reset requested"
    PASSWORD_RESET_DONE = "password_reset_done", "Password reset completed"
    ROLE_CHANGED = "role_changed", "Role changed"
    PERSON_CREATED = "person_created", "Person created"
    PERSON_DEACTIVATED = "person_deactivated", "Person deactivated"
    PERSON_REACTIVATED = "person_reactivated", "Person reactivated"
    PERSON_DELETED = "person_deleted", "Person deleted"
    OWNERSHIP_HANDED_OVER = "ownership_handed_over", "Ownership handed over"
    INVITATION_SENT = "invitation_sent", "Invitation sent"
    INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
    INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
    TOKEN_CREATED = "token_created", "API token created"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    IMPORT = "import", "Bulk import"
    EXPORT = "export", "Data exported"
    BACKUP = "backup", "Backup made"
    RESTORE = "restore", "Backup restored"


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
