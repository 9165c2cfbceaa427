"""Demo surveys: the learning-organization diagnostic three times over a year.

Teams start at different levels; three teams pick their weakest dimension as a focus area
after the first campaign (an action each), and those dimensions improve in the next two
campaigns while the rest drift. Everything goes through the services (launch, single-use
links, close), so the demo's reports pass the same disclosure gate as real ones. A private
random generator keeps the surveys the same for a seed without shifting later modules' draws.
"""

import random
from datetime import timedelta

from learnloop.demo.data import load_demo_data
from learnloop.org.models import Membership, Person, TeamKind, TeamRole
from learnloop.surveys import attributes, remeasure, services
from learnloop.surveys.models import Comment, Instrument, Invitation, Response
from learnloop.surveys.tokens import token_for

# Campaigns ask everyone: at `learnloop demo --scale N` they are built once, over all sites.
ORGANIZATION_WIDE = True

# Days before today each campaign opened; each stays open two weeks.
CAMPAIGN_STARTS = (350, 180, 20)
NAMES = ("Learning diagnostic · last year", "Learning diagnostic · mid-year", "Learning diagnostic · now")
# What the latest campaign records with answers, most wanted first; earlier ones record tenure and role.
RECORDED_NOW = ("location", "tenure", "age_band", "employment_type", "role")
FOCUS_TEAMS = 3
# Above this many responses to a campaign (`demo --scale`), they are stored in bulk.
BULK_FROM = 600
RESPONSE_RATE = 0.8
COMMENTS = load_demo_data("learnloop.surveys", "comments.yaml")["comments"]


def build(context) -> None:
    rng = random.Random(f"surveys-{context.seed}")
    services.install_built_in_instruments()
    instrument = Instrument.objects.get(slug="learning-organization")
    dimensions = list(instrument.dimensions.order_by("position").values_list("key", flat=True))
    admin = Person.objects.filter(role="admin", is_active=True).order_by("id").first()
    teams = sorted((team for team in context.teams.values() if team.kind == TeamKind.TEAM), key=lambda t: t.slug)
    # Each team's starting level per dimension, between "weak" and "strong".
    level = {team.pk: {key: rng.uniform(2.4, 3.9) for key in dimensions} for team in teams}
    focus: dict[int, str] = {}
    campaigns = []
    for number, (days_ago, name) in enumerate(zip(CAMPAIGN_STARTS, NAMES, strict=True)):
        opened = context.clock.days_ago(days_ago)
        campaign = services.create_campaign(
            by=admin, name=name, instrument=instrument, opens_on=opened.date(),
            closes_on=(opened + timedelta(days=14)).date(),
        )
        # The latest campaign also records the organization's own attributes (org/demo.py).
        recorded = RECORDED_NOW if number == len(CAMPAIGN_STARTS) - 1 else None
        services.launch_campaign(by=admin, campaign=campaign, at=opened, notify=False, attributes_to_record=recorded)
        _answer(campaign, instrument, level, rng, day=(opened + timedelta(days=3)).date())
        campaign = services.close_campaign(by=admin, campaign=campaign, at=opened + timedelta(days=14))
        campaigns.append(campaign)
        if number == 0:
            focus = _choose_focus(campaign, teams, level, at=opened + timedelta(days=16), admin=admin)
        # Between campaigns: focus dimensions improve, the rest drift a little.
        for team in teams:
            for key in dimensions:
                change = 0.45 if focus.get(team.pk) == key else rng.uniform(-0.15, 0.1)
                level[team.pk][key] = min(4.7, max(1.5, level[team.pk][key] + change))
    context.extra["survey_campaigns"] = campaigns
    accepted = _accept_first_remeasure(context)
    context.announce(f"surveys: re-measures accepted as evidence on {accepted} focus action(s)")
    context.announce(f"surveys: {len(campaigns)} campaigns, focus areas in {len(focus)} teams")


