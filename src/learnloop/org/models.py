"""People, teams and the organization they belong to.

A person is one row: the account used to sign in and the profile others see. Anyone who has
authored content is deactivated, never deleted (content points at people with PROTECT).
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    """The one organization this instance serves (a singleton row, id 1)."""

    MINIMUM_ANONYMITY_THRESHOLD = 3

    name = models.CharField(max_length=200, default="Our organization")
    # k: the smallest group any aggregate over people is shown for (see PRODUCT.md).
    anonymity_threshold = models.PositiveSmallIntegerField(default=5)
    # Set by `learnloop demo`; the demo generator refuses to touch an organization without it.
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="organization_is_singleton"),
            models.CheckConstraint(condition=Q(anonymity_threshold__gte=3), name="anonymity_threshold_at_least_3"),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def current(cls) -> "Organization":
        organization, _ = cls.objects.get_or_create(id=1)
        return organization


class OrgRole(models.TextChoices):
    MEMBER = "member", _("Member")
    LEARNING_LEAD = "learning_lead", _("Learning lead")
    ADMIN = "admin", _("Admin")


class TeamRole(models.TextChoices):
    MEMBER = "member", _("Member")
    FACILITATOR = "facilitator", _("Facilitator / team lead")


class PersonManager(BaseUserManager):
    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **fields):
        person = self.model(email=normalize_email(email), **fields)
        person.set_password(password)
        person.save(using=self._db)
        return person


def normalize_email(email: str) -> str:
    # Addresses are compared case-insensitively everywhere; storing them lowercased keeps the
    # unique constraint, imports and sign-in in agreement.
    return (email or "").strip().lower()


class Person(AbstractBaseUser):
    # Stored lowercased; the case-insensitive constraint below also guards raw writes.
    email = models.EmailField(max_length=254, unique=True)
    full_name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    manager = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    role = models.CharField(max_length=20, choices=OrgRole.choices, default=OrgRole.MEMBER)
    is_active = models.BooleanField(default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # A code from settings.LANGUAGES, or "" for the browser's choice (learnloop.web.language).
    language = models.CharField(max_length=10, blank=True, default="")

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = PersonManager()

    class Meta:
        ordering = ["full_name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="person_email_unique_ci"),
            models.CheckConstraint(condition=~Q(manager=F("id")), name="person_not_own_manager"),
            models.CheckConstraint(
                condition=Q(is_active=True, deactivated_at__isnull=True)
                | Q(is_active=False, deactivated_at__isnull=False),
                name="person_deactivation_recorded",
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def check_password(self, raw_password):
        # Django upgrades an outdated hash on sign-in by saving it; when the database can't be
        # written (learnloop.ops.storage) the upgrade waits for a later sign-in instead of
        # failing this one.
        from django.contrib.auth.hashers import check_password
        from django.db import DatabaseError, transaction

        from learnloop.ops import storage

        def upgrade(raw):
            stored = self.password
            self.set_password(raw)
            self._password = None
            try:
                with transaction.atomic():
                    self.save(update_fields=["password"])
            except DatabaseError as error:
                if storage.note_failure(error) is None:
                    raise
                # Keep what is stored: the session's auth hash is derived from it.
                self.password = stored

        return check_password(raw_password, self.password, upgrade)

    @property
    def is_admin(self) -> bool:
        return self.is_active and self.role == OrgRole.ADMIN

    @property
    def is_learning_lead(self) -> bool:
        return self.is_active and self.role in {OrgRole.LEARNING_LEAD, OrgRole.ADMIN}


class TeamKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")


class Team(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    kind = models.CharField(max_length=20, choices=TeamKind.choices, default=TeamKind.TEAM)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    description = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="team_name_unique_ci"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="team_not_own_parent"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Membership(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=TeamRole.choices, default=TeamRole.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["team__name", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "team"], name="one_membership_per_team"),
        ]

    def __str__(self):
        return f"{self.person} in {self.team} ({self.get_role_display()})"


class Invitation(models.Model):
    """A single-use, expiring link that lets someone create their account."""

    email = models.EmailField(max_length=254)
    full_name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=OrgRole.choices, default=OrgRole.MEMBER)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    team_role = models.CharField(max_length=20, choices=TeamRole.choices, default=TeamRole.MEMBER)
    # Only a hash is kept: a database leak must not hand out working invitation links.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.email}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class PersonAttribute(models.Model):
    """Something the organization records about people, such as location or age band, defined by admins.

    Sensitive: only admins see a person's value. Surveys may record it with answers, generalized
    so that no stored combination singles anyone out (docs/surveys.md). `ordered` attributes
    (bands such as age) may merge adjacent values when generalized; unordered ones are kept or
    dropped as a whole.
    """

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    # The allowed values, in their order (the order matters when `ordered`).
    values = models.JSONField(default=list)
    ordered = models.BooleanField(default=False)
    # Where it sits among the organization's attributes: reports and survey launch list them so,
    # and survey generalization gives up later ones first.
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "key"]

    def __str__(self):
        return self.name


class PersonAttributeValue(models.Model):
    """One person's value of one attribute; no row means "not recorded"."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attribute_values")
    attribute = models.ForeignKey(PersonAttribute, on_delete=models.CASCADE, related_name="person_values")
    value = models.CharField(max_length=80)

    class Meta:
        ordering = ["attribute", "person"]
        constraints = [
            models.UniqueConstraint(fields=["person", "attribute"], name="one_value_per_person_attribute"),
        ]

    def __str__(self):
        return f"{self.attribute.key} of person {self.person_id}"
