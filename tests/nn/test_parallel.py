"""nn.parallel and DistributedSampler. Multi-process checks launch tests/nn/ddp_scripts/
under mpirun (skipped without mpirun or mpi4py); the rest runs in this process, where
init_process_group without a launcher is a world of size 1."""
import functools
import importlib.util
import os
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
import nn.parallel as dist
from tests.conftest import requires_cuda, requires_torch

SCRIPTS = os.path.join(os.path.dirname(__file__), "ddp_scripts")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MPIRUN = shutil.which("mpirun") or shutil.which("mpiexec")
# A healthy run takes 1-5 s; on a loaded 2-core CI machine allow far more, but never hang.
MPI_TIMEOUT = 120


def _mpi_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_", "PMIX_", "PMI_"))}
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1",
               # containers often forbid the cross-process reads (CMA) Open MPI's shared
               # memory transport uses for large messages; copy through the segment instead
               OMPI_MCA_btl_vader_single_copy_mechanism="none")
    return env


@functools.lru_cache(maxsize=None)
def _mpi_missing():
    """Why the MPI tests cannot run here (None when they can): no launcher, or an mpi4py
    that does not import (missing, or installed without an MPI library to load)."""
    if MPIRUN is None:
        return "needs an MPI launcher (mpirun); apt-get install openmpi-bin libopenmpi-dev"
    if importlib.util.find_spec("mpi4py") is None:
        return "needs mpi4py (pip install mpi4py)"
    probe = subprocess.run([sys.executable, "-c", "from mpi4py import MPI"], env=_mpi_env(),
                           capture_output=True, text=True, timeout=MPI_TIMEOUT)
    if probe.returncode != 0:
        return "mpi4py does not import: " + probe.stderr.strip().splitlines()[-1:][0]
    return None


@pytest.fixture
def mpi():
    why = _mpi_missing()
    if why is not None:
        pytest.skip(why)


