"""Personal API tokens. Only a SHA-256 hash of each token is stored."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    # The first characters of the token, shown so people can tell their tokens apart.
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class LoginCounter(models.Model):
    """Failed sign-in (or second-factor) attempts counted for one limit and one key.

    The key is an HMAC of the account and/or client address, so this table holds no readable
    address or email; rows are forgotten after LOGIN_FAILURE_WINDOW_SECONDS without a failure.
    Attempts are charged here inside a row-locked transaction *before* the password is checked,
    which is what keeps parallel guesses from overrunning the limit.
    """

    scope = models.CharField(max_length=20)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    blocked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="login_counter_scope_key")]

    def __str__(self):
        return f"{self.scope} {self.key[:8]}… {self.failures}"


class TotpDevice(models.Model):
    """A confirmed authenticator app (RFC 6238 TOTP) for a person's second sign-in step."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device")
    # Base32, as authenticator apps take it. It has to be readable to check codes; backups
    # carry it, so a restored backup keeps people's authenticators working.
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(default=timezone.now)
    # The last time step a code was accepted for: a code works once, even within its 30 s.
    last_used_step = models.BigIntegerField(default=0)

    def __str__(self):
        return f"authenticator of {self.person_id}"


class RecoveryCode(models.Model):
    """One-time codes for signing in without the authenticator; only their SHA-256 is stored."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"recovery code of {self.person_id}"
