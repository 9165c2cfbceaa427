import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from learnloop.activity.models import ActivityEvent
from learnloop.reflection import cards, selectors, services
from learnloop.reflection.models import Card, Group, Participant, Template
from tests.conftest import signed_in_client
from tests.reflection.conftest import join, move_to


def test_every_builtin_template_is_available_with_its_columns(member):
    templates = {t.slug: t for t in selectors.templates_for(member)}
    assert {"start-stop-continue", "four-ls", "mad-sad-glad", "sailboat", "after-action-review",
            "blameless-postmortem", "pre-mortem", "candid-critique"} <= set(templates)
    review = templates["after-action-review"]
    assert [c["title"] for c in review.columns] == [
        "What was supposed to happen", "What happened", "Why they differ", "Sustain or improve"]
    factors = templates["blameless-postmortem"].column("factors")
    assert factors["whys"] is True
    assert "six months from now" in templates["pre-mortem"].columns[0]["prompt"]


def test_builtin_templates_cannot_be_edited_but_can_be_cloned(admin):
    builtin = services.builtin_template("four-ls")
    with pytest.raises(ValidationError):
        services.update_template(by=admin, template=builtin, name="Mine now")
    copy = services.clone_template(by=admin, template=builtin, name="4Ls for launches")
    services.update_template(by=admin, template=copy, columns=[*copy.columns[:2], {"title": "Next time"}])
    copy.refresh_from_db()
    assert [c["title"] for c in copy.columns] == ["Liked", "Learned", "Next time"]
    assert copy.cloned_from == builtin
    assert Template.objects.get(pk=builtin.pk).columns[2]["title"] == "Lacked"


def test_organization_templates_are_for_learning_leads_and_team_templates_for_facilitators(
    member, facilitator, team
):
    columns = [{"title": "Good"}, {"title": "Bad"}]
    with pytest.raises(PermissionDenied):
        services.create_template(by=member, name="Ours", columns=columns)
    with pytest.raises(PermissionDenied):
        services.create_template(by=facilitator, name="Ours", columns=columns)
    template = services.create_template(by=facilitator, name="Ours", columns=columns, scope="team", team=team)
    assert template.team == team
    with pytest.raises(PermissionDenied):
        services.create_template(by=member, name="Theirs", columns=columns, scope="team", team=team)


def test_a_template_needs_columns_with_distinct_titles(admin):
    with pytest.raises(ValidationError):
        services.create_template(by=admin, name="Empty", columns=[])
    with pytest.raises(ValidationError):
        services.create_template(by=admin, name="Twice", columns=[{"title": "Same"}, {"title": "Same"}])


def test_cards_stay_private_until_the_facilitator_reveals_them(session, facilitator, writer, colleague, keys):
    session = move_to(session, "reflect", by=facilitator)
    join(session, writer, colleague)
    cards.write_card(by=writer, session=session, column="start", text="Pair on reviews", writer_key=keys["w"])
    cards.write_card(by=colleague, session=session, column="stop", text="Friday deploys", writer_key=keys["c"])
    assert [c.text for c in selectors.cards_for(writer, session, keys["w"])] == ["Pair on reviews"]
    assert selectors.cards_for(facilitator, session, keys["f"]) == []
    assert selectors.status_of(session).cards_written == 2
    services.reveal(by=facilitator, session=session)
    assert {c.text for c in selectors.cards_for(facilitator, session, keys["f"])} == {"Pair on reviews",
                                                                                      "Friday deploys"}


def test_only_the_facilitator_moves_phases_one_step_at_a_time(session, facilitator, writer):
    with pytest.raises(PermissionDenied):
        services.set_phase(by=writer, session=session, phase="reflect")
    with pytest.raises(ValidationError):
        services.set_phase(by=facilitator, session=session, phase="vote")
    session = services.set_phase(by=facilitator, session=session, phase="reflect")
    assert services.set_phase(by=facilitator, session=session, phase="prepare").phase == "prepare"


def test_outsiders_cannot_write_cards(session, facilitator, outsider, keys):
    session = move_to(session, "reflect", by=facilitator)
    with pytest.raises(PermissionDenied):
        cards.write_card(by=outsider, session=session, column="start", text="Hi", writer_key=keys["o"])


