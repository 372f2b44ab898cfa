"""Ember's engine: a `Tensor` that records a dynamic graph, and reverse-mode autodiff
over it, on NumPy ("cpu") or CuPy ("cuda"). Re-exports only."""
from . import backend, cuda
from .tensor import Parameter, Size, Tensor

# isort: split
# (importing the module autograd.tensor sets the package's `tensor` attribute to it: it
# comes first, so that `from .creation import tensor` below leaves `autograd.tensor` the
# function, as torch.tensor)
from .backend import (
    Generator,
    device,
    finfo,
    get_default_device,
    get_num_threads,
    iinfo,
    initial_seed,
    manual_seed,
    seed,
    set_default_device,
    set_default_dtype,
    set_num_threads,
)
from .creation import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .dlpack import from_dlpack as _from_dlpack
from .function import (
    Function,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .grad import backward, grad
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .ops.arrange import (
    atleast_1d,
    atleast_2d,
    atleast_3d,
    block_diag,
    cartesian_prod,
    column_stack,
    combinations,
    diag_embed,
    diagflat,
    dstack,
    fliplr,
    flipud,
    hstack,
    meshgrid,
    rot90,
    row_stack,
    select,
    tile,
    tril_indices,
    triu_indices,
    vander,
    vstack,
)
from .ops.compare import (
    allclose,
    clamp,
    clip,
    eq,
    equal,
    ge,
    greater,
    greater_equal,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    le,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    maximum,
    minimum,
    nan_to_num,
    ne,
    not_equal,
)
from .ops.elementwise import (
    add,
    div,
    divide,
    floor_divide,
    fmod,
    lerp,
    mul,
    multiply,
    neg,
    negative,
    pow,
    remainder,
    sub,
    subtract,
    true_divide,
)
from .ops.index import (
    gather,
    index_select,
    masked_fill,
    nonzero,
    repeat_interleave,
    scatter_add,
    unique,
    where,
)
from .ops.inplace import clamp_, fill_, index_add, zero_
from .ops.linalg import (
    addbmm,
    addmm,
    addmv,
    baddbmm,
    bmm,
    diag,
    dot,
    einsum,
    ger,
    matmul,
    mm,
    mv,
    outer,
    trace,
)
from .ops.order import (
    bincount,
    bucketize,
    cummax,
    cummin,
    histc,
    kthvalue,
    logcumsumexp,
    median,
    mode,
    nanmean,
    nanmedian,
    nanquantile,
    nansum,
    quantile,
    searchsorted,
)
from .ops.products import (
    cdist,
    chain_matmul,
    cross,
    cumulative_trapezoid,
    inner,
    kron,
    tensordot,
    trapezoid,
    trapz,
)
from .ops.reduce import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    count_nonzero,
    cumprod,
    cumsum,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    norm,
    prod,
    softmax,
    std,
    std_mean,
    sum,
    var,
    var_mean,
)
from .ops.scatter import (
    index_copy,
    index_fill,
    index_put,
    masked_scatter,
    masked_select,
    put,
    scatter,
    scatter_reduce,
    take,
    take_along_dim,
)
from .ops.shape import (
    broadcast_tensors,
    broadcast_to,
    clone,
    diagonal,
    flatten,
    flip,
    moveaxis,
    movedim,
    permute,
    reshape,
    roll,
    squeeze,
    swapaxes,
    swapdims,
    t,
    transpose,
    tril,
    triu,
    unflatten,
    unsqueeze,
)
from .ops.sort import argsort, msort, sort, topk
from .ops.special import (
    acosh,
    arccosh,
    arcsinh,
    arctan2,
    arctanh,
    asinh,
    atan2,
    atanh,
    bitwise_and,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    clamp_max,
    clamp_min,
    copysign,
    deg2rad,
    digamma,
    erfc,
    erfinv,
    float_power,
    fmax,
    fmin,
    frac,
    gcd,
    heaviside,
    hypot,
    i0,
    isneginf,
    isposinf,
    lcm,
    lgamma,
    logaddexp,
    logaddexp2,
    logit,
    polygamma,
    rad2deg,
    signbit,
    sinc,
    xlogy,
)
from .ops.split import (
    cat,
    chunk,
    concat,
    concatenate,
    narrow,
    split,
    stack,
    unbind,
)
from .ops.unary import (
    abs,
    absolute,
    acos,
    arccos,
    arcsin,
    arctan,
    asin,
    atan,
    ceil,
    cos,
    cosh,
    erf,
    exp,
    exp2,
    expm1,
    floor,
    log,
    log1p,
    log2,
    log10,
    reciprocal,
    relu,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    tan,
    tanh,
    trunc,
)
from .printing import get_printoptions, printoptions, set_printoptions

