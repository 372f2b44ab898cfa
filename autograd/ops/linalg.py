"""Linear algebra: matmul (batched, broadcasting, 1-d operands), einsum, dot, outer."""
from __future__ import annotations

from .. import amp as _amp
from .. import backend
from ..function import Function
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from . import complex as _complex
from . import shape as _shape
from .compare import where
from .reduce import sum as _sum
from .reduce import sum_to


def _check_same_dtype(op, a, b):
    if a.array.dtype != b.array.dtype:
        raise RuntimeError(f"{op}: expected both tensors to have the same dtype, but got "
                           f"{a.dtype} and {b.dtype}")


_bf16 = backend.bfloat16


class MatMul(Function):
    @staticmethod
    def forward(ctx, a, b):
        x, y = a.array, b.array
        if ctx.recording:
            ctx.save_for_backward(a if b.requires_grad else None,
                                  b if a.requires_grad else None)
            ctx.shapes = (x.shape, y.shape)
        # bfloat16: float32 accumulation (and BLAS), one rounding at the end
        return backend.matmul(x, y)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        if grad.array.dtype.kind == "c":  # complex: products with the conjugates
            a = a if a is None else _complex.conj(a)
            b = b if b is None else _complex.conj(b)
        if len(sa) == 1 and len(sb) == 1:  # dot product: the gradient is 0-d
            return (grad * b if b is not None else None, grad * a if a is not None else None)
        # 1-d operands act as a row (left) or a column (right) vector
        g = grad
        if len(sa) == 1:
            g = _shape.unsqueeze(g, -2)
        if len(sb) == 1:
            g = _shape.unsqueeze(g, -1)
        ga = gb = None
        if b is not None:
            bm = _shape.unsqueeze(b, -1) if len(sb) == 1 else b
            ga = matmul(g, _shape.transpose(bm, -1, -2))
            if len(sa) == 1:
                ga = _shape.squeeze(ga, -2)
            ga = sum_to(ga, sa)
        if a is not None:
            am = _shape.unsqueeze(a, -2) if len(sa) == 1 else a
            gb = matmul(_shape.transpose(am, -1, -2), g)
            if len(sb) == 1:
                gb = _shape.squeeze(gb, -1)
            gb = sum_to(gb, sb)
        return ga, gb


def matmul(input, other):
    """Same as torch.matmul: batched and broadcasting; 1-d operands are vectors."""
    if _amp.mode.on:
        input, other = _amp.lower(input, other)
    return _matmul(input, other)


