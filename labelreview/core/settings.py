"""Settings remembered between sessions: each dataset's run options and the recent datasets, as versioned JSON."""

import json
from dataclasses import asdict, dataclass, field

from labelreview.core.appdirs import config_dir
from labelreview.core.atomic import write_text_atomic
from labelreview.core.engine.models import ModelSpec

SETTINGS_VERSION = 1
MAX_RECENT = 10


@dataclass(frozen=True)
class RunSettings:
    """How one dataset is scored: a dataset never scored starts from these defaults, not from another's."""

    model: str = "auto"
    folds: int = 5
    epochs: int = ModelSpec().epochs
    seed: int = 0


@dataclass
class Settings:
    """What the window remembers; ``version`` allows later migrations."""

    recent: list[str] = field(default_factory=list)
    label_files: dict[str, str] = field(default_factory=dict)  # source -> labels CSV the curator chose
    runs: dict[str, dict] = field(default_factory=dict)  # source -> its RunSettings' fields
    version: int = SETTINGS_VERSION

    def remember(self, source: str) -> None:
        """Put ``source`` first in the recent datasets."""
        self.recent = [source] + [s for s in self.recent if s != source][: MAX_RECENT - 1]

    def run_settings(self, source: str) -> RunSettings:
        """``source``'s own run settings (defaults when it has none or they are unreadable)."""
        try:
            return RunSettings(**self.runs.get(source, {}))
        except TypeError:
            return RunSettings()

    def keep_run_settings(self, source: str, run: RunSettings) -> None:
        self.runs[source] = asdict(run)


def load_settings() -> Settings:
    """The saved settings, or defaults when there are none or they are unreadable."""
    try:
        saved = json.loads((config_dir() / "settings.json").read_text(encoding="utf-8"))
        known = {k: v for k, v in saved.items() if k in Settings.__dataclass_fields__ and k != "version"}
        return Settings(**known)
    except (OSError, ValueError, TypeError):
        return Settings()


def save_settings(settings: Settings) -> None:
    config_dir().mkdir(parents=True, exist_ok=True)
    write_text_atomic(config_dir() / "settings.json", json.dumps(asdict(settings), indent=2))
