"""What SCIM provisioning keeps: its bearer tokens and the identity provider's own ids."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ProvisioningToken(models.Model):
    """A bearer token for /scim/v2 only: it can create, change and deactivate people and teams,
    nothing else (a personal API token never works there, nor this one on /api/v1). It acts as
    the admin who made it, so the audit log says whose token did what; it stops working when
    that person is no longer an active admin. Only a hash is stored."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class ExternalId(models.Model):
    """The identity provider's `externalId` of a person or a team, echoed back as SCIM asks."""

    kind = models.CharField(max_length=10, choices=[("user", "User"), ("group", "Group")])
    object_id = models.BigIntegerField()
    external_id = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="one_external_id_per_object")]

    def __str__(self):
        return f"{self.kind} {self.object_id} = {self.external_id}"
