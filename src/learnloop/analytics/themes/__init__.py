"""Recurring themes in short texts (retro cards, contributing factors, action titles, questions,
survey comments): lexical features, a nearest-neighbour graph, Leiden communities. No Django.

`group_themes(texts)` groups a collection at once; the `ThemeModel` it returns places a new text
into an existing theme (or a new one) without regrouping everything. The method, its settings and
its measured quality are in docs/insights.md.
"""

from learnloop.analytics.themes.grouping import Theme, ThemeModel, ThemeSettings, group_themes

__all__ = ["Theme", "ThemeModel", "ThemeSettings", "group_themes"]
