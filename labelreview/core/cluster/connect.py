"""Join a Ray cluster, or start one on this machine, with nothing leaving it: no usage statistics, no dashboard."""

import contextlib
import logging
import os
import socket
from collections.abc import Iterator

from labelreview.core.engine.pipeline import Workers
from labelreview.core.errors import DataError

INSTALL_HINT = "Ray is not installed: pip install 'labelreview[cluster]'"
REACH_SECONDS = 5.0


LOOPBACK = ("127.0.0.1", "localhost")


def import_ray(address: str):
    """The ``ray`` module, with its usage statistics off; :class:`DataError` saying how to install it if absent.

    For ``local`` or a head on 127.0.0.1, Ray is kept on the loopback interface: it otherwise listens on every
    interface and swaps 127.0.0.1 for the machine's address (its single-machine mode, the default on macOS and
    Windows, read when Ray is first imported).
    """
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # read by ray.init and by the processes a local instance starts
    if address == "local" or address.rpartition(":")[0] in LOOPBACK:
        os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    if address == "local":
        os.environ.setdefault("RAY_AUTH_MODE", "token")  # Ray's default for a new instance, without its warning
    try:
        import ray
    except ImportError:
        raise DataError(None, INSTALL_HINT) from None
    return ray


@contextlib.contextmanager
def on_cluster(address: str) -> Iterator[Workers]:
    """Connected to the Ray cluster at ``address`` for the block: the :class:`Workers` that run there.

    Parameters
    ----------
    address : str
        ``host:port`` of a running cluster's head (``ray start --head``), ``auto`` for the one this machine is
        part of, or ``local`` to start a Ray instance on 127.0.0.1 for this run, stopped after it.
    """
    ray = import_ray(address)
    if address == "local":
        ray.init(address="local", include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False,
                 logging_level=logging.WARNING)
    else:
        if address != "auto":
            _check_reachable(address)
        try:
            ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
        except ConnectionError as error:
            raise DataError(None, f"cannot join the Ray cluster at {address}: {_first_line(error)} (a head that "
                                  "wants a token: set RAY_AUTH_MODE=token, see Scoring on a cluster)") from None
    from labelreview.core.cluster.folds import run_folds_on_cluster
    from labelreview.core.cluster.shards import cluster_fill, cluster_measure

    try:
        yield Workers(fill_embeddings=cluster_fill, run_folds=run_folds_on_cluster, measure_images=cluster_measure)
    finally:
        ray.shutdown()


def _check_reachable(address: str) -> None:
    """:class:`DataError` at once when nothing listens at ``host:port`` (Ray itself would retry for a minute)."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise DataError(None, f"--ray {address}: give the head's host:port (e.g. 192.168.1.10:6379), auto or local")
    try:
        socket.create_connection((host, int(port)), timeout=REACH_SECONDS).close()
    except OSError as error:
        raise DataError(None, f"cannot reach a Ray cluster at {address}: {error.strerror or error} "
                              "(start one with 'ray start --head', or use --ray local)") from None


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