def _mpirun(n, script, *args, timeout=MPI_TIMEOUT):
    """Run `script` on `n` ranks; bounded: on timeout mpirun and its ranks are stopped
    (SIGTERM, which mpirun passes on, then SIGKILL to the whole session) and the test fails
    with what they printed."""
    env = _mpi_env()
    version = subprocess.run([MPIRUN, "--version"], capture_output=True, text=True, env=env)
    extra = ["--oversubscribe"] if "Open MPI" in version.stdout + version.stderr else []
    path = script if os.path.isabs(script) else os.path.join(SCRIPTS, script)
    cmd = [MPIRUN, *extra, "-n", str(n), sys.executable, path, *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        pytest.fail(f"{' '.join(cmd)} did not finish in {timeout} s\n{out}\n{err}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


# ----------------------------------------------------------------------------- MPI ranks
@pytest.mark.parametrize("ranks", [2, 3])
def test_ddp_matches_single_process_on_concatenated_batches(mpi, ranks):
    # collectives, DDP == one process within 1e-12 (float64) with identical parameters on
    # every rank, no_sync accumulation, find_unused_parameters: see ddp_checks.py
    out = _mpirun(ranks, "ddp_checks.py")
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"all passed on {ranks} ranks" in out.stdout


@pytest.mark.parametrize("mode, message", [
    ("raise", "rank 1 of 2 failed with ValueError: deliberate failure"),
    ("unused", "parameters that received no gradient: spare.weight, spare.bias"),
    ("mismatch", "rank 0 has body.weight (2, 4) torch.float32, rank 1 has body.weight (3, 4)"),
    ("timeout", "all_reduce: rank 0 of 2 timed out after 1.5 s"),
])
def test_failing_rank_ends_the_job_with_a_message(mpi, mode, message):
    out = _mpirun(2, "ddp_failures.py", mode)
    text = out.stdout + out.stderr
    assert out.returncode != 0, text
    assert message in text, text
    assert "aborting all ranks" in text and "finished without an error" not in text


def test_digits_ddp_example_on_two_ranks(mpi, tmp_path):
    out = _mpirun(2, os.path.join(ROOT, "examples", "digits_ddp.py"), "--epochs", "3",
                  "--out", str(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "trained 3 epochs on 2 rank(s)" in out.stdout
    assert out.stdout.count("test accuracy") == 1  # rank 0 alone prints
    acc = float(out.stdout.rsplit("test accuracy:", 1)[1].split()[0])
    assert acc > 0.85 and (tmp_path / "model.safetensors").stat().st_size > 0


# ----------------------------------------------------------------------------- one process
@pytest.fixture
def world1():
    dist.init_process_group("mpi")
    yield
    dist.destroy_process_group()


def test_without_a_launcher_the_world_has_one_rank(world1):
    assert dist.is_initialized() and dist.get_rank() == 0 and dist.get_world_size() == 1
    t = ag.tensor([1.0, 2.0])
    dist.all_reduce(t, op=dist.ReduceOp.AVG)
    dist.broadcast(t, src=0)
    outs = [ag.zeros(2)]
    dist.all_gather(outs, t)
    dist.barrier()
    assert t.tolist() == [1.0, 2.0] and outs[0].tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="twice"):
        dist.init_process_group("mpi")
    with pytest.raises(ValueError, match="op"):
        dist.all_reduce(t, op="median")


def test_digits_ddp_example_without_a_launcher_is_a_world_of_one(tmp_path, capsys):
    sys.path.insert(0, ROOT)
    try:
        from examples import digits_ddp
    finally:
        sys.path.remove(ROOT)
    acc = digits_ddp.main(["--epochs", "3", "--out", str(tmp_path)])
    assert "trained 3 epochs on 1 rank(s)" in capsys.readouterr().out
    assert acc > 0.85 and (tmp_path / "model.safetensors").stat().st_size > 0
    assert not dist.is_initialized()  # the example destroyed its process group


def test_collectives_need_an_initialised_group():
    assert not dist.is_initialized()
    with pytest.raises(ValueError, match="init_process_group"):
        dist.get_rank()
    with pytest.raises(ValueError, match="init_process_group"):
        dist.DistributedDataParallel(nn.Linear(2, 2))


def test_ddp_on_one_rank_trains_like_the_plain_module(world1):
    ag.manual_seed(0)
    plain = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2)).double()
    ddp = dist.DistributedDataParallel(
        nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2)).double(),
        bucket_cap_mb=1e-4)
    ddp.module.load_state_dict(plain.state_dict())
    assert len(ddp._buckets) == 4  # a bucket per parameter at this tiny cap
    assert list(ddp.state_dict()) == ["module." + k for k in plain.state_dict()]
    opts = [nn.optim.Adam(m.parameters(), lr=0.01) for m in (plain, ddp)]
    x, y = ag.tensor(np.random.randn(6, 4)), ag.tensor(np.random.randn(6, 2))
    for _ in range(3):
        for model, opt in zip((plain, ddp), opts):
            opt.zero_grad()
            F.mse_loss(model(x), y).backward()
            opt.step()
    for a, b in zip(plain.parameters(), ddp.module.parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=0, atol=1e-15)


def test_no_sync_defers_to_the_next_synchronised_backward(world1):
    ddp = dist.DistributedDataParallel(nn.Linear(3, 1).double())
    x = ag.tensor(np.random.randn(4, 3))
    with ddp.no_sync():
        ddp(x).sum().backward()
        assert not ddp._armed
    ddp(x).sum().backward()
    np.testing.assert_allclose(ddp.module.weight.grad.numpy()[0], 2 * x.numpy().sum(0))


def test_unused_parameter_is_an_error_unless_found(world1):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.used, self.unused = nn.Linear(2, 2), nn.Linear(2, 2)

        def forward(self, x):
            return self.used(x).sum()

    ddp = dist.DistributedDataParallel(Net())
    ddp(ag.ones(1, 2)).backward()
    with pytest.raises(RuntimeError, match="rank 0.*unused.weight, unused.bias"):
        ddp(ag.ones(1, 2))
    ddp = dist.DistributedDataParallel(Net(), find_unused_parameters=True)
    for _ in range(2):
        ddp(ag.ones(1, 2)).backward()
    assert ddp.module.unused.weight.grad is None and ddp.module.used.weight.grad is not None


def test_two_backward_passes_in_one_iteration_are_refused(world1):
    ddp = dist.DistributedDataParallel(nn.Linear(2, 1))
    out = ddp(ag.ones(1, 2)).sum()
    out.backward(retain_graph=True)
    with pytest.raises(RuntimeError, match="received a gradient twice"):
        out.backward()


