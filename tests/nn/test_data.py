"""Datasets, samplers, DataLoader batching/shuffling/collation and random_split."""
from collections import namedtuple

import numpy as np
import pytest

import autograd as ag
from nn import data
from tests.conftest import requires_torch, torch

X = np.arange(30.0).reshape(10, 3)
Y = np.arange(10)


class ItemDataset(data.Dataset):
    """The same data as TensorDataset(X, Y), read item by item."""

    def __getitem__(self, i):
        return ag.tensor(X[i]), ag.tensor(Y[i])

    def __len__(self):
        return len(X)


def _rows(loader):
    return [(x.numpy().copy(), y.numpy().copy()) for x, y in loader]


def test_tensor_dataset_batches_in_order():
    ds = data.TensorDataset(ag.tensor(X), ag.tensor(Y))
    batches = list(data.DataLoader(ds, batch_size=4))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    assert isinstance(batches[0], list) and isinstance(batches[0][0], ag.Tensor)
    assert np.array_equal(batches[1][0].numpy(), X[4:8])
    assert np.array_equal(batches[2][1].numpy(), Y[8:])
    assert len(data.DataLoader(ds, batch_size=4)) == 3
    dropped = data.DataLoader(ds, batch_size=4, drop_last=True)
    assert len(dropped) == 2 and [len(b[1]) for b in dropped] == [4, 4]
    assert ds[3][0].tolist() == X[3].tolist()


def test_fast_path_equals_item_by_item_collation():
    ds = data.TensorDataset(ag.tensor(X), ag.tensor(Y))
    for kwargs in (dict(batch_size=3), dict(batch_size=4, shuffle=True, drop_last=True)):
        ag.manual_seed(5)
        fast = _rows(data.DataLoader(ds, **kwargs))
        ag.manual_seed(5)
        slow = _rows(data.DataLoader(ItemDataset(), **kwargs))
        assert len(fast) == len(slow)
        for (a, b), (c, d) in zip(fast, slow):
            assert np.array_equal(a, c) and np.array_equal(b, d)


def test_shuffle_is_reproducible_and_a_permutation():
    ds = data.TensorDataset(ag.tensor(X), ag.tensor(Y))
    loader = data.DataLoader(ds, batch_size=3, shuffle=True)
    ag.manual_seed(1)
    epoch1 = np.concatenate([y for _, y in _rows(loader)])
    epoch2 = np.concatenate([y for _, y in _rows(loader)])
    ag.manual_seed(1)
    again = np.concatenate([y for _, y in _rows(loader)])
    assert sorted(epoch1) == list(range(10)) and not np.array_equal(epoch1, Y)
    assert np.array_equal(epoch1, again) and not np.array_equal(epoch1, epoch2)
    g1 = data.DataLoader(ds, batch_size=3, shuffle=True, generator=ag.Generator(7))
    g2 = data.DataLoader(ds, batch_size=3, shuffle=True, generator=ag.Generator(7))
    ag.manual_seed(123)  # the explicit generator does not depend on the default one
    first = np.concatenate([y for _, y in _rows(g1)])
    ag.manual_seed(999)
    assert np.array_equal(first, np.concatenate([y for _, y in _rows(g2)]))


Point = namedtuple("Point", "x y")


def test_default_collate_like_torch():
    batch = [{"a": np.ones(2) * i, "b": (float(i), i, "s%d" % i), "c": Point(i, [i, True])}
             for i in range(3)]
    out = data.default_collate(batch)
    assert out["a"].shape == (3, 2) and out["a"].dtype == ag.float64
    floats, ints, strings = out["b"]
    assert floats.dtype == ag.float64 and floats.tolist() == [0.0, 1.0, 2.0]
    assert ints.dtype == ag.int64 and strings == ("s0", "s1", "s2")  # a tuple, as torch
    assert isinstance(out["c"], Point) and out["c"].x.tolist() == [0, 1, 2]
    assert out["c"].y[1].dtype == ag.bool
    stacked = data.default_collate([ag.zeros(2, 2), ag.ones(2, 2)])
    assert stacked.shape == (2, 2, 2)
    with pytest.raises(RuntimeError, match="equal size"):
        data.default_collate([[1, 2], [1]])
    with pytest.raises(TypeError, match="found <class 'object'>"):
        data.default_collate([object()])


@requires_torch
def test_default_collate_matches_torch_types():
    batch = [(np.float32(i), np.arange(3) + i, 2.5 * i) for i in range(4)]
    ours = data.default_collate(batch)
    theirs = torch.utils.data.default_collate(batch)
    for a, b in zip(ours, theirs):
        assert np.array_equal(a.numpy(), b.numpy()) and a.numpy().dtype == b.numpy().dtype


def test_custom_collate_and_no_batching():
    ds = data.TensorDataset(ag.tensor(X), ag.tensor(Y))
    sums = list(data.DataLoader(ds, batch_size=5, collate_fn=lambda items: len(items)))
    assert sums == [5, 5]
    single = list(data.DataLoader(ds, batch_size=None))
    assert len(single) == 10 and single[2][0].tolist() == X[2].tolist()


