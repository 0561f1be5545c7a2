from django.db import models


class ScheduledRun(models.Model):
    """One run of a daily job. The unique (job, day) row is claimed before the job
    starts, so two ``serve`` processes never run the same job twice in a day."""

    job = models.CharField(max_length=100)
    day = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(null=True)
    output = models.TextField(blank=True)
    # Set when the run failed because a source could not be reached: from then on the
    # next pass of the schedule takes the day's claim again and retries.
    retry_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="scheduled_run_once")]

    def __str__(self) -> str:
        return f"{self.job} {self.day}"


class TaskLease(models.Model):
    """A worker's hold on one running task (a row of django-tasks' database backend).

    The backend marks a task RUNNING when a worker takes it and never looks at it
    again; a worker killed mid-task would leave it RUNNING for ever. The lease is
    renewed by the worker's heartbeat while the task runs; once it expires, any other
    worker puts the task back in the queue (``paperfeed.service.leases``)."""

    task_id = models.UUIDField(primary_key=True)
    worker_id = models.CharField(max_length=64)
    taken_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.task_id} held by {self.worker_id} until {self.expires_at:%H:%M:%S}"