def test_grouping_suggestions_and_votes_within_the_budget(session, facilitator, writer, colleague, keys):
    session = move_to(session, "reflect", by=facilitator)
    join(session, writer, colleague)
    slow = cards.write_card(by=writer, session=session, column="stop", text="The build pipeline is slow",
                            writer_key=keys["w"])
    slower = cards.write_card(by=colleague, session=session, column="stop", text="Slow build pipeline again",
                              writer_key=keys["c"])
    lunch = cards.write_card(by=colleague, session=session, column="continue", text="Team lunch on Fridays",
                             writer_key=keys["c"])
    session = move_to(session, "group", by=facilitator)
    [suggestion] = selectors.suggested_groups(session, selectors.cards_for(writer, session))
    assert {card.id for card in suggestion} == {str(slow.pk), str(slower.pk)}
    group = cards.group_cards(by=writer, session=session, cards=[slow, slower], title="Slow builds")
    session = services.set_vote_budget(by=facilitator, session=session, budget=2)
    session = move_to(session, "vote", by=facilitator)
    lunch.refresh_from_db()
    assert lunch.group is not None  # a group of one, so it can be voted on
    cards.cast_vote(by=writer, session=session, group=group, writer_key=keys["w"])
    cards.cast_vote(by=writer, session=session, group=group, writer_key=keys["w"])
    with pytest.raises(ValidationError):
        cards.cast_vote(by=writer, session=session, group=lunch.group, writer_key=keys["w"])
    cards.withdraw_vote(by=writer, session=session, group=group, writer_key=keys["w"])
    cards.cast_vote(by=writer, session=session, group=lunch.group, writer_key=keys["w"])
    cards.cast_vote(by=colleague, session=session, group=group, writer_key=keys["c"])
    with pytest.raises(ValidationError):  # someone else's key holds no vote of theirs here
        cards.withdraw_vote(by=colleague, session=session, group=lunch.group, writer_key=keys["c"])
    hidden = selectors.groups_with_cards(session, selectors.cards_for(writer, session))
    assert [(g["title"], g["votes"]) for g in hidden] == [("Slow builds", None), ("Team lunch on Fridays", None)]
    session = move_to(session, "discuss", by=facilitator)
    ordered = selectors.groups_with_cards(session, selectors.cards_for(writer, session))
    assert [(g["title"], g["votes"]) for g in ordered] == [("Slow builds", 2), ("Team lunch on Fridays", 1)]
    assert Participant.objects.get(session=session, person=writer).votes_used == 2


def test_a_contributing_factor_carries_a_chain_of_whys(make_session, facilitator, writer, keys):
    session = move_to(make_session("blameless-postmortem", title="Checkout outage"), "reflect", by=facilitator)
    join(session, writer)
    factor = cards.write_card(by=writer, session=session, column="factors", text="The retry storm",
                              writer_key=keys["w"])
    summary = cards.write_card(by=writer, session=session, column="summary", text="Down 40 minutes",
                               writer_key=keys["w"])
    session = services.reveal(by=facilitator, session=session)
    for why in ("Clients retried without backoff", "The SDK default has no backoff"):
        cards.add_why(by=writer, session=session, card=factor, text=why)
    with pytest.raises(ValidationError):
        cards.add_why(by=writer, session=session, card=summary, text="Why?")
    [view] = [c for c in selectors.cards_for(writer, session) if c.id == str(factor.pk)]
    assert view.whys == ["Clients retried without backoff", "The SDK default has no backoff"]


def test_only_the_work_owner_decides_what_to_take_from_critique_notes(make_session, facilitator, writer, keys):
    session = make_session("candid-critique", title="Onboarding guide draft", work_owner=writer)
    session = move_to(session, "reflect", by=facilitator)
    join(session, facilitator)
    note = cards.write_card(by=facilitator, session=session, column="suggestions", text="Cut chapter two",
                            writer_key=keys["f"])
    session = services.reveal(by=facilitator, session=session)
    with pytest.raises(PermissionDenied):
        cards.decide_note(by=facilitator, session=session, card=note, decision="taken")
    cards.decide_note(by=writer, session=session, card=note, decision="not_taken",
                      reason="Chapter two is what new hires ask for most.")
    note.refresh_from_db()
    assert (note.decision, note.decision_reason) == ("not_taken", "Chapter two is what new hires ask for most.")


def test_status_names_who_is_done_only_in_named_sessions(make_session, facilitator, writer, colleague):
    named = move_to(make_session(), "reflect", by=facilitator)
    services.mark_done(by=writer, session=named)
    services.join_session(by=colleague, session=named)
    status = selectors.status_of(named)
    assert (status.done_count, status.done_names, status.participants) == (1, ["Wren Writer"], 3)
    hidden = move_to(make_session(anonymity="anonymous", title="Quiet retro"), "reflect", by=facilitator)
    services.mark_done(by=writer, session=hidden)
    status = selectors.status_of(hidden)
    assert (status.done_count, status.done_names) == (1, [])


