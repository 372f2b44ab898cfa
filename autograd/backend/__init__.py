"""The one seam to the array libraries: NumPy for "cpu", CuPy for "cuda". Nothing outside
this package imports numpy or cupy. Ops ask `array_module(arr)` for the library owning an
array and call it as `xp`; each device type is one object (cpu.py, cuda.py) that owns its
array module, transfers, kernel compilation and checks. Re-exports only."""
import numpy as np

from . import memory
from .arrays import (
    array_from_bytes,
    array_to_bytes,
    array_view_bytes,
    bincount,
    broadcast_shapes,
    host_repeat,
    index_add_at,
    is_numpy_scalar,
    matmul,
    reduce_at,
    reshape_view,
    select,
    view_dtype,
)
from .blas import (
    _AXPY,
    _BLAS_THREADS,
    add_scaled_,
    get_num_threads,
    momentum_step_,
    set_num_threads,
)
from .checks import (
    MAX_PENDING_CHECKS,
    _pending_checks,
    check,
    check_index,
    first_outside,
    flush_checks,
    pending_checks,
)
from .cpu import HOST, CPUDevice
from .cuda import CUDA, CUDADevice, cp, nccl
from .cuda import current_stream as cuda_current_stream
from .cuda import device_properties as cuda_device_properties
from .cuda import event as cuda_event
from .cuda import mem_get_info as cuda_mem_get_info
from .cuda import memory_reserved as cuda_memory_reserved
from .cuda import new_stream as cuda_new_stream
from .cuda import out_of_memory_error as cuda_out_of_memory_error
from .devices import (
    CPU,
    DeviceType,
    array_module,
    as_device,
    asarray,
    ascontiguous,
    data_ptr,
    defers_checks,
    device,
    device_of,
    device_type,
    dlpack_owner,
    get_default_device,
    is_array,
    is_device_array,
    module_for,
    ndarray,
    owner,
    register,
    set_default_device,
    synchronize,
    to_device,
    to_host,
)
from .dtypes import (
    DTYPES,
    TORCH_DTYPES,
    MissingDtype,
    TorchDtype,
    as_dtype,
    bfloat16,
    bool_,
    complex64,
    complex128,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    is_floating,
    kind,
    promote_types,
    result_type,
    set_default_dtype,
    torch_dtype,
    uint8,
)
from .kernels import Fused, RawKernel
from .random import (
    Generator,
    default_generator,
    initial_seed,
    manual_seed,
    permutation,
    rng,
    seed,
    seed_numpy_global,
)
from .special import digamma, erf, erfc, erfinv, i0, i1, lgamma, polygamma, sigmoid

malloc_tuned = memory.malloc_tuned

# torch.cuda's calls, answered by the "cuda" device type object
cuda_is_available = CUDA.is_available
device_count = CUDA.device_count
cuda_synchronize = CUDA.synchronize
cuda_current_device = CUDA.current_device
cuda_set_device = CUDA.set_device
cuda_device_name = CUDA.device_name
cuda_memory_allocated = CUDA.memory_allocated
cuda_empty_cache = CUDA.empty_cache
cuda_device = CUDA.cuda_device
