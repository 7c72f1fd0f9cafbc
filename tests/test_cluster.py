"""Scoring on a Ray cluster: a real two-node cluster on 127.0.0.1, the real backbone, real cleanlab.

The Ray runs embed into their own cache folders, so the store is filled by Ray tasks, never read from the
local run's cache.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest

from labelreview.cli import main
from labelreview.core.cluster.connect import INSTALL_HINT, on_cluster
from labelreview.core.data.sources import open_source
from labelreview.core.engine.backbone import LITE0
from labelreview.core.engine.embedding_store import stored_embeddings
from labelreview.core.engine.models import ModelSpec
from labelreview.core.engine.pipeline import score_dataset

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
SEED = 3


@pytest.fixture(scope="module")
def cluster_address():
    """A head and one worker node on 127.0.0.1, one CPU each, stopped after the module."""
    saved = dict(os.environ)
    # the worker nodes import this checkout's labelreview, like the driver; Ray stays on the loopback interface
    os.environ.update(RAY_USAGE_STATS_ENABLED="0", RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0",
                      PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False,
                                                            "node_ip_address": "127.0.0.1"})
    cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
    cluster.wait_for_nodes()
    yield cluster.address
    cluster.shutdown()
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> Path:
    """2,000 colour JPEGs of three shapes, 40 circles filed as squares."""
    from labelreview.selftest import write_shapes_folder

    root = write_shapes_folder(tmp_path_factory.mktemp("cluster") / "shapes", per_class=667)
    (root / "triangle" / "666.jpg").unlink()
    for n in range(40):
        (root / "circle" / f"{n}.jpg").rename(root / "square" / f"circle-{n}.jpg")
    return root


def cache_named(name: str, tmp_path_factory) -> Path:
    """A fresh cache folder, made the one labelreview uses (the store is per cache folder)."""
    folder = tmp_path_factory.mktemp(name)
    os.environ["LABELREVIEW_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture(scope="module")
def local_run(photos, tmp_path_factory):
    """``score`` without Ray: (result folder, its embeddings (N, 1280), its cache folder)."""
    saved = os.environ["LABELREVIEW_CACHE_DIR"]
    cache = cache_named("local-cache", tmp_path_factory)
    out = tmp_path_factory.mktemp("local-results")
    assert main(["score", str(photos), "--out", str(out), "--seed", str(SEED)]) == 0
    embeddings = np.array(stored_embeddings(open_source(str(photos)), LITE0))
    os.environ["LABELREVIEW_CACHE_DIR"] = saved
    return out, embeddings, cache


@pytest.fixture
def own_cache(tmp_path_factory):
    """A fresh, empty cache folder for one test."""
    saved = os.environ["LABELREVIEW_CACHE_DIR"]
    yield cache_named("ray-cache", tmp_path_factory)
    os.environ["LABELREVIEW_CACHE_DIR"] = saved


def test_a_two_node_cluster_scores_like_a_local_run(cluster_address, photos, local_run, own_cache, tmp_path,
                                                    capsys):
    local_out, local_embeddings, _ = local_run
    out = tmp_path / "results"
    assert main(["score", str(photos), "--out", str(out), "--seed", str(SEED), "--ray", cluster_address]) == 0
    progress = capsys.readouterr().err
    assert "embedding images with lite0" in progress and "5/5 folds done on the cluster" in progress
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in local_out.iterdir())
    embedded_on_ray = stored_embeddings(open_source(str(photos)), LITE0)  # this test's own, new cache
    assert embedded_on_ray.shape == (2000, 1280)
    assert np.allclose(embedded_on_ray, local_embeddings, atol=2e-3, rtol=2e-3)
    pred_probs = np.load(out / "pred_probs.npy")
    assert pred_probs.shape == (2000, 3) and np.allclose(pred_probs, np.load(local_out / "pred_probs.npy"), atol=1e-3)
    scores, local_scores = pd.read_csv(out / "scores.csv"), pd.read_csv(local_out / "scores.csv")
    assert scores["fold"].equals(local_scores["fold"]) and scores["given_label"].equals(local_scores["given_label"])
    issues, local_issues = pd.read_csv(out / "issues.csv"), pd.read_csv(local_out / "issues.csv")  # measured on Ray
    assert issues[issues["issue"] != "label"].equals(local_issues[local_issues["issue"] != "label"])
    flagged = set(scores["path"][scores["is_label_issue"]])
    # 40 circles filed together as squares: their neighbours share the wrong label, so the neighbour vote
    # backs it (17-19 of the 40 flagged, every flagged image one of them; 21 without the vote)
    assert len(flagged & {f"square/circle-{n}.jpg" for n in range(40)}) >= 15
    health = json.loads((out / "health.json").read_text())
    assert health["source"] == str(photos) and health["model"] == "lite0" and health["examples"] == 2000


def test_a_worker_killed_mid_run_is_retried_and_the_results_are_the_same(cluster_address, photos, local_run,
                                                                         own_cache):
    killed = []

    def kill_a_worker(fraction: float, message: str) -> None:
        """Once the first shard is in, kill a worker process that is embedding another."""
        if killed or not message.startswith("embedding images") or fraction == 0:
            return
        for process in psutil.process_iter(["pid", "cmdline"]):
            if " ".join(process.info["cmdline"] or ()).startswith("ray::run_shard"):
                process.send_signal(signal.SIGKILL)
                killed.append(process.info["pid"])
                return

    every_other = open_source(str(photos)).select(np.arange(0, 2000, 2))  # 1,000 images: half the time
    spec = ModelSpec("lite0", seed=SEED)
    with on_cluster(cluster_address) as workers:
        run = score_dataset(every_other, spec, folds=5, callback=kill_a_worker, workers=workers)
    assert killed  # a worker process died mid-run
    assert np.allclose(stored_embeddings(every_other, LITE0), local_run[1][::2], atol=2e-3, rtol=2e-3)
    os.environ["LABELREVIEW_CACHE_DIR"] = str(local_run[2])  # the local run's embeddings: the heads alone, here
    assert np.allclose(run.cv.pred_probs, score_dataset(every_other, spec, folds=5).cv.pred_probs, atol=1e-3)


def test_ctrl_c_stops_a_ray_local_run_and_leaves_no_results(tmp_path):
    """``--ray local`` starts its own Ray instance; Ctrl+C while the folds run on it: exit 130, no files."""
    out = tmp_path / "results"
    # CNN folds of 16,000 images: still running when the signal lands, however late a busy machine reads the line
    command = [sys.executable, "-m", "labelreview", "score", "mnist", "--limit", "20000", "--model", "cnn",
               "--out", str(out), "--ray", "local"]
    # as in a terminal, whatever the shell running the tests did with SIGINT (a background job ignores it)
    with subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)) as run:
        for line in run.stderr:
            if "folds sent to the cluster" in line:
                run.send_signal(signal.SIGINT)
                break
        rest = run.stderr.read()
    assert run.returncode == 130 and rest.rstrip().endswith("labelreview: cancelled")
    assert not out.exists()
    assert "Traceback" not in rest


def test_a_run_without_ray_never_imports_it(tmp_path):
    code = ("import sys\nfrom labelreview.cli import main\n"
            f"assert main(['score', 'mnist:test', '--limit', '300', '--model', 'logreg', '--folds', '3', "
            f"'--out', {str(tmp_path)!r}]) == 0\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'ray'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]" and (tmp_path / "pred_probs.npy").is_file()


def test_without_ray_installed_ray_says_how_to_install_it_in_one_line(tmp_path):
    code = ("import sys\n"
            "class NoRay:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] == 'ray':\n"
            "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
            "sys.meta_path.insert(0, NoRay())\n"
            "from labelreview.cli import main\n"
            f"sys.exit(main(['score', 'mnist:test', '--limit', '300', '--out', {str(tmp_path)!r}, "
            "'--ray', 'local']))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 2
    assert result.stderr == f"labelreview: error: {INSTALL_HINT}\n" and not any(tmp_path.iterdir())


def kill_processes_and_children(chosen) -> None:
    """Kill the processes for which ``chosen(process)`` is true, and all their children (Ray's agents rename
    themselves and hide their environment)."""
    victims = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if chosen(process):
                victims += [process, *process.children(recursive=True)]
    for process in victims:
        with contextlib.suppress(psutil.Error):
            process.kill()


def test_the_readmes_two_commands_with_a_head_that_wants_a_token(shapes_folder, tmp_path):
    """The two commands of "Scoring on a cluster", with a token in the head's home."""
    home = tmp_path / "home"
    (home / ".ray").mkdir(parents=True)
    (home / ".ray" / "auth_token").write_text("a" * 64)
    env = {key: value for key, value in os.environ.items() if not key.startswith("RAY_AUTH")}
    env.update(HOME=str(home), RAY_AUTH_MODE="token", RAY_USAGE_STATS_ENABLED="0", RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0",
               PYTHONPATH=str(REPO), LABELREVIEW_CACHE_DIR=str(tmp_path / "cache"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    try:
        subprocess.run([str(Path(sys.executable).parent / "ray"), "start", "--head", f"--port={port}",
                        "--num-cpus=1", "--node-ip-address=127.0.0.1", "--include-dashboard=false",
                        "--disable-usage-stats"], env=env, check=True, capture_output=True)
        result = subprocess.run([sys.executable, "-m", "labelreview", "score", str(shapes_folder), "--out",
                                 str(tmp_path / "results"), "--ray", f"127.0.0.1:{port}"], env=env, cwd=REPO,
                                capture_output=True, text=True)
    finally:  # this head's processes, known by their HOME (``ray stop`` would stop every Ray process here)
        kill_processes_and_children(lambda process: process.environ().get("HOME") == str(home))
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "results" / "pred_probs.npy").is_file()
