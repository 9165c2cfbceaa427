"""Custom templates in the web UI: the list, cloning into the organization or a team, editing."""

from learnloop.reflection import services
from learnloop.reflection.models import Template
from tests import factories
from tests.conftest import signed_in_client


def _clone(client, template, scope, name="") -> object:
    return client.post(f"/sessions/templates/{template.pk}/clone/", {"scope": scope, "name": name})


def test_the_list_shows_every_built_in_template_with_its_columns(writer):
    page = signed_in_client(writer).get("/sessions/templates/").content.decode()
    for name in ("Start, Stop, Continue", "Sailboat", "Blameless postmortem", "Candid critique"):
        assert name in page
    assert "Anchors" in page and "What slows us down?" in page
    # A plain member writes no templates, so is offered no clone form.
    assert "/clone/" not in page


def test_a_facilitator_clones_a_built_in_into_their_team_and_edits_it(team, facilitator):
    client = signed_in_client(facilitator)
    page = client.get("/sessions/templates/").content.decode()
    assert f"team:{team.pk}" in page and 'value="organization"' not in page
    sailboat = services.builtin_template("sailboat")

    response = _clone(client, sailboat, f"team:{team.pk}", name="Our sailboat")
    clone = Template.objects.get(name="Our sailboat")
    assert response.status_code == 302 and response.url == f"/sessions/templates/{clone.pk}/edit/"
    assert (clone.scope, clone.team, clone.cloned_from) == ("team", team, sailboat)

    form = client.get(response.url).content.decode()
    assert 'value="Wind"' in form and 'value="What pushes us forward?"' in form
    saved = client.post(response.url, {
        "name": "Our sailboat", "description": "For quarter ends.", "rows": "6",
        "key_0": "wind", "title_0": "Wind in the sails", "prompt_0": "What helped us this quarter?",
        "key_1": "anchor", "title_1": "Anchors", "prompt_1": "What held us back?",
        "key_2": "rocks", "title_2": "", "prompt_2": "What risks lie ahead?",  # cleared: removed
        "key_3": "island", "title_3": "Island", "prompt_3": "Where do we want to be?",
        "key_4": "", "title_4": "Crew", "prompt_4": "Who helped?",
        "key_5": "", "title_5": "", "prompt_5": "",
    }, follow=True)
    assert "Template saved." in saved.content.decode()
    clone.refresh_from_db()
    assert clone.description == "For quarter ends."
    assert [(c["key"], c["title"]) for c in clone.columns] == [
        ("wind", "Wind in the sails"), ("anchor", "Anchors"), ("island", "Island"), ("crew", "Crew")]
    assert clone.columns[0]["prompt"] == "What helped us this quarter?"
    assert sailboat.columns == services.builtin_template("sailboat").columns  # the original is untouched


def test_a_learning_lead_clones_into_the_organization(organization):
    lead = factories.person(role="learning_lead")
    client = signed_in_client(lead)
    template = services.builtin_template("four-ls")
    response = _clone(client, template, "organization")
    clone = Template.objects.get(cloned_from=template)
    assert response.status_code == 302
    assert (clone.name, clone.scope, clone.team) == (f"{template.name} (copy)", "organization", None)


def test_nobody_clones_where_they_may_not_write(team, writer):
    other_team = factories.team(name="Elsewhere")
    response = _clone(signed_in_client(writer), services.builtin_template("sailboat"), f"team:{other_team.pk}")
    assert response.status_code == 302 and response.url == "/sessions/templates/"
    assert not Template.objects.exclude(scope="builtin").exists()
    organization_wide = _clone(signed_in_client(writer), services.builtin_template("sailboat"), "organization")
    assert organization_wide.url == "/sessions/templates/"
    assert not Template.objects.exclude(scope="builtin").exists()


def test_a_bad_edit_keeps_what_was_typed_and_changes_nothing(team, facilitator):
    template = services.create_template(by=facilitator, name="Team check-in", scope="team", team=team,
                                        columns=[{"title": "Good"}, {"title": "Bad"}])
    client = signed_in_client(facilitator)
    response = client.post(f"/sessions/templates/{template.pk}/edit/", {
        "name": "", "description": "Weekly", "rows": "2",
        "key_0": "good", "title_0": "Going well", "prompt_0": "Say it",
        "key_1": "bad", "title_1": "Going well", "prompt_1": "",
    })
    page = response.content.decode()
    assert response.status_code == 200 and "A template needs a name" in page
    assert 'value="Going well"' in page and "Weekly" in page and 'value="Say it"' in page
    template.refresh_from_db()
    assert template.name == "Team check-in" and [c["title"] for c in template.columns] == ["Good", "Bad"]

    duplicate = client.post(f"/sessions/templates/{template.pk}/edit/", {
        "name": "Team check-in", "rows": "2", "title_0": "Same", "title_1": "Same"})
    assert "Two columns are both called" in duplicate.content.decode()


def test_only_owners_edit_and_built_ins_are_never_edited(team, facilitator, writer, admin):
    template = services.create_template(by=facilitator, name="Team check-in", scope="team", team=team,
                                        columns=[{"title": "Good"}])
    assert signed_in_client(writer).get(f"/sessions/templates/{template.pk}/edit/").status_code == 403
    builtin = services.builtin_template("mad-sad-glad")
    assert signed_in_client(admin).get(f"/sessions/templates/{builtin.pk}/edit/").status_code == 403
    listing = signed_in_client(facilitator).get("/sessions/templates/").content.decode()
    assert f"/sessions/templates/{template.pk}/edit/" in listing
    assert f"/sessions/templates/{builtin.pk}/edit/" not in listing


def test_a_team_template_is_seen_only_by_that_team(team, facilitator, outsider):
    template = services.create_template(by=facilitator, name="Payments incident review", scope="team", team=team,
                                        columns=[{"title": "Timeline"}])
    assert "Payments incident review" in signed_in_client(facilitator).get("/sessions/templates/").content.decode()
    assert "Payments incident review" not in signed_in_client(outsider).get("/sessions/templates/").content.decode()
    assert signed_in_client(outsider).get(f"/sessions/templates/{template.pk}/edit/").status_code == 404
