"""Which person an OpenID Connect identity (issuer + subject) signs in as."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class OidcIdentity(models.Model):
    """Made at the first sign-in through a provider, by a verified email or a new account.

    Later sign-ins find the person by the provider's stable subject, so an address changed or
    reused at the provider never moves the sign-in to someone else.
    """

    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="one_person_per_oidc_subject")]

    def __str__(self):
        return f"{self.subject} at {self.issuer}"
