"""Reflection sessions: retros, after-action reviews, blameless postmortems, pre-mortems, critiques."""
