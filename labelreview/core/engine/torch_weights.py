"""Read PyTorch weights saved in the legacy (non-zip) format, without PyTorch and without running any code.

The file is a sequence of pickles (magic number, protocol version, system
info, the state dict, the storage keys), then each storage's raw bytes. The
unpickler admits only ``collections.OrderedDict``, the tensor-rebuild call and
the storage types; any other global is refused, so a tampered file cannot run
code. Callers check the file's SHA-256 first all the same.
"""

import collections
import pickle
import struct
from pathlib import Path
from typing import NamedTuple

import numpy as np

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
STORAGE_DTYPES = {
    "DoubleStorage": np.dtype("<f8"), "FloatStorage": np.dtype("<f4"), "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"), "IntStorage": np.dtype("<i4"), "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"), "ByteStorage": np.dtype("u1"), "BoolStorage": np.dtype("?"),
}


class _TensorRef(NamedTuple):
    storage: str
    offset: int
    size: tuple
    stride: tuple


def _rebuild_tensor(storage, offset, size, stride, *_ignored) -> _TensorRef:
    return _TensorRef(storage, offset, tuple(size), tuple(stride))


class _StateDictUnpickler(pickle.Unpickler):
    """Admits only what a state dict is made of; remembers each storage's dtype and length."""

    def __init__(self, file):
        super().__init__(file)
        self.storages: dict[str, tuple[np.dtype, int]] = {}

    def find_class(self, module: str, name: str):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if module == "torch._utils" and name in ("_rebuild_tensor", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in STORAGE_DTYPES:
            return STORAGE_DTYPES[name]
        raise pickle.UnpicklingError(f"refused to load {module}.{name}")

    def persistent_load(self, pid):
        kind, dtype, key, _location, count, view = pid
        if kind != "storage" or not isinstance(dtype, np.dtype) or view is not None:
            raise pickle.UnpicklingError(f"unsupported storage {pid!r}")
        self.storages[key] = (dtype, count)
        return key


def read_state_dict(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a legacy-format ``torch.save`` file, by name, as contiguous arrays of their storage's dtype.

    Raises ``ValueError`` (or ``pickle.UnpicklingError``) for anything else, truncated files included.
    """
    with open(path, "rb") as handle:
        unpickler = _StateDictUnpickler(handle)
        if unpickler.load() != MAGIC_NUMBER or unpickler.load() != PROTOCOL_VERSION:
            raise ValueError("not a PyTorch legacy-format file")
        if not unpickler.load().get("little_endian"):
            raise ValueError("big-endian PyTorch files are not supported")
        state = unpickler.load()
        buffers = {}
        for key in unpickler.load():
            dtype, count = unpickler.storages[key]
            (stored,) = struct.unpack("<q", handle.read(8))
            data = handle.read(count * dtype.itemsize)
            if stored != count or len(data) != count * dtype.itemsize:
                raise ValueError(f"storage {key} is truncated")
            buffers[key] = np.frombuffer(data, dtype)
    return {name: _tensor(ref, buffers[ref.storage]) for name, ref in state.items()}


def _tensor(ref: _TensorRef, storage: np.ndarray) -> np.ndarray:
    """Copy the strided view ``ref`` of a 1-d storage into a contiguous array, after checking its bounds."""
    if min(ref.size, default=1) < 0 or min(ref.stride, default=0) < 0 or ref.offset < 0:
        raise ValueError(f"bad tensor geometry {ref}")
    if 0 in ref.size:
        return np.empty(ref.size, storage.dtype)
    last = ref.offset + sum((n - 1) * s for n, s in zip(ref.size, ref.stride))
    if last >= storage.size:
        raise ValueError(f"tensor {ref} runs past its storage of {storage.size} values")
    strides = tuple(s * storage.itemsize for s in ref.stride)
    return np.lib.stride_tricks.as_strided(storage[ref.offset:], ref.size, strides).copy()