def test_subset_and_random_split():
    ds = data.TensorDataset(ag.tensor(X), ag.tensor(Y))
    parts = data.random_split(ds, [0.5, 0.3, 0.2], generator=ag.Generator(3))
    assert [len(p) for p in parts] == [5, 3, 2]
    labels = [int(p[i][1]) for p in parts for i in range(len(p))]
    assert sorted(labels) == list(range(10))
    again = data.random_split(ds, [5, 3, 2], generator=ag.Generator(3))
    assert [p.indices for p in again] == [p.indices for p in parts]
    batches = list(data.DataLoader(parts[0], batch_size=2))  # fast path through the Subset
    assert np.array_equal(batches[0][1].numpy(), np.array(parts[0].indices[:2]))
    with pytest.raises(ValueError, match="does not equal"):
        data.random_split(ds, [5, 4])


@requires_torch
def test_random_split_fraction_counts_match_torch():
    for n, fractions in [(11, [0.5, 0.3, 0.2]), (7, [0.34, 0.33, 0.33]), (10, [0.66, 0.34])]:
        ours = data.random_split(list(range(n)), fractions)
        theirs = torch.utils.data.random_split(list(range(n)), fractions)
        assert [len(p) for p in ours] == [len(p) for p in theirs]


@requires_torch
def test_samplers_match_torch_order_rules():
    seq = list(data.BatchSampler(data.SequentialSampler(range(10)), 3, drop_last=False))
    tseq = list(torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(10)), 3,
                                              drop_last=False))
    assert seq == tseq
    assert len(data.BatchSampler(data.SequentialSampler(range(10)), 3, True)) == 3
    rs = data.RandomSampler(range(4), num_samples=10, generator=ag.Generator(0))
    drawn = list(rs)
    assert len(drawn) == 10 and sorted(drawn[:4]) == [0, 1, 2, 3]
    rep = list(data.RandomSampler(range(4), replacement=True, num_samples=50))
    assert len(rep) == 50 and set(rep) <= {0, 1, 2, 3}


def test_loader_argument_errors():
    ds = data.TensorDataset(ag.tensor(X), ag.tensor(Y))
    with pytest.raises(ValueError, match="mutually exclusive"):
        data.DataLoader(ds, shuffle=True, sampler=data.SequentialSampler(ds))
    with pytest.raises(ValueError, match="size mismatch"):
        data.TensorDataset(ag.tensor(X), ag.tensor(Y[:5]))
    with pytest.raises(ValueError, match="batch_size"):
        data.DataLoader(ds, batch_size=0)


def test_concat_dataset_and_dataset_add_index_like_torch():
    a = data.TensorDataset(ag.tensor(X[:4]), ag.tensor(Y[:4]))
    b = ItemDataset()
    c = a + b
    assert isinstance(c, data.ConcatDataset) and len(c) == 14
    assert c.cumulative_sizes == [4, 14]
    for i, expected in [(0, 0), (3, 3), (4, 0), (13, 9), (-1, 9), (-14, 0)]:
        assert c[i][1].item() == Y[expected]
    with pytest.raises(IndexError):
        c[14]
    with pytest.raises(ValueError):
        c[-15]
    rows = _rows(data.DataLoader(c, batch_size=5))
    assert [len(y) for _, y in rows] == [5, 5, 4]
    assert np.concatenate([y for _, y in rows]).tolist() == Y[:4].tolist() + Y.tolist()


class Stream(data.IterableDataset):
    def __init__(self, n, sized=True):
        self.n, self.sized = n, sized

    def __iter__(self):
        for i in range(self.n):
            yield ag.tensor(X[i]), int(Y[i])

    def __len__(self):
        if not self.sized:
            raise TypeError("no length")
        return self.n


@pytest.mark.parametrize("drop_last", [False, True])
def test_iterable_dataset_is_read_in_order_and_batched(drop_last):
    loader = data.DataLoader(Stream(10), batch_size=4, drop_last=drop_last)
    rows = _rows(loader)
    assert [len(y) for _, y in rows] == ([4, 4] if drop_last else [4, 4, 2])
    assert len(loader) == len(rows)
    assert rows[0][0].tolist() == X[:4].tolist() and rows[1][1].tolist() == [4, 5, 6, 7]
    with pytest.raises(ValueError, match="IterableDataset"):
        data.DataLoader(Stream(3), shuffle=True)
    with pytest.raises(TypeError):
        len(data.DataLoader(Stream(3, sized=False)))


def test_worker_options_of_real_scripts_are_accepted():
    ds = data.TensorDataset(ag.tensor(X), ag.tensor(Y))
    loader = data.DataLoader(ds, batch_size=4, shuffle=False, num_workers=2, pin_memory=True,
                             persistent_workers=True, prefetch_factor=2, timeout=0,
                             worker_init_fn=None)
    if ag.cuda.is_available():
        rows = _rows(loader)
    else:  # torch's warning: nothing to pin for
        with pytest.warns(UserWarning, match="'pin_memory' argument is set as true"):
            rows = _rows(loader)
    assert [len(y) for _, y in rows] == [4, 4, 2]
