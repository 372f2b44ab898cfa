"""Training on several processes (same as torch.distributed + torch.nn.parallel)."""
from .data_parallel import DataParallel
from .ddp import DistributedDataParallel
from .distributed import (
    ReduceOp,
    Work,
    all_gather,
    all_gather_object,
    all_reduce,
    barrier,
    broadcast,
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    init_process_group,
    is_available,
    is_initialized,
)
