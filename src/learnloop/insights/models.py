"""Insights data. Recurring themes live in themes_models.py (imported here so Django finds them)."""

from learnloop.insights.themes_models import Theme, ThemeCorrection, ThemeItem, ThemeRun

__all__ = ["Theme", "ThemeCorrection", "ThemeItem", "ThemeRun"]