def _answer(campaign, instrument, level, rng, *, day) -> None:
    items = list(instrument.items.exclude(kind__in=("comment", "advice")).select_related("dimension"))
    takes_comments = instrument.items.filter(kind="comment").exists()  # a comment is refused otherwise
    invitations = list(Invitation.objects.filter(campaign=campaign).order_by("pk"))
    submissions = []
    for invitation in invitations:
        if rng.random() > RESPONSE_RATE:
            continue
        team_level = level.get(invitation.team_id)
        answers, own = {}, []
        for item in items:
            if item.dimension is None:
                continue
            mean = team_level[item.dimension.key] if team_level else 3.2
            value = max(1, min(5, round(mean + rng.gauss(0, 0.8))))
            own.append(value)
            answers[item.key] = 6 - value if item.reverse_keyed else value
        # The recommendation follows the person's own experience, so drivers have something to find.
        own_mean = sum(own) / len(own)
        for item in items:
            if item.dimension is None:
                answers[item.key] = max(0, min(10, round((own_mean - 1) * 2.5 + 1.5 + rng.gauss(0, 1.2))))
        comment = rng.choice(COMMENTS) if rng.random() < 0.25 else ""
        submissions.append((invitation, answers, comment if takes_comments else ""))
    if len(submissions) <= BULK_FROM:
        for invitation, answers, comment in submissions:
            services.submit_response(token=token_for(invitation), answers=answers, comment=comment, today=day)
    else:
        _store_in_bulk(campaign, submissions, rng)


def _store_in_bulk(campaign, submissions, rng) -> None:
    """What `services.submit_response` stores for each submission, in one go: each submission
    costs the service up to SHUFFLE_MIX_SIZE row writes, too slow for `demo --scale`'s
    thousands. Same validation and stored record; the rows go in one shuffled insert, which
    hides who answered when as well as the service's mixing does."""
    responses, comments = [], []
    takes_comments = campaign.instrument.items.filter(kind="comment").exists()
    for invitation, answers, comment in submissions:
        clean = services.clean_answers(campaign.instrument, answers)
        team_key, tenure, role = attributes.stored_record(
            campaign.generalization, str(invitation.team_id) if invitation.team_id else "",
            invitation.tenure, invitation.role,
        )
        responses.append(Response(campaign=campaign, team_key=team_key, tenure=tenure, role=role, answers=clean))
        if comment and takes_comments:
            comments.append(Comment(campaign=campaign, team_key=team_key, text=comment))
        invitation.responded, invitation.token_hash = True, None
    rng.shuffle(responses)
    rng.shuffle(comments)
    Response.objects.bulk_create(responses, batch_size=500)
    Comment.objects.bulk_create(comments, batch_size=500)
    Invitation.objects.bulk_update([invitation for invitation, _, _ in submissions], ["responded", "token_hash"],
                                   batch_size=500)


def _accept_first_remeasure(context) -> int:
    """The first focus team's owner takes the mid-year re-measure as the evidence of their check
    (marking the action done); the other focus actions keep their proposals waiting, as on a
    real instance. Whether it "worked" follows the figures the proposal states."""
    from learnloop.actions import services as actions
    from learnloop.actions.models import EvidenceProposal

    proposal = (EvidenceProposal.objects.filter(source_type=remeasure.SOURCE_TYPE, accepted_at__isnull=True)
                .select_related("action", "action__owner").order_by("proposed_at", "pk").first())
    if proposal is None or proposal.action.owner is None:
        return 0
    effect = "worked" if proposal.figures.get("change", 0) > 0 else "did_not_work"
    actions.accept_evidence(by=proposal.action.owner, proposal=proposal, effect=effect,
                            at=proposal.proposed_at + timedelta(days=3))
    return 1


def _choose_focus(campaign, teams, level, *, at, admin) -> dict[int, str]:
    chosen = {}
    for team in teams[:FOCUS_TEAMS]:
        lead = (Membership.objects.filter(team=team, role=TeamRole.FACILITATOR, person__is_active=True)
                .select_related("person").first())
        weakest = min(level[team.pk], key=level[team.pk].get)
        carrier = lead.person if lead else admin
        services.choose_focus_area(
            by=carrier, campaign=campaign, team=team, dimension_key=weakest, owner=carrier,
            due_on=(at + timedelta(days=60)).date(), at=at,
        )
        chosen[team.pk] = weakest
    return chosen
