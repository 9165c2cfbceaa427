"""Random organizations for the attack simulation and the benchmark (seeded, reproducible).

Team sizes are drawn from a log-normal (many teams of 4–12, a tail of tiny and large ones);
each attribute's values have unequal shares drawn per organization, as real tenure bands or
locations do.
"""

import random
from dataclasses import dataclass

from learnloop.analytics.disclosure.cuts import Attribute, Respondent

ATTRIBUTE_POOL = (
    Attribute("tenure", ("<1y", "1-3y", "3-5y", "5y+")),
    Attribute("role", ("individual", "lead", "manager")),
    Attribute("location", ("Berlin", "Lisbon", "Remote", "Toronto", "Nairobi")),
    Attribute("contract", ("full-time", "part-time")),
)


@dataclass(frozen=True)
class Organization:
    respondents: tuple[Respondent, ...]
    attributes: tuple[Attribute, ...]


def random_organization(
    rng: random.Random,
    *,
    departments: tuple[int, int] = (2, 4),
    teams_per_department: tuple[int, int] = (2, 4),
    team_size_median: float = 6.0,
    attributes: int = 2,
    values_per_attribute: tuple[int, int] = (2, 3),
    chosen_attributes: tuple[Attribute, ...] | None = None,
) -> Organization:
    chosen = list(chosen_attributes or ())
    if chosen_attributes is None:
        for attribute in rng.sample(ATTRIBUTE_POOL, attributes):
            count = min(len(attribute.values), rng.randint(*values_per_attribute))
            chosen.append(Attribute(attribute.name, attribute.values[:count]))
    shares = [[rng.random() + 0.2 for _ in attribute.values] for attribute in chosen]
    respondents = []
    for department in range(rng.randint(*departments)):
        for team in range(rng.randint(*teams_per_department)):
            size = max(1, round(rng.lognormvariate(0, 0.6) * team_size_median))
            path = (f"Department {department + 1}", f"Team {department + 1}.{team + 1}")
            for _ in range(size):
                values = tuple(
                    rng.choices(attribute.values, weights)[0] for attribute, weights in zip(chosen, shares, strict=True)
                )
                respondents.append(Respondent(path, values))
    return Organization(tuple(respondents), tuple(chosen))


# The five demographic dimensions of a large organization, with unequal shares as in real ones.
# Ordered attributes (tenure, age) may have adjacent bands merged by `generalize`.
DEMOGRAPHICS = (
    (Attribute("tenure", ("<1y", "1-3y", "3-5y", "5y+")), (0.18, 0.32, 0.22, 0.28), True),
    (Attribute("role", ("individual", "lead", "manager")), (0.78, 0.13, 0.09), False),
    (Attribute("location", ("Berlin", "Lisbon", "Remote", "Toronto", "Nairobi")), (0.34, 0.22, 0.2, 0.16, 0.08), False),
    (Attribute("employment", ("full-time", "part-time", "contractor")), (0.82, 0.11, 0.07), False),
    (Attribute("age", ("<25", "25-34", "35-44", "45-54", "55+")), (0.09, 0.34, 0.3, 0.18, 0.09), True),
)


def large_organization(
    rng: random.Random, respondents: int, *, attributes: int = 5, team_size_median: float = 8.0,
    teams_per_department: tuple[int, int] = (4, 12),
) -> Organization:
    """About `respondents` people in departments of 4–12 teams with log-normal sizes (mostly 5–12)
    and the first `attributes` of DEMOGRAPHICS, drawn with their shares."""
    chosen = DEMOGRAPHICS[:attributes]
    people = []
    department = 0
    while len(people) < respondents:
        department += 1
        for team in range(rng.randint(*teams_per_department)):
            size = max(2, round(rng.lognormvariate(0, 0.3) * team_size_median))
            path = (f"Department {department}", f"Team {department}.{team + 1}")
            for _ in range(size):
                values = tuple(rng.choices(attribute.values, shares)[0] for attribute, shares, _ in chosen)
                people.append(Respondent(path, values))
    return Organization(tuple(people[:respondents]), tuple(attribute for attribute, _, _ in chosen))
