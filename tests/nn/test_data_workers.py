"""DataLoader worker processes: same batches as in-process loading, torch's seeding rule,
get_worker_info, iterable sharding (compared with torch), errors with the worker's
traceback, persistent workers, timeouts, dead workers and clean shutdown."""
import glob
import multiprocessing
import os
import random
import signal
import threading
import time

import numpy as np
import pytest

import autograd as ag
from nn import data
from nn.data import _shared
from nn.data.worker import numpy_seed
from tests.conftest import requires_torch, torch


class Items(data.Dataset):
    """Item i is (a row of i's, i); optionally a (rows, cols) block instead of a row."""

    def __init__(self, n=10, shape=(3,)):
        self.n, self.shape = n, shape

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return ag.full(self.shape, float(i)), i


class Draws(data.Dataset):
    """What each worker's random streams give for its items, and who it is."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = data.get_worker_info()
        return {"worker": info.id, "seed": info.seed, "num_workers": info.num_workers,
                "random": random.random(), "numpy": float(np.random.rand()),
                "ember": ag.rand(()).item(), "pid": os.getpid()}


class Pids(data.Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        return os.getpid()


class Shards(data.IterableDataset):
    """range(start, end), split between workers with get_worker_info as torch's docs do."""

    def __init__(self, start, end, shard=True):
        self.start, self.end, self.shard = start, end, shard

    def __iter__(self):
        info = data.get_worker_info()
        if info is None or not self.shard:
            return iter(range(self.start, self.end))
        per = -(-(self.end - self.start) // info.num_workers)
        lo = self.start + info.id * per
        return iter(range(lo, min(lo + per, self.end)))


class TorchShards(torch.utils.data.IterableDataset if torch else object):
    def __init__(self, start, end, shard=True):
        self.start, self.end, self.shard = start, end, shard

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        if info is None or not self.shard:
            return iter(range(self.start, self.end))
        per = -(-(self.end - self.start) // info.num_workers)
        lo = self.start + info.id * per
        return iter(range(lo, min(lo + per, self.end)))


class FailAt(data.Dataset):
    def __init__(self, bad, error=ValueError):
        self.bad, self.error = bad, error

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == self.bad:
            raise self.error(f"item {i} is broken")
        return i


class Sleepy(data.Dataset):
    def __init__(self, seconds):
        self.seconds = seconds

    def __len__(self):
        return 4

    def __getitem__(self, i):
        time.sleep(self.seconds)
        return i


class KillsItself(data.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if data.get_worker_info() is not None:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


class TwoArgError(Exception):
    def __init__(self, a, b):
        super().__init__(a, b)


def _reaped(pids):
    """True when none of `pids` is still a process (running or an unreaped zombie)."""
    return not any(os.path.exists(f"/proc/{pid}") for pid in pids)


def _shm_files():
    return glob.glob(f"/dev/shm/ember-dataloader-{os.getpid()}-*")


def _batches(loader):
    return [(x.numpy().copy(), y.tolist()) for x, y in loader]


@pytest.mark.parametrize("kwargs", [dict(batch_size=3), dict(batch_size=4, shuffle=True),
                                    dict(batch_size=4, shuffle=True, drop_last=True)])
def test_workers_give_the_batches_of_in_process_loading(kwargs):
    ds = Items(11)
    ag.manual_seed(3)
    expected = _batches(data.DataLoader(ds, **kwargs))
    ag.manual_seed(3)
    got = _batches(data.DataLoader(ds, num_workers=2, **kwargs))
    assert [y for _, y in got] == [y for _, y in expected]
    for (a, _), (b, _) in zip(got, expected):
        assert a.dtype == b.dtype == np.float32 and np.array_equal(a, b)


def test_tensor_dataset_and_batch_size_none_through_workers():
    x, y = ag.arange(20.0).reshape(10, 2), ag.arange(10)
    ds = data.TensorDataset(x, y)
    got = [(a.tolist(), b.tolist()) for a, b in data.DataLoader(ds, batch_size=4,
                                                                 num_workers=2)]
    assert got == [(x[i:i + 4].tolist(), y[i:i + 4].tolist()) for i in range(0, 10, 4)]
    singles = [(a.tolist(), b.tolist()) for a, b in
               data.DataLoader(ds, batch_size=None, num_workers=2)]
    assert singles == [(x[i].tolist(), y[i].item()) for i in range(10)]


def test_nested_samples_and_custom_collate_through_workers():
    class Records(data.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": ag.full((2,), float(i)), "name": f"s{i}", "pair": (i, 2.5 * i)}

    got = list(data.DataLoader(Records(), batch_size=2, num_workers=2))
    assert [b["name"] for b in got] == [["s0", "s1"], ["s2", "s3"], ["s4"]]
    assert got[1]["x"].tolist() == [[2.0, 2.0], [3.0, 3.0]]
    assert got[2]["pair"][1].dtype == ag.float64 and got[2]["pair"][1].tolist() == [10.0]
    sizes = list(data.DataLoader(Records(), batch_size=2, num_workers=2, collate_fn=len))
    assert sizes == [2, 2, 1]


def test_worker_seeds_follow_torchs_rule():
    gen = ag.Generator().manual_seed(11)
    rows = list(data.DataLoader(Draws(), batch_size=2, num_workers=2, generator=gen))
    base = ag.randint(0, 2**63 - 1, (), generator=ag.Generator().manual_seed(11)).item()
    firsts = {}
    for row in rows:  # each worker's first batch holds its first draws
        firsts.setdefault(row["worker"][0].item(), row)
    assert sorted(firsts) == [0, 1]
    for wid, row in firsts.items():
        seed = base + wid
        assert row["seed"][0].item() == seed and row["num_workers"][0].item() == 2
        assert row["random"][0].item() == random.Random(seed).random()
        numpy_first = np.random.RandomState(numpy_seed(base, wid)).rand()
        assert row["numpy"][0].item() == numpy_first
        assert row["ember"][0].item() == ag.rand((), generator=ag.Generator().manual_seed(
            seed)).item()
    assert len({row["pid"][0].item() for row in rows} | {os.getpid()}) == 3


@requires_torch
def test_numpy_seed_words_match_torch():
    from torch.utils.data._utils.worker import _generate_state
    for base in (0, 1, 2**32 - 1, 2**32, 123456789123456789, 2**63 - 2):
        for wid in (0, 1, 7):
            assert numpy_seed(base, wid) == _generate_state(base, wid)


def test_get_worker_info_and_worker_init_fn():
    assert data.get_worker_info() is None
    seen = []

    def init(worker_id):
        info = data.get_worker_info()
        assert info.id == worker_id
        info.dataset.offset = 100 * (worker_id + 1)  # each worker configures its copy

    class Offset(data.Dataset):
        offset = 0

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return i + self.offset

    ds = Offset()
    for batch in data.DataLoader(ds, batch_size=2, num_workers=2, worker_init_fn=init):
        seen += batch.tolist()
    assert seen == [100, 101, 202, 203] and ds.offset == 0  # the main copy is untouched


@requires_torch
@pytest.mark.parametrize("kwargs", [dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                    dict(batch_size=None)])
@pytest.mark.parametrize("shard", [True, False])
def test_iterable_dataset_through_workers_matches_torch(kwargs, shard):
    def plain(batches):  # batch_size=None: plain ints, as torch gives them
        return [b.tolist() if hasattr(b, "tolist") else b for b in batches]

    ours = plain(data.DataLoader(Shards(0, 11, shard), num_workers=2, **kwargs))
    theirs = plain(torch.utils.data.DataLoader(TorchShards(0, 11, shard), num_workers=2,
                                               **kwargs))
    assert ours == theirs


def test_worker_error_carries_the_workers_traceback():
    with pytest.raises(ValueError) as caught:
        for _ in data.DataLoader(FailAt(5), batch_size=2, num_workers=2):
            pass
    msg = str(caught.value)
    assert msg.startswith("Caught ValueError in DataLoader worker process 0.\n"
                          "Original Traceback (most recent call last):")
    assert "in __getitem__" in msg and "ValueError: item 5 is broken" in msg
    with pytest.raises(KeyError) as caught:
        list(data.DataLoader(FailAt(0, KeyError), num_workers=1))
    assert "Caught KeyError" in str(caught.value) and "\\n" not in str(caught.value)
    with pytest.raises(RuntimeError, match="Caught TwoArgError"):
        list(data.DataLoader(FailAt(0, lambda m: TwoArgError(m, 1)), num_workers=1))


def test_worker_init_fn_error_is_raised():
    def init(worker_id):
        raise OSError(f"no disk for worker {worker_id}")

    with pytest.raises(OSError, match="worker process 0(.|\n)*no disk for worker 0"):
        list(data.DataLoader(Items(4), batch_size=2, num_workers=1, worker_init_fn=init))


def test_batches_arrive_in_order_and_through_shared_memory():
    big = Items(6, shape=(64, 128))  # 32 KiB a sample: a batch of 2 is shared
    batches = list(data.DataLoader(big, batch_size=2, num_workers=2))
    assert [y.tolist() for _, y in batches] == [[0, 1], [2, 3], [4, 5]]
    assert batches[2][0][1].sum().item() == 5 * 64 * 128
    if _shared.shm_available():
        base = batches[0][0].numpy()
        while getattr(base, "base", None) is not None and not isinstance(base, memoryview):
            base = base.base
        assert "mmap" in repr(base.obj if isinstance(base, memoryview) else base)
    small = list(data.DataLoader(Items(6), batch_size=2, num_workers=2))  # pickled bytes
    assert [y.tolist() for _, y in small] == [[0, 1], [2, 3], [4, 5]]
    assert _shm_files() == []


def test_without_shared_memory_batches_are_pickled(monkeypatch):
    monkeypatch.setattr(_shared, "shm_available", lambda: False)
    big = Items(4, shape=(64, 128))
    got = [x.numpy().copy() for x, _ in data.DataLoader(big, batch_size=2, num_workers=1)]
    assert np.array_equal(got[1], np.full((2, 64, 128), 0, np.float32) +
                          np.array([2, 3], np.float32)[:, None, None])


def test_prefetch_factor_bounds_the_tasks_in_flight():
    loader = data.DataLoader(Items(20), batch_size=2, num_workers=2, prefetch_factor=1)
    assert loader.prefetch_factor == 1 and loader.multiprocessing_context is None
    it = iter(loader)
    assert it._send_idx == 2  # one task per worker until a batch is taken
    next(it)
    assert it._send_idx == 3
    assert data.DataLoader(Items(4), num_workers=1).prefetch_factor == 2  # torch's default


def test_more_workers_than_cores_warns_as_torch(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    loader = data.DataLoader(Items(4), batch_size=2, num_workers=2)
    with pytest.warns(UserWarning, match="create 2 worker processes in total. Our suggested "
                                         "max number of worker in current system is 1"):
        assert len(list(loader)) == 2


def test_unordered_delivery_gives_every_batch():
    got = [b.tolist() for b in data.DataLoader(FailAt(-1), batch_size=2, num_workers=2,
                                               in_order=False)]
    assert sorted(sum(got, [])) == list(range(8))


def test_persistent_workers_live_across_epochs():
    loader = data.DataLoader(Pids(), batch_size=2, num_workers=2, persistent_workers=True)
    first = {p for b in loader for p in b.tolist()}
    second = {p for b in loader for p in b.tolist()}
    assert first == second and len(first) == 2 and os.getpid() not in first
    streams = data.DataLoader(Shards(0, 7), batch_size=2, num_workers=2,
                              persistent_workers=True)
    for _ in range(2):  # each epoch restarts every worker's iterator
        assert sorted(sum((b.tolist() for b in streams), [])) == list(range(7))
    it = loader._iterator
    pids = [w.pid for w in it._workers]
    del loader, it
    deadline = time.time() + 10
    while not _reaped(pids) and time.time() < deadline:
        time.sleep(0.05)
    assert _reaped(pids)
    fresh = data.DataLoader(Pids(), batch_size=2, num_workers=2)
    assert {p for b in fresh for p in b.tolist()}.isdisjoint(first)  # new processes


def test_workers_are_reaped_after_end_break_and_error():
    it = iter(data.DataLoader(Items(8), batch_size=2, num_workers=2))
    pids = [w.pid for w in it._workers]
    assert len(list(it)) == 4 and _reaped(pids)
    it = iter(data.DataLoader(Items(40, shape=(64, 128)), batch_size=2, num_workers=2))
    next(it)  # the others are prefetched, some already in shared memory
    pids = [w.pid for w in it._workers]
    del it
    assert _reaped(pids) and _shm_files() == []
    it = iter(data.DataLoader(FailAt(1), batch_size=1, num_workers=2))
    pids = [w.pid for w in it._workers]
    with pytest.raises(ValueError):
        list(it)
    del it
    assert _reaped(pids)
    assert not any(p.pid in pids for p in multiprocessing.active_children())


def test_timeout_and_dead_worker_raise():
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.2 seconds"):
        list(data.DataLoader(Sleepy(3.0), num_workers=1, timeout=0.2))
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited "
                                           r"unexpectedly"):
        list(data.DataLoader(KillsItself(), num_workers=1))


def test_keyboard_interrupt_stops_the_workers():
    it = iter(data.DataLoader(Sleepy(5.0), num_workers=2))
    pids = [w.pid for w in it._workers]
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        next(it)
    timer.join()
    assert it._shutdown and _reaped(pids)


def test_spawned_workers_receive_tensors():
    ds = data.TensorDataset(ag.arange(6.0), ag.arange(6))
    loader = data.DataLoader(ds, batch_size=3, num_workers=1, multiprocessing_context="spawn")
    assert [a.tolist() for a, _ in loader] == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_tensors_cross_multiprocessing_queues():
    from multiprocessing.reduction import ForkingPickler
    w = ag.ones(3, requires_grad=True)
    back = ForkingPickler.loads(ForkingPickler.dumps(w))
    assert back.requires_grad and back.is_leaf and back.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(RuntimeError, match="non-leaf tensor which requires_grad"):
        ForkingPickler.dumps(w * 2)


@requires_torch
@pytest.mark.parametrize("kwargs", [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2),
    dict(num_workers=1, prefetch_factor=-1), dict(persistent_workers=True),
    dict(num_workers=1, multiprocessing_context="nope"),
    dict(multiprocessing_context="fork"), dict(num_workers=1, multiprocessing_context=3)])
def test_bad_worker_options_raise_as_torch(kwargs):
    with pytest.raises(Exception) as theirs:
        torch.utils.data.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(type(theirs.value)) as ours:
        data.DataLoader(list(range(4)), **kwargs)
    assert str(ours.value) == str(theirs.value)
