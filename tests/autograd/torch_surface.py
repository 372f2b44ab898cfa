"""The surface diff against the pinned PyTorch: which public names of torch's namespaces (and
of the classes Ember provides, and of their built instances) exist through Ember's torch
namespace (autograd.as_torch). Run as a script for the full list of missing names:

    PYTHONPATH=$PWD python tests/autograd/torch_surface.py [-v]
"""
from __future__ import annotations

import re
import sys
import types

# ---------------------------------------------------------------------------- exclusions
# Whole families Ember leaves out on purpose, each with its reason. A pattern matches a
# name (re.search) in every namespace; NAMESPACE_EXCLUDED lists single names.
EXCLUDED_PATTERNS = {
    r"sparse|^to_dense$|^coalesce|^indices$|^values$|crow_|col_indices|ccol_|row_indices|"
    r"_nnz$|^is_coalesced$|^sspaddmm$|^smm$|^hspmm$|^dense_dim$|^sparse_dim$|^saddmm$":
        "sparse tensors: Ember's tensors are dense",
    r"quantiz|^q_|qint|quint|qscheme|^int_repr$|^dequantize|^fake_quant|^fbgemm|"
    r"^per_channel|^per_tensor|^fused_moving_avg":
        "quantized tensors: Ember has no quantized dtypes",
    r"^refine_names$|^rename_?$|^align_to$|^align_as$|^names$|^has_names$|^unflatten_dense":
        "named tensors (a prototype in PyTorch)",
    r"^jit$|script|^trace|^ScriptModule|^ScriptFunction|^Tracer|^import_ir|^merge_type_from|"
    r"^fork$|^wait$|^Future$|^Await|^_await|torch_function|^BroadcastingList|^boolean_dispatch$":
        "TorchScript: Ember has no TorchScript compiler",
    r"^fx$|^GraphModule|^symbolic_trace|^Sym[A-Z]|^sym_|^guard_|^export$|^cond$|^while_loop$":
        "torch.fx / torch.export / symbolic shapes: Ember has no graph tracer",
    r"complex|^cfloat$|^cdouble$|^chalf$|^polar$|^view_as_real|^conj|^resolve_conj|"
    r"^resolve_neg|^is_conj$|^is_neg$|^real$|^imag$|^angle$|^adjoint$|^[ir]?[hc]?fft|"
    r"^is_complex$|^ihfft|^hfft|^rfft|^irfft|^fftn?$|^ifftn?$|^fftshift|^ifftshift|"
    r"^fftfreq|^rfftfreq|^stft$|^istft$":
        "complex tensors and FFTs: owned by the fft/complex work (counted in torch.fft)",
    r"mkldnn|miopen|cudnn|^cufft|^mps|xpu|mtia|hpu|^ipu|^vulkan|^metal|^ve$|^xla|"
    r"privateuse1|^lazy$|^maia|^meta$|^is_meta$|^nested|^is_nested$|^NestedTensor":
        "other device backends and layouts: Ember runs on NumPy (cpu) and CuPy (cuda)",
}

