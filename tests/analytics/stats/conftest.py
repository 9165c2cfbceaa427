import pytest


@pytest.fixture(scope="session")
def gbstats():
    """The peer's driver; building its venv fails the test (not skip) so a broken peer is never unnoticed."""
    from tests.analytics.stats.gbstats_peer import PeerUnavailable, peer_python, run_driver

    try:
        peer_python()
    except PeerUnavailable as error:
        pytest.fail(f"gbstats peer environment could not be built: {error}", pytrace=False)
    return run_driver
