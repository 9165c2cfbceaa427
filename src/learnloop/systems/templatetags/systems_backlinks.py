"""{% attached_diagrams "reflection.session" session.pk as diagrams %}: the causal loop diagrams
attached to an object that the reader may open. A template tag, so the pages of the apps a diagram
can be attached to (lower in the import layers than systems) link back without importing it;
systems/_attached_diagrams.html is the section they include."""

from django import template

from learnloop.systems.diagram_selectors import attached_to

register = template.Library()


@register.simple_tag(takes_context=True)
def attached_diagrams(context, target_type, target_id):
    request = context.get("request")
    if request is None or target_id in (None, ""):
        return []
    return attached_to(request.user, target_type, target_id)