# names excluded only in one namespace: (namespace, pattern) -> reason
NAMESPACE_EXCLUDED = [
    (("torch", "torch.Tensor"),
    r"Storage$|storage|^share_memory_?$|^is_shared$|^from_file$|^set_$|^data_ptr$|"
    r"^untyped|^_storage|^pin_memory$|^is_pinned$|^nbytes$|^itemsize$|^element_size$",
     "storages and raw memory: Ember's tensors hold NumPy/CuPy arrays"),
    (("torch",),
    r"_backward$|^native_|^batch_norm_(backward|elemt|gather_stats|stats|update_stats)|"
    r"^segment_reduce$|^choose_qparams|^quantized_|^_foreach|^_?sobol|^Sobol|"
    r"^indices_copy$|^values_copy$",
     "aten kernels torch exposes at the top level that programs do not call: the "
        "*_backward kernels, the native_* kernels behind batch_norm/layer_norm/dropout/..., "
        "SyncBatchNorm's batch_norm_* statistics kernels, the prototype segment_reduce, the "
        "quantization parameter chooser and the sparse indices_copy/values_copy"),
    (("torch",),
    r"^DispatchKey|^Tag$|^library$|^ops$|^classes$|^overrides$|^_ops$|^compiler$|"
    r"^device_module|^AggregationType|^TypedStorage|^is_storage$|^ExcludeDispatchKey|"
    r"^autocast_(increment|decrement)_nesting$|^is_autocast_(ipu|xla)_|"
    r"^(get|set)_autocast_(ipu|xla)_|^DisableTorchFunction|torch_function|"
    r"^has_(lapack|mkl|openmp|spectral)$|^get_file_path$|^prepare_multiprocessing_environment$|"
    r"^is_vulkan_available$|^obj$|^return_types$|^Callable$|^Any$|^Optional$|^Union$|"
    r"^TypeVar$|^ParamSpec$|^TypeIs$|^annotations$|^builtins$|^inspect$|^math$|^os$|"
    r"^platform$|^sys$|^textwrap$|^threading$|^ctypes$|^importlib$|^functools$|^USE_|"
    r"^TensorType$|^ThroughputBenchmark$|^ErrorReport$|^FunctionSchema$|^Argument$|"
    r"^AliasDb$|^BenchmarkConfig$|^BenchmarkExecutionStats$|^ConcreteModuleType|^Decl|"
    r"^DeepCopyMemoTable$|^DeserializationStorageContext$|^ExecutionPlan$|^FatalError$|"
    r"^FileCheck$|^Gradient$|^Graph$|^GraphExecutorState$|^IODescriptor$|^InferredType$|"
    r"^JITException$|^LiteScript|^LockingLogger$|^LoggerBase$|^ModuleDict$|^Node$|"
    r"^NoopLogger$|^PyObjectType$|^PyTorchFileReader$|^PyTorchFileWriter$|"
    r"^SerializationStorageContext$|^StaticModule$|^TracingState$|^Type$|^Use$|^Value$|"
    r"^Block$|^BufferDict$|^CallStack$|^Capsule$|^Code$|^CompilationUnit$|"
    r"^CompleteArgumentSpec$|^ArgumentSpec$|^AnyType$|^ListType$|^TupleType$|^DictType$|"
    r"^OptionalType$|^StringType$|^NumberType$|^IntType$|^FloatType$|^BoolType$|"
    r"^NoneType$|^DeviceObjType$|^StreamObjType$|^ClassType$|^EnumType$|^InterfaceType$|"
    r"^RRefType$|^FutureType$|^AwaitType$|^UnionType$|^ComplexType$|^SymIntType$|"
    r"^SymFloatType$|^SymBoolType$|^StaticRuntime|^ParameterDict$|^set_vital$|"
    r"^vitals_enabled$|^read_vitals$",
     "torch internals: the dispatcher's keys and op tags, TorchScript's C++ IR and type "
        "classes (Graph, Node, Value, ListType, ..., the script ModuleDict/ParameterDict/"
        "BufferDict), the C++ serialization readers and loggers, the vitals telemetry, "
        "autocast's nesting counters and its ipu/xla device types, the torch-function "
        "override switches, the has_* build flags (deprecated in torch for "
        "torch.backends.*), internal path and multiprocessing helpers, and the typing and "
        "standard-library modules torch's __init__ leaves in its namespace"),
    (("torch",),
     r"^float8_|^float4_|^bits?\d*(x\d)?$|^u?int[1-7]$|^uint(16|32|64)$",
     "float8, float4, bit-packed, sub-byte and the wide unsigned dtypes: NumPy/CuPy arrays "
     "have no float8/sub-byte types, and Ember's unsigned integers stop at uint8 (PyTorch "
     "itself documents uint16/32/64 as having limited operator support)"),
    (("torch",),
     r"^Script|^parse_ir$|^parse_schema$|^parse_type_comment$|^unify_type_list$|"
     r"^OperatorInfo$|^PRIVATE_OPS$|^classproperty$|^AVG$|^SUM$|^StorageBase$|"
     r"^compiled_with_cxx11_abi$|^profiler_allow_cudagraph|^slice_inverse$|"
     r"^thread_safe_generator$|^jagged$|^[dh]smm$|^spmm$|^as_strided_$|^hash_tensor$",
     "TorchScript's C++ types and schema parsers, the distributed AggregationType values, "
     "build-ABI queries, the CUDA-graph profiler switch, the jagged (nested) layout and the "
     "sparse-dense products (hsmm/dsmm/spmm), in-place restriding of a storage "
     "(as_strided_) and hash_tensor (its result is uint64, a dtype Ember lacks)"),
    (("torch.Tensor",),
     r"^const_data_ptr$|^to_padded_tensor$|^index$|^as_strided_$|^slice_inverse$|"
     r"^record_stream$|^is_set_to$|^hash_tensor$",
     "raw storage and stream plumbing (const_data_ptr, in-place restriding of the storage, "
     "is_set_to, record_stream), nested tensors (to_padded_tensor) and functorch's "
     "first-class dimensions (Tensor.index), hash_tensor (a uint64 result)"),
    (("torch.utils.data",),
     r"DataPipe$|^DataChunk$|datapipe|^argument_validation$|^non_deterministic$|"
     r"^runtime_validation",
     "DataPipes (torchdata's deprecated graph-of-iterators API and its type validation)"),
    (("torch.autograd",), r"^ProfilerConfig$|^ProfilerEvent$",
     "the profiler's C++ configuration and event types (Ember's profiler is "
     "autograd.profiler)"),
    (("torch.cuda",),
     r"^nvtx$|^jiterator$|^graphs?$|^CUDAGraph$|^graph_pool_handle$|^make_graphed_callables$|"
     r"^tunable$|^gds$|^caching_allocator|^memory_snapshot$|^MemPool|^use_mem_pool$|"
     r"^change_current_allocator$|^CUDAPluggableAllocator$|^get_allocator_backend$|"
     r"per_process_memory_fraction$|^host_memory|^ipc_collect$|^cudart$|^check_error$|"
     r"^CudaError$|^DeferredCudaCallError$|^is_current_stream_capturing$|"
     r"^list_gpu_processes$|^power_draw$|^clock_rate$|^temperature$|^utilization$|"
     r"^memory_usage$|^get_gencode_flags$|_sync_debug_mode$|^ExternalStream$|"
     r"^get_stream_from_external$|^comm$|^cudaStatus$|^has_half$|^has_magma$|"
     r"^[A-Z][A-Za-z0-9]+(Storage|Tensor)$|^default_generators$|^current_blas_handle$|"
     r"^current_solver_handle$|^classproperty$|"
     r"^GreenContext$|^green_contexts$|^device_memory_used$|_device_allocator$|"
     r"^check_compute_capability$|^profiler$|^memory_stats_as_nested_dict$|"
     r"^reset_accumulated|^is_tf32_supported$|^memory_summary$|^AcceleratorError$",
     "CUDA runtime plumbing (CUDA graphs, NVTX, allocator control, driver telemetry, the "
     "legacy typed-tensor classes)"),
    (("torch.distributions",), r"^Cauchy$|^Chi2$|^ContinuousBernoulli$|^FisherSnedecor$|"
     r"^Kumaraswamy$|^LKJCholesky$|^LowRankMultivariateNormal$|^MixtureSameFamily$|"
     r"^OneHotCategoricalStraightThrough$|^RelaxedBernoulli$|^RelaxedOneHotCategorical$|"
     r"^VonMises$|^Weibull$|^Wishart$|^GeneralizedPareto$|^InverseGamma$|^HalfCauchy$|"
     r"^LogisticNormal$|^CorrCholeskyTransform$|^CumulativeDistributionTransform$|"
     r"^StickBreakingTransform$|^LowerCholeskyTransform$|^PositiveDefiniteTransform$|"
     r"^ReshapeTransform$|^CatTransform$|^StackTransform$|^IndependentTransform$|"
     r"^SoftplusTransform$|^CorrCholesky",
     "families torch.distributions has that the distributions work leaves for later"),
    (("torch.nn.functional",), r"^scaled_mm$|^scaled_grouped_mm$|^ScalingType$|^SwizzleType$",
     "float8 scaled matrix products (scale recipes, swizzled layouts): Ember has no float8 "
     "dtypes"),
    (("torch.optim.lr_scheduler",), r"^Tensor$",
     "torch.Tensor as the module re-exports it (Ember's lr_scheduler has it too): its "
     "methods are counted once, under torch.Tensor"),
    (("torch.nn", "torch.optim"), r"^share_memory$",
     "Module.share_memory / Adagrad.share_memory move storages into shared memory for "
     "Hogwild-style multiprocess training: Ember's tensors hold NumPy/CuPy arrays (as "
     "Tensor.share_memory_ above)"),
    (("torch.autograd",), r"^forward_ad$|^Variable$|^NestedIOFunction$|^variable$|"
     r"^kineto_available$|^is_multithreading_enabled$|^set_multithreading_enabled$|"
     r"^is_view_replay_enabled$|^set_view_replay_enabled$|^DeviceType$|^ProfilerActivity$|"
     r"^ProfilerState$|^KinetoEvent$|^_|^emit_|^record_function$|^SavedTensor$|"
     r"^allow_mutation_on_saved_tensors$|^graph$|^profiler_util$|^detect_anomaly$|"
     r"^inference_mode$|^set_grad_enabled$|^enable_grad$|^no_grad$",
     "forward-mode AD, the legacy Variable class and the profiler's C++ event types "
     "(grad-mode switches are counted at the top level)"),
]


