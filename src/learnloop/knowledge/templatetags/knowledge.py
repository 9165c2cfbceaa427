"""Template helpers of the knowledge pages."""

from django import template
from django.utils.safestring import mark_safe

from learnloop.knowledge.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Markdown as sanitized HTML. The only place the knowledge pages mark HTML as safe."""
    return mark_safe(render_markdown(text))  # noqa: S308 - render_markdown sanitizes with an allow-list
