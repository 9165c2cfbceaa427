"""Demo people and teams: Harbourline, a logistics software company of about 150 people.

Four departments, twelve teams, a reporting line from the CEO down, believable titles, a
learning lead, an admin, a few people who left (deactivated) and one pending invitation.
Names, departments and teams are data: demo_data/organization.yaml.
"""

import random
from datetime import timedelta

from learnloop.accounts.tokens import hash_secret
from learnloop.demo.data import load_demo_data
from learnloop.org.attribute_services import create_attribute
from learnloop.org.models import (
    Invitation,
    Membership,
    Organization,
    OrgRole,
    Person,
    PersonAttributeValue,
    Team,
    TeamKind,
    TeamRole,
)

DOMAIN = "harbourline.example"

_ORGANIZATION = load_demo_data("learnloop.org", "organization.yaml")  # names, departments, teams
FIRST_NAMES, LAST_NAMES = _ORGANIZATION["first_names"], _ORGANIZATION["last_names"]
# (department, head title, [(team, description, lead title, [(member title, weight)])])
STRUCTURE = [
    (department["name"], department["head"], [
        (team["name"], team["description"], team["lead"], list(team["titles"].items()))
        for team in department["teams"]
    ])
    for department in _ORGANIZATION["departments"]
]
# Team sizes (including the lead). With the CEO, the admin and the four department heads the
# organization has 150 people.
TEAM_SIZES = [team["size"] for department in _ORGANIZATION["departments"] for team in department["teams"]]


def _name_generator(rng):
    used = set()
    while True:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name not in used:
            used.add(name)
            yield name


def _email(full_name: str, taken: set[str]) -> str:
    first, _, last = full_name.partition(" ")
    base = f"{first}.{last}".lower()
    for source, target in {"é": "e", "í": "i", "á": "a", "ö": "o", "ó": "o", " ": "", "ü": "u", "ã": "a"}.items():
        base = base.replace(source, target)
    email, number = f"{base}@{DOMAIN}", 2
    while email in taken:
        email = f"{base}{number}@{DOMAIN}"
        number += 1
    taken.add(email)
    return email


def build(context) -> None:
    rng = context.rng
    organization = Organization.current()
    organization.name = "Harbourline"
    organization.is_demo = True
    organization.anonymity_threshold = 5
    organization.created_at = context.clock.days_ago(6 * 365)
    organization.save()
    context.organization = organization

    names = _name_generator(rng)
    emails: set[str] = set()
    people: list[Person] = []

    def person(title: str, manager=None, role=OrgRole.MEMBER, name=None, email=None, joined_days_ago=None):
        full_name = name or next(names)
        joined = joined_days_ago if joined_days_ago is not None else rng.randint(30, 6 * 365)
        new = Person(
            email=email or _email(full_name, emails),
            full_name=full_name,
            title=title,
            manager=manager,
            role=role,
            password=context.password_hash,
            date_joined=context.clock.days_ago(joined),
        )
        if email:
            emails.add(email)
        new.save()
        people.append(new)
        return new

    ceo = person("Chief Executive Officer", name="Helena Marsh", joined_days_ago=6 * 365)
    admin = person(
        "IT & Security Administrator", manager=None, role=OrgRole.ADMIN,
        name="Sam Okoro", email=f"admin@{DOMAIN}", joined_days_ago=4 * 365,
    )

    teams: dict[str, Team] = {}
    size_iterator = iter(TEAM_SIZES)
    learning_lead = None
    member_login = None
    for department_name, head_title, team_specs in STRUCTURE:
        department = Team.objects.create(
            name=department_name, slug=_slug(department_name), kind=TeamKind.DEPARTMENT,
            description=f"The {department_name} department.", created_at=organization.created_at,
        )
        teams[department.slug] = department
        head = person(head_title, manager=ceo)
        Membership.objects.create(person=head, team=department, role=TeamRole.FACILITATOR)
        for team_name, description, lead_title, member_titles in team_specs:
            team = Team.objects.create(
                name=team_name, slug=_slug(team_name), kind=TeamKind.TEAM, parent=department,
                description=description,
                created_at=organization.created_at + timedelta(days=rng.randint(0, 4 * 365)),
            )
            teams[team.slug] = team
            lead = person(lead_title, manager=head)
            Membership.objects.create(person=lead, team=team, role=TeamRole.FACILITATOR)
            titles = [title for title, weight in member_titles for _ in range(weight)]
            for index in range(next(size_iterator) - 1):
                title = titles[index % len(titles)]
                role = OrgRole.MEMBER
                if title == "Learning & Development Specialist" and learning_lead is None:
                    role = OrgRole.LEARNING_LEAD
                member = person(title, manager=lead, role=role)
                Membership.objects.create(person=member, team=team, role=TeamRole.MEMBER)
                if role == OrgRole.LEARNING_LEAD:
                    learning_lead = member
                if member_login is None and team_name == "Payments" and title == "Software Engineer":
                    member_login = member
    # The admin sits in People Operations' department without leading anything.
    Membership.objects.create(person=admin, team=teams["people-finance"], role=TeamRole.MEMBER)
    admin.manager = next(p for p in people if p.title == "Chief Operating Officer")
    admin.save(update_fields=["manager"])

    # A few people who helped write the organization's history and then left.
    leaf_members = [
        p for p in people
        if p.role == OrgRole.MEMBER and p is not member_login and not p.reports.exists()
    ]
    leavers = rng.sample(leaf_members, 4)
    for leaver in leavers:
        leaver.is_active = False
        leaver.deactivated_at = context.clock.days_ago(rng.randint(20, 300))
        leaver.save(update_fields=["is_active", "deactivated_at"])

    Invitation.objects.create(
        email=f"new.hire@{DOMAIN}", full_name="Robin Achterberg", title="Software Engineer",
        team=teams["platform"], token_hash=hash_secret(f"demo-invitation-{context.seed}"),
        invited_by=admin, created_at=context.clock.days_ago(1),
        expires_at=context.clock.days_ago(-6),
    )

    _define_attributes(context, admin, people, teams)
    _choose_languages(people, exclude={admin, learning_lead, member_login})
    context.people = people
    context.teams = teams
    context.logins = [
        ("admin", admin),
        ("learning lead", learning_lead),
        ("team lead", next(p for p in people if p.title == "Engineering Manager, Payments")),
        ("member", member_login),
    ]


