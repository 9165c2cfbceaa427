"""The signed-in person's own profile page (name and title), beside what the organization records."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext

from learnloop.org import selectors
from learnloop.org.forms import ProfileForm
from learnloop.org.services import update_person
from learnloop.web.forms import apply_validation_error
from learnloop.web.language import chosen_language


@login_required
def profile(request):
    person = selectors.person_detail(viewer=request.user, person_id=request.user.pk)
    form = ProfileForm(request.POST or None, initial={
        "full_name": person.full_name, "title": person.title, "language": person.language,
    })
    if request.method == "POST" and form.is_valid():
        try:
            update_person(by=request.user, person=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            with translation.override(chosen_language(request.user) or translation.get_language_from_request(request)):
                # Said in the language just chosen, as the next page will be.
                messages.success(request, gettext("Your profile was saved."))
            return redirect("org:profile")
    return render(request, "org/profile.html", {"person": person, "form": form})
