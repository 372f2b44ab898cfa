"""PyTorch's names for Ember's graph nodes: the backward node class a PyTorch graph would
hold (`MulBackward0`), the op label drawings use (`mul`), and the names of the arrays a
node saved for backward (`self`, `other`, `mat2`, `result`), as PyTorch's autograd
names its `_saved_*` attributes."""
from __future__ import annotations

import inspect
import re

# Ember class -> PyTorch's backward node name without "Backward0"; a class not listed
# keeps its own name (Tanh -> Tanh). Where PyTorch decomposes an op differently, the
# node it shows for the same call (F.linear -> Addmm, cross_entropy -> NllLoss).
_TORCH = {
    "AvgPool2dFn": "AvgPool2D", "BCEWithLogits": "BinaryCrossEntropyWithLogits",
    "BroadcastTo": "Expand", "CTCLossFn": "CtcLoss", "Cast": "ToCopy", "ToDevice": "ToCopy",
    "Checkpoint": "CheckpointFunction", "ConstantPad": "ConstantPadNd",
    "Conv2dFn": "Convolution", "CumProd": "Cumprod", "CumSum": "Cumsum",
    "Deg2rad": "Deg2Rad", "Rad2deg": "Rad2Deg", "Det": "LinalgDet",
    "EmbeddingFn": "Embedding", "I1": "SpecialI1", "IndexAddInto": "IndexAdd",
    "Inv": "LinalgInvEx", "Linear": "Addmm", "LogCumSumExp": "Logcumsumexp",
    "LogSumExp": "Logsumexp", "MatMul": "Mm", "MaxPool2dFn": "MaxPool2DWithIndices",
    "NanSum": "Nansum", "Norm2": "LinalgVectorNorm", "NormP": "LinalgVectorNorm",
    "Prelu": "PreluKernel",
    "Reshape": "View", "RoundingDiv": "Div", "SetItem": "CopySlices",
    "SlogdetAbs": "LinalgSlogdet", "Solve": "LinalgSolveEx", "Square": "Pow",
    "SumTo": "Sum", "ScatterWithReduce": "Scatter", "CrossEntropy": "NllLoss",
    "CrossEntropyCuda": "NllLoss", "_Unbind0": "Unbind", "_EvenSelect": "Median",
    "_ClampVar": "Clamp", "_AxisResample": "UpsampleLinear1D",
    "CrossEntropyBackward": "NllLossBackward", "_ConvInputGrad": "ConvolutionBackward",
    "_ConvWeightGrad": "ConvolutionBackward", "_MaxPoolBackward": "MaxPool2DWithIndicesBackward",
    "_AvgPoolBackward": "AvgPool2DBackward", "DiagonalBackward": "DiagonalBackward",
    "Logical_and": "LogicalAnd", "Logical_or": "LogicalOr", "Logical_xor": "LogicalXor",
}

# the names PyTorch gives the inputs an op saves (its `_saved_<name>`), by Ember class;
# an op not listed is named from its forward signature (a, x -> self; b -> other)
_SAVED = {
    "MatMul": ("self", "mat2"), "Linear": ("self", "mat1", "mat2"),
    "Conv2dFn": ("input", "weight", "bias"), "EmbeddingFn": ("weight", "indices"),
    "Where": ("condition", "self", "other"), "Lerp": ("self", "end", "weight"),
    "Pow": ("self", "exponent"), "Gather": ("self", "index"), "Prelu": ("self", "weight"),
    "Atan2": ("self", "other"), "Xlogy": ("self", "other"), "Solve": ("A", "B"),
    "NllLoss": ("self", "target", "weight"), "CrossEntropy": ("self", "target", "weight"),
}
_ARG = {"a": "self", "x": "self", "input": "self", "b": "other", "y": "other"}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def torch_name(node) -> str:
    """PyTorch's name for the op behind `node`, CamelCase, without 'Backward0'."""
    cls = type(node).__name__
    if cls in ("GetItem", "ViewItem"):  # x[i] -> select, x[1:] -> slice, x[idx] -> index
        args = getattr(node, "args", None)
        if args and len(args) == 4:
            index, advanced = args[2], args[3]
            if advanced:
                return "Index"
            keys = index if isinstance(index, tuple) else (index,)
            return "Slice" if any(isinstance(k, slice) for k in keys) else "Select"
        return "Index"
    custom = getattr(type(node), "torch_name", None)
    if isinstance(custom, str):
        return custom
    return _TORCH.get(cls, cls.strip("_") if cls.startswith("_") else cls)


def backward_name(node) -> str:
    """The class name a PyTorch graph would show, e.g. 'MulBackward0'."""
    if type(node).__module__.startswith("autograd.ops") or type(node).__module__ in (
            "autograd.function", "autograd.checkpoint"):
        return torch_name(node) + "Backward0"
    return type(node).__name__ + "Backward"  # a user's Function: PyTorch's naming too


def op_label(node) -> str:
    """The label drawings give the op: PyTorch's node name, snake_case, e.g. 'select'."""
    return _snake(torch_name(node))


_SIGNATURES: dict = {}


def saved_names(node, count: int) -> list:
    """Names of the `count` arrays `node` saved (in save_for_backward order)."""
    cls = type(node)
    names = _SAVED.get(cls.__name__)
    if names is None:
        names = _SIGNATURES.get(cls)
        if names is None:
            try:
                params = list(inspect.signature(cls.forward).parameters)[1:]
            except (TypeError, ValueError):
                params = []
            names = _SIGNATURES[cls] = tuple(_ARG.get(p, p) for p in params)
    return [names[i] if i < len(names) else f"saved{i}" for i in range(count)]
