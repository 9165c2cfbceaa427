"""The page to change a stock-and-flow model's name, description, owning team and bindings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext

from learnloop.systems import stockflow_permissions as permissions
from learnloop.systems.stockflow_bindings import LIVE_NUMBERS
from learnloop.systems.stockflow_edit import update_model
from learnloop.systems.stockflow_forms import EditForm
from learnloop.systems.stockflow_models import StockFlowModel


@login_required
def edit(request, model_id):
    model = get_object_or_404(StockFlowModel.objects.select_related("team").defer("content"), pk=model_id)
    permissions.require(permissions.can_change(request.user, model),
                        "Only those who may change this model can edit it.")
    status = 200
    if request.method == "POST":
        form = EditForm(request.POST, model=model, person=request.user)
        if form.is_valid():
            try:
                update_model(request.user, model, name=form.cleaned_data["name"],
                             description=form.cleaned_data["description"], team=form.cleaned_data["team"],
                             bindings=form.bindings())
            except ValidationError as error:
                for field, problems in getattr(error, "message_dict", {"__all__": error.messages}).items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, gettext("%(name)s saved.") % {"name": model.name})
                return redirect("systems:stockflow_detail", model.pk)
        status = 400
    else:
        form = EditForm(model=model, person=request.user)
    return render(request, "systems/stockflow_edit.html",
                  {"model": model, "form": form, "live_numbers": LIVE_NUMBERS.values()}, status=status)
