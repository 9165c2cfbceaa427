import json, random
import pytest
from django.db import connection
from learnloop.surveys import services
from learnloop.surveys.models import Invitation, Response
from learnloop.surveys.tokens import token_for
from tests.surveys.conftest import run_campaign

def test_pg_xmin_ctid_attack(survey_org):
    campaign = run_campaign(survey_org, responders=[], close=False)
    items = list(campaign.instrument.items.exclude(kind="comment"))
    invs = random.Random(5).sample(list(Invitation.objects.filter(campaign=campaign).order_by("pk")), 20)
    truth = {}
    for n, inv in enumerate(invs):
        answers = {item.key: 1 + (n % 5) for item in items}
        answers["pulse_safety"] = 1 + n // 5
        services.submit_response(token=token_for(inv), answers=answers)
        truth[inv.person_id] = (answers["pulse_safety"], answers["pulse_leadership"])
    with connection.cursor() as c:
        c.execute(f"SELECT xmin::text, ctid::text, answers FROM {Response._meta.db_table} WHERE campaign_id=%s ORDER BY ctid", [campaign.pk])
        rows = [(x, t, a if isinstance(a, dict) else json.loads(a)) for x, t, a in c.fetchall()]
        c.execute(f"SELECT xmin::text, person_id FROM {Invitation._meta.db_table} WHERE campaign_id=%s AND responded ORDER BY ctid", [campaign.pk])
        invrows = c.fetchall()
    exact = guessed_right = 0
    for xmin, person in invrows:
        cands = [a for x, _, a in rows if x == xmin]
        if len(cands) == 1 and (cands[0]["pulse_safety"], cands[0]["pulse_leadership"]) == truth[person]:
            exact += 1
        if cands and (random.Random(person).choice(cands)["pulse_safety"], 0) and any((a["pulse_safety"], a["pulse_leadership"]) == truth[person] for a in cands) and len(cands) <= 2:
            guessed_right += 1
    # ctid order attack: i-th invitation by ctid ~ i-th response by ctid
    order_hits = sum(1 for (x, person), (_, _, a) in zip(invrows, rows) if (a["pulse_safety"], a["pulse_leadership"]) == truth[person])
    print("PGATTACK exact", exact, "within-2", guessed_right, "ctid-order hits", order_hits, "of", len(invrows), "distinct xmins", len({x for x,_,_ in rows}))