def excluded(namespace: str, name: str) -> str | None:
    for pat, why in EXCLUDED_PATTERNS.items():
        if re.search(pat, name):
            return why
    for spaces, pat, why in NAMESPACE_EXCLUDED:
        if namespace in spaces and re.search(pat, name):
            return why
    return None


# ---------------------------------------------------------------------------- the namespaces
NAMESPACES = ["torch", "torch.nn", "torch.nn.functional", "torch.nn.init", "torch.optim",
              "torch.optim.lr_scheduler", "torch.utils.data", "torch.nn.utils",
              "torch.linalg", "torch.special", "torch.fft", "torch.distributions",
              "torch.cuda", "torch.amp", "torch.autograd"]

# Instances built for the method-level surface: (class path, args builder)
INSTANCES = {
    "nn.Linear": lambda T: T.nn.Linear(3, 4),
    "nn.Conv2d": lambda T: T.nn.Conv2d(2, 3, 3),
    "nn.BatchNorm1d": lambda T: T.nn.BatchNorm1d(3),
    "nn.LayerNorm": lambda T: T.nn.LayerNorm(3),
    "nn.Embedding": lambda T: T.nn.Embedding(5, 3),
    "nn.LSTM": lambda T: T.nn.LSTM(3, 4),
    "nn.GRU": lambda T: T.nn.GRU(3, 4),
    "nn.RNN": lambda T: T.nn.RNN(3, 4),
    "nn.MultiheadAttention": lambda T: T.nn.MultiheadAttention(4, 2),
    "nn.TransformerEncoderLayer": lambda T: T.nn.TransformerEncoderLayer(4, 2, 8),
    "nn.Sequential": lambda T: T.nn.Sequential(T.nn.Linear(2, 2), T.nn.ReLU()),
    "nn.ModuleList": lambda T: T.nn.ModuleList([T.nn.Linear(2, 2)]),
    "nn.Dropout": lambda T: T.nn.Dropout(0.1),
    "optim.SGD": lambda T: T.optim.SGD([T.nn.Parameter(T.zeros(2))], lr=0.1, momentum=0.9),
    "optim.Adam": lambda T: T.optim.Adam([T.nn.Parameter(T.zeros(2))]),
    "optim.AdamW": lambda T: T.optim.AdamW([T.nn.Parameter(T.zeros(2))]),
    "optim.lr_scheduler.StepLR": lambda T: T.optim.lr_scheduler.StepLR(
        T.optim.SGD([T.nn.Parameter(T.zeros(2))], lr=0.1), 2),
    "utils.data.DataLoader": lambda T: T.utils.data.DataLoader(
        T.utils.data.TensorDataset(T.zeros(4, 2)), batch_size=2),
    "Tensor": lambda T: T.zeros(2, 3),
}


