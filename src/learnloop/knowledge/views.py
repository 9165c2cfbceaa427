"""Knowledge base pages: search, entries, the editor, history and the review queue.

Views parse, call a service or a selector, and render. What a viewer may see comes from the
selectors (an invisible entry is a 404); what they may do from permissions.py, and every write
is checked again by its service (PermissionDenied becomes a 403).
"""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from learnloop.knowledge import entry_templates, search, selectors, services
from learnloop.knowledge.forms import (
    AcceptAnswerForm,
    AnswerChangeForm,
    AnswerForm,
    ApplicationForm,
    DecisionStatusForm,
    EntryForm,
    FeedbackForm,
    LinkForm,
    NextForm,
    ObsoleteForm,
    SearchForm,
    SimilarForm,
    TemplateChoiceForm,
    search_filters,
)
from learnloop.knowledge.models import Answer, DecisionStatus, EntryKind
from learnloop.knowledge.permissions import require_edit
from learnloop.knowledge.search_rows import hit_rows
from learnloop.web.forms import apply_validation_error

PER_PAGE = 20
# The search service's facet names, mapped to the query parameter that filters by them.
# (query parameter and key of SearchResults.facets, heading shown)
FACETS = (
    ("kind", gettext_lazy("Kind")),
    ("state", gettext_lazy("Freshness")),
    ("team", gettext_lazy("Team")),
    ("tag", gettext_lazy("Tag")),
    ("author", gettext_lazy("Author")),
)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _form_problem(form) -> str:
    """A refused form's problems as one line, for a message or a 400 answer."""
    return " ".join(message for errors in form.errors.values() for message in errors)


def _next_or(request, fallback: str) -> str:
    form = NextForm(request.POST)
    target = form.cleaned_data["next"] if form.is_valid() else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# --- search ------------------------------------------------------------------------------------


@login_required
def search_page(request):
    form = SearchForm(request.GET)
    query = request.GET.get("q", "").strip()[:500]
    filters = search_filters(request.GET)
    try:
        page = max(1, min(int(request.GET.get("page", 1)), 10_000))
    except ValueError:
        page = 1
    results = search.search_entries(viewer=request.user, query=query, filters=filters, page=page, per_page=PER_PAGE)
    if results.page > results.pages and results.total:
        # A page past the end (a bookmarked link, fewer results now): show the last one.
        results = search.search_entries(
            viewer=request.user, query=query, filters=filters, page=results.pages, per_page=PER_PAGE
        )
    params = request.GET.copy()
    params.pop("page", None)
    facets = []
    for param, label in FACETS:
        options = results.facets.get(param, [])
        if options:
            facets.append({"param": param, "label": label, "options": [
                # Ids stay the same from one response to the next, so htmx keeps the focus.
                {"id": f"facet-{param}-{_slug(option.value)}", "option": option} for option in options
            ]})
    partial = request.htmx.target == "knowledge-results"  # search-as-you-type and facet clicks
    context = {
        "form": form,
        "results": results,
        "hit_rows": hit_rows(results.hits),
        "first_rank": (results.page - 1) * results.per_page + 1,
        "facets": facets,
        "filtered": filters.active,
        "query_string": f"{params.urlencode()}&" if params else "",
        "partial": partial,
    }
    return render(request, "knowledge/_search_results.html" if partial else "knowledge/search.html", context)


def _slug(value) -> str:
    text = str(value)
    return slugify(text)[:40] + "-" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:6]


# --- writing -------------------------------------------------------------------------------------


@login_required
def entry_create(request):
    kind = request.GET.get("kind", "")
    if kind not in EntryKind.values:
        return render(request, "knowledge/choose_kind.html", {"kinds": EntryKind.choices})
    initial = EntryForm.initial_for_new(kind)
    template = None
    chosen = TemplateChoiceForm(request.GET)
    if chosen.is_valid() and chosen.cleaned_data["template"]:
        template = entry_templates.template_for(viewer=request.user, template_id=chosen.cleaned_data["template"])
        if template is not None and template.kind == kind:
            initial.update(entry_templates.initial_from(template))
        else:
            template = None
    form = EntryForm(request.POST or None, kind=kind, viewer=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.create_entry(by=request.user, kind=kind, **form.service_arguments())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, gettext("“%(title)s” was saved.") % {"title": entry.title})
            return redirect("knowledge:entry", entry.pk)
    return render(
        request, "knowledge/entry_form.html",
        {"form": form, "kind": kind, "kind_label": EntryKind(kind).label, "entry": None, "template": template,
         "templates": entry_templates.usable_templates(viewer=request.user, kind=kind)},
    )