def _matmul(a, b):
    """matmul without autocast (for mv and dot, which autocast lists differently)."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"matmul: expected Tensors, got {type(a).__name__} and "
                        f"{type(b).__name__}")
    if a.array.dtype.kind == "b" or b.array.dtype.kind == "b":
        raise NotImplementedError(f"matmul: not implemented for bool tensors (got {a.dtype} "
                                  f"and {b.dtype})")
    sa, sb = a.array.shape, b.array.shape
    if not sa or not sb:
        raise RuntimeError(f"matmul: both arguments need at least 1 dimension, got shapes "
                           f"{tuple(sa)} and {tuple(sb)}")
    if a.array.dtype is not b.array.dtype:
        _check_same_dtype("matmul", a, b)
    k_a = sa[-1]
    k_b = sb[-2] if len(sb) > 1 else sb[0]
    if k_a != k_b:
        raise RuntimeError(f"matmul: shapes {tuple(sa)} and {tuple(sb)} cannot be multiplied "
                           f"({k_a} != {k_b})")
    if len(sa) > 2 or len(sb) > 2:
        try:
            backend.broadcast_shapes(sa[:-2], sb[:-2])
        except ValueError:
            raise RuntimeError(f"matmul: batch dimensions of shapes {tuple(sa)} and "
                               f"{tuple(sb)} cannot broadcast") from None
    return MatMul.apply(a, b)


def mm(input, mat2):
    """Same as torch.mm (2-d only)."""
    a, b = input, mat2
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mm: expected 2-d tensors, got shapes {tuple(a.shape)} and "
                           f"{tuple(b.shape)}")
    return matmul(a, b)


def bmm(input, mat2):
    """Same as torch.bmm (3-d only, equal batch sizes)."""
    a, b = input, mat2
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise RuntimeError(f"bmm: expected 3-d tensors with equal batch size, got shapes "
                           f"{tuple(a.shape)} and {tuple(b.shape)}")
    return matmul(a, b)


def mv(a, v):
    """Same as torch.mv."""
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"mv: expected a 2-d and a 1-d tensor, got shapes {tuple(a.shape)} "
                           f"and {tuple(v.shape)}")
    if _amp.mode.on:
        a, v = _amp.lower(a, v, op="mv")
    return _matmul(a, v)


def dot(input, tensor):
    """Same as torch.dot (1-d tensors of equal length)."""
    a, b = input, tensor
    if a.ndim != 1 or b.ndim != 1 or a.shape[0] != b.shape[0]:
        raise RuntimeError(f"dot: expected 1-d tensors of the same size, got shapes "
                           f"{tuple(a.shape)} and {tuple(b.shape)}")
    return _matmul(a, b)  # not autocast on any device type


inner = dot


def outer(input, vec2):
    """Same as torch.outer."""
    a, b = input, vec2
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"outer: expected 1-d tensors, got shapes {tuple(a.shape)} and "
                           f"{tuple(b.shape)}")
    return _shape.unsqueeze(a, 1) * _shape.unsqueeze(b, 0)


ger = outer


# ----------------------------------------------------------------------------- einsum
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(equation, shapes):
    """Explicit subscripts (ellipses expanded to letters) for each operand and the output."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise RuntimeError(f"einsum: the equation has {len(ins)} operands but "
                           f"{len(shapes)} tensors were given")
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in _LETTERS if c not in used]
    ell_n = 0
    for sub, shape in zip(ins, shapes):
        if "..." in sub:
            ell_n = max(ell_n, len(shape) - (len(sub) - 3))
    ell = "".join(spare[:ell_n])
    subs = []
    for sub, shape in zip(ins, shapes):
        if "..." in sub:
            n = len(shape) - (len(sub) - 3)
            sub = sub.replace("...", ell[ell_n - n:] if n else "")
        if len(sub) != len(shape):
            raise RuntimeError(f"einsum: subscripts {sub!r} do not match an operand of shape "
                               f"{tuple(shape)}")
        subs.append(sub)
    if arrow:
        out = rhs.replace("...", ell)
        missing = [c for c in out if not any(c in s for s in subs)]
        if missing:
            raise RuntimeError(f"einsum: output subscript {missing[0]!r} does not appear in "
                               f"the equation for any input operand ({equation!r})")
    else:
        counts = {}
        for s in subs:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return subs, out


class Einsum(Function):
    @staticmethod
    def forward(ctx, subs, out, *tensors):
        arrays = [t.array for t in tensors]
        xp = backend.array_module(arrays[0])
        ctx.args = (subs, out)
        ctx.save_for_backward(*tensors)
        eq = ",".join(subs) + "->" + out
        if arrays[0].dtype is _bf16:  # NumPy's einsum has no bfloat16: float32, as matmul
            arrays = [a.astype(backend.float32) for a in arrays]
            return xp.einsum(eq, *arrays, optimize=len(arrays) > 2).astype(_bf16)
        return xp.einsum(eq, *arrays, optimize=len(arrays) > 2)

    @staticmethod
    def backward(ctx, grad):
        subs, out = ctx.args
        tensors = ctx.saved_tensors
        grads = [None, None]
        for k, t in enumerate(tensors):
            if not ctx.needs_input_grad[k + 2]:
                grads.append(None)
                continue
            # d out / d operand k: contract the gradient with every other operand
            others = [s for j, s in enumerate(subs) if j != k]
            avail = set(out).union(*others) if others else set(out)
            target = "".join(c for c in subs[k] if c in avail)
            g = Einsum.apply([out] + others, target, grad,
                             *[tj for j, tj in enumerate(tensors) if j != k])
            if target != subs[k]:  # letters summed only inside operand k: broadcast back
                shape = [t.shape[subs[k].index(c)] if c in target else 1 for c in subs[k]]
                order = [target.index(c) for c in subs[k] if c in target]
                g = _shape.permute(g, tuple(order)) if order != sorted(order) else g
                g = _shape.broadcast_to(_shape.reshape(g, tuple(shape)), tuple(t.shape))
            grads.append(g)
        return tuple(grads)


