"""Survey instruments, campaigns, who was invited, and what was answered — kept apart.

Who responded (`Invitation.responded`) and what they answered (`Response`, `Comment`) live in
separate tables with nothing in common: responses have random ids, no timestamps, no person
and no invitation; they carry the campaign and the coarse attributes snapshotted at launch
(team, tenure band, role, and any organization attributes the campaign records) as generalized
then so that every stored combination is shared by at least k invitees, which is all the
reports can cut by. See docs/surveys.md.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Barrier(models.TextChoices):
    """The barriers to learning the seed names; weak dimensions point at one of them."""

    FEAR_OF_FAILURE = "fear_of_failure", _("Cultural inertia and fear of failure")
    LEADERSHIP_SUPPORT = "leadership_support", _("Lack of leadership support")
    SILOS = "silos", _("Silos and knowledge hoarding")
    TIME_AND_RESOURCES = "time_and_resources", _("Lack of time and resources")


class Instrument(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=5)
    # The answer labels from scale_min up, e.g. ["Strongly disagree", ..., "Strongly agree"].
    labels = models.JSONField(default=list)
    # The YAML it was imported from (after edits), so it can be exported and edited as text.
    source = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(scale_max__gt=models.F("scale_min")), name="scale_range")]

    def __str__(self):
        return self.name


class Dimension(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="dimensions")
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    barrier = models.CharField(max_length=40, choices=Barrier.choices, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["instrument", "position"]
        constraints = [models.UniqueConstraint(fields=["instrument", "key"], name="dimension_key_per_instrument")]

    def __str__(self):
        return self.name


class ItemKind(models.TextChoices):
    LIKERT = "likert", _("Agreement scale")
    OUTCOME = "outcome", _("Recommendation (0–10)")
    COMMENT = "comment", _("Open comment")
    # A name generator ("whom do you go to for advice about X?"): NOT anonymous, answered apart
    # from the anonymous response, with consent, by a signed-in invitee (AdviceTie, surveys/advice.py).
    ADVICE = "advice", _("Whom do you go to for advice (named, optional)")


class Item(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    dimension = models.ForeignKey(Dimension, null=True, blank=True, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(max_length=60)
    kind = models.CharField(max_length=20, choices=ItemKind.choices, default=ItemKind.LIKERT)
    text = models.CharField(max_length=400)
    reverse_keyed = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["instrument", "position"]
        constraints = [models.UniqueConstraint(fields=["instrument", "key"], name="item_key_per_instrument")]

    def __str__(self):
        return self.text


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    # Answers have stopped; the disclosure decision runs on the task queue (surveys/release.py)
    # and nothing of the results is shown until it is stored.
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")


class Campaign(models.Model):
    name = models.CharField(max_length=200)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="campaigns")
    # Empty teams with whole_organization=False is refused by the service.
    whole_organization = models.BooleanField(default=True)
    teams = models.ManyToManyField("org.Team", blank=True, related_name="+")
    opens_on = models.DateField()
    closes_on = models.DateField()
    status = models.CharField(max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    # k at launch: the campaign keeps the threshold it was launched with.
    threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    # Team paths at launch, {team id: [department name, team name]}: the cuts are fixed then.
    hierarchy = models.JSONField(default=dict, blank=True)
    # How invitees' team and attributes are generalized before they are stored with answers, fixed
    # at launch so every stored combination covers at least k invitees (see attributes.py).
    generalization = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey("org.Person", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    launched_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The disclosure decisions, computed once when the campaign closes (answers no longer change).
    release = models.JSONField(null=True, blank=True)
    # sha256 of the stored release: cached report figures are keyed by it, so no process can show
    # figures of another release (see reports.py).
    release_digest = models.CharField(max_length=64, blank=True)
    # While closing: the queued decision (a task result id, to tell "waiting for a worker" from
    # "deciding") and the step it has reached, {"step": ..., "done": n, "total": m}.
    release_task_id = models.CharField(max_length=64, blank=True)
    release_progress = models.JSONField(default=dict, blank=True)
    # Set in the transaction that re-stores the responses' attributes over who answered, so a
    # decision that is run again (after a crash) never generalizes them twice.
    responses_regeneralized = models.BooleanField(default=False)

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="campaign_dates")]

    def __str__(self):
        return self.name


class Invitation(models.Model):
    """Who was asked and whether they have answered — never what they answered."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    # The team and coarse attributes at launch; the response stores them as the campaign's
    # generalization maps them (a broader team or band, or "not recorded").
    team = models.ForeignKey("org.Team", null=True, on_delete=models.SET_NULL, related_name="+")
    tenure = models.CharField(max_length=20)
    role = models.CharField(max_length=20)
    # The organization's attributes the campaign records, {key: value} at launch (absent: not recorded).
    attributes = models.JSONField(default=dict, blank=True)
    # Only a hash: a database leak must not hand out working links. Cleared once used.
    token_hash = models.CharField(max_length=64, unique=True, null=True)  # noqa: DJ001 (NULL: many used ones)
    # A flag, not a time: a response time could be matched against the response rows' storage.
    responded = models.BooleanField(default=False)
    invited_on = models.DateField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "person__full_name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "person"], name="one_invitation_per_person")]

    def __str__(self):
        return f"Invitation to {self.campaign_id}"


