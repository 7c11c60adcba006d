"""Where batch work runs: Dask's schedulers, chosen by one ``scheduler`` value.

``None`` runs tasks in threads of this process (Dask's local scheduler, no cluster),
``"sync"`` one after another in this thread (for debugging), a :class:`distributed.Client`
on its cluster, and an address (``tcp://host:8786``) on that ``dask.distributed``
scheduler's workers. Dask is an optional dependency (``tocsin[scale]``), imported here on
first use and nowhere at import time, so commands that do not use it never pay for it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any

from tocsin.errors import TocsinError

if TYPE_CHECKING:
    from distributed import Client

#: How long a client waits for the scheduler at an address before giving up.
CONNECT_TIMEOUT = "10s"


def require_dask(module: str = "dask") -> ModuleType:
    """Import ``module`` (``dask``, ``distributed``, ...) or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise TocsinError(
            f"batch work on Dask needs the {module!r} package, which is not installed",
            fix='install tocsin[scale] (pip install "tocsin[scale]")',
        ) from error


class DaskRunner:
    """Runs Dask tasks where :func:`dask_scheduler` chose; shares big inputs with them."""

    def __init__(self, scheduler: str | Callable[..., Any], client: Client | None) -> None:
        self.scheduler = scheduler
        self.client = client

    def share(self, value: Any) -> Any:
        """``value`` as a task argument sent once, not once per task (a model, say).

        On a cluster it is scattered to every worker ahead of the tasks (so the graph
        stays small); here it is one key of the graph.
        """
        if self.client is not None:
            return self.client.scatter(value, broadcast=True, hash=False)  # type: ignore[no-untyped-call]
        return require_dask().delayed(value, pure=True)

    def compute(self, tasks: Sequence[Any]) -> list[Any]:
        """The results of Dask ``tasks`` (delayed objects), in order."""
        return list(require_dask().compute(*tasks, scheduler=self.scheduler))


@contextmanager
def dask_scheduler(scheduler: str | Client | None) -> Iterator[DaskRunner]:
    """A :class:`DaskRunner` for ``scheduler`` (see the module doc).

    A :class:`distributed.Client` is used as it is; an address gets a client of its own,
    closed on leaving.
    """
    require_dask()
    if scheduler is None:
        yield DaskRunner("threads", None)
        return
    if isinstance(scheduler, str) and scheduler in ("sync", "synchronous", "threads"):
        yield DaskRunner("sync" if scheduler.startswith("sync") else "threads", None)
        return
    distributed = require_dask("distributed")
    if isinstance(scheduler, distributed.Client):
        yield DaskRunner(scheduler.get, scheduler)
        return
    if not isinstance(scheduler, str) or "://" not in scheduler:
        raise TocsinError(
            f"not a Dask scheduler: {scheduler!r}",
            fix="give the scheduler's address, e.g. tcp://10.0.0.5:8786, or none to run here",
        )
    try:
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise TocsinError(
            f"cannot reach the Dask scheduler at {scheduler}: {error}",
            fix="start it (`dask scheduler`) and its workers (`dask worker ADDRESS`), "
            "or leave out --scheduler to run here",
        ) from error
    try:
        yield DaskRunner(client.get, client)
    finally:
        client.close()
