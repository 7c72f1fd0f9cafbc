"""Run one function in a fresh process, so that work holding the GIL for long (numba) never stalls the window
and a cancel can stop it at once."""

import multiprocessing
from collections.abc import Callable
from typing import Any

from labelreview.core.progress import Callback

POLL_SECONDS = 0.2


def run_in_process(function: Callable[..., Any], *args, callback: Callback, message: str, fraction: float = 0.0):
    """``function(*args)`` in a spawned process; its result, or its exception raised here.

    ``function`` and its arguments must be picklable. ``callback(fraction, message)`` is called while it runs;
    when the callback raises (:class:`Cancelled`), the process is killed and the exception goes on.
    """
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_call, args=(sender, function, args), daemon=True)
    process.start()
    sender.close()
    try:
        while not receiver.poll(POLL_SECONDS):  # a process that dies closes the pipe: poll is True, recv fails
            callback(fraction, message)
        failed, value = receiver.recv()
    except EOFError:
        process.join()
        raise RuntimeError(f"{message}: the worker process ended with code {process.exitcode}") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if failed:
        raise value
    return value


def _call(sender, function, args) -> None:
    try:
        result = (False, function(*args))
    except Exception as error:  # noqa: BLE001 - handed to the caller
        result = (True, error)
    sender.send(result)
    sender.close()
