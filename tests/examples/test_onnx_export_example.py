"""examples/onnx_export.py, run briefly (--quick): it trains, exports, and ONNX Runtime
gives Ember's outputs on a batch of another size than the export's."""
import os
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "examples"))

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")


def test_onnx_export_quick_run(tmp_path, capsys):
    import onnx_export
    r = onnx_export.main(["--quick", "--no-progress", "--out", str(tmp_path)])
    assert os.path.dirname(r["path"]) == str(tmp_path) and os.path.getsize(r["path"]) > 1000
    assert r["ember"].shape == r["onnxruntime"].shape == (7, 3)
    # float32 logits of size ~5 after ~600 summed products: rounding stays below 1e-4
    np.testing.assert_allclose(r["onnxruntime"], r["ember"], rtol=1e-5, atol=1e-4)
    assert r["final_loss"] < 0.8                     # it learned (chance is ln 3 = 1.10)
    out = capsys.readouterr().out
    assert "ONNX Runtime logits" in out and "max |difference|" in out
