"""Changing a stock-and-flow model's name, description, owning team and bindings (which constant
starts from which live number of the platform). The model file itself is not edited here: a new
file is a new upload, so scenarios and sensitivity runs always refer to the equations they ran."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.systems import stockflow_permissions as permissions
from learnloop.systems.stockflow_bindings import clean_bindings
from learnloop.systems.stockflow_models import StockFlowModel

UNCHANGED = object()


def _clean_name(name) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError({"name": gettext("Give a name.")})
    if len(name) > 200:
        raise ValidationError({"name": gettext("At most 200 characters.")})
    return name


def update_model(by, model: StockFlowModel, *, name=UNCHANGED, description=UNCHANGED, team=UNCHANGED,
                 bindings=UNCHANGED) -> StockFlowModel:
    """Change what is given (team None: the organization's model); the rest stays."""
    permissions.require(permissions.can_change(by, model), "Only those who may change this model can edit it.")
    if name is not UNCHANGED:
        model.name = _clean_name(name)
    if description is not UNCHANGED:
        description = str(description or "").strip()
        if len(description) > 5000:
            raise ValidationError({"description": gettext("At most 5,000 characters.")})
        model.description = description
    if team is not UNCHANGED and getattr(team, "pk", None) != model.team_id:
        if team is not None and team.archived_at is not None:
            raise ValidationError({"team": gettext("That team is archived.")})
        permissions.require(permissions.can_upload(by, team),
                            "You may only give the model to a team you belong to or lead (the organization: "
                            "learning leads and admins).")
        model.team = team
    if bindings is not UNCHANGED:
        model.bindings = clean_bindings(model, bindings)
    model.updated_at = timezone.now()
    model.save(update_fields=["name", "description", "team", "bindings", "updated_at"])
    return model
