"""The demo organization N times larger: Harbourline with N sites.

`learnloop demo --scale N` builds the ordinary demo (through the services) as the head office,
then adds N-1 regional sites, each a copy of the head office's teams, people and a year of their
work (knowledge, sessions with cards and votes, actions, experiments, activity), written with
bulk inserts: building 10 or 100 organizations through the per-object services would take 10 or
100 times the minutes the demo takes. Each site is the head office's rows with fresh ids, every
reference (foreign keys and the generic "app.model"/id references) pointing into the same site,
and the values the database keeps unique made unique again (people get names and emails of their
own, teams the site's name), so every invariant the services keep for one site holds for each.
Organization-wide parts (survey campaigns, see `ORGANIZATION_WIDE` in a demo module) are built
afterwards, once, over all sites.

Deterministic: the same seed and scale give the same organization (ids included).
"""

import random
import uuid
from collections import defaultdict

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models
from django.utils.text import slugify

# Rows every site shares rather than copies: the organization itself, vocabularies (tags, skills,
# the attributes people are described by; their values are copied with the people), built-in
# templates, secrets that belong to one person's sign-in, operational and audit records.
SHARED_MODELS = {
    "org.organization", "org.personattribute", "knowledge.tag", "knowledge.skill", "knowledge.searchoutbox",
    "accounts.apitoken", "accounts.totpdevice", "accounts.recoverycode", "accounts.logincounter",
    "audit.auditevent", "growth.skillcategory", "growth.skill", "growth.skillevent",
}
# Rows of a copied model that are organization-wide all the same (built-in and organization
# templates; a team's own templates are copied with the team).
SHARED_ROWS = {"reflection.template": models.Q(team__isnull=True),
               "knowledge.entrytemplate": models.Q(team__isnull=True)}
# (type column, id column) pairs that name a row generically as ("app_label.model", "pk").
GENERIC_REFERENCES = {
    "activity.activityevent": [("subject_type", "subject_id")],
    "activity.anonymousactivity": [("subject_type", "subject_id")],
    "knowledge.provenance": [("source_type", "source_id")],
    "knowledge.application": [("context_type", "context_id")],
    "knowledge.outcomeevidence": [("source_type", "source_id")],
    "actions.action": [("source_type", "source_id")],
}
# Link types (learnloop.links) that name a row of a model under another name.
LINK_TYPE_MODELS = {
    "actions.check": "actions.action", "experiments.decision": "experiments.experiment",
    "surveys.focus_area": "surveys.focusarea",
}
SITES = [
    "Rotterdam", "Hamburg", "Antwerp", "Gdańsk", "Lisbon", "Valencia", "Genoa", "Piraeus", "Felixstowe",
    "Gothenburg", "Aarhus", "Le Havre", "Marseille", "Trieste", "Constanța", "Izmir", "Tangier", "Durban",
    "Mombasa", "Lagos", "Dakar", "Santos", "Callao", "Valparaíso", "Cartagena", "Veracruz", "Savannah",
    "Halifax", "Vancouver", "Long Beach", "Busan", "Kaohsiung", "Yokohama", "Tianjin", "Ningbo",
    "Singapore", "Port Klang", "Colombo", "Chennai", "Mundra", "Jebel Ali", "Salalah", "Jeddah",
    "Port Said", "Melbourne", "Brisbane", "Auckland", "Tacoma", "Montreal", "Houston",
]
SITE_HEAD_TITLE = "Site Director"


def site_name(number: int) -> str:
    """The name of site `number` (1 is the first regional site; the head office is 0)."""
    city = SITES[(number - 1) % len(SITES)]
    round_ = (number - 1) // len(SITES)
    return city if round_ == 0 else f"{city} {round_ + 1}"


def replicate(context, scale: int) -> None:
    """Add `scale - 1` sites copied from what the demo modules built so far (the head office)."""
    if scale <= 1:
        return
    from learnloop.org.demo import _email
    from learnloop.org.models import OrgRole, Person, Team

    rng = random.Random(f"scale-{context.seed}-{scale}")
    copied = _copied_models()
    rows = {label: _base_rows(model, label) for label, model in copied.items()}
    rows = {label: values for label, values in rows.items() if values}
    stride = {
        label: max(row[copied[label]._meta.pk.attname] for row in values) + 1
        for label, values in rows.items() if not isinstance(copied[label]._meta.pk, models.UUIDField)
    }
    shared_ids = {label: set(copied[label]._base_manager.filter(condition).values_list("pk", flat=True))
                  for label, condition in SHARED_ROWS.items() if label in copied}
    taken_emails = set(Person.objects.values_list("email", flat=True))
    names = _site_names(rng, used=set(Person.objects.values_list("full_name", flat=True)))
    ceo_id = (Person.objects.filter(manager__isnull=True, is_active=True).exclude(role=OrgRole.ADMIN)
              .order_by("pk").values_list("pk", flat=True).first())
    context.announce(f"copying the head office to {scale - 1} sites")
    for number in range(1, scale):
        site = site_name(number)
        copy = _SiteCopy(number=number, site=site, stride=stride, shared_ids=shared_ids, rng=rng, copied=copied)
        copy.assign_uuids(rows)
        for label, values in rows.items():
            model = copied[label]
            new_rows = []
            for row in values:
                if label in shared_ids and row[model._meta.pk.attname] in shared_ids[label]:
                    continue
                new = copy.remap(label, row)
                if label == "org.person":
                    _new_person(new, row, names=names, taken=taken_emails, site=site, ceo_id=ceo_id,
                                email_for=_email)
                elif label == "org.team":
                    new["name"] = f"{row['name']} ({site})"
                    new["slug"] = slugify(new["name"])
                elif label == "org.invitation":
                    new["email"] = _email(f"New Hire{number}", taken_emails)
                    new["token_hash"] = f"demo-site-{context.seed}-{number}-{row['id']}"
                elif label == "reflection.template":
                    new["slug"] = f"{row['slug']}-{slugify(site)}"
                new_rows.append(model(**new))
            model._base_manager.bulk_create(new_rows, batch_size=500)
        if number % 10 == 0 or number == scale - 1:
            context.announce(f"sites built: {number} of {scale - 1}")
    _reset_sequences(copied.values())
    context.teams = {team.slug: team for team in Team.objects.order_by("pk")}
    context.people = list(Person.objects.order_by("pk"))