@login_required
def entry_edit(request, entry_id: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    require_edit(request.user, entry)
    can = selectors.abilities(viewer=request.user, entry=entry)
    form = None
    if can.edit:
        form = EntryForm(
            request.POST or None, kind=entry.kind, viewer=request.user, content=can.edit_content,
            structure=can.curate, editing=True, initial=EntryForm.initial_for(entry, viewer=request.user),
        )
    if request.method == "POST":
        if form is None:
            # Only a frozen decision record has no form, and its content can't change.
            messages.error(request, gettext("This decision record is read-only."))
            return redirect("knowledge:entry", entry.pk)
        if form.is_valid():
            try:
                services.update_entry(by=request.user, entry=entry, **form.service_arguments())
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, gettext("“%(title)s” was saved.") % {"title": entry.title})
                return redirect("knowledge:entry", entry.pk)
    return render(
        request, "knowledge/entry_form.html",
        {"form": form, "kind": entry.kind, "kind_label": entry.get_kind_display(), "entry": entry, "can": can},
    )


@login_required
@require_POST
def similar(request):
    """The editor's "similar entries already exist" warning, asked for while typing."""
    form = SimilarForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_form_problem(form))
    title, body = form.cleaned_data["title"], form.cleaned_data["body"]
    entries = []
    if len(title.strip()) >= 3 or len(body.strip()) >= 20:
        entries = [entry for entry, _similarity in search.similar_entries(
            viewer=request.user, title=title, body=body, exclude_id=form.cleaned_data["entry"], limit=5,
        )]
    return render(request, "knowledge/_similar.html", {"entries": entries})


# --- an entry's page -------------------------------------------------------------------------------


def _entry_context(request, entry, **forms) -> dict:
    viewer = request.user
    selectors.with_references(viewer=viewer, entry=entry)
    can = selectors.abilities(viewer=viewer, entry=entry)
    context = {
        "entry": entry,
        "can": can,
        "links": selectors.links_of(viewer=viewer, entry=entry),
        "successor": selectors.visible_successor(viewer=viewer, entry=entry),
        "related": search.related_entries(viewer=viewer, entry=entry, limit=5),
        "application_form": forms.get("application_form") or ApplicationForm(),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "answers": _answers_with(viewer, entry, forms.get("answer_problems")),
        "link_form": forms.get("link_form") or LinkForm(),
        "following": selectors.is_following(viewer=viewer, entry=entry),
        **_feedback_context(viewer, entry),
    }
    if can.curate:
        context["obsolete_form"] = forms.get("obsolete_form") or ObsoleteForm()
        if entry.kind == EntryKind.DECISION and entry.obsolete_at is None:
            moves = services.DECISION_MOVES.get(entry.status, set())
            context["status_moves"] = [(status, DecisionStatus(status).label) for status in DecisionStatus
                                       if status in moves]
            if DecisionStatus.SUPERSEDED in moves:
                context["superseding"] = selectors.superseding_candidates(viewer=viewer, entry=entry)
    return context


def _feedback_context(viewer, entry) -> dict:
    return {
        "helpful": selectors.helpful_counts(entry),
        "my_feedback": selectors.feedback_of(viewer=viewer, entry=entry),
    }


