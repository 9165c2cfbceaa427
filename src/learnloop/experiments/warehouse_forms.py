"""The warehouse page's forms (warehouse_views.py): values in, service arguments out; the services
check them and their refusals are shown on the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from learnloop.experiments.warehouse_refresh import MAX_EVERY_HOURS

AGGREGATIONS = [("sum", "Sum of the values"), ("count", "Count of rows"),
                ("count_distinct", "Count of distinct values")]


class WarehouseSourceForm(forms.Form):
    source = forms.CharField(label=_("Source"), max_length=500, help_text=_(
                             "duckdb:///PATH, postgresql://USER@HOST/DB, "
                             "chdb:// or env:NAME (the environment variable holding a URL with a password)."),
                             error_messages={"required": "Give the warehouse's URL or env:NAME."})
    exposure_sql = forms.CharField(label=_("Exposure SQL"), widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text=_(
                                       "Returns unit_id, variation, first_exposure_at (and dimension columns)."),
                                   error_messages={"required": "Give the SQL that returns the exposures."})
    refresh_every_hours = forms.IntegerField(
        label=_("Refresh every … hours (optional)"), required=False, min_value=1, max_value=MAX_EVERY_HOURS,
        help_text=_("Empty: refresh on demand only."),
        error_messages={"invalid": "Give a whole number of hours.",
                        "min_value": f"Refresh every 1 to {MAX_EVERY_HOURS} hours.",
                        "max_value": f"Refresh every 1 to {MAX_EVERY_HOURS} hours."})


class WarehouseMetricForm(forms.Form):
    metric = forms.IntegerField(label=_("Metric"),
                                widget=forms.HiddenInput, error_messages={"required": "Choose a metric."})
    metric_sql = forms.CharField(label=_("Metric SQL"), widget=forms.Textarea(attrs={"rows": 3}),
                                 error_messages={"required": "Give the SQL that returns the metric's rows."})
    aggregation = forms.ChoiceField(label=_("Aggregation"), choices=AGGREGATIONS, initial="sum",
                                    error_messages={"invalid_choice": "Choose sum, count or count_distinct."})
    window_hours = forms.FloatField(label=_("Conversion window, hours (optional)"), required=False, min_value=0,
                                    error_messages={"invalid": "Give a number of hours."})
    cap = forms.FloatField(label=_("Cap per unit (optional, mean metrics)"), required=False,
                           error_messages={"invalid": "Give a number."})
    cuped_days = forms.FloatField(label=_("CUPED lookback, days (optional)"), required=False, min_value=0,
                                  error_messages={"invalid": "Give a number of days."})


class LibraryVersionForm(forms.Form):
    metric_sql = forms.CharField(label=_("Metric SQL"), widget=forms.Textarea(attrs={"rows": 3}),
                                 error_messages={"required": "Give the SQL that returns the metric's rows."})
    aggregation = forms.ChoiceField(label=_("Aggregation"), choices=AGGREGATIONS, initial="sum",
                                    error_messages={"invalid_choice": "Choose sum, count or count_distinct."})
    window_hours = forms.FloatField(label=_("Conversion window, hours (optional)"), required=False, min_value=0,
                                    error_messages={"invalid": "Give a number of hours."})
    cap = forms.FloatField(label=_("Cap per unit (optional, mean metrics)"), required=False,
                           error_messages={"invalid": "Give a number."})
    cuped_days = forms.FloatField(label=_("CUPED lookback, days (optional)"), required=False, min_value=0,
                                  error_messages={"invalid": "Give a number of days."})


class LibraryMetricForm(LibraryVersionForm):
    name = forms.CharField(label=_("Name"), max_length=200, error_messages={"required": "Give the metric a name."})
    description = forms.CharField(label=_("What it measures (optional)"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    metric_type = forms.ChoiceField(label=_("Type"), choices=[("binomial", "Binomial (converted or not)"),
                                                           ("mean", "Mean"), ("ratio", "Ratio")])
    field_order = ["name", "description", "metric_type", "metric_sql", "aggregation", "window_hours", "cap",
                   "cuped_days"]


class RevisionForm(LibraryVersionForm):
    note = forms.CharField(label=_("What changes, and why"), error_messages={"required": "Say what changes."})


class UseLibraryForm(forms.Form):
    metric = forms.IntegerField(label=_("Metric"), widget=forms.HiddenInput)
    library_version = forms.IntegerField(label=_("Library metric"), error_messages={
        "required": "Choose a library metric.", "invalid": "Choose a library metric."})
