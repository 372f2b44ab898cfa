"""The op bad-input table (issue 19): every row raises on Ember exactly when it raises on
PyTorch 2.13, with the same exception class except the deliberate differences listed here
(the list is exact: a row that starts agreeing, or a new difference, fails)."""
import pytest

from tests.autograd import bad_input_functional, bad_input_ops
from tests.autograd.bad_input import Table
from tests.conftest import requires_torch

pytestmark = requires_torch

TABLE = Table(bad_input_ops.ROWS + bad_input_functional.ROWS)

# id -> why Ember's exception class differs from PyTorch's
CLASS_DIFFERENCES = {}
# rows whose Ember error text keeps a NumPy phrase (reviewed: the text is still clear)
LEAK_OK = set()


@pytest.mark.parametrize("rid", list(TABLE.rows))
def test_row_agrees_with_torch(rid):
    TABLE.check_row(rid, CLASS_DIFFERENCES, LEAK_OK)


def test_table_size_and_agreement_rate():
    n, both, differ = TABLE.summary()
    assert n >= 400
    assert differ == set(CLASS_DIFFERENCES)
    assert len(differ) <= 0.05 * n, f"{len(differ)} of {n} rows differ in class"
    assert len(both) >= 200, "most rows should be bad input both libraries reject"
