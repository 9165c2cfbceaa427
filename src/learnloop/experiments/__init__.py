"""The experiment registry; its statistics live in learnloop.analytics.stats (no Django)."""
