from django.db.models import F
from django.utils import timezone

from .models import WorkerHeartbeat


def heartbeat_record(*, name: str) -> int:
    """Record that a worker ran now; returns the number of runs so far."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(name=name).update(seen_at=now, runs=F("runs") + 1)
    if not updated:
        WorkerHeartbeat.objects.get_or_create(name=name, defaults={"seen_at": now, "runs": 1})
    return WorkerHeartbeat.objects.get(name=name).runs