class _SiteCopy:
    """How one site's rows map from the head office's: ids shifted by a per-model stride (or
    fresh UUIDs), references followed, hashes derived for the new ids."""

    def __init__(self, *, number, site, stride, shared_ids, rng, copied):
        self.number, self.site, self.stride, self.shared_ids, self.rng = number, site, stride, shared_ids, rng
        self.copied = copied
        self.uuids: dict[str, dict] = defaultdict(dict)
        self.labels_by_model = {model: label for label, model in copied.items()}

    def assign_uuids(self, rows) -> None:
        for label, values in rows.items():
            pk = self.copied[label]._meta.pk
            if isinstance(pk, models.UUIDField):
                self.uuids[label] = {row[pk.attname]: uuid.UUID(int=self.rng.getrandbits(128), version=4)
                                     for row in values}

    def new_id(self, label: str, old):
        if old is None:
            return None
        if label in self.uuids:
            return self.uuids[label].get(old, old)
        if label in self.stride and old not in self.shared_ids.get(label, ()):
            return old + self.number * self.stride[label]
        return old

    def remap(self, label: str, row: dict) -> dict:
        model = self.copied[label]
        new = dict(row)
        new[model._meta.pk.attname] = self.new_id(label, row[model._meta.pk.attname])
        for field in model._meta.concrete_fields:
            if field.is_relation and field.attname in new:
                target = field.related_model._meta.label_lower
                if target in self.copied:
                    new[field.attname] = self.new_id(target, row[field.attname])
        for type_column, id_column in GENERIC_REFERENCES.get(label, ()):
            target = LINK_TYPE_MODELS.get(row[type_column], row[type_column])
            if target in self.copied and row[id_column]:
                old = row[id_column]
                old_key = uuid.UUID(old) if target in self.uuids else int(old)
                new[id_column] = str(self.new_id(target, old_key))
        if label == "actions.action" and row.get("source_url") and row.get("source_id"):
            new["source_url"] = row["source_url"].replace(f"/{row['source_id']}/", f"/{new['source_id']}/")
        if label in {"reflection.card", "reflection.votemark"}:
            self._rederive_hash(label, row, new)
        return new

    def _rederive_hash(self, label: str, row: dict, new: dict) -> None:
        # The marks are derived from the session and row ids with the writer's own key, which
        # only the writer's browser holds; a copied mark would tie two sites' rows together.
        from learnloop.reflection.models import Group
        from learnloop.reflection.writer_keys import card_hash, dot_hash

        key = f"demo{self.rng.getrandbits(160):040x}"
        if label == "reflection.card" and row["writer_hash"]:
            new["writer_hash"] = card_hash(new["session_id"], key, new["id"])
        elif label == "reflection.votemark":
            session_id = self._session_of_group.get(row["group_id"]) if hasattr(self, "_session_of_group") else None
            if session_id is None:
                self._session_of_group = dict(Group.objects.values_list("pk", "session_id"))
                session_id = self._session_of_group[row["group_id"]]
            new_session = self.new_id("reflection.session", session_id)
            new["voter_hash"] = dot_hash(new_session, key, new["group_id"], 0)


def _site_names(rng, *, used: set[str]):
    """New full names, unique while the name lists allow (about 7,400), then with namesakes, as
    in any organization of thousands."""
    from learnloop.org.demo import FIRST_NAMES, LAST_NAMES

    while True:
        for _attempt in range(50):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            if name not in used:
                break
        used.add(name)
        yield name


def _new_person(new: dict, row: dict, *, names, taken, site, ceo_id, email_for) -> None:
    from learnloop.org.models import OrgRole

    full_name = next(names)
    new["full_name"] = full_name
    new["email"] = email_for(full_name, taken)
    new["last_login"] = None
    if row["id"] == ceo_id:
        # Each site's director reports to the chief executive at the head office.
        new["title"], new["manager_id"] = f"{SITE_HEAD_TITLE}, {site}", ceo_id
    if row["role"] == OrgRole.ADMIN:
        # One administrator for the organization; the sites have IT support instead.
        new["role"], new["title"] = OrgRole.MEMBER, "IT Support Specialist"


def _copied_models() -> dict:
    organization_wide = _organization_wide_apps()
    copied = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.app_config.name.startswith("learnloop.") or not meta.managed or meta.proxy:
            continue
        if meta.label_lower in SHARED_MODELS or meta.app_label in organization_wide:
            continue
        copied[meta.label_lower] = model
    return copied


def _organization_wide_apps() -> set[str]:
    from learnloop.demo.modules import demo_modules

    return {label for label, module in demo_modules() if getattr(module, "ORGANIZATION_WIDE", False)}


def _base_rows(model, label: str) -> list[dict]:
    attnames = [field.attname for field in model._meta.concrete_fields]
    return list(model._base_manager.order_by("pk").values(*attnames))


def _reset_sequences(models_) -> None:
    # Rows were written with explicit ids; PostgreSQL's sequences must move past them (SQLite's
    # AUTOINCREMENT follows the largest id by itself).
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

