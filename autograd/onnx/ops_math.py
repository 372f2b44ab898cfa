"""ONNX translations of elementwise, activation and reduction ops, keyed by the Ember op
class's `__name__` (so an op class may live in any module). Each translation gets a
`Node` (exporter.py) and returns the ONNX name of each output."""
from __future__ import annotations

import math

from onnx import numpy_helper

from .. import backend
from .graph import elem_type

np = backend.np
TABLE: dict = {}
# op name -> f(args): the part of an op's non-tensor arguments that must be the same in
# every traced run (a number that follows a dynamic axis would be frozen otherwise); the
# default is all of them; ops whose Python-number operands go through `Node.x` (which
# follows the dynamic axes) compare only the rest
STATIC: dict = {}


def _no_numbers(args):
    return [a for a in args if not isinstance(a, (int, float, bool))]


def op(*names):
    def register(fn):
        for name in names:
            TABLE[name] = fn
        return fn
    return register


def _scalar(n, value, dtype=None):
    return n.g.const(np.asarray(value, dtype=dtype or n.out_dtype), "scalar")


# ----------------------------------------------------------------------------- arithmetic
_BINARY = {"Add": "Add", "Sub": "Sub", "Mul": "Mul", "Div": "Div", "Pow": "Pow",
           "Maximum": "Max", "Minimum": "Min"}


def _binary(n):
    dt = n.out_dtype
    return n.g.op(_BINARY[n.rec.cls.__name__], [n.x(0, dt), n.x(1, dt)])


for _name in _BINARY:
    TABLE[_name] = _binary
    STATIC[_name] = _no_numbers


@op("Neg")
def _neg(n):
    return n.g.op("Neg", [n.x(0)])


@op("Cast", "Clone", "ToDevice")
def _cast(n):
    return n.x(0, n.out_dtype) if n.dtype(0) != n.out_dtype else n.g.op("Identity", [n.x(0)])


@op("Remainder")
def _remainder(n):
    if n.args[2] or n.out_dtype.kind in "iu":  # fmod, or integers: ONNX Mod follows C/Python
        fmod = int(bool(n.args[2]) or n.out_dtype.kind == "f")
        return n.g.op("Mod", [n.x(0, n.out_dtype), n.x(1, n.out_dtype)], fmod=fmod)
    a, b = n.x(0, n.out_dtype), n.x(1, n.out_dtype)  # Python's sign rule: a - floor(a/b) b
    return n.g.op("Sub", [a, n.g.op("Mul", [n.g.op("Floor", [n.g.op("Div", [a, b])]), b])])


@op("RoundingDiv")
def _rounding_div(n):
    mode = n.args[2]
    if n.out_dtype.kind != "f":
        n.fail(f"integer division with rounding_mode={mode!r}")
    q = n.g.op("Div", [n.x(0, n.out_dtype), n.x(1, n.out_dtype)])
    return n.g.op("Floor", [q]) if mode == "floor" else _trunc_of(n, q)


def _trunc_of(n, x):
    neg = n.g.op("Less", [x, _scalar(n, 0)])
    return n.g.op("Where", [neg, n.g.op("Ceil", [x]), n.g.op("Floor", [x])])


@op("Lerp")
def _lerp(n):
    a, b, w = n.x(0), n.x(1), n.x(2)
    return n.g.op("Add", [a, n.g.op("Mul", [w, n.g.op("Sub", [b, a])])])


@op("Where")
def _where(n):
    return n.g.op("Where", [n.x(0, np.bool_), n.x(1, n.out_dtype), n.x(2, n.out_dtype)])


@op("Clamp")
def _clamp(n):
    dt = n.out_dtype
    x = n.x(0, dt)
    if not (n.is_tensor(1) or n.is_tensor(2)):
        return n.g.op("Clip", [x, "" if n.args[1] is None else _scalar(n, n.args[1], dt),
                               "" if n.args[2] is None else _scalar(n, n.args[2], dt)])
    if n.args[1] is not None:
        x = n.g.op("Max", [x, n.x(1, dt)])
    if n.args[2] is not None:
        x = n.g.op("Min", [x, n.x(2, dt)])
    return x