_PLUMBING = ("typing", "typing_extensions", "functools", "collections", "weakref", "abc",
             "dataclasses", "enum", "builtins")


def _public(obj) -> list[str]:
    """Public names, less submodules, re-exported typing/functools helpers and docstring
    fragments (torch.nn.functional.reproducibility_notes): none is part of the API."""
    out = []
    for n in dir(obj):
        if n.startswith("_") or n in ("TYPE_CHECKING", "T_destination", "dump_patches",
                                      "call_super_init"):
            continue
        try:
            v = getattr(obj, n)
        except Exception:  # noqa: BLE001 (a property that needs state counts as a name)
            v = None
        mod = (getattr(v, "__module__", None) or "").split(".")[0]
        if isinstance(v, types.ModuleType) or (not isinstance(obj, type) and mod in _PLUMBING) \
                or isinstance(v, (str, dict)) and not isinstance(obj, type) \
                or type(v).__module__ in ("typing", "typing_extensions"):
            continue
        out.append(n)
    return out


def _own(cls, bases) -> list[str]:
    """cls's public names less those of the counted base it derives from (Module's methods
    are counted once, for Module)."""
    base = next((b for b in bases if b is not cls and issubclass(cls, b)), None)
    inherited = set(_public(base)) if base is not None else set()
    return [n for n in _public(cls) if n not in inherited or n in vars(cls)]


