"""The append-only audit log beside a labels CSV, and replay of decisions a crash kept out of the CSV.

Every decision is appended (and fsynced) before the CSV is replaced; after each
successful save a ``saved`` marker follows. Decisions after the last marker are
the ones the CSV may lack.
"""

import json
import os
from datetime import datetime, timezone
from pathlib import Path

SAVED = "saved"


class AuditLog:
    """JSON lines: time, row, action, old, new, old_status, new_status, score, suggested."""

    def __init__(self, path: Path):
        self.path = path

    def append(self, entries: list[dict]) -> None:
        """Add entries with the current time and force them to disk."""
        now = datetime.now(timezone.utc).isoformat(timespec="microseconds")
        with open(self.path, "a", encoding="utf-8") as log:
            for entry in entries:
                log.write(json.dumps({"time": now, **entry}) + "\n")
            log.flush()
            os.fsync(log.fileno())

    def entries(self) -> list[dict]:
        """Every complete entry; a last line cut short by a crash is ignored."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        entries = []
        for line in lines:
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return entries

    def unsaved_decisions(self) -> list[dict]:
        """Decisions logged after the last successful save, oldest first."""
        entries = self.entries()
        last_saved = max((i for i, e in enumerate(entries) if e.get("action") == SAVED), default=-1)
        return [e for e in entries[last_saved + 1:] if "new_status" in e]
