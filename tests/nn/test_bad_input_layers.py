"""The layer bad-input table (issue 19): every layer class of nn, built with deterministic
parameters, given wrong shapes, ranks, dtypes, sizes and constructor arguments; the outcome
(raising or computing, exception class, values) agrees with PyTorch 2.13 except the
deliberate differences listed here (exactly)."""
import pytest

import autograd as ag
from tests.autograd.bad_input import Table
from tests.conftest import requires_torch
from tests.nn import bad_input_layers

pytestmark = requires_torch

TABLE = Table(bad_input_layers.ROWS)

CLASS_DIFFERENCES = {
    "RNN-int": "Ember's matmul reports the int64/float32 mismatch (RuntimeError); PyTorch's "
               "RNN checks the dtype first (ValueError)",
    "LSTM-h0-tensor": "PyTorch indexes into a Tensor given where an (h0, c0) tuple belongs "
                      "(IndexError); Ember reports the hidden state's shape (RuntimeError)",
    "Unfold-rank": "PyTorch fails while wrapping a dim of the 2-d input (IndexError); Ember "
                   "checks the rank first (RuntimeError naming the shape)",
}
LEAK_OK = set()


@pytest.mark.parametrize("rid", list(TABLE.rows))
def test_row_agrees_with_torch(rid):
    TABLE.check_row(rid, CLASS_DIFFERENCES, LEAK_OK)


def test_table_size_and_agreement_rate():
    n, both, differ = TABLE.summary()
    assert n >= 150
    assert differ == set(CLASS_DIFFERENCES)
    assert len(differ) <= 0.05 * n, f"{len(differ)} of {n} rows differ in class"


def test_batchnorm1d_error_names_the_layer_and_shapes():
    bn = ag.nn.BatchNorm1d(4)
    with pytest.raises(RuntimeError) as e:
        bn(ag.ones(3, 5))
    msg = str(e.value)
    assert msg.startswith("BatchNorm1d(4)") and "(3, 5)" in msg, msg
    with pytest.raises(RuntimeError, match=r"batch_norm: running_mean .* \(3, 5\)"):
        ag.nn.functional.batch_norm(ag.ones(3, 5), ag.zeros(4), ag.ones(4))
