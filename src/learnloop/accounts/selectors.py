"""Reading personal API tokens: everyone sees only their own."""

from django.db.models import QuerySet

from learnloop.accounts.models import ApiToken


def tokens_of(person) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(person=person).order_by("-created_at", "-id")


def revocable_token(*, viewer, token_id: int) -> ApiToken:
    """A token the viewer may revoke: their own, or anyone's for admins (404 otherwise)."""
    tokens = ApiToken.objects.all() if viewer.is_admin else ApiToken.objects.filter(person=viewer)
    return tokens.select_related("person").get(pk=token_id)
