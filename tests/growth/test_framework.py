import json

import pytest
from django.core.exceptions import PermissionDenied

from learnloop.growth import services, transfer
from learnloop.growth.models import Goal, Rating, Skill, SkillStatus, TeamSkillNeed


def test_starter_framework_loads_about_forty_skills_with_five_levels(learning_lead):
    result = transfer.load_starter(by=learning_lead)
    assert result.created == Skill.objects.count()
    assert 38 <= result.created <= 45
    incident = Skill.objects.get(name="Incident response")
    assert incident.max_level == 5
    assert incident.level_descriptors[3].startswith("Incident commander")
    assert "on-call" in incident.match_terms()
    # loading again changes nothing
    again = transfer.load_starter(by=learning_lead)
    assert (again.created, again.updated) == (0, 0)


def test_csv_and_json_round_trip(learning_lead, incident, testing):
    csv_text = transfer.export_csv()
    json_text = transfer.export_json()
    assert csv_text.splitlines()[0].startswith("category,name,description,aliases,team,status,level_1")
    rows = json.loads(json_text)["skills"]
    assert [r["name"] for r in rows] == ["Automated testing", "Incident response"]
    assert transfer.import_rows(by=learning_lead, rows=transfer.parse_csv(csv_text)).unchanged == 2
    assert transfer.import_rows(by=learning_lead, rows=transfer.parse_json(json_text)).unchanged == 2


def test_import_is_all_or_nothing_with_every_rows_errors(learning_lead, incident):
    text = ("category,name,description,team\n"
            "Ops,Forklift driving,Moving pallets,\n"
            ",No category,,\n"
            "Ops,Forklift driving,again,\n"
            "Ops,Routing,,no-such-team\n")
    with pytest.raises(transfer.ImportRejected) as rejected:
        transfer.import_rows(by=learning_lead, rows=transfer.parse_csv(text))
    rows = [n for n, _ in rejected.value.row_errors]
    assert rows == [2, 3, 4]
    assert "category is missing" in rejected.value.row_errors[0][1]
    assert "appears twice" in rejected.value.row_errors[1][1]
    assert "no team with the slug no-such-team" in rejected.value.row_errors[2][1]
    assert not Skill.objects.filter(name="Forklift driving").exists()


def test_import_updates_existing_skill_by_name_and_keeps_history(learning_lead, incident):
    rows = [{"category": "Operations", "name": "incident RESPONSE", "description": "Handling outages",
             "aliases": ["outage"], "levels": ["a", "b", "c"]}]
    result = transfer.import_rows(by=learning_lead, rows=rows)
    assert (result.created, result.updated) == (0, 1)
    incident.refresh_from_db()
    assert incident.max_level == 3 and incident.aliases == "outage"
    assert [e.verb for e in incident.events.all()] == ["created", "changed"]


def test_bad_json_and_bad_header_are_refused(learning_lead):
    with pytest.raises(transfer.ImportRejected, match="not valid JSON"):
        transfer.parse_json("{")
    with pytest.raises(transfer.ImportRejected, match="Unknown columns"):
        transfer.parse_csv("category,name,colour\nA,B,red\n")


def test_members_cannot_import_or_edit(ana, incident):
    with pytest.raises(PermissionDenied):
        transfer.import_rows(by=ana, rows=[{"category": "A", "name": "B"}])
    with pytest.raises(PermissionDenied):
        services.retire_skill(by=ana, skill=incident)


def test_merge_moves_ratings_needs_goals_and_keeps_the_merged_skill(learning_lead, lead, team, ana, category,
                                                                   incident):
    oncall = services.create_skill(by=learning_lead, name="On-call duty", category=category, aliases="pager")
    services.rate(by=ana, person=ana, skill=oncall, level=2)
    services.set_need(by=lead, team=team, skill=oncall, level=4, people=3)
    services.set_need(by=lead, team=team, skill=incident, level=3, people=2)
    plan = services.create_plan(by=ana, person=ana, title="Grow")
    services.add_goal(by=ana, plan=plan, skill=oncall, target_level=3)

    services.merge_skill(by=learning_lead, skill=oncall, into=incident)

    oncall.refresh_from_db()
    assert oncall.status == SkillStatus.MERGED and oncall.merged_into == incident
    assert Rating.objects.get(person=ana).skill == incident
    need = TeamSkillNeed.objects.get(team=team)
    assert (need.skill, need.level, need.people) == (incident, 4, 3)  # the stricter need survives
    assert Goal.objects.get().skill == incident
    incident.refresh_from_db()
    assert "pager" in incident.match_terms() and "on-call duty" in incident.match_terms()
    assert [e.verb for e in oncall.events.all()] == ["created", "merged"]


def test_retired_skill_keeps_ratings_but_takes_no_new_ones(learning_lead, ana, incident):
    services.rate(by=ana, person=ana, skill=incident, level=3)
    services.retire_skill(by=learning_lead, skill=incident, reason="Folded into operations")
    assert Rating.objects.filter(skill=incident).count() == 1
    with pytest.raises(Exception, match="retired"):
        services.rate(by=ana, person=ana, skill=incident, level=4)
    services.restore_skill(by=learning_lead, skill=incident)
    assert [e.verb for e in incident.events.all()] == ["created", "retired", "restored"]
