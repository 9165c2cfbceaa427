"""A field the respond operation takes but the survey doesn't (issue 21, item 8): refused with a
400 naming it, and nothing stored, rather than accepted and dropped."""

import random

from learnloop.surveys.models import Comment, Invitation, Response
from learnloop.surveys.tokens import token_for
from tests.surveys.conftest import answer_all, run_campaign

API = "/api/v1"
JSON = "application/json"


def test_a_comment_for_an_instrument_without_a_comment_question_is_refused(survey_org, client):
    campaign = run_campaign(survey_org, slug="pulse", responders=[], close=False)
    invitation = Invitation.objects.get(campaign=campaign, person=survey_org.lead)
    token = token_for(invitation)
    answers = answer_all(campaign.instrument, random.Random(1))
    response = client.post(f"{API}/surveys/respond/{token}", {"answers": answers, "comment": "Kept?"},
                           content_type=JSON)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["comment"]
    assert not Response.objects.filter(campaign=campaign).exists()
    assert not Comment.objects.filter(campaign=campaign).exists()
    invitation.refresh_from_db()
    assert not invitation.responded  # the link still works
    ok = client.post(f"{API}/surveys/respond/{token}", {"answers": answers}, content_type=JSON)
    assert ok.status_code == 204


def test_the_comment_question_is_not_an_answer(survey_org, client):
    campaign = run_campaign(survey_org, slug="learning-organization", responders=[], close=False)
    token = token_for(Invitation.objects.get(campaign=campaign, person=survey_org.lead))
    answers = answer_all(campaign.instrument, random.Random(1)) | {"comment": "Here?"}
    response = client.post(f"{API}/surveys/respond/{token}", {"answers": answers}, content_type=JSON)
    assert response.status_code == 400
    assert "comment" in response.json()["errors"]["answers"][0]
    assert not Response.objects.filter(campaign=campaign).exists()
