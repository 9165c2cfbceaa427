import pytest

from learnloop.knowledge import services


@pytest.fixture
def lesson(member):
    return services.create_entry(
        by=member, kind="lesson", title="Roll back database migrations in two steps",
        body="Ship the code change first, then the schema change.", tags=["deploys", "Databases"],
    )


@pytest.fixture
def decision(member):
    return services.create_entry(
        by=member, kind="decision", title="Use PostgreSQL for the ledger",
        context="We need transactions.", options="PostgreSQL, DynamoDB", decision="PostgreSQL.",
        consequences="We run a database.",
    )
