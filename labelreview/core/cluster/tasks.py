"""Results of Ray tasks as they finish, with a pause now and then for progress and cancelling."""

from collections.abc import Iterator
from typing import Any, TypeVar

from labelreview.core.errors import DataError

RETRIES = 3  # a task whose worker process or node dies is run again, this many times at most
POLL = 0.5  # seconds between yields while no task finishes

T = TypeVar("T")


def finished_tasks(pending: dict[Any, T]) -> Iterator[tuple[T, Any] | None]:
    """Yield ``(key, result)`` for each task in ``pending`` (object ref -> key) as it finishes.

    Yields None every :data:`POLL` seconds while none finishes, so the caller can report progress and be
    cancelled. The caller may add tasks to ``pending`` between yields. Tasks left when the generator is
    closed (cancelled, failed) are cancelled on the cluster.
    """
    import ray

    try:
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=POLL)
            if not ready:
                yield None
                continue
            key = pending.pop(ready[0])
            try:
                result = ray.get(ready[0])
            except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError,
                    ray.exceptions.ObjectLostError) as error:
                raise DataError(None, f"the Ray cluster lost a task {RETRIES} times over: "
                                      f"{str(error).strip().splitlines()[0]}") from None
            yield key, result
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)
