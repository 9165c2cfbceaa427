"""What the search page shows of each hit, worked out in Python once per hit.

The results template re-renders on every keystroke (search as you type). Written with two
included templates, three translation tags, a URL tag and a date filter per hit, a page of 20
hits took 4.5 ms to render at 10,000 entries, most of the request after the search itself; the
template now only places these values. The texts are the same messages the template had (the
German catalogue translates them)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from learnloop.knowledge.search.base import SearchHit


@dataclass(frozen=True, slots=True)
class HitRow:
    hit: SearchHit
    url: str
    kind: str
    state: str
    state_label: str
    status: str
    owner_name: str
    owner_url: str
    owner_is_team: bool
    applied: str
    updated: str


def hit_rows(hits: list[SearchHit]) -> list[HitRow]:
    now = timezone.now()
    return [_row(hit, now) for hit in hits]


def _row(hit: SearchHit, now) -> HitRow:
    entry = hit.entry
    state = entry.freshness(now)
    team = not entry.owner_person_id
    if team:
        owner_name, owner_url = entry.owner_team.name, reverse("org:team", args=[entry.owner_team.slug])
    else:
        owner_name, owner_url = entry.owner_person.full_name, reverse("org:person", args=[entry.owner_person_id])
    times = entry.application_count
    return HitRow(
        hit=hit,
        url=reverse("knowledge:entry", args=[entry.pk]),
        kind=entry.get_kind_display(),
        state=state,
        state_label=entry.get_freshness_display(),
        status=entry.get_status_display(),
        owner_name=owner_name,
        owner_url=owner_url,
        owner_is_team=team,
        applied=ngettext("Applied %(times)s time", "Applied %(times)s times", times) % {"times": times},
        updated=gettext("Updated %(date)s") % {"date": date_format(timezone.localtime(entry.updated_at), "j M Y")},
    )
