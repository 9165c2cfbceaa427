"""SAML sign-in's records: who an identity provider's subject signs in as, the requests sent to it
and the assertions already used (so none can be played twice)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SamlIdentity(models.Model):
    """Made at the first sign-in with a persistent NameID; later sign-ins find the person by it, so
    an address changed or reused at the identity provider never moves the sign-in to someone else."""

    idp_entity_id = models.CharField(max_length=300)
    name_id = models.CharField(max_length=255)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idp_entity_id", "name_id"], name="one_person_per_saml_name_id"),
        ]

    def __str__(self):
        return f"{self.name_id} at {self.idp_entity_id}"


class SamlRequest(models.Model):
    """An AuthnRequest sent to the identity provider, until its response comes back (once).

    Kept here rather than in the browser's session: the response arrives as a cross-site POST,
    which carries no SameSite=Lax session cookie.
    """

    request_id = models.CharField(max_length=100, unique=True)
    next_url = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.request_id


class SamlAssertionUse(models.Model):
    """An assertion that signed someone in; the same ID again is a replay. Kept until it expires."""

    idp_entity_id = models.CharField(max_length=300)
    assertion_id = models.CharField(max_length=255)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idp_entity_id", "assertion_id"], name="saml_assertion_used_once"),
        ]

    def __str__(self):
        return f"{self.assertion_id} from {self.idp_entity_id}"
