"""LEARNLOOP_ADMIN_2FA=required holds for every way into a signed-in session.

The sign-in form sends an admin without an authenticator to set one up before it signs them in;
but a session can also start elsewhere (accepting an invitation signs the new person in) or
become an admin's while it lasts (a promotion). So every page, for a signed-in admin who must
enrol, leads to the set-up page until they have. The API is left alone: it takes tokens, which
a person creates from a signed-in (so, by then, enrolled) session.
"""

from django.shortcuts import redirect
from django.urls import reverse

from learnloop.accounts import two_factor

# Pages an admin who must enrol can still reach: the set-up page itself and signing out.
OPEN_PATHS = ("/accounts/two-factor/", "/accounts/logout/", "/api/", "/static/", "/healthz")


class RequireSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PATHS)
            and two_factor.must_enrol(user)
        ):
            return redirect(reverse("accounts:two-factor"))
        return self.get_response(request)
