"""Anonymity that survives the database (issue 10): vote rounds and hidden tallies, vote marks
with random ids, no stored hash shared by two cards, and no write order in existing rows."""

import random
import uuid

import django.db.models.deletion
from django.db import migrations, models


def forward(apps, schema_editor):
    Session = apps.get_model("reflection", "Session")
    Card = apps.get_model("reflection", "Card")
    WhyStep = apps.get_model("reflection", "WhyStep")
    OldMark = apps.get_model("reflection", "VoteMark")
    NewMark = apps.get_model("reflection", "ShuffledVoteMark")
    rng = random.SystemRandom()
    # Votes that ended before this migration have been shown (from discussion on).
    Session.objects.filter(phase__in=["discuss", "actions", "closed"]).update(tallies_shown=True)
    marks = [NewMark(id=uuid.uuid4(), group_id=mark.group_id, voter_hash=mark.voter_hash)
             for mark in OldMark.objects.all()]
    rng.shuffle(marks)
    NewMark.objects.bulk_create(marks)
    for session in Session.objects.exclude(anonymity="named"):
        cards = list(Card.objects.filter(session=session))
        steps = [WhyStep(card_id=s.card_id, position=s.position, text=s.text)
                 for s in WhyStep.objects.filter(card__session=session)]
        # Stored hashes were per writer and session; they grouped a writer's cards. Existing
        # cards are no longer marked as their writer's (nothing else depends on the hash).
        for card in cards:
            card.writer_hash = ""
        rng.shuffle(cards)
        rng.shuffle(steps)
        Card.objects.filter(session=session).delete()
        Card.objects.bulk_create(cards)
        WhyStep.objects.bulk_create(steps)


class Migration(migrations.Migration):

    dependencies = [
        ("reflection", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(name="group", options={"ordering": ["title", "id"]}),
        migrations.AddField(model_name="session", name="tallies_shown", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="session", name="vote_round",
                            field=models.PositiveSmallIntegerField(default=1)),
        migrations.CreateModel(
            name="ShuffledVoteMark",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("voter_hash", models.CharField(db_index=True, max_length=64)),
                ("group", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                            to="reflection.group")),
            ],
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
