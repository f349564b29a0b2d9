"""Background work of the indicators app, on Django's task framework (django.tasks): the
embedded default runs tasks at once (ImmediateBackend, settings.TASKS); production points
TASKS at a worker backend and nothing here changes."""

from django.tasks import task

from himaya.indicators import aggregates, services


@task
def run_export(job_id: str) -> None:
    services.export_run(job_id)


@task
def refresh_aggregates() -> None:
    aggregates.refresh()
