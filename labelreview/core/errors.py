"""The two exceptions callers of the core must handle."""

from os import PathLike


class DataError(Exception):
    """Bad input: a missing file, an unreadable dataset, labels that do not fit.

    The message is one line meant for the curator; ``where`` names the file.
    """

    def __init__(self, where: str | PathLike | None, problem: str):
        self.where = None if where is None else str(where)
        self.problem = problem
        super().__init__(f"{self.where}: {problem}" if self.where else problem)


class Cancelled(Exception):
    """Raised from a progress callback to stop a long computation."""