# PyTorch's dtypes: objects printing as `torch.float32` that stand for NumPy's dtypes
# (equal to them, accepted by every dtype= of Ember, NumPy and CuPy)
dtype = backend.TorchDtype
float16, float32, float64 = (backend.torch_dtype(backend.float16),
                             backend.torch_dtype(backend.float32),
                             backend.torch_dtype(backend.float64))
bfloat16 = backend.torch_dtype(backend.bfloat16)  # MissingDtype without ml_dtypes
int8, int16, int32, int64, uint8 = (backend.torch_dtype(backend.int8),
                                    backend.torch_dtype(backend.int16),
                                    backend.torch_dtype(backend.int32),
                                    backend.torch_dtype(backend.int64),
                                    backend.torch_dtype(backend.uint8))
bool = backend.torch_dtype(backend.bool_)
complex64, complex128 = backend.torch_dtype(backend.complex64), \
    backend.torch_dtype(backend.complex128)
# PyTorch's dtype aliases (dtype=torch.long, x.to(torch.float)); they shadow the builtins
# only inside this namespace, as in torch.
float, double, half, long, int, short = float32, float64, float16, int64, int32, int16
cfloat, cdouble = complex64, complex128


def promote_types(type1, type2) -> dtype:
    """Same as torch.promote_types: the smallest dtype both cast to (PyTorch's rules)."""
    return backend.torch_dtype(backend.promote_types(backend.as_dtype(type1),
                                                     backend.as_dtype(type2)))


def get_default_dtype() -> dtype:
    """Same as torch.get_default_dtype: the dtype of Python floats (torch.float32)."""
    return backend.torch_dtype(backend.get_default_dtype())

__version__ = "0.1.0"


def is_tensor(obj) -> bool:
    """Same as torch.is_tensor."""
    return isinstance(obj, Tensor)


def numel(input) -> int:
    return input.numel()


def is_floating_point(input) -> bool:
    return input.is_floating_point()


def detach(input):
    return input.detach()


def expand(input, *sizes):
    return input.expand(*sizes)


def repeat(input, *sizes):
    return input.repeat(*sizes)


_SUBMODULES = {}
_LAZY_NAMESPACES = {"onnx": "autograd.onnx", "fft": "autograd.fft",
                    "distributions": "autograd.distributions",
                    "testing": "autograd.testing", "func": "autograd.func"}


def __getattr__(name):
    """torch's sub-namespaces under the engine's name, for code that imports Ember as
    torch: `autograd.nn`, `.optim`, `.utils.data` / `.utils.checkpoint`, `.autograd` (this
    package) and `.backends` (cudnn/mps flags, kept but without effect: Ember calls no
    cuDNN). Imported on first use, so the engine itself does not depend on nn."""
    if name == "range":  # torch.range, served here so `range` stays the builtin in this file
        return _deprecated_range
    if name in globals().get("_NN_TOP_LEVEL", ()):  # torch.conv2d & co. (nn.functional)
        import nn.functional as F
        return _NN_TOP_LEVEL[name](F)
    if name in _LAZY_NAMESPACES:  # modules other parts of Ember provide, once they exist
        import importlib
        try:
            return importlib.import_module(_LAZY_NAMESPACES[name])
        except ModuleNotFoundError as e:
            if e.name != _LAZY_NAMESPACES[name]:
                raise
            raise AttributeError(f"module 'autograd' has no attribute {name!r}") from None
    if name not in ("nn", "optim", "utils", "autograd", "backends"):
        raise AttributeError(f"module 'autograd' has no attribute {name!r}")
    if name not in _SUBMODULES:
        import sys
        from types import SimpleNamespace
        if name == "autograd":
            _SUBMODULES[name] = sys.modules[__name__]
        elif name == "backends":
            _SUBMODULES[name] = SimpleNamespace(
                cudnn=SimpleNamespace(benchmark=False, deterministic=False, enabled=True,
                                      allow_tf32=True, is_available=lambda: False),
                mps=SimpleNamespace(is_available=lambda: False, is_built=lambda: False))
        else:
            import nn.optim  # binds nn too
            _SUBMODULES.update(nn=nn, optim=nn.optim, utils=SimpleNamespace(
                data=nn.data, checkpoint=SimpleNamespace(checkpoint=checkpoint)))
    return _SUBMODULES[name]


