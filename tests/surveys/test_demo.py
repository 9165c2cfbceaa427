"""The demo's surveys: three campaigns over a year, differing by team, improving where teams acted."""

import pytest
from django.core.management import call_command

from learnloop.actions.models import Action, EvidenceProposal
from learnloop.demo import build_demo
from learnloop.surveys import reports
from learnloop.surveys.disclosure_gate import GroupKey
from learnloop.surveys.models import Campaign, CampaignStatus, FocusArea, Remeasure

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            context = build_demo(seed=42, only=("org", "surveys"))
            admin = next(person for person in context.people if person.is_admin)
            campaigns = list(Campaign.objects.order_by("opens_on"))
            focus = list(FocusArea.objects.select_related("team"))
            changes, other_changes, team_means = [], [], {}
            for area in focus:
                key = GroupKey(str(area.team_id))
                first = reports.CampaignReport(campaigns[0], admin).group(key)
                last = reports.CampaignReport(campaigns[-1], admin).group(key)
                if first and last:
                    before = {score.key: score.mean for score in first.scores}
                    after = {score.key: score.mean for score in last.scores}
                    changes.append(after[area.dimension_key] - before[area.dimension_key])
                    other_changes += [after[k] - before[k] for k in before if k != area.dimension_key]
            heat = reports.CampaignReport(campaigns[0], admin).heatmap()
            for row in heat["rows"]:
                team_means[row["label"]] = [cell["mean"] for cell in row["cells"] if cell]
            facts = {
                "campaigns": [(c.name, c.status, c.responses.count(), c.invitations.count()) for c in campaigns],
                "focus": [(area.dimension_key, area.action_id) for area in focus],
                "actions": Action.objects.filter(source_type="surveys.focus_area").count(),
                "changes": changes, "other_changes": other_changes, "rows": len(heat["rows"]),
                "team_means": team_means,
                "proposals": [(proposal.accepted_at is not None, proposal.action.status, proposal.figures["change"])
                              for proposal in EvidenceProposal.objects.select_related("action")],
                "remeasures": Remeasure.objects.count(),
            }
        finally:
            call_command("flush", interactive=False, verbosity=0)
    return facts


def test_three_closed_campaigns_over_a_year(demo):
    assert len(demo["campaigns"]) == 3
    for _, status, responses, invited in demo["campaigns"]:
        assert status == CampaignStatus.CLOSED
        assert 0.6 * invited <= responses <= invited


def test_focus_areas_became_actions_and_improved(demo):
    assert len(demo["focus"]) == 3 and demo["actions"] == 3
    assert demo["changes"], "the focus teams' results must be shown"
    assert min(demo["changes"]) > 0.3
    assert sum(demo["other_changes"]) / len(demo["other_changes"]) < min(demo["changes"])


def test_teams_differ(demo):
    assert demo["rows"] > 5
    means = [sum(values) / len(values) for values in demo["team_means"].values()]
    assert max(means) - min(means) > 0.2


def test_later_campaigns_proposed_their_re_measures_and_one_was_accepted(demo):
    # Three focus areas, two later campaigns: a proposal per released team and campaign.
    assert len(demo["proposals"]) == demo["remeasures"] >= 3
    accepted = [proposal for proposal in demo["proposals"] if proposal[0]]
    assert len(accepted) == 1 and accepted[0][1] == "done"
    assert all(change > 0 for _, _, change in demo["proposals"])  # the focus dimensions rose
