"""One action engine for every source: sessions, survey focus areas, experiments."""