from .serialization import load, save  # noqa: E402  (torch.save / torch.load)


def from_dlpack(obj):
    """Same as torch.from_dlpack: a tensor sharing memory with a DLPack-capable object."""
    return _from_dlpack(obj)


import math as _math  # noqa: E402

from . import (  # noqa: E402
    amp,  # noqa: E402
    fft,
    func,
    functional,
    linalg,
    memory,
    special,  # noqa: E402  (torch.special)
    viz,  # noqa: E402
)
from ._decompositions import (  # noqa: E402
    cholesky_inverse,
    cholesky_solve,
    geqrf,
    matrix_exp,
    pinverse,
    triangular_solve,
)
from ._decompositions import torch_cholesky as cholesky  # noqa: E402
from ._decompositions import torch_qr as qr  # noqa: E402
from ._decompositions import torch_svd as svd  # noqa: E402
from ._linalg_lu import lu_unpack  # noqa: E402
from ._linalg_lu import torch_lu as lu  # noqa: E402
from .amp import GradScaler, autocast, get_autocast_dtype, is_autocast_enabled  # noqa: E402
from .anomaly import detect_anomaly, set_detect_anomaly  # noqa: E402
from .checkpoint import checkpoint  # noqa: E402
from .compile import GraphBreak, compile, compile_explain  # noqa: E402
from .explain import explain_grad  # noqa: E402
from .linalg import det, logdet, matrix_power  # noqa: E402
from .linalg import inv as inverse  # noqa: E402
from .ops.complex import (  # noqa: E402
    angle,
    conj,
    conj_physical,
    imag,
    is_complex,
    polar,
    real,
    view_as_complex,
    view_as_real,
)
from .ops.complex import complex_ as complex  # noqa: E402
from .ops.composite import (  # noqa: E402
    addcdiv,
    addcmul,
    aminmax,
    argwhere,
    corrcoef,
    cov,
    diff,
    dist,
    isin,
    tensor_split,
    vdot,
)
from .ops.solve import slogdet  # noqa: E402
from .profiler import profile  # noqa: E402
from .sampling import (  # noqa: E402  # noqa: E402
    bernoulli,
    get_rng_state,
    multinomial,
    normal,
    set_rng_state,
)

# torch's constants
pi, e, inf, nan = _math.pi, _math.e, _math.inf, _math.nan
newaxis = None

from .torch_extras import NN_TOP_LEVEL as _NN_TOP_LEVEL  # noqa: E402
from .torch_extras import (  # noqa: E402  (torch's top-level long tail)
    acosh_,
    as_strided,
    as_strided_scatter,
    asarray,
    asinh_,
    atanh_,
    channels_last,
    channels_last_3d,
    contiguous_format,
    default_generator,
    detach_,
    diagonal_scatter,
    eig,
    empty_permuted,
    empty_strided,
    enforce_grad_layout_policy,
    erfc_,
    fill,
    frobenius_norm,
    frombuffer,
    gcd_,
    get_device,
    i0_,
    igamma,
    igammac,
    index_reduce,
    is_distributed,
    is_tensor_like,
    isreal,
    layout,
    lcm_,
    legacy_contiguous_format,
    logit_,
    lstsq,
    matrix_rank,
    memory_format,
    mvlgamma,
    nextafter,
    nonzero_static,
    norm_except_dim,
    nuclear_norm,
    positive,
    preserve_format,
    ravel,
    renorm,
    resize_as_,
    rsub,
    scalar_tensor,
    select_scatter,
    set_default_tensor_type,
    sgn,
    sinc_,
    slice_scatter,
    solve,
    split_with_sizes,
    strided,
    symeig,
    to_dlpack,
    unique_consecutive,
)
from .torch_extras import torch_range as _deprecated_range  # noqa: E402
from .torch_extras_more import (  # noqa: E402
    bartlett_window,
    binomial,
    blackman_window,
    broadcast_shapes,
    gradient,
    hamming_window,
    hann_window,
    histogram,
    histogramdd,
    kaiser_window,
    poisson,
)
