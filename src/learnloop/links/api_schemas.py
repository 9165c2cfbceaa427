"""The API's shape of what learnloop.links lists back on an object (imported by API modules only,
so commands that serve nothing never load ninja)."""

from datetime import date

from ninja import Field, Schema


class LessonLinkOut(Schema):
    id: int
    kind: str
    title: str
    url: str
    verified_by_outcome: bool


class AppliedLessonOut(LessonLinkOut):
    applied_by: str
    applied_on: date | None
    outcome: str = Field(description="worked, partly, did_not_work or too_early, as the person said.")


class LessonsHereOut(Schema):
    lessons_from_here: list[LessonLinkOut]
    lessons_applied_here: list[AppliedLessonOut]


def lessons_here(backlinks) -> dict:
    return {"lessons_from_here": backlinks.came_from, "lessons_applied_here": backlinks.applied_here}