def _get(root, path: str):
    obj = root
    for part in path.split(".")[1:] if path.startswith("torch") else path.split("."):
        obj = getattr(obj, part)
    return obj


def _has(obj, name: str) -> bool:
    try:
        getattr(obj, name)
        return True
    except Exception:  # noqa: BLE001 (any failure means it does not work)
        return False


def diff(real) -> dict[str, dict]:
    """namespace -> {"total": n counted, "missing": [...], "excluded": {name: reason}}.
    Builds torch's instances first, then installs Ember as torch (and uninstalls it)."""
    out = {}
    real_built = {path: build(real) for path, build in INSTANCES.items()}
    ember = ember_torch()
    try:
        _diff(real, ember, real_built, out)
    finally:
        restore()
    return out


def _diff(real, ember, real_built, out) -> None:

    def count(key, theirs, ours, names):
        entry = out.setdefault(key, {"total": 0, "missing": [], "excluded": {}})
        for n in names:
            why = excluded(key.split(" ")[0], n)
            if why:
                entry["excluded"][n] = why
                continue
            entry["total"] += 1
            if not _has(ours, n):
                entry["missing"].append(n)

    for ns in NAMESPACES:
        theirs = _get(real, ns)
        try:
            ours = _get(ember, ns)
        except Exception:  # noqa: BLE001 (a namespace Ember lacks: every name missing)
            ours = None
        count(ns, theirs, ours, _public(theirs))
    # the classes Ember provides: their public methods and properties
    bases = (real.Tensor, real.nn.Module, real.optim.Optimizer,
             real.optim.lr_scheduler.LRScheduler,
             real.utils.data.Dataset, real.utils.data.Sampler)
    for ns in ("torch.nn", "torch.optim", "torch.optim.lr_scheduler", "torch.utils.data"):
        theirs_ns, ours_ns = _get(real, ns), _get(ember, ns)
        for n in _public(theirs_ns):
            cls = getattr(theirs_ns, n)
            if isinstance(cls, type) and not excluded(ns, n) and _has(ours_ns, n):
                count(f"{ns} classes", cls, getattr(ours_ns, n), _own(cls, bases))
    count("torch.Tensor", real.Tensor, ember.Tensor, _public(real.Tensor))
    for path, build in INSTANCES.items():
        try:
            ours = build(ember)
        except Exception:  # noqa: BLE001
            ours = None
        if path == "Tensor":
            continue  # a tensor's names are its class's, counted above
        inst = real_built[path]
        count("built instances", inst, ours,
              [n for n in _public(inst) if n not in set(_public(type(inst)))])


def report(result: dict, verbose: bool = False) -> tuple[int, int, str]:
    lines, total, present = [], 0, 0
    for key, e in result.items():
        have = e["total"] - len(e["missing"])
        total, present = total + e["total"], present + have
        pct = 100.0 * have / e["total"] if e["total"] else 100.0
        lines.append(f"{key:34s} {have:5d}/{e['total']:<5d} {pct:5.1f}%  "
                     f"(excluded {len(e['excluded'])})")
        if verbose and e["missing"]:
            lines.append("    missing: " + " ".join(sorted(e["missing"])))
    pct = 100.0 * present / total
    lines.append(f"{'TOTAL':34s} {present:5d}/{total:<5d} {pct:5.1f}%")
    return present, total, "\n".join(lines)


def ember_torch():
    """Ember's torch namespace, with the real torch set aside; call restore() after."""
    from autograd import as_torch
    as_torch.install(force=True)
    import importlib
    T = importlib.import_module("torch")
    for sub in ("torch.nn", "torch.optim", "torch.utils.data", "torch.nn.functional"):
        try:
            importlib.import_module(sub)
        except ImportError:
            pass
    return T


def restore() -> None:
    from autograd import as_torch
    as_torch.uninstall()


if __name__ == "__main__":
    import torch as real_torch
    import torch.nn.functional  # noqa: F401
    import torch.optim.lr_scheduler  # noqa: F401
    import torch.utils.data  # noqa: F401

    res = diff(real_torch)
    print(report(res, verbose="-v" in sys.argv)[2])