@login_required
def entry_detail(request, entry_id: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    return render(request, "knowledge/entry.html", _entry_context(request, entry))


def _entry_page_with(request, entry, **forms):
    """The entry page again, with a form that didn't go through showing its errors."""
    return render(request, "knowledge/entry.html", _entry_context(request, entry, **forms))


@login_required
@require_POST
def entry_apply(request, entry_id: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    form = ApplicationForm(request.POST)
    recorded = False
    if form.is_valid():
        try:
            services.record_application(by=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            recorded = True
            form = ApplicationForm()
    if request.htmx:
        entry = selectors.with_references(
            viewer=request.user, entry=selectors.entry_for(viewer=request.user, entry_id=entry_id)
        )
        return render(
            request, "knowledge/_applications.html", {"entry": entry, "application_form": form, "recorded": recorded}
        )
    if not recorded:
        return _entry_page_with(request, entry, application_form=form)
    messages.success(request, gettext("Thanks: your application was recorded."))
    return redirect(reverse("knowledge:entry", args=[entry.pk]) + "#applications")


@login_required
@require_POST
def entry_feedback(request, entry_id: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_form_problem(form))
    services.give_feedback(by=request.user, entry=entry, helpful=form.cleaned_data["helpful"] == "yes",
                           comment=form.cleaned_data["comment"])
    if request.htmx:
        return render(
            request, "knowledge/_feedback.html",
            {"entry": entry, "thanked": True, **_feedback_context(request.user, entry)},
        )
    messages.success(request, gettext("Thanks for your feedback."))
    return redirect("knowledge:entry", entry.pk)


@login_required
@require_POST
def entry_answer(request, entry_id: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    form = AnswerForm(request.POST)
    answered = False
    if form.is_valid():
        try:
            services.add_answer(by=request.user, question=entry, body=form.cleaned_data["body"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            answered = True
            form = AnswerForm()
    if request.htmx:
        return answers_partial(request, entry_id, answer_form=form, answered=answered)
    if not answered:
        return _entry_page_with(request, entry, answer_form=form)
    messages.success(request, gettext("Your answer was posted."))
    return redirect(reverse("knowledge:entry", args=[entry.pk]) + "#answers")


@login_required
@require_POST
def answer_accept(request, entry_id: int, answer_id: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    answer = get_object_or_404(Answer, pk=answer_id, question=entry)
    form = AcceptAnswerForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_form_problem(form))
    clear = form.cleaned_data["action"] == "clear"
    services.accept_answer(by=request.user, question=entry, answer=None if clear else answer)
    if request.htmx:
        return answers_partial(request, entry_id, answer_form=AnswerForm())
    done = gettext("The accepted answer was cleared.") if clear else gettext("The answer was accepted.")
    messages.success(request, done)
    return redirect(reverse("knowledge:entry", args=[entry.pk]) + "#answers")


def answers_partial(request, entry_id: int, **context):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    can = selectors.abilities(viewer=request.user, entry=entry)
    answers = _answers_with(request.user, entry, context.pop("answer_problems", None))
    context.setdefault("answer_form", AnswerForm())
    return render(request, "knowledge/_answers.html", {"entry": entry, "can": can, "answers": answers, **context})


def _answers_with(viewer, entry, problems: dict | None):
    """The question's answers as the viewer sees them, each with the change to it that was refused."""
    answers = selectors.answers_of(viewer=viewer, question=entry)
    for answer in answers:
        answer.problem = (problems or {}).get(answer.pk)
    return answers


def _answer_change(request, entry_id: int, answer_id: int, change, *, kind: str, done: str):
    """Run one change to an answer (edit, hide, restore); the services decide who may. A refused
    change shows its reason next to that answer and loses nothing typed."""
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    answer = selectors.answer_for(viewer=request.user, answer_id=answer_id, question=entry)
    form = AnswerChangeForm(request.POST)
    problems = {}
    try:
        if not form.is_valid():
            raise ValidationError(_form_problem(form))
        change(answer, **form.cleaned_data)
    except ValidationError as error:
        problems[answer.pk] = {
            "kind": kind,
            "message": " ".join(error.messages),
            "body": form.data.get("body", ""),
            "reason": form.data.get("reason", ""),
        }
    if request.htmx:
        return answers_partial(
            request,
            entry_id,
            answer_problems=problems,
            answer_refused=bool(problems),
            answer_status="" if problems else done,
        )
    if problems:
        return _entry_page_with(request, entry, answer_problems=problems)
    messages.success(request, done)
    return redirect(reverse("knowledge:entry", args=[entry.pk]) + f"#answer-{answer.pk}")


@login_required
@require_POST
def answer_edit(request, entry_id: int, answer_id: int):
    """Only the author rewrites an answer (services.edit_answer); anyone else gets 403 with the reason."""
    return _answer_change(
        request,
        entry_id,
        answer_id,
        kind="edit",
        done=gettext("Your answer was updated."),
        change=lambda answer, body, **_: services.edit_answer(by=request.user, answer=answer, body=body),
    )


@login_required
@require_POST
def answer_hide(request, entry_id: int, answer_id: int):
    return _answer_change(
        request,
        entry_id,
        answer_id,
        kind="hide",
        done=gettext("The answer was hidden."),
        change=lambda answer, reason, **_: services.hide_answer(by=request.user, answer=answer, reason=reason),
    )


@login_required
@require_POST
def answer_restore(request, entry_id: int, answer_id: int):
    return _answer_change(
        request,
        entry_id,
        answer_id,
        kind="restore",
        done=gettext("The answer is shown again."),
        change=lambda answer, **_: services.restore_answer(by=request.user, answer=answer),
    )


@login_required
@require_POST
def entry_link(request, entry_id: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            target = selectors.entry_for(viewer=request.user, entry_id=form.cleaned_data["target"])
        except Http404:
            form.add_error("target", gettext("There is no entry with that number that you can see."))
        else:
            try:
                services.add_link(by=request.user, source=entry, target=target, kind=form.cleaned_data["kind"])
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, gettext("Linked to “%(title)s”.") % {"title": target.title})
                return redirect(reverse("knowledge:entry", args=[entry.pk]) + "#links")
    return _entry_page_with(request, entry, link_form=form)


# --- curating ------------------------------------------------------------------------------------


@login_required
@require_POST
def entry_verify(request, entry_id: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    error = None
    try:
        services.verify_entry(by=request.user, entry=entry)
    except ValidationError as problem:
        error = _error_text(problem)
    if request.htmx and request.htmx.target == f"review-{entry.pk}":
        return render(
            request,
            "knowledge/_review_row.html",
            {"entry": entry, "verified": error is None, "error": error, "can_curate": True},
        )
    if error:
        messages.error(request, error)
    else:
        due = date_format(timezone.localtime(entry.review_due_at), "j M Y")
        messages.success(request, gettext("Verified. Next review on %(date)s.") % {"date": due})
    return redirect(_next_or(request, reverse("knowledge:entry", args=[entry.pk])))


@login_required
@require_POST
def entry_obsolete(request, entry_id: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    form = ObsoleteForm(request.POST)
    if form.is_valid():
        try:
            services.mark_obsolete(by=request.user, entry=entry, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, gettext("The entry is marked obsolete. It stays readable, clearly marked."))
            return redirect("knowledge:entry", entry.pk)
    return _entry_page_with(request, entry, obsolete_form=form)


@login_required
@require_POST
def entry_reinstate(request, entry_id: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    services.restore_from_obsolete(by=request.user, entry=entry)
    messages.success(request, gettext("The entry is current again; its review clock restarted."))
    return redirect("knowledge:entry", entry.pk)


@login_required
@require_POST
def entry_status(request, entry_id: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    form = DecisionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_problem(form))
        return redirect("knowledge:entry", entry.pk)
    superseded_by = None
    if form.cleaned_data["superseded_by"] is not None:
        superseded_by = selectors.entry_for(viewer=request.user, entry_id=form.cleaned_data["superseded_by"])
    try:
        services.set_decision_status(
            by=request.user, entry=entry, status=form.cleaned_data["status"], superseded_by=superseded_by
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, gettext("The decision is now %(status)s.") % {"status": str(entry.get_status_display()).lower()}
        )
    return redirect("knowledge:entry", entry.pk)


# --- history -------------------------------------------------------------------------------------


@login_required
def entry_history(request, entry_id: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    page = Paginator(selectors.versions_of(entry), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/history.html",
        {
            "entry": entry,
            "page": page,
            "query_string": "",
            "can": selectors.abilities(viewer=request.user, entry=entry),
        },
    )


@login_required
def entry_diff(request, entry_id: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    try:
        old = int(request.GET.get("from", entry.version - 1))
        new = int(request.GET.get("to", entry.version))
    except ValueError as error:
        raise Http404("Versions are numbers.") from error
    diffs = selectors.version_diff(entry, old, new)
    versions = {version.number: version for version in selectors.versions_of(entry).filter(number__in=[old, new])}
    return render(
        request,
        "knowledge/diff.html",
        {
            "entry": entry,
            "diffs": diffs,
            "old": versions[old],
            "new": versions[new],
            "numbers": list(selectors.versions_of(entry).values_list("number", flat=True)),
        },
    )


@login_required
@require_POST
def version_restore(request, entry_id: int, number: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    before = entry.version
    try:
        services.restore_version(by=request.user, entry=entry, number=number)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("knowledge:history", entry.pk)
    if entry.version == before:
        messages.info(
            request,
            gettext("Version %(number)s is the same as the current text; nothing changed.") % {"number": number},
        )
    else:
        messages.success(
            request,
            gettext("Version %(number)s was restored as version %(version)s.")
            % {"number": number, "version": entry.version},
        )
    return redirect("knowledge:entry", entry.pk)


# --- reviews -------------------------------------------------------------------------------------


@login_required
def review_queue(request):
    page = Paginator(selectors.review_queue(viewer=request.user), 50).get_page(request.GET.get("page"))
    rows = [(entry, selectors.abilities(viewer=request.user, entry=entry).curate) for entry in page]
    return render(request, "knowledge/reviews.html", {"page": page, "rows": rows, "query_string": ""})
