from learnloop.demo import build_demo
from learnloop.growth.models import LearningPath, MeetingNote, MentoringPair, Plan, Rating, Skill
from learnloop.org.models import Person

PARTS = ("org", "growth")


def _ratings():
    return list(Rating.objects.order_by("rated_at", "person__email", "skill__name", "role")
                .values_list("person__email", "skill__name", "role", "level", "rated_at"))


def test_demo_builds_framework_ratings_plans_paths_and_pairs_deterministically(db):
    build_demo(seed=7, only=PARTS)
    people = Person.objects.filter(is_active=True).count()
    assert 38 <= Skill.objects.count() <= 45
    assert Rating.objects.values("person").distinct().count() >= people * 0.9
    assert Rating.objects.filter(role="manager").exists() and Rating.objects.filter(role="peer").exists()
    assert people // 4 <= Plan.objects.count() <= people // 3 + 1
    assert LearningPath.objects.count() == 10
    assert MentoringPair.objects.count() >= 3 and MeetingNote.objects.exists()
    first = _ratings()
    build_demo(seed=7, only=PARTS)
    assert _ratings() == first