_COMPARE = {"Eq": "Equal", "Ne": "Equal", "Lt": "Less", "Le": "LessOrEqual", "Gt": "Greater",
            "Ge": "GreaterOrEqual", "Logical_and": "And", "Logical_or": "Or",
            "Logical_xor": "Xor"}


def _compare(n):
    name = n.rec.cls.__name__
    if name.startswith("Logical"):
        dt = np.dtype(np.bool_)
    else:
        kinds = [n.dtype(i) for i in (0, 1) if n.is_tensor(i)]
        dt = np.result_type(*kinds)
        others = [n.args[i] for i in (0, 1) if not n.is_tensor(i)]
        if dt.kind in "biu" and any(isinstance(v, float) for v in others):
            dt = np.dtype(np.float32)
    out = n.g.op(_COMPARE[name], [n.x(0, dt), n.x(1, dt)])
    return n.g.op("Not", [out]) if name == "Ne" else out


for _name in _COMPARE:
    TABLE[_name] = _compare
    STATIC[_name] = _no_numbers
for _name in ("Where", "Remainder", "RoundingDiv", "Lerp"):
    STATIC[_name] = _no_numbers


@op("LogicalNot", "BitwiseNot")
def _not(n):
    if n.rec.cls.__name__ == "BitwiseNot" and n.dtype(0).kind != "b":
        if n.opset < 18:
            n.fail("bitwise_not of integers needs opset 18")
        return n.g.op("BitwiseNot", [n.x(0)])
    return n.g.op("Not", [n.x(0, np.bool_)])


_BITWISE = {"BitwiseAnd": "And", "BitwiseOr": "Or", "BitwiseXor": "Xor"}


def _bitwise(n):
    name = n.rec.cls.__name__
    if n.out_dtype.kind == "b":
        return n.g.op(_BITWISE[name], [n.x(0, np.bool_), n.x(1, np.bool_)])
    if n.opset < 18:
        n.fail(f"{name} of integers needs opset 18")
    return n.g.op(name, [n.x(0, n.out_dtype), n.x(1, n.out_dtype)])


for _name in _BITWISE:
    TABLE[_name] = _bitwise


@op("IsNan", "IsInf", "IsFinite")
def _isnan(n):
    x = n.x(0)
    if n.dtype(0).kind != "f":  # integers are finite
        return filled(n, n.g.op("Shape", [x]), n.rec.cls.__name__ == "IsFinite", np.bool_)
    name = n.rec.cls.__name__
    if name == "IsNan":
        return n.g.op("IsNaN", [x])
    if name == "IsInf":
        return n.g.op("IsInf", [x])
    return n.g.op("Not", [n.g.op("Or", [n.g.op("IsNaN", [x]), n.g.op("IsInf", [x])])])


@op("Argmax", "Argmin")
def _argmax(n):
    x, dim, keepdim = n.x(0), n.args[1] if len(n.args) > 1 else n.kwargs.get("dim"), \
        n.args[2] if len(n.args) > 2 else n.kwargs.get("keepdim", False)
    onnx_op = "ArgMax" if n.rec.cls.__name__ == "Argmax" else "ArgMin"
    if dim is None or n.ndim(0) == 0:
        flat = n.g.op("Reshape", [x, n.g.i64([-1])])
        out = n.g.op(onnx_op, [flat], axis=0, keepdims=0)
        if keepdim:
            out = n.g.op("Reshape", [out, n.g.i64([1] * n.ndim(0))])
        return out
    return n.g.op(onnx_op, [x], axis=dim % n.ndim(0), keepdims=int(bool(keepdim)))


@op("All", "Any")
def _all_any(n):
    dim = n.args[1] if len(n.args) > 1 else n.kwargs.get("dim")
    keepdim = n.args[2] if len(n.args) > 2 else n.kwargs.get("keepdim", False)
    as_int = n.g.op("Cast", [n.x(0, np.bool_)], to=elem_type(np.int32))
    onnx_op = "ReduceMin" if n.rec.cls.__name__ == "All" else "ReduceMax"
    out = reduce(n, onnx_op, as_int, _axes(n, dim, n.ndim(0)), keepdim)
    return n.g.op("Cast", [out], to=elem_type(np.bool_))