def test_moving_to_the_next_phase_resets_who_is_done(session, facilitator, writer):
    session = move_to(session, "reflect", by=facilitator)
    services.mark_done(by=writer, session=session)
    session = services.set_phase(by=facilitator, session=session, phase="group")
    assert selectors.status_of(session).done_count == 0


def test_a_closed_session_stays_closed(session, facilitator):
    session = move_to(session, "closed", by=facilitator)
    assert session.closed_at is not None
    with pytest.raises(ValidationError):
        services.set_phase(by=facilitator, session=session, phase="actions")


def test_asynchronous_sessions_need_a_deadline(make_session):
    with pytest.raises(ValidationError):
        make_session(mode="async")
    session = make_session(mode="async", phase_deadlines={"reflect": "2030-03-04T17:00:00+00:00"})
    assert session.phase_deadlines["reflect"].startswith("2030-03-04T17:00")


def test_an_asynchronous_session_moves_on_when_its_deadlines_pass_but_never_into_actions(
    make_session, facilitator, writer, keys
):
    start = timezone.now()
    deadlines = {phase: (start + timedelta(days=days)).isoformat()
                 for phase, days in (("prepare", 1), ("reflect", 3), ("group", 4), ("vote", 5), ("discuss", 6))}
    session = make_session(mode="async", phase_deadlines=deadlines)
    assert services.advance_if_due(session, now=start).phase == "prepare"
    session = services.advance_if_due(session, now=start + timedelta(days=1, hours=1))
    assert session.phase == "reflect"
    join(session, writer)
    card = cards.write_card(by=writer, session=session, column="start", text="Write the design doc first",
                            writer_key=keys["w"])
    # Nobody looked for a week: it catches up, one phase per passed deadline, and stops at discussion.
    moved = services.advance_due_sessions(now=start + timedelta(days=8))
    session.refresh_from_db()
    card.refresh_from_db()
    assert [s.pk for s in moved] == [session.pk] and session.phase == "discuss"
    assert session.revealed and card.group is not None  # what moving by hand does, too
    assert services.advance_due_sessions(now=start + timedelta(days=9)) == []
    assert ActivityEvent.objects.filter(verb="phase_discuss", actor=None).exists()
    # A live session never moves by itself.
    live = make_session(title="Live retro")
    assert services.advance_if_due(live, now=start + timedelta(days=30)).phase == "prepare"


def test_opening_a_session_after_its_deadline_shows_the_next_phase(make_session, facilitator):
    session = make_session(mode="async", phase_deadlines={"prepare": (timezone.now() - timedelta(hours=1)).isoformat()})
    page = signed_in_client(facilitator).get(f"/sessions/{session.pk}/")
    assert page.status_code == 200
    session.refresh_from_db()
    assert session.phase == "reflect"
    out = io.StringIO()
    call_command("sessions", "advance", stdout=out)
    assert out.getvalue() == "No asynchronous session has a phase deadline that has passed.\n"


def test_groups_emptied_by_regrouping_disappear(session, facilitator, writer, keys):
    session = move_to(session, "reflect", by=facilitator)
    join(session, writer)
    a, b, c = (cards.write_card(by=writer, session=session, column="start", text=t, writer_key=keys["w"])
               for t in ("one", "two", "three"))
    session = move_to(session, "group", by=facilitator)
    first = cards.group_cards(by=writer, session=session, cards=[a], title="First")
    second = cards.group_cards(by=writer, session=session, cards=[b, c], title="Second")
    cards.group_cards(by=writer, session=session, cards=[a], group=second)
    assert not Group.objects.filter(pk=first.pk).exists()
    assert set(Card.objects.filter(group=second).values_list("text", flat=True)) == {"one", "two", "three"}


def test_the_sessions_page_lists_sessions_and_starts_new_ones(session, facilitator, team):
    from tests.conftest import signed_in_client

    client = signed_in_client(facilitator)
    page = client.get("/sessions/").content.decode()
    assert "Sprint 14 retro" in page and "Team learning, last 12 months" in page
    template = services.builtin_template("pre-mortem")
    response = client.post("/sessions/", {"title": "Launch pre-mortem", "team": team.pk, "template": template.pk,
                                          "anonymity": "anonymous", "mode": "live", "vote_budget": 5})
    created = Template.objects.get(pk=template.pk).sessions.get()
    assert response.status_code == 302 and response["Location"] == f"/sessions/{created.pk}/"
    assert (created.anonymity, created.vote_budget, created.facilitator) == ("anonymous", 5, facilitator)
    refused = client.post("/sessions/", {"title": "", "team": team.pk, "template": template.pk})
    assert refused.status_code == 200 and "needs a title" in refused.content.decode()
