"""`learnloop export` holds no individual survey answer and no survey link hash."""

import json

from django.core.management import call_command

from learnloop.surveys.models import Comment, Invitation, Response
from tests.surveys.conftest import run_campaign


def test_the_export_holds_no_individual_response_comment_or_link_hash(survey_org, tmp_path):
    people = survey_org.people["Payments"]
    run_campaign(survey_org, slug="learning-organization", name="Spring diagnostic",
                 comments={people[0].pk: "Retros feel like theatre lately."})
    assert Response.objects.count() > 5 and Comment.objects.count() == 1
    path = tmp_path / "export.json"
    call_command("export", str(path))
    text = path.read_text(encoding="utf-8")
    document = json.loads(text)
    assert "surveys.response" not in document["models"] and "surveys.comment" not in document["models"]
    assert all("token_hash" not in row for row in document["models"]["surveys.invitation"])
    secrets = [
        *(str(pk) for pk in Response.objects.values_list("pk", flat=True)),
        *Invitation.objects.exclude(token_hash=None).exclude(token_hash="").values_list("token_hash", flat=True),
        "Retros feel like theatre lately.",
    ]
    for secret in secrets:
        assert secret not in text
    # Who was invited (and who responded) is still there: that is participation, not answers.
    assert len(document["models"]["surveys.invitation"]) == Invitation.objects.count()
