"""Assessment surveys; their psychometrics live in learnloop.analytics.psychometrics (no Django)."""
