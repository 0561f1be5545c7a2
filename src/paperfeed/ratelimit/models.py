from django.db import models


class Counter(models.Model):
    """Hits of one key (scope + who) in one fixed time window.

    Kept in the database so that every web process behind a load balancer sees the
    same counts; old windows are deleted as new ones are written.
    """

    key = models.CharField(max_length=200)
    window = models.BigIntegerField(help_text="window start, in seconds since the epoch")
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="ratelimit_window")]
        indexes = [models.Index(fields=["window"], name="ratelimit_window_idx")]

    def __str__(self) -> str:
        return f"{self.key} @{self.window}: {self.hits}"