def _choose_languages(people, *, exclude) -> None:
    """Most of the Hamburg office reads Learnloop in German (their own choice on the profile); the
    rest follow their browser. Drawn from the attributes already stored, not from the demo's random
    stream, so nothing else in the demo moves. The printed logins stay in English."""
    in_hamburg = set(PersonAttributeValue.objects.filter(
        attribute__key="location", value="Hamburg").values_list("person_id", flat=True))
    chosen = [person.pk for person in people if person.pk in in_hamburg and person not in exclude]
    Person.objects.filter(pk__in=chosen[::3] + chosen[1::3]).update(language="de")


# The person attributes Harbourline records (admins only see them one by one; one survey records them).
LOCATIONS = ("Rotterdam", "Hamburg", "Lisbon", "Nairobi", "Remote")
# Most of a team sits in its home office (teams not listed, and department heads: Rotterdam, the
# head office); the rest work remotely or from another office. Nairobi is a small support hub.
HOME_OFFICES = {
    "platform": "Rotterdam", "payments": "Lisbon", "mobile-apps": "Lisbon", "data-infrastructure": "Rotterdam",
    "site-reliability": "Hamburg", "support": "Hamburg", "customer-success": "Hamburg",
}
AT_HOME_OFFICE = 0.8
AWAY = ("Remote", "Remote", "Rotterdam", "Lisbon", "Nairobi")
EMPLOYMENT_TYPES = ("Full-time", "Part-time", "Contractor")
EMPLOYMENT_WEIGHTS = (0.82, 0.1, 0.08)
AGE_BANDS = ("under 25", "25–34", "35–44", "45–54", "55 and over")
AGE_WEIGHTS = (0.1, 0.42, 0.3, 0.13, 0.05)
# A few people whose values were never recorded (they joined before the HR system had the field).
UNRECORDED_SHARE = 0.04


def _define_attributes(context, admin: Person, people: list[Person], teams: dict[str, Team]) -> None:
    # A private generator, so adding attributes doesn't shift the draws of later demo modules.
    rng = random.Random(f"org-attributes-{context.seed}")
    location = create_attribute(by=admin, key="location", name="Location", values=LOCATIONS, position=1)
    employment = create_attribute(by=admin, key="employment_type", name="Employment type",
                                  values=EMPLOYMENT_TYPES, position=2)
    age = create_attribute(by=admin, key="age_band", name="Age band", values=AGE_BANDS, ordered=True, position=3)
    team_of = dict(Membership.objects.filter(person__in=people).values_list("person_id", "team__slug"))
    rows = []
    for person in people:
        home = HOME_OFFICES.get(team_of.get(person.pk), "Rotterdam")
        chosen = {
            location: home if rng.random() < AT_HOME_OFFICE else rng.choice([o for o in AWAY if o != home]),
            employment: rng.choices(EMPLOYMENT_TYPES, weights=EMPLOYMENT_WEIGHTS)[0],
            age: rng.choices(AGE_BANDS, weights=AGE_WEIGHTS)[0],
        }
        for attribute, value in chosen.items():
            if rng.random() >= UNRECORDED_SHARE:
                rows.append(PersonAttributeValue(person=person, attribute=attribute, value=value))
    PersonAttributeValue.objects.bulk_create(rows)


def _slug(name: str) -> str:
    from django.utils.text import slugify

    return slugify(name)