# ----------------------------------------------------------------------------- unary maths
_UNARY = {name: name for name in ("Abs", "Acos", "Asin", "Atan", "Cos", "Cosh", "Erf", "Exp",
                                  "Log", "Reciprocal", "Relu", "Sigmoid", "Sign", "Sin",
                                  "Sinh", "Sqrt", "Tan", "Tanh", "Acosh", "Asinh", "Atanh",
                                  "Softsign", "Floor", "Ceil")}


def _unary(n):
    return n.g.op(_UNARY[n.rec.cls.__name__], [n.x(0, n.out_dtype)])


for _name in _UNARY:
    TABLE[_name] = _unary


@op("Round")
def _round(n):
    decimals = n.args[1] if len(n.args) > 1 else 0
    if not decimals:
        return n.g.op("Round", [n.x(0)])
    s = _scalar(n, 10.0 ** decimals)
    return n.g.op("Div", [n.g.op("Round", [n.g.op("Mul", [n.x(0), s])]), s])


@op("Trunc")
def _trunc(n):
    return _trunc_of(n, n.x(0))


@op("Frac")
def _frac(n):
    return n.g.op("Sub", [n.x(0), _trunc_of(n, n.x(0))])


@op("Square")
def _square(n):
    x = n.x(0, n.out_dtype)
    return n.g.op("Mul", [x, x])


@op("Rsqrt")
def _rsqrt(n):
    return n.g.op("Reciprocal", [n.g.op("Sqrt", [n.x(0, n.out_dtype)])])


@op("Exp2")
def _exp2(n):
    return n.g.op("Pow", [_scalar(n, 2.0), n.x(0, n.out_dtype)])


@op("Expm1")
def _expm1(n):
    return n.g.op("Sub", [n.g.op("Exp", [n.x(0, n.out_dtype)]), _scalar(n, 1.0)])


@op("Log1p")
def _log1p(n):
    return n.g.op("Log", [n.g.op("Add", [n.x(0, n.out_dtype), _scalar(n, 1.0)])])


@op("Log2", "Log10")
def _log_base(n):
    base = 2.0 if n.rec.cls.__name__ == "Log2" else 10.0
    return n.g.op("Div", [n.g.op("Log", [n.x(0, n.out_dtype)]), _scalar(n, math.log(base))])


@op("Erfc")
def _erfc(n):
    return n.g.op("Sub", [_scalar(n, 1.0), n.g.op("Erf", [n.x(0, n.out_dtype)])])


@op("Deg2rad", "Rad2deg")
def _scale(n):
    return n.g.op("Mul", [n.x(0, n.out_dtype), _scalar(n, n.rec.cls.c)])


# ----------------------------------------------------------------------------- activations
@op("Gelu")
def _gelu(n):
    x, approximate = n.x(0), n.args[1]
    if n.opset >= 20:
        return n.g.op("Gelu", [x], approximate=approximate)
    if approximate == "tanh":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        cube = n.g.op("Mul", [n.g.op("Mul", [x, x]), x])
        inner = n.g.op("Add", [x, n.g.op("Mul", [cube, _scalar(n, 0.044715)])])
        t = n.g.op("Tanh", [n.g.op("Mul", [inner, _scalar(n, math.sqrt(2 / math.pi))])])
    else:  # 0.5 x (1 + erf(x / sqrt 2))
        t = n.g.op("Erf", [n.g.op("Mul", [x, _scalar(n, 1 / math.sqrt(2))])])
    half_x = n.g.op("Mul", [x, _scalar(n, 0.5)])
    return n.g.op("Mul", [half_x, n.g.op("Add", [t, _scalar(n, 1.0)])])


@op("Silu")
def _silu(n):
    return n.g.op("Mul", [n.x(0), n.g.op("Sigmoid", [n.x(0)])])


@op("LeakyRelu")
def _leaky_relu(n):
    return n.g.op("LeakyRelu", [n.x(0)], alpha=float(n.args[1]))


