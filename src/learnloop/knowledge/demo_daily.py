"""The demo's knowledge in daily use: people follow entries and hear of their changes, vote on
answers, find a few recent questions still unanswered, and get this morning's review reminders.

Built after the rest of the knowledge base with its own random generator, so the rest of the
demo (and every module after it) stays what it was for a seed.
"""

import random
from datetime import timedelta

from learnloop.knowledge import entry_templates, services
from learnloop.knowledge.models import Entry, EntryKind, EntryVersion, Notification
from learnloop.knowledge.review_reminders import run_review_reminders

# Recent questions nobody has answered yet: (owning team's slug, title, details, days ago).
UNANSWERED = [
    ("platform", "Who can approve a production database restore at night?",
     "The restore playbook names the on-call DBA, but we have none on weekends now.", 2),
    ("platform", "Is there a way to dry-run the Terraform changes for the shared VPC?",
     "`plan` needs credentials for every account; what do other teams do?", 9),
    ("payments", "How long do we keep card-authorisation logs after the PCI change?",
     "Legal said 13 months, the retention job still says 24.", 5),
    ("support", "Which macro do we use when a refund fails twice?",
     "The two macros in the help desk contradict each other.", 1),
    ("data-infrastructure", "Where do the nightly freight-volume exports land now?",
     "The S3 bucket in the old runbook is empty since October.", 12),
]


def build(context, specs) -> None:
    rng = random.Random(f"knowledge-daily-{context.seed}")  # noqa: S311 (demo data, not secrets)
    today = context.clock.today
    people = [person for person in context.people if person.is_active]
    entries = [spec.entry for spec in specs if spec.entry.obsolete_at is None and spec.entry.visibility == "everyone"]
    _templates(context)
    _unanswered(context, rng, today, people)
    _votes(rng, specs)
    _follows_and_changes(rng, today, people, entries)
    # Today's reminders went out as the day began (a fixed later hour would lie in the future
    # for a demo built before it).
    run_review_reminders(today=context.clock.date, at=today)
    # Older notifications were read long ago; the last week's are still new.
    for notification in Notification.objects.filter(created_at__lt=today - timedelta(days=7)).only("created_at"):
        notification.read_at = notification.created_at + timedelta(hours=rng.randint(1, 30))
        notification.save(update_fields=["read_at"])


def _unanswered(context, rng, today, people) -> None:
    for slug, title, body, days in UNANSWERED:
        team = context.teams.get(slug)
        if team is None:
            continue
        askers = [person for person in people if person.is_active]
        asker = askers[rng.randrange(len(askers))]
        moment = today - timedelta(days=days, hours=-rng.randint(9, 17))
        entry = services.create_entry(by=asker, kind=EntryKind.QUESTION, title=title, body=body, owner_team=team,
                                      tags=["question"], at=moment)
        EntryVersion.objects.filter(entry=entry).update(created_at=moment)


def _votes(rng, specs) -> None:
    """Readers vote on the answers of questions with more than one: mostly up, a few down."""
    for spec in specs:
        answers = list(spec.entry.answers.all()) if spec.entry.kind == EntryKind.QUESTION else []
        if len(answers) < 2 or spec.entry.visibility != "everyone":
            continue
        for answer in answers:
            for person in _voters(rng, spec, answer):
                value = 1 if rng.random() < 0.85 else -1
                services.vote_on_answer(by=person, answer=answer, value=value)


def _voters(rng, spec, answer) -> list:
    from learnloop.org.models import Person

    pool = list(Person.objects.filter(is_active=True).exclude(pk=answer.author_id).order_by("pk")[:60])
    count = rng.randint(0, 6) + (3 if answer.pk == spec.entry.accepted_answer_id else 0)
    return rng.sample(pool, min(count, len(pool)))


def _follows_and_changes(rng, today, people, entries) -> None:
    """Some people follow entries they use; this week a few of those were edited, so their
    followers have notifications waiting."""
    lessons = [entry for entry in entries if entry.kind in {EntryKind.LESSON, EntryKind.PLAYBOOK}]
    followed = rng.sample(lessons, min(30, len(lessons)))
    for entry in followed:
        for person in rng.sample(people, 3):
            services.follow_entry(by=person, entry=entry, at=today - timedelta(days=rng.randint(20, 120)))
    for entry in followed[:6]:
        entry = Entry.objects.get(pk=entry.pk)
        editor = entry.owner_person if entry.owner_person_id and entry.owner_person.is_active else entry.author
        if not editor.is_active:
            continue
        # 10:00 on one of the last five days, never today: a demo built before 10:00 would show
        # an edit from later today, in the future.
        moment = today - timedelta(days=rng.randint(1, 5), hours=-10)
        services.update_entry(
            by=editor, entry=entry, body=entry.body.rstrip() + "\n\nChecked again this week: still how we do it.",
            change_note="Checked again this week", at=moment,
        )
        # Versions are dated by their model's default; the replayed moment is theirs.
        EntryVersion.objects.filter(entry=entry, number=entry.version).update(created_at=moment)


def _templates(context) -> None:
    """The learning lead's organization templates and the platform team's own."""
    from learnloop.org.membership import facilitators_of

    steward = next((p for p in context.people if p.is_active and p.is_learning_lead and not p.is_admin), None)
    steward = steward or next(p for p in context.people if p.is_admin)
    entry_templates.create_template(
        by=steward, kind=EntryKind.LESSON, name="Lesson from an incident",
        description="What happened, why, what we changed — blameless",
        body="## What happened\n\n## Why it happened (contributing factors, not people)\n\n"
             "## What we changed\n\n## What others should do\n")
    entry_templates.create_template(
        by=steward, kind=EntryKind.DECISION, name="Architecture decision record",
        description="The organization's ADR format",
        context="What forces are at play? What constraint or goal makes us decide now?",
        options="1. …\n2. …\n3. Do nothing", decision="We will …",
        consequences="What becomes easier, what becomes harder, and when we revisit it.")
    team = context.teams.get("platform")
    leads = facilitators_of(team.pk) if team else []
    if leads:
        entry_templates.create_template(
            by=leads[0], kind=EntryKind.PLAYBOOK, team=team, name="Platform runbook",
            description="Our runbook shape: trigger, checks, steps, rollback",
            body="**When**: …\n\n## Before you start\n- [ ] …\n\n## Steps\n1. …\n\n## Roll back\n1. …\n")