# ----------------------------------------------------------------------------- sampler
@pytest.mark.parametrize("n, replicas, drop_last", [(10, 3, False), (10, 3, True),
                                                     (12, 4, False), (2, 5, False)])
def test_distributed_sampler_shards_are_disjoint_and_cover_the_data(n, replicas, drop_last):
    shards = [list(nn.data.DistributedSampler(range(n), replicas, r, seed=7,
                                              drop_last=drop_last)) for r in range(replicas)]
    sizes = {len(s) for s in shards}
    assert len(sizes) == 1 and sizes.pop() == len(nn.data.DistributedSampler(
        range(n), replicas, 0, drop_last=drop_last))
    flat = [i for s in shards for i in s]
    if drop_last:  # a trimmed epoch: no index twice
        assert len(set(flat)) == len(flat) == (n // replicas) * replicas
    else:  # every index at least once; only the padding repeats
        assert set(flat) == set(range(n))
        assert len(flat) == -(-n // replicas) * replicas
        if n >= replicas:
            assert len(flat) - len(set(flat)) == len(flat) - n


def test_distributed_sampler_epochs_reshuffle_identically_on_every_rank():
    a = [nn.data.DistributedSampler(range(20), 2, r, seed=3) for r in range(2)]
    first = [list(s) for s in a]
    for s in a:
        s.set_epoch(1)
    second = [list(s) for s in a]
    assert first != second and sorted(first[0] + first[1]) == list(range(20))
    assert sorted(second[0] + second[1]) == list(range(20))
    again = nn.data.DistributedSampler(range(20), 2, 0, seed=3)
    assert list(again) == first[0]  # deterministic: seed + epoch, not the global generator


@requires_torch
@pytest.mark.parametrize("n, replicas, drop_last", [(10, 3, False), (11, 4, True), (3, 5, False)])
def test_distributed_sampler_unshuffled_matches_torch(n, replicas, drop_last):
    from torch.utils.data.distributed import DistributedSampler
    for r in range(replicas):
        ours = nn.data.DistributedSampler(range(n), replicas, r, shuffle=False,
                                          drop_last=drop_last)
        theirs = DistributedSampler(range(n), replicas, r, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_distributed_sampler_feeds_a_dataloader_and_checks_its_rank(world1):
    ds = nn.data.TensorDataset(ag.arange(10), ag.arange(10) * 2)
    sampler = nn.data.DistributedSampler(ds, num_replicas=2, rank=1, shuffle=False)
    xs = [x.tolist() for x, _ in nn.data.DataLoader(ds, batch_size=2, sampler=sampler)]
    assert xs == [[1, 3], [5, 7], [9]]
    assert nn.data.DistributedSampler(ds).num_replicas == 1  # from the process group
    with pytest.raises(ValueError, match="Invalid rank 2"):
        nn.data.DistributedSampler(ds, num_replicas=2, rank=2)


# ----------------------------------------------------------------------------- NCCL
@pytest.mark.cuda
@requires_cuda
def test_nccl_single_rank_collectives_and_ddp():
    dist.init_process_group("nccl")
    try:
        assert dist.get_backend() == "nccl" and dist.get_world_size() == 1
        t = ag.tensor([1.0, 2.0, 3.0], device="cuda")
        dist.all_reduce(t, op="sum")
        dist.all_reduce(t, op=dist.ReduceOp.AVG)
        dist.broadcast(t, src=0)
        outs = [ag.zeros(3, device="cuda")]
        dist.all_gather(outs, t)
        dist.barrier()
        assert t.cpu().tolist() == [1.0, 2.0, 3.0] and outs[0].cpu().tolist() == [1.0, 2.0, 3.0]
        with pytest.raises(RuntimeError, match="cuda tensor"):
            dist.all_reduce(ag.ones(2))
        ag.manual_seed(0)
        plain = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2)).to("cuda")
        ddp = dist.DistributedDataParallel(
            nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2)).to("cuda"),
            bucket_cap_mb=1e-4)
        ddp.module.load_state_dict(plain.state_dict())
        x = ag.randn(6, 4, device="cuda")
        for model in (plain, ddp):
            model(x).pow(2).sum().backward()
        for a, b in zip(plain.parameters(), ddp.module.parameters()):
            np.testing.assert_allclose(a.grad.cpu().numpy(), b.grad.cpu().numpy(), rtol=1e-6)
    finally:
        dist.destroy_process_group()
