"""Skill coverage, one metric of the catalogue: the share of a scope's team skill needs met today,
from growth's needs and effective levels; a key result bound to it reads that number."""

from learnloop.analytics import learning_metrics as catalogue
from learnloop.growth.models import Rating, Skill, SkillCategory, TeamSkillNeed
from learnloop.strategy import services


def test_the_definition_on_hand_built_numbers():
    needs = [catalogue.SkillNeedFacts(people=2, have=2), catalogue.SkillNeedFacts(people=2, have=1),
             catalogue.SkillNeedFacts(people=1, have=3)]
    value = catalogue.skill_coverage(needs)
    assert (value.value, value.numerator, value.denominator) == (2 / 3, 2, 3)
    assert catalogue.skill_coverage([]).value is None  # no needs: missing, not 0


def test_a_key_result_bound_to_skill_coverage_reads_the_needs(org):
    category = SkillCategory.objects.create(name="Engineering")
    kotlin, incidents = (Skill.objects.create(name=name, category=category) for name in ("Kotlin", "Incidents"))
    TeamSkillNeed.objects.create(team=org.crew, skill=kotlin, level=3, people=2)
    TeamSkillNeed.objects.create(team=org.crew, skill=incidents, level=4, people=1)
    TeamSkillNeed.objects.create(team=org.other, skill=kotlin, level=2, people=1)

    def rate(person, skill, level, role="self"):
        Rating.objects.create(person=person, skill=skill, rater=person if role == "self" else org.facilitator,
                              role=role, level=level)

    rate(org.members[0], kotlin, 4)
    rate(org.members[1], kotlin, 3)
    # The manager's rating wins over the self rating: level 2 is below the need's 4.
    rate(org.members[2], incidents, 5)
    rate(org.members[2], incidents, 2, role="manager")

    objective = services.create_objective(by=org.facilitator, title="Skills", team=org.crew, starts_on=org.today,
                                          ends_on=org.today)
    crew_kr = services.add_key_result(by=org.facilitator, objective=objective, title="Needs met", target=1,
                                      metric_key="skill_coverage")
    # Crew: Kotlin met (2 of 2), Incidents not (0 of 1) → 1 of 2.
    value = crew_kr.values.get()
    assert (value.value, value.numerator, value.denominator) == (0.5, 1, 2)

    department = services.create_objective(by=org.lead, title="Dept skills", team=org.department,
                                           starts_on=org.today, ends_on=org.today)
    dept_kr = services.add_key_result(by=org.lead, objective=department, title="Needs met", target=1,
                                      metric_key="skill_coverage")
    # The department counts each team's needs in its own team: Other's Kotlin need has nobody → 1 of 3.
    value = dept_kr.values.get()
    assert (value.numerator, value.denominator) == (1, 3)

    rate(org.outsider, kotlin, 2)
    rate(org.members[3], incidents, 4, role="manager")
    services.refresh(dept_kr)
    assert dept_kr.values.get().numerator == 3
