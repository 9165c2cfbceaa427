"""Pages: webhook subscriptions, their delivery log and replay (admins); calendar feeds (everyone),
and the feed itself (no sign-in: the secret URL is the credential)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from learnloop.integrations import calendars, notifications, selectors, services
from learnloop.integrations.events import EVENT_TYPES
from learnloop.integrations.forms import (
    CalendarFeedForm,
    NotificationPreferencesForm,
    OneClickUnsubscribeForm,
    ReplayForm,
    SubscriptionActionForm,
    SubscriptionForm,
)
from learnloop.integrations.permissions import require_webhook_admin
from learnloop.org.models import Team
from learnloop.web.forms import apply_validation_error

PER_PAGE = 50


@login_required
def webhooks(request):
    require_webhook_admin(request.user)
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = services.create_subscription(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, gettext("Subscription created. Give its secret to the receiver."))
            return redirect("integrations:webhook", subscription_id=subscription.pk)
    return render(request, "integrations/webhooks.html", {
        "form": form, "subscriptions": selectors.subscriptions(viewer=request.user), "event_types": EVENT_TYPES,
    })


def _subscription(request, subscription_id):
    try:
        return selectors.subscription(viewer=request.user, subscription_id=subscription_id)
    except ObjectDoesNotExist:
        raise Http404("No such subscription.") from None


@login_required
def webhook(request, subscription_id: int):
    subscription = _subscription(request, subscription_id)
    page = Paginator(selectors.deliveries(viewer=request.user, subscription_id=subscription.pk),
                     PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "integrations/webhook.html", {
        "subscription": subscription, "page": page, "query_string": "",
        "edit_form": SubscriptionForm(initial={"url": subscription.url, "description": subscription.description,
                                               "event_types": subscription.event_types}),
    })


@login_required
@require_POST
def webhook_edit(request, subscription_id: int):
    subscription = _subscription(request, subscription_id)
    form = SubscriptionForm(request.POST)
    if form.is_valid():
        try:
            services.update_subscription(by=request.user, subscription_id=subscription.pk, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, gettext("Subscription saved."))
            return redirect("integrations:webhook", subscription_id=subscription.pk)
    page = Paginator(selectors.deliveries(viewer=request.user, subscription_id=subscription.pk),
                     PER_PAGE).get_page(1)
    return render(request, "integrations/webhook.html", {
        "subscription": subscription, "page": page, "query_string": "", "edit_form": form,
    }, status=400)


@login_required
@require_POST
def webhook_action(request, subscription_id: int):
    subscription = _subscription(request, subscription_id)
    form = SubscriptionActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose what to do with the subscription."))
        return redirect("integrations:webhook", subscription_id=subscription.pk)
    action = form.cleaned_data["action"]
    if action == "delete":
        services.delete_subscription(by=request.user, subscription_id=subscription.pk)
        messages.success(request, gettext("Subscription deleted."))
        return redirect("integrations:webhooks")
    if action == "rotate":
        services.rotate_secret(by=request.user, subscription_id=subscription.pk)
        messages.success(request, gettext("New secret made: give it to the receiver; the old one no longer signs."))
    elif action == "test":
        services.send_test(by=request.user, subscription_id=subscription.pk)
        messages.success(request, gettext("A test event (type ping) is queued."))
    else:
        services.update_subscription(by=request.user, subscription_id=subscription.pk, active=action == "enable")
        messages.success(request, "Subscription enabled." if action == "enable" else "Subscription disabled.")
    return redirect("integrations:webhook", subscription_id=subscription.pk)


@login_required
def delivery(request, delivery_id: int):
    try:
        shown = selectors.delivery(viewer=request.user, delivery_id=delivery_id)
    except ObjectDoesNotExist:
        raise Http404("No such delivery.") from None
    return render(request, "integrations/delivery.html", {
        "delivery": shown, "attempts": selectors.attempts(viewer=request.user, delivery_id=shown.pk),
        "payload": json.dumps(shown.event.payload, indent=2, ensure_ascii=False),
    })


@login_required
@require_POST
def replay(request):
    require_webhook_admin(request.user)
    form = ReplayForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["delivery"]))
        return redirect("integrations:webhooks")
    try:
        copy = services.replay(by=request.user, delivery_id=form.cleaned_data["delivery"])
    except ObjectDoesNotExist:
        raise Http404("No such delivery.") from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("integrations:webhooks")
    messages.success(request, gettext("Queued again with the same webhook-id."))
    return redirect("integrations:webhook", subscription_id=copy.subscription_id)


# --- calendars ----------------------------------------------------------------------------------

def _team_of(request, form) -> Team | None:
    team_id = form.cleaned_data["team"]
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None or not calendars.may_have_team_feed(request.user, team):
        raise PermissionDenied(gettext("You can only subscribe to the calendars of teams you see."))
    return team


@login_required
def calendar_feeds(request):
    from learnloop.actions.permissions import can_see_team

    teams = [team for team in Team.objects.order_by("name", "id") if can_see_team(request.user, team)]
    return render(request, "integrations/calendars.html", {
        "feeds": calendars.feeds_of(request.user), "teams": teams,
        "new_url": request.session.pop("new_calendar_url", None),
    })


@login_required
@require_POST
def calendar_issue(request):
    form = CalendarFeedForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["team"]))
        return redirect("integrations:calendars")
    token = calendars.issue_feed(by=request.user, team=_team_of(request, form))
    # Shown once, on the next page: only its hash is kept.
    request.session["new_calendar_url"] = calendars.feed_url(token)
    messages.success(request,
        gettext("New calendar address made; any earlier address of this calendar stopped working."))
    return redirect("integrations:calendars")


@login_required
@require_POST
def calendar_revoke(request):
    form = CalendarFeedForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["team"]))
        return redirect("integrations:calendars")
    calendars.revoke_feed(by=request.user, team=_team_of(request, form))
    messages.success(request, gettext("Calendar address removed."))
    return redirect("integrations:calendars")


@require_GET
@never_cache
def feed(request, token: str):
    found = calendars.feed_for_token(token)
    if found is None:
        raise Http404("No such calendar.")
    response = HttpResponse(calendars.render_ics(found), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="learnloop.ics"'
    return response


# --- email preferences ----------------------------------------------------------------------------

@login_required
def notification_preferences(request):
    form = NotificationPreferencesForm(request.POST or None, kinds=notifications.KINDS,
                                       initial=notifications.preferences_of(request.user))
    if request.method == "POST" and form.is_valid():
        notifications.set_preferences(by=request.user, choices=form.cleaned_data)
        messages.success(request, gettext("Email preferences saved."))
        return redirect("integrations:notifications")
    return render(request, "integrations/notifications.html", {"form": form})


@csrf_exempt  # RFC 8058: mail clients POST without cookies; the signed token is the credential
@never_cache
def unsubscribe(request, token: str):
    read = notifications.read_token(token)
    if read is None:
        raise Http404("This unsubscribe link is not valid.")
    kind = read[1]
    if request.method == "POST":
        form = OneClickUnsubscribeForm(request.POST)
        if not form.is_valid():
            return HttpResponse("Send List-Unsubscribe=One-Click to unsubscribe.", status=400,
                                content_type="text/plain; charset=utf-8")
        if notifications.unsubscribe(token) is None:
            raise Http404("This unsubscribe link is not valid.")
        return render(request, "integrations/unsubscribe.html", {"done": True, "label": notifications.KINDS[kind]})
    # A GET never unsubscribes: link checkers and previews open links.
    return render(request, "integrations/unsubscribe.html", {"done": False, "label": notifications.KINDS[kind]})