@op("Elu")
def _elu(n):
    x, alpha, scale, input_scale = n.x(0), *(float(v) for v in n.args[1:4])
    if scale == 1.0 and input_scale == 1.0:
        return n.g.op("Elu", [x], alpha=alpha)
    neg = n.g.op("Sub", [n.g.op("Exp", [n.g.op("Mul", [x, _scalar(n, input_scale)])]),
                         _scalar(n, 1.0)])
    y = n.g.op("Where", [n.g.op("Greater", [x, _scalar(n, 0.0)]), x,
                         n.g.op("Mul", [neg, _scalar(n, alpha)])])
    return n.g.op("Mul", [y, _scalar(n, scale)])


@op("Softplus")
def _softplus(n):
    x, beta, threshold = n.x(0), float(n.args[1]), float(n.args[2])
    bx = n.g.op("Mul", [x, _scalar(n, beta)]) if beta != 1.0 else x
    soft = n.g.op("Softplus", [bx])
    if beta != 1.0:
        soft = n.g.op("Div", [soft, _scalar(n, beta)])
    return n.g.op("Where", [n.g.op("Greater", [bx, _scalar(n, threshold)]), x, soft])


@op("LogSigmoid")
def _log_sigmoid(n):
    return n.g.op("Neg", [n.g.op("Softplus", [n.g.op("Neg", [n.x(0)])])])


@op("Hardswish")
def _hardswish(n):
    return n.g.op("HardSwish", [n.x(0)])


@op("Hardsigmoid")
def _hardsigmoid(n):
    return n.g.op("HardSigmoid", [n.x(0)], alpha=1 / 6, beta=0.5)


@op("Hardtanh")
def _hardtanh(n):
    return n.g.op("Clip", [n.x(0), _scalar(n, n.args[1]), _scalar(n, n.args[2])])


@op("Threshold")
def _threshold(n):
    x = n.x(0)
    return n.g.op("Where", [n.g.op("Greater", [x, _scalar(n, n.args[1])]), x,
                            _scalar(n, n.args[2])])


@op("Hardshrink")
def _hardshrink(n):
    x = n.x(0)
    keep = n.g.op("Greater", [n.g.op("Abs", [x]), _scalar(n, n.args[1])])
    return n.g.op("Where", [keep, x, _scalar(n, 0.0)])


@op("Softshrink")
def _softshrink(n):
    x, lam = n.x(0), _scalar(n, n.args[1])
    shrunk = n.g.op("Sub", [x, n.g.op("Mul", [n.g.op("Sign", [x]), lam])])
    keep = n.g.op("Greater", [n.g.op("Abs", [x]), lam])
    return n.g.op("Where", [keep, shrunk, _scalar(n, 0.0)])


@op("Mish")
def _mish(n):
    x = n.x(0)
    return n.g.op("Mul", [x, n.g.op("Tanh", [n.g.op("Softplus", [x])])])


@op("Tanhshrink")
def _tanhshrink(n):
    return n.g.op("Sub", [n.x(0), n.g.op("Tanh", [n.x(0)])])


@op("Glu")
def _glu(n):
    dim = n.args[1] % n.ndim(0)
    half = n.shape(0)[dim] // 2
    a = n.g.op("Slice", [n.x(0), n.g.i64([0]), n.g.i64([half]), n.g.i64([dim])])
    b = n.g.op("Slice", [n.x(0), n.g.i64([half]), n.g.i64([2 * half]), n.g.i64([dim])])
    return n.g.op("Mul", [a, n.g.op("Sigmoid", [b])])


@op("Prelu")
def _prelu(n):
    w = n.g.op("Reshape", [n.x(1), n.g.i64(list(n.args[2]))])
    return n.g.op("PRelu", [n.x(0), w])


# ----------------------------------------------------------------------------- reductions
def _axes(n, dim, ndim):
    if dim is None:
        return None
    dims = [dim] if isinstance(dim, int) else list(dim)
    return sorted(d % max(ndim, 1) for d in dims) if ndim else []


