"""Run under mpirun by tests/nn/test_parallel.py; each mode makes the job fail and must end
it on every rank with a message naming the rank, never hang.

    raise     rank 1 raises in the middle of training while rank 0 waits in a collective
    unused    a parameter takes no part in the loss (no find_unused_parameters)
    mismatch  rank 1 builds a different model
    timeout   rank 1 never joins an all_reduce; rank 0 gives up after the group's timeout
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))))

import autograd as ag  # noqa: E402
import nn  # noqa: E402
import nn.parallel as dist  # noqa: E402


class TwoHeads(nn.Module):
    def __init__(self, width, use_spare):
        super().__init__()
        self.body = nn.Linear(4, width)
        self.spare = nn.Linear(4, 2)
        self.use_spare = use_spare

    def forward(self, x):
        out = self.body(x).pow(2).mean()
        return out + self.spare(x).pow(2).mean() if self.use_spare else out


def main(mode):
    dist.init_process_group("mpi", timeout=1.5 if mode == "timeout" else 60)
    rank = dist.get_rank()
    if mode == "timeout":
        if rank == 1:
            time.sleep(30)  # never joins; rank 0's timeout must end the job first
        dist.all_reduce(ag.ones(3))
        return
    width = 3 if (mode == "mismatch" and rank == 1) else 2
    model = dist.DistributedDataParallel(TwoHeads(width, mode != "unused"))
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    for step in range(5):
        if mode == "raise" and rank == 1 and step == 2:
            raise ValueError("deliberate failure in the training loop")
        opt.zero_grad()
        model(ag.randn(8, 4)).backward()
        opt.step()
    print(f"rank {rank}: finished without an error", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
