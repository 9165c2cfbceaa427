from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from learnloop.accounts.forms import ProfileForm, SetOrResetPasswordForm, SignInForm, TokenForm
from learnloop.accounts.models import ApiToken
from learnloop.accounts.selectors import revocable_token, tokens_of
from learnloop.accounts.services import create_api_token, revoke_api_token
from learnloop.audit.models import AuditKind
from learnloop.audit.request import client_ip
from learnloop.audit.services import record_audit_event
from learnloop.org import selectors as org_selectors
from learnloop.org.services import update_person
from learnloop.web.forms import apply_validation_error


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        record_audit_event(kind=AuditKind.PASSWORD_CHANGED, actor=self.request.user, ip_address=client_ip(self.request))
        messages.success(self.request, "Your password was changed.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = SetOrResetPasswordForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form):
        # Recorded whether or not the address exists; the page says the same either way so it
        # can't be used to find out who has an account.
        record_audit_event(
            kind=AuditKind.PASSWORD_RESET_REQUESTED,
            ip_address=client_ip(self.request),
            target=form.cleaned_data["email"].strip().lower(),
        )
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        record_audit_event(kind=AuditKind.PASSWORD_RESET_DONE, actor=form.user, ip_address=client_ip(self.request))
        return response


@login_required
def profile(request):
    person = org_selectors.person_detail(viewer=request.user, person_id=request.user.pk)
    form = ProfileForm(request.POST or None, initial={"full_name": person.full_name, "title": person.title})
    if request.method == "POST" and form.is_valid():
        try:
            update_person(by=request.user, person=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Your profile was saved.")
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"person": person, "form": form})


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_secret = create_api_token(
                person=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "new_secret": new_secret,
            "tokens": tokens_of(request.user),
        },
    )


@login_required
@require_POST
def revoke_token(request, token_id: int):
    try:
        token = revocable_token(viewer=request.user, token_id=token_id)
    except ApiToken.DoesNotExist as error:
        raise Http404("No such token.") from error
    revoke_api_token(by=request.user, token=token, ip_address=client_ip(request))
    messages.success(request, f"The token “{token.name}” was revoked.")
    return redirect("accounts:tokens")
