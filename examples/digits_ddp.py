"""The digits MLP of examples/digits_mlp.py, trained data-parallel on several processes.

    mpirun -n 2 python examples/digits_ddp.py [--epochs 40] [--quick] [--out runs/digits_ddp]
    python examples/digits_ddp.py            # also works: a world of one process

Each rank reads its own shard of every epoch (DistributedSampler) and DistributedDataParallel
averages the gradients, so the ranks keep identical weights. Rank 0 alone prints and writes
the checkpoint and prints one line per epoch (loss over all ranks, validation accuracy,
seconds) above its progress bar; afterwards every rank loads the checkpoint back. --quick
trains 3 epochs.
"""
from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import one_blas_thread, parse_args, progress, say  # noqa: E402
from digits_mlp import accuracy, load_digits  # noqa: E402

import autograd as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
import nn.parallel as dist  # noqa: E402


@one_blas_thread  # small matrices: extra BLAS threads only spin on a busy machine
def main(argv=None) -> float:
    def extra(p):
        p.add_argument("--epochs", type=int, default=40)
        p.add_argument("--batch-size", type=int, default=32, help="per rank")
        p.add_argument("--lr", type=float, default=2e-3)
    args = parse_args("digits_ddp", "Train the digits MLP on several processes.", argv, extra)
    if args.quick:
        args.epochs = min(args.epochs, 3)

    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    ag.manual_seed(args.seed)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = load_digits(args.seed)
    train = nn.data.TensorDataset(x_train, y_train)
    sampler = nn.data.DistributedSampler(train, seed=args.seed)
    loader = nn.data.DataLoader(train, batch_size=args.batch_size, sampler=sampler)
    model = dist.DistributedDataParallel(nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 10),
    ))  # every rank now holds rank 0's initial weights
    ag.manual_seed(args.seed + 1 + rank)  # a different dropout mask on each rank
    opt = nn.optim.Adam(model.parameters(), lr=args.lr)
    sched = nn.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)

    start = time.perf_counter()
    epochs = range(args.epochs)
    if rank == 0:  # one bar, on rank 0
        epochs = progress(epochs, args, "epochs", leave=True)
    for epoch in epochs:
        epoch_start = time.perf_counter()
        sampler.set_epoch(epoch)  # a new shuffle, the same on every rank
        total = ag.zeros(2, dtype=ag.float64)
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()  # gradients are averaged over the ranks here
            opt.step()
            total += ag.tensor([loss.item() * len(xb), len(xb)], dtype=ag.float64)
        sched.step()
        dist.all_reduce(total)  # the epoch's mean loss over all ranks' samples
        if rank == 0:
            say(f"epoch {epoch + 1:3d}/{args.epochs}: train loss "
                f"{(total[0] / total[1]).item():.4f}, validation accuracy "
                f"{accuracy(model.module, x_val, y_val):.3f}, "
                f"{time.perf_counter() - epoch_start:.2f} s")
    seconds = time.perf_counter() - start

    ckpt = os.path.join(args.out, "model.safetensors")
    if rank == 0:
        nn.utils.save(model.module.state_dict(), ckpt)  # no "module." prefix
    dist.barrier()  # the file is complete before anyone reads it
    model.module.load_state_dict(nn.utils.load(ckpt))
    test_acc = accuracy(model.module, x_test, y_test)
    if rank == 0:
        print(f"trained {args.epochs} epochs on {world} rank(s) in {seconds:.1f} s; "
              f"saved {ckpt}")
        print(f"test accuracy: {test_acc:.4f}")
    dist.destroy_process_group()
    return test_acc


if __name__ == "__main__":
    main()
