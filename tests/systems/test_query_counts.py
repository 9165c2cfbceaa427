"""No N+1 on the diagram pages and API lists: as many queries with ten times the diagrams,
comments, versions, attachments, interventions and bound variables as with one."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from learnloop.systems import diagram_services as services
from tests.conftest import signed_in_client

BASE = {"variables": ["A", "B", "C"],
        "links": [{"source": "A", "target": "B", "polarity": "+"}, {"source": "B", "target": "A", "polarity": "-"},
                  {"source": "B", "target": "C", "polarity": "+", "delay": True},
                  {"source": "C", "target": "A", "polarity": "+"}]}


def _build(member, crew, scale: int):
    """`scale` diagrams; the last has 2×scale extra bound variables, comments and interventions
    (both kinds, so every link type resolves at either size)."""
    diagrams = [services.create_diagram(by=member, title=f"Diagram {scale}-{number}", team=crew, content=BASE)
                for number in range(scale)]
    diagram = diagrams[-1]
    for index in range(2 * scale):
        services.add_variable(by=member, diagram=diagram, name=f"Extra {index}")
        services.bind_variable(by=member, diagram=diagram, name=f"Extra {index}",
                               binding={"metric": "completion_rate" if index % 2 else "overdue_count"})
        services.add_comment(by=member, diagram=diagram, text=f"Comment {index}")
        services.create_intervention(by=member, diagram=diagram, kind="action" if index % 2 else "experiment",
                                     variable="A")
    return diagram


PATHS = ["/systems/diagrams/", "/systems/diagrams/{id}/", "/systems/diagrams/{id}/versions/2/",
         "/api/v1/systems/diagrams", "/api/v1/systems/diagrams/{id}", "/api/v1/systems/diagrams/{id}/data",
         "/api/v1/systems/diagrams/{id}/versions", "/api/v1/systems/diagrams/{id}/comments"]


def _count(client, path) -> int:
    client.get(path)  # warm caches (sessions, tokens, content types)
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(path)
    assert answer.status_code == 200, path
    return len(queries)


def test_same_queries_at_one_and_ten_times_the_data(member, crew, api_as):
    browser, api = signed_in_client(member), api_as(member)

    def counts(diagram):
        return {path: _count(api if path.startswith("/api") else browser, path.format(id=diagram.pk))
                for path in PATHS}

    one = counts(_build(member, crew, 1))
    ten = counts(_build(member, crew, 10))
    assert ten == one
