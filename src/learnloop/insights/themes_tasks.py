"""Background jobs for themes, run by `learnloop worker` from the database queue (django.tasks)."""

from django.tasks import task

from learnloop.insights import themes_services

# More changed sources than this in one transaction (an import, the demo): regroup everything instead.
REBUILD_ABOVE = 200


@task
def place_theme_sources(refs: list[str]) -> int:
    if len(refs) > REBUILD_ABOVE:
        return themes_services.rebuild().texts
    return themes_services.place(refs)


@task
def rebuild_themes() -> int:
    return themes_services.rebuild().texts
