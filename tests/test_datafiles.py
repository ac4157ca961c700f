"""Cache tables: written atomically, read back checked; anything damaged is a CacheError."""

import json

import numpy as np
import pytest

from beamdump.datafiles import read_table, write_table
from beamdump.errors import CacheError


def test_round_trip_and_damage(tmp_path):
    arrays = {"a": np.arange(5.0), "b": np.ones((2, 3))}
    path = write_table(tmp_path / "t.npz", arrays, {"format": 1})
    meta, back = read_table(path, ["a", "b"], "test table")
    assert meta["format"] == 1 and all(np.array_equal(arrays[k], back[k]) for k in arrays)
    raw = path.read_bytes()
    (tmp_path / "cut.npz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(CacheError, match="unreadable test table"):
        read_table(tmp_path / "cut.npz", ["a", "b"], "test table")
    # valid JSON that is not a table
    np.savez_compressed(tmp_path / "list.npz", meta=np.array(json.dumps([1, 2])), **arrays)
    with pytest.raises(CacheError, match="not a table"):
        read_table(tmp_path / "list.npz", ["a", "b"], "test table")
    # arrays changed behind the checksum's back
    np.savez_compressed(tmp_path / "edit.npz", meta=np.array(json.dumps(meta)), a=np.arange(5.0) + 1, b=arrays["b"])
    with pytest.raises(CacheError, match="checksum"):
        read_table(tmp_path / "edit.npz", ["a", "b"], "test table")