def reduce(n, onnx_op, x, axes, keepdim):
    """An ONNX Reduce* over `axes` (None: all), axes as an input where the opset wants it."""
    keep = int(bool(keepdim))
    if axes is not None and not axes:  # nothing to reduce (a 0-d input)
        return n.g.op("Identity", [x])
    if onnx_op == "ReduceSum" or n.opset >= 18:
        inputs = [x] if axes is None else [x, n.g.i64(axes)]
        return n.g.op(onnx_op, inputs, keepdims=keep)
    if axes is None:
        return n.g.op(onnx_op, [x], keepdims=keep)
    return n.g.op(onnx_op, [x], axes=axes, keepdims=keep)


_REDUCE = {"Sum": "ReduceSum", "Mean": "ReduceMean", "Prod": "ReduceProd", "Amax": "ReduceMax",
           "Amin": "ReduceMin", "LogSumExp": "ReduceLogSumExp", "Norm2": "ReduceL2",
           "NanSum": None}


def _reduction(n):
    name = n.rec.cls.__name__
    if name == "NanSum":
        x = n.x(0, n.out_dtype)
        x = n.g.op("Where", [n.g.op("IsNaN", [x]), _scalar(n, 0.0), x])
        onnx_op = "ReduceSum"
    else:
        x, onnx_op = n.x(0, n.out_dtype), _REDUCE[name]
    return reduce(n, onnx_op, x, _axes(n, n.args[1], n.ndim(0)), n.args[2])


for _name in _REDUCE:
    TABLE[_name] = _reduction


@op("Var")
def _var(n):
    x, dim, correction, keepdim = n.x(0, n.out_dtype), *n.args[1:4]
    axes = _axes(n, dim, n.ndim(0))
    mean = reduce(n, "ReduceMean", x, axes, True)
    d = n.g.op("Sub", [x, mean])
    var = reduce(n, "ReduceMean", n.g.op("Mul", [d, d]), axes, keepdim)
    if not correction:
        return var
    dims = n.in_dims(0)
    count = [dims[a] for a in (axes if axes is not None else range(len(dims)))]
    if any(not isinstance(c, int) for c in count):
        n.fail("variance with a correction over a dynamic axis")
    total = math.prod(count)
    return n.g.op("Mul", [var, _scalar(n, total / max(total - correction, 0))])


@op("Std")  # the square root of a Var node (its own op for the gradient at zero)
def _std(n):
    return n.g.op("Sqrt", [n.x(0, n.out_dtype)])


@op("NormP")  # (sum |x|^p)^(1/p)
def _norm_p(n):
    p, dim, keepdim = n.args[1:4]
    powered = n.g.op("Pow", [n.g.op("Abs", [n.x(0, n.out_dtype)]), _scalar(n, p)])
    total = reduce(n, "ReduceSum", powered, _axes(n, dim, n.ndim(0)), keepdim)
    return n.g.op("Pow", [total, _scalar(n, 1.0 / p)])


@op("SumTo")
def _sum_to(n):
    shape, target = n.shape(0), tuple(n.out_shape())
    lead = len(shape) - len(target)
    axes = list(range(lead)) + [lead + i for i, s in enumerate(target)
                                if s == 1 and shape[lead + i] != 1]
    y = reduce(n, "ReduceSum", n.x(0), axes, True) if axes else n.x(0)
    return n.g.op("Reshape", [y, n.g.shape_value(n.out_dims(), reshape=True)])


@op("Softmax", "LogSoftmax")
def _softmax(n):
    axis = n.args[1] % max(n.ndim(0), 1)
    return n.g.op(n.rec.cls.__name__, [n.x(0, n.out_dtype)], axis=axis)


@op("CumSum")
def _cumsum(n):
    axis = n.args[1] % max(n.ndim(0), 1)
    return n.g.op("CumSum", [n.x(0, n.out_dtype), n.g.const(np.asarray(axis, np.int64))])


def filled(n, shape_name, value, dtype):
    """ConstantOfShape with one value."""
    return n.g.op("ConstantOfShape", [shape_name],
                  value=numpy_helper.from_array(np.asarray([value], dtype=dtype), "value"))