def einsum(equation, *operands):
    """Same as torch.einsum."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if _amp.mode.on:
        operands = _amp.lower(*operands)
    subs, out = _parse_einsum(equation, [t.shape for t in operands])
    operands = list(operands)
    for k, s in enumerate(subs):
        # a letter repeated within one operand takes its diagonal ("ii->i", traces)
        while len(set(s)) != len(s):
            c = next(c for c in s if s.count(c) > 1)
            i, j = s.index(c), s.index(c, s.index(c) + 1)
            if operands[k].shape[i] != operands[k].shape[j]:
                raise RuntimeError(f"einsum: subscript {c!r} is repeated for operand {k} but "
                                   f"the sizes don't match, {operands[k].shape[i]} != "
                                   f"{operands[k].shape[j]}")
            operands[k] = _shape.diagonal(operands[k], 0, i, j)
            s = s[:i] + s[i + 1:j] + s[j + 1:] + c
        subs[k] = s
    for t in operands[1:]:
        if t.array.dtype is not operands[0].array.dtype:
            _check_same_dtype("einsum", operands[0], t)
    for s, t in zip(subs, operands):
        if len(s) != t.ndim:
            raise RuntimeError(f"einsum: subscripts {s!r} do not match shape {tuple(t.shape)}")
    sizes = {}
    for s, t in zip(subs, operands):
        for c, n in zip(s, t.shape):
            if sizes.setdefault(c, n) != n and n != 1 and sizes[c] != 1:
                raise RuntimeError(f"einsum: subscript {c!r} has size {n} for an operand of "
                                   f"shape {tuple(t.shape)}, which does not match {sizes[c]}")
    return Einsum.apply(subs, out, *operands)


# ----------------------------------------------------------------------------- composites
def _scaled_sum(op, input, product, beta, alpha):
    """beta * input + alpha * product, PyTorch's way: with beta = 0 the input is not
    read (nan and inf in it do not propagate), and the input must broadcast."""
    try:
        fits = backend.broadcast_shapes(tuple(input.shape), tuple(product.shape)) == \
            tuple(product.shape)
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"{op}: input of shape {tuple(input.shape)} cannot broadcast to "
                           f"the product's shape {tuple(product.shape)}")
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        if not input.requires_grad:
            return product
        # the input is not read (nan in it does not propagate) but gets a zero gradient
        never = _make(backend.array_module(input.array).zeros(input.array.shape, dtype=bool))
        return product + where(never, input, 0.0)
    return product + (input if beta == 1 else input * beta)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """Same as torch.addmm: beta * input + alpha * (mat1 @ mat2)."""
    if _amp.mode.on:
        input, = _amp.lower(input)
    if mat1.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"addmm: expected 2-d matrices, got shapes {tuple(mat1.shape)} "
                           f"and {tuple(mat2.shape)}")
    return _scaled_sum("addmm", input, matmul(mat1, mat2), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """Same as torch.baddbmm: beta * input + alpha * bmm(batch1, batch2)."""
    if _amp.mode.on:
        input, = _amp.lower(input)
    return _scaled_sum("baddbmm", input, bmm(batch1, batch2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """Same as torch.addbmm: beta * input + alpha * (the sum over the batch of the
    products batch1[i] @ batch2[i])."""
    if _amp.mode.on:
        input, = _amp.lower(input)
    return _scaled_sum("addbmm", input, _sum(bmm(batch1, batch2), 0), beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """Same as torch.addmv: beta * input + alpha * (mat @ vec)."""
    if _amp.mode.on:
        input, = _amp.lower(input, op="addmv")
    return _scaled_sum("addmv", input, mv(mat, vec), beta, alpha)


class DiagEmbed(Function):
    """A 1-d tensor placed on the `offset`-th diagonal of a square matrix."""

    @staticmethod
    def forward(ctx, v, offset):
        ctx.offset = offset
        return backend.array_module(v.array).diag(v.array, offset)

    @staticmethod
    def backward(ctx, grad):
        return _shape.diagonal(grad, ctx.offset), None


def diag(input, diagonal=0):
    """Same as torch.diag: a 1-d input becomes a square matrix with it on the given
    diagonal; a 2-d input gives (a copy of) that diagonal."""
    if input.ndim == 1:
        return DiagEmbed.apply(input, int(diagonal))
    if input.ndim == 2:
        return _shape.diagonal(input, int(diagonal))
    raise RuntimeError(f"diag: expected a 1-d or 2-d tensor, got shape {tuple(input.shape)}")


def trace(input):
    """Same as torch.trace: the sum of a matrix's main diagonal."""
    if _amp.mode.on:
        input, = _amp.fp32("trace", input)
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, got shape {tuple(input.shape)}")
    return _sum(_shape.diagonal(input, 0))
