from tests.analytics.stats.conftest import gbstats

__all__ = ["gbstats"]