class Response(models.Model):
    """One person's answers, without the person: random id, no time, coarse attributes only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    # The team at launch, as its key in Campaign.hierarchy ("" for no team). Not a foreign key:
    # deleting a team later must not move answers between the groups the gate audited.
    team_key = models.CharField(max_length=20, blank=True)
    # "not recorded" when the campaign doesn't record them (or generalization dropped them).
    tenure = models.CharField(max_length=20)
    role = models.CharField(max_length=20)
    # The organization's attributes the campaign records, {key: stored value}, generalized like the
    # columns above (a JSON field, so a new attribute needs no migration).
    attributes = models.JSONField(default=dict, blank=True)
    # {item key: answer} for the scale and outcome items; every one is answered.
    answers = models.JSONField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return "A response"  # never anything that could identify it


class Comment(models.Model):
    """An open comment, stored apart from the answers so it can't be tied to a response either."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="comments")
    team_key = models.CharField(max_length=20, blank=True)
    text = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return "A comment"


class FocusArea(models.Model):
    """A dimension a team chose to work on after a campaign, with the action that carries it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="focus_areas")
    team = models.ForeignKey("org.Team", on_delete=models.CASCADE, related_name="+")
    dimension_key = models.SlugField(max_length=60)
    dimension_name = models.CharField(max_length=200)
    action = models.ForeignKey("actions.Action", null=True, on_delete=models.SET_NULL, related_name="+")
    # Who carries it (and owns its action). Required on create; null only on focus areas chosen
    # before owners existed.
    owner = models.ForeignKey("org.Person", null=True, on_delete=models.PROTECT, related_name="+")
    chosen_by = models.ForeignKey("org.Person", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "team", "dimension_key"], name="one_focus_per_dimension"),
        ]

    def __str__(self):
        return f"{self.dimension_name} for team {self.team_id}"


class Remeasure(models.Model):
    """A later campaign's figure for a focus area's dimension and team, beside the figure it was
    chosen from: stored only when the disclosure decision released that team in both campaigns
    (see remeasure.py). Means on the instrument's scale."""

    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="remeasures")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    before = models.FloatField()
    after = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["focus_area", "campaign__opens_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["focus_area", "campaign"], name="one_remeasure_per_campaign"),
        ]

    def __str__(self):
        return f"{self.focus_area}: {self.before:.2f} → {self.after:.2f}"

    @property
    def change(self) -> float:
        return self.after - self.before


class AdviceTie(models.Model):
    """One colleague a respondent named in a name-generator question ("whom do you go to for advice
    about X?"). Named on purpose, and so kept apart from the anonymous Response rows: written in
    its own request by the signed-in invitee after they agreed to it, never in the transaction
    that stores their anonymous answers. Who may see what: docs/surveys.md#named-advice-questions;
    the knowledge-flow network reads these rows only as team-level aggregates of at least k
    respondents (learnloop.network)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="advice_ties")
    item_key = models.SlugField(max_length=60)
    respondent = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    adviser = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    # The day the respondent agreed and answered: the network dates the tie by it.
    answered_on = models.DateField()

    class Meta:
        ordering = ["campaign", "item_key", "respondent", "adviser"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "item_key", "respondent", "adviser"], name="advice_tie_once"),
            models.CheckConstraint(condition=~Q(respondent=models.F("adviser")), name="advice_tie_not_self"),
        ]

    def __str__(self):
        return "An advice tie"  # never the names: this row is for the network's aggregates
