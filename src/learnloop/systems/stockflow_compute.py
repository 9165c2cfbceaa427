"""The worker's part of a sensitivity run: run the model many times, report progress about twice
a second, store the percentile bands (or the reason it failed).

Cancelling (stockflow_services.cancel_sensitivity) sets the status at once; the progress report
writes only while the run is still "running", so the next report finds it cancelled and stops the
computation. A cancelled run keeps no partial bands."""

import math
import time

from django.utils import timezone

from learnloop.analytics.systems.errors import SimulationError
from learnloop.analytics.systems.sensitivity import sensitivity
from learnloop.systems.stockflow_files import model_path
from learnloop.systems.stockflow_models import FINISHED, RunStatus, SensitivityRun

PROGRESS_EVERY_SECONDS = 0.5


class Cancelled(Exception):
    """Raised from the progress report when someone cancelled the run."""


def compute_sensitivity(run_id) -> str:
    """The worker's part: run, report progress about twice a second, store the bands."""
    job = SensitivityRun.objects.select_related("model").filter(pk=run_id).first()
    if job is None or job.status in FINISHED:
        return "gone" if job is None else job.status
    running = SensitivityRun.objects.filter(pk=job.pk, status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
    if not running.update(status=RunStatus.RUNNING, done=0):
        return RunStatus.CANCELLED  # cancelled between the read and the claim
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] >= PROGRESS_EVERY_SECONDS:
            last[0] = now
            if not SensitivityRun.objects.filter(pk=job.pk, status=RunStatus.RUNNING).update(done=done):
                raise Cancelled

    try:
        bands = sensitivity(model_path(job.model), {name: tuple(pair) for name, pair in job.ranges.items()},
                            runs=job.runs, seed=job.seed, sampling=job.sampling, params=job.params,
                            return_columns=job.columns or None, progress=progress, untrusted=True)
    except Cancelled:
        return RunStatus.CANCELLED
    except SimulationError as error:
        SensitivityRun.objects.filter(pk=job.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, error=str(error), finished_at=timezone.now())
        return RunStatus.FAILED
    result = bands.as_dict()
    result["bands"] = {column: {key: [value if math.isfinite(value) else None for value in values]
                                for key, values in by_p.items()} for column, by_p in result["bands"].items()}
    if not SensitivityRun.objects.filter(pk=job.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.DONE, done=job.runs, result=result, finished_at=timezone.now()):
        return RunStatus.CANCELLED
    return RunStatus.DONE
