"""The provisioning tokens page (admins): make one for an identity provider, see them, revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learnloop.integrations import scim
from learnloop.integrations.scim_forms import ProvisioningTokenForm, RevokeProvisioningTokenForm
from learnloop.integrations.scim_models import ProvisioningToken
from learnloop.org.permissions import require_admin
from learnloop.web.forms import apply_validation_error


@login_required
def provisioning_tokens(request):
    require_admin(request.user, "manage provisioning tokens")
    form = ProvisioningTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_token = scim.create_token(by=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Provisioning token %(prefix)s… made. Copy it now: it is shown only once.")
                             % {"prefix": token.prefix})
            form = ProvisioningTokenForm()
    tokens = ProvisioningToken.objects.select_related("created_by")
    return render(request, "integrations/scim_tokens.html", {
        "form": form, "tokens": tokens, "new_token": new_token,
        "scim_url": request.build_absolute_uri("/scim/v2"),
    }, status=400 if request.method == "POST" and form.errors else 200)


@login_required
@require_POST
def provisioning_token_revoke(request):
    require_admin(request.user, "manage provisioning tokens")
    form = RevokeProvisioningTokenForm(request.POST)
    if form.is_valid() and scim.revoke_token(by=request.user, prefix=form.cleaned_data["prefix"]):
        messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": form.cleaned_data["prefix"]})
    else:
        messages.error(request, _("No active token with that prefix."))
    return redirect("integrations:scim-tokens")
