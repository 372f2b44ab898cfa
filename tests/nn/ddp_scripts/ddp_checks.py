"""Run under mpirun by tests/nn/test_parallel.py: collectives, DDP parity with one process
on the concatenated batches, no_sync, find_unused_parameters. Any failed check raises,
which aborts every rank (nn.parallel's excepthook); rank 0 prints a line when all pass."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))))

import numpy as np  # noqa: E402

import autograd as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
import nn.parallel as dist  # noqa: E402
from nn.parallel import DistributedDataParallel as DDP  # noqa: E402

STEPS, BATCH = 4, 3


def gather(t):
    outs = [ag.zeros_like(t) for _ in range(dist.get_world_size())]
    dist.all_gather(outs, t)
    return [o.numpy() for o in outs]


def check_collectives(rank, world):
    t = ag.tensor([rank + 1.0, 2.0 * rank], dtype=ag.float64)
    dist.all_reduce(t)
    assert np.allclose(t.numpy(), [world * (world + 1) / 2, world * (world - 1)]), t
    t = ag.tensor([float(rank)], dtype=ag.float64)
    dist.all_reduce(t, op="avg")
    assert np.allclose(t.numpy(), (world - 1) / 2), t
    for op, want in [(dist.ReduceOp.MAX, world - 1), ("ReduceOp.MIN", 0), ("max", world - 1)]:
        t = ag.tensor([rank], dtype=ag.int64)
        dist.all_reduce(t, op=op)
        assert t.item() == want, (op, t)
    base = ag.tensor(np.arange(6.0).reshape(2, 3) + rank)
    view = base.T  # not contiguous: reduced through a copy and written back
    dist.all_reduce(view)
    assert np.allclose(base.numpy(), world * np.arange(6.0).reshape(2, 3) + sum(range(world)))
    t = ag.full((3,), float(rank), dtype=ag.float32)
    work = dist.broadcast(t, src=world - 1, async_op=True)
    work.wait()
    assert (t.numpy() == world - 1).all() and t.dtype == ag.float32
    got = gather(ag.tensor([rank, 10 * rank]))
    assert [g.tolist() for g in got] == [[r, 10 * r] for r in range(world)], got
    objs = []
    dist.all_gather_object(objs, {"rank": rank})
    assert objs == [{"rank": r} for r in range(world)]
    dist.barrier()


def make_model(seed):
    ag.manual_seed(seed)
    model = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                          nn.Linear(16, 3)).double()
    model.register_buffer("marker", ag.full((2,), float(seed), dtype=ag.float64))
    return model


def batches(world, micro=1):
    """Per step: `micro` global batches of world * BATCH rows (same on every rank)."""
    rng = np.random.default_rng(123)
    for _ in range(STEPS):
        yield [(ag.tensor(rng.standard_normal((world * BATCH, 5))),
                ag.tensor(rng.integers(0, 3, world * BATCH))) for _ in range(micro)]


def flat_params(model):
    return np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])


def check_parity(rank, world, micro):
    """DDP on shards == one process on the concatenated batches; micro > 1 runs all but
    the last micro-batch inside no_sync()."""
    ddp = DDP(make_model(seed=rank), bucket_cap_mb=0.0005)  # several buckets
    assert len(ddp._buckets) > 1
    assert (ddp.module.marker.numpy() == 0).all(), "rank 0's buffers were not broadcast"
    ref = make_model(seed=0)
    assert np.array_equal(flat_params(ref), flat_params(ddp.module))
    opt = nn.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    ref_opt = nn.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    rows = slice(rank * BATCH, (rank + 1) * BATCH)
    for step in batches(world, micro):
        opt.zero_grad()
        for k, (x, y) in enumerate(step):
            if k < micro - 1:
                with ddp.no_sync():
                    F.cross_entropy(ddp(x[rows]), y[rows]).backward()
                local = ag.tensor(ddp.module[0].weight.grad.numpy())
                others = gather(local)
                if world > 1:  # no communication happened: each rank kept its own gradient
                    assert not np.allclose(others[0], others[1])
            else:
                F.cross_entropy(ddp(x[rows]), y[rows]).backward()
        opt.step()
        ref_opt.zero_grad()
        sum(F.cross_entropy(ref(x), y) for x, y in step).backward()
        ref_opt.step()
    mine = flat_params(ddp.module)
    every = gather(ag.tensor(mine))
    assert all(np.array_equal(every[0], e) for e in every), "ranks diverged"
    err = np.abs(mine - flat_params(ref)).max()
    assert err <= 1e-12, f"rank {rank}: DDP differs from one process by {err}"
    sd = ddp.state_dict()
    assert all(k.startswith("module.") for k in sd) and "module.0.weight" in sd
    return err


class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 4).double()
        self.only_rank1 = nn.Linear(4, 1).double()
        self.never = nn.Linear(4, 1).double()

    def forward(self, x, use_extra):
        out = self.body(x).sum()
        if use_extra:
            out = out + self.only_rank1(x).sum()
        return out


def check_find_unused(rank, world):
    ag.manual_seed(0)
    ddp = DDP(Branchy(), find_unused_parameters=True)
    x = ag.tensor(np.random.default_rng(rank).standard_normal((2, 4)))
    local = Branchy()
    local.load_state_dict(ddp.module.state_dict())
    local(x, rank == 1).backward()
    ddp(x, rank == 1)  # a forward with no backward (evaluation with grad on) is allowed
    ddp(x, rank == 1).backward()
    for name, p in ddp.module.named_parameters():
        lp = local.get_parameter(name)
        if name.startswith("never") or (world == 1 and name.startswith("only_rank1")):
            assert p.grad is None, name  # unused on every rank: untouched
            continue
        g = lp.grad.numpy() if lp.grad is not None else np.zeros(p.shape)
        want = np.mean(gather(ag.tensor(g)), axis=0)  # unused counts as zero
        assert np.abs(p.grad.numpy() - want).max() < 1e-14, name


def main():
    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    check_collectives(rank, world)
    err = check_parity(rank, world, micro=1)
    check_parity(rank, world, micro=2)
    check_find_unused(rank, world)
    dist.barrier()
    if rank == 0:
        print(f"ddp_checks: all passed on {world} ranks (max |DDP - single| = {err:.1e})")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
