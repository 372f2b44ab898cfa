"""One table of differentiable ops, run on Ember and on PyTorch by the same lambda.

Each row's `fn(L, *xs)` gets a namespace `L` (the `autograd` module, or `torch`, plus a
few helpers so one lambda runs on both) and the input tensors. Constants such as index
tensors and masks are built through `L` so they land on the right device.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

import autograd as ag
from autograd.ops.split import pad as ag_pad


@dataclass
class OpSpec:
    name: str
    fn: object                      # fn(L, *inputs) -> Tensor or tuple of Tensors
    shapes: list                    # one shape per (float) input
    low: float | tuple = -2.0       # input range: a number, or one per input
    high: float | tuple = 2.0
    prep: object = None             # prep(list of np arrays) -> edits them (ties, zeros)
    grad: bool = True               # compare gradients (False: values only)
    gradcheck: bool = True          # run gradcheck (False at kinks and ties)
    gradgradcheck: bool = True      # run gradgradcheck
    int_inputs: bool = False        # inputs are int64 (values only, no grad)
    torch_grad: bool = True         # False where PyTorch's own backward is wrong
    tags: tuple = field(default_factory=tuple)

    def __repr__(self):
        return self.name

    def arrays(self, dtype=np.float64):
        """Deterministic inputs for this row (seeded by its name)."""
        rng = np.random.default_rng(zlib.crc32(self.name.encode()))
        out = []
        for k, shape in enumerate(self.shapes):
            lo = self.low[k] if isinstance(self.low, tuple) else self.low
            hi = self.high[k] if isinstance(self.high, tuple) else self.high
            if self.int_inputs:
                out.append(rng.integers(int(lo), int(hi), size=shape).astype(np.int64))
            else:
                out.append(rng.uniform(lo, hi, size=shape))
        if self.prep is not None:
            self.prep(out)
        return [a if self.int_inputs else a.astype(dtype) for a in out]


class Namespace:
    """`autograd` or `torch` plus helpers: constants on the inputs' device and dtype."""

    def __init__(self, lib, device="cpu", dtype=None):
        self.lib, self.device, self.dtype = lib, device, dtype
        self.is_torch = lib is not ag
        if self.is_torch:
            import torch.nn.functional as F
            self.pad = F.pad
        else:
            self.pad = ag_pad

    def __getattr__(self, name):
        return getattr(self.lib, name)

    def long(self, values):
        """An int64 index tensor."""
        if self.is_torch:
            return self.lib.tensor(values, dtype=self.lib.int64)
        return ag.tensor(np.asarray(values, dtype=np.int64), device=self.device)

    def mask(self, values):
        """A bool tensor."""
        if self.is_torch:
            return self.lib.tensor(np.asarray(values, dtype=bool))
        return ag.tensor(np.asarray(values, dtype=bool), device=self.device)

    def const(self, values):
        """A float tensor that needs no grad, in the inputs' dtype."""
        arr = np.asarray(values, dtype=self.dtype)
        if self.is_torch:
            return self.lib.from_numpy(arr.copy())
        return ag.tensor(arr, device=self.device)


def _set(index, value, which=0):
    def prep(arrays):
        arrays[which][index] = value
    return prep


def _ties(arrays):
    a = arrays[0]
    a.reshape(-1)[1] = a.reshape(-1)[0] = a.max() + 0.5
    a.reshape(-1)[-1] = a.min() - 0.5
    a.reshape(-1)[-2] = a.min()


_MASK_34 = np.array([[True, False, True, True], [False, False, True, False],
                     [True, True, False, False]])


def _rows():
    S = OpSpec
    rows = []
    add = rows.append

    # ------------------------------------------------------------------ arithmetic
    for name, f in [("add", lambda L, a, b: a + b), ("sub", lambda L, a, b: a - b),
                    ("mul", lambda L, a, b: a * b), ("maximum", lambda L, a, b: L.maximum(a, b)),
                    ("minimum", lambda L, a, b: L.minimum(a, b))]:
        add(S(f"{name}_same", f, [(3, 4), (3, 4)]))
        add(S(f"{name}_bcast_row", f, [(3, 4), (4,)]))
        add(S(f"{name}_bcast_both", f, [(3, 1, 2), (4, 1)]))
        add(S(f"{name}_0d", f, [(), (2, 3)]))
        add(S(f"{name}_size1", f, [(1, 3, 1), (2, 1, 1)]))
    add(S("div_same", lambda L, a, b: a / b, [(3, 4), (3, 4)], low=(-2, 0.5), high=(2, 2)))
    add(S("div_bcast", lambda L, a, b: a / b, [(2, 3, 4), (3, 1)], low=(-2, 0.5),
          high=(2, 2)))
    add(S("div_0d", lambda L, a, b: a / b, [(2, 3), ()], low=(-2, 0.5), high=(2, 2)))
    add(S("pow_tensor_tensor", lambda L, a, b: a ** b, [(3, 4), (3, 4)], low=(0.5, -2),
          high=(2, 2)))
    add(S("pow_bcast", lambda L, a, b: a ** b, [(2, 3), (3,)], low=(0.5, -1.5),
          high=(2, 1.5)))
    add(S("pow_method", lambda L, a, b: a.pow(b), [(4,), ()], low=(0.5, 0.5), high=(2, 2)))
    add(S("matmul_op", lambda L, a, b: a @ b, [(3, 4), (4, 2)]))
    add(S("neg", lambda L, a: -a, [(3, 4)]))
    add(S("neg_0d", lambda L, a: -a, [()]))
    # Python scalars on either side
    add(S("add_scalar", lambda L, a: a + 2.5, [(3, 4)]))
    add(S("radd_scalar", lambda L, a: 2.5 + a, [(3, 4)]))
    add(S("radd_int", lambda L, a: 3 + a, [(3,)]))
    add(S("sub_scalar", lambda L, a: a - 1.5, [(3, 4)]))
    add(S("rsub_scalar", lambda L, a: 1.5 - a, [(3, 4)]))
    add(S("mul_scalar", lambda L, a: a * -3.0, [(3, 4)]))
    add(S("rmul_scalar", lambda L, a: 0.5 * a, [(3, 4)]))
    add(S("rmul_int", lambda L, a: 2 * a, [(2, 2)]))
    add(S("div_scalar", lambda L, a: a / 4.0, [(3, 4)]))
    add(S("rdiv_scalar", lambda L, a: 1.5 / a, [(3, 4)], low=0.5, high=2))
    add(S("rdiv_int", lambda L, a: 2 / a, [(3,)], low=-2, high=-0.5))
    add(S("pow_scalar_int", lambda L, a: a ** 3, [(3, 4)]))
    add(S("pow_scalar_two", lambda L, a: a ** 2, [(3, 4)]))
    add(S("pow_scalar_zero", lambda L, a: a ** 0, [(3,)]))
    add(S("pow_scalar_frac", lambda L, a: a ** 2.5, [(3, 4)], low=0.5, high=2))
    add(S("pow_scalar_neg", lambda L, a: a ** -1.5, [(3, 4)], low=0.5, high=2))
    add(S("rpow_scalar", lambda L, a: 2.0 ** a, [(3, 4)]))
    add(S("rpow_int", lambda L, a: 3 ** a, [(3,)]))
    add(S("add_alpha", lambda L, a, b: L.add(a, b, alpha=2.5), [(3,), (2, 3)]))
    add(S("sub_alpha", lambda L, a, b: L.sub(a, b, alpha=-0.5), [(3,), (2, 3)]))

    # ------------------------------------------------------------------ unary maths
    add(S("abs", lambda L, a: a.abs(), [(3, 4)]))
    add(S("abs_at_zero", lambda L, a: L.abs(a), [(5,)], prep=_set(slice(1, 3), 0.0),
          gradcheck=False, gradgradcheck=False))
    add(S("exp", lambda L, a: a.exp(), [(3, 4)]))
    add(S("exp_0d", lambda L, a: L.exp(a), [()]))
    add(S("log", lambda L, a: a.log(), [(3, 4)], low=0.2, high=3))
    add(S("log1p", lambda L, a: a.log1p(), [(3, 4)], low=-0.5, high=3))
    add(S("expm1", lambda L, a: a.expm1(), [(3, 4)]))
    add(S("sqrt", lambda L, a: a.sqrt(), [(3, 4)], low=0.2, high=3))
    add(S("rsqrt", lambda L, a: a.rsqrt(), [(3, 4)], low=0.2, high=3))
    add(S("sin", lambda L, a: a.sin(), [(3, 4)], low=-4, high=4))
    add(S("cos", lambda L, a: L.cos(a), [(3, 4)], low=-4, high=4))
    add(S("tanh", lambda L, a: a.tanh(), [(3, 4)], low=-3, high=3))
    add(S("sigmoid", lambda L, a: a.sigmoid(), [(3, 4)], low=-5, high=5))
    add(S("relu", lambda L, a: a.relu(), [(3, 4)]))
    add(S("relu_fn", lambda L, a: L.relu(a), [(2, 3)]))
    add(S("relu_at_zero", lambda L, a: a.relu(), [(5,)], prep=_set(slice(0, 2), 0.0),
          gradcheck=False, gradgradcheck=False))
    add(S("sign", lambda L, a: a.sign(), [(3, 4)]))
    add(S("reciprocal", lambda L, a: a.reciprocal(), [(3, 4)], low=0.5, high=2))
    add(S("reciprocal_neg", lambda L, a: L.reciprocal(a), [(3,)], low=-2, high=-0.5))
    # clamp: scalar bounds, tensor bounds, and values exactly on a bound
    add(S("clamp_min", lambda L, a: a.clamp(min=-0.5), [(3, 4)]))
    add(S("clamp_max", lambda L, a: a.clamp(max=0.5), [(3, 4)]))
    add(S("clamp_both", lambda L, a: L.clamp(a, -0.5, 0.7), [(3, 4)]))
    add(S("clamp_tensor_min", lambda L, a, lo: a.clamp(min=lo), [(3, 4), (4,)]))
    add(S("clamp_tensor_both", lambda L, a, lo, hi: a.clamp(lo, hi), [(3, 4), (3, 1), (4,)],
          low=(-2, -1.5, 0.2), high=(2, -0.1, 1.5)))
    add(S("clamp_on_bound", lambda L, a: a.clamp(-0.5, 0.5), [(4,)],
          prep=_set(slice(0, 2), np.array([-0.5, 0.5])), gradcheck=False,
          gradgradcheck=False))
    add(S("clamp_min_gt_max", lambda L, a: a.clamp(0.5, -0.5), [(4,)]))
    add(S("maximum_ties", lambda L, a, b: L.maximum(a, b), [(4,), (4,)],
          prep=lambda arr: arr[1].__setitem__(slice(0, 2), arr[0][:2]), gradcheck=False,
          gradgradcheck=False))
    add(S("minimum_ties", lambda L, a, b: L.minimum(a, b), [(4,), (4,)],
          prep=lambda arr: arr[1].__setitem__(slice(0, 2), arr[0][:2]), gradcheck=False,
          gradgradcheck=False))
    add(S("where", lambda L, a, b: L.where(a > 0, a, b), [(3, 4), (3, 4)]))
    add(S("where_bcast", lambda L, a, b: L.where(b > 0, a, b), [(3, 4), (4,)]))
    add(S("where_scalar", lambda L, a: L.where(a > 0, a, 0.5), [(3, 4)]))
    add(S("where_mask_const", lambda L, a, b: L.where(L.mask(_MASK_34), a, b), [(3, 4), (1, 4)]))

    # ------------------------------------------------------------------ reductions
    x234 = [(2, 3, 4)]
    add(S("sum_all", lambda L, a: a.sum(), x234))
    add(S("sum_dim", lambda L, a: a.sum(1), x234))
    add(S("sum_dim_neg", lambda L, a: a.sum(dim=-1), x234))
    add(S("sum_dim_tuple", lambda L, a: a.sum(dim=(0, 2)), x234))
    add(S("sum_dim_tuple_neg_keepdim", lambda L, a: a.sum(dim=(-1, 0), keepdim=True), x234))
    add(S("sum_keepdim", lambda L, a: L.sum(a, 1, keepdim=True), x234))
    add(S("sum_0d", lambda L, a: a.sum(), [()]))
    add(S("sum_0d_dim", lambda L, a: a.sum(0), [()]))
    add(S("mean_0d_dim", lambda L, a: a.mean(-1, keepdim=True), [()]))
    add(S("amax_0d_dim", lambda L, a: a.amax(0), [()]))
    add(S("logsumexp_0d", lambda L, a: a.logsumexp(0), [()]))
    add(S("prod_0d_dim", lambda L, a: a.prod(0), [()]))
    add(S("sum_empty", lambda L, a: a.sum(0), [(0, 3)], gradcheck=False, gradgradcheck=False))
    add(S("mean_all", lambda L, a: a.mean(), x234))
    add(S("mean_dim_neg", lambda L, a: a.mean(-2), x234))
    add(S("mean_dim_tuple_keepdim", lambda L, a: a.mean((0, 1), keepdim=True), x234))
    add(S("mean_size1", lambda L, a: L.mean(a, 1), [(3, 1, 2)]))
    add(S("prod_all", lambda L, a: a.prod(), [(2, 3)], low=0.5, high=1.5))
    add(S("prod_dim", lambda L, a: a.prod(1), x234, low=0.5, high=1.5))
    add(S("prod_dim_neg_keepdim", lambda L, a: a.prod(-1, keepdim=True), [(3, 4)], low=-1.5,
          high=1.5))
    add(S("prod_one_zero", lambda L, a: a.prod(1), [(3, 4)], prep=_set((1, 2), 0.0)))
    add(S("prod_two_zeros", lambda L, a: a.prod(), [(2, 3)],
          prep=_set((slice(None), 1), 0.0)))
    add(S("prod_zero_all", lambda L, a: a.prod(), [(2, 3)], prep=_set((1, 0), 0.0)))
    add(S("var_default", lambda L, a: a.var(), x234))
    add(S("var_dim", lambda L, a: a.var(1), x234))
    add(S("var_correction0", lambda L, a: a.var(dim=-1, correction=0), x234))
    add(S("var_correction2_keepdim", lambda L, a: a.var(dim=(0, 2), correction=2,
                                                          keepdim=True), x234))
    add(S("var_unbiased_false", lambda L, a: L.var(a, 1, unbiased=False), x234))
    add(S("var_unbiased_true_keepdim", lambda L, a: a.var(-1, unbiased=True, keepdim=True),
          x234))
    add(S("std_default", lambda L, a: a.std(), x234))
    add(S("std_dim_tuple", lambda L, a: a.std(dim=(0, -1)), x234))
    add(S("std_correction0_keepdim", lambda L, a: L.std(a, 1, correction=0, keepdim=True),
          x234))
    add(S("std_unbiased_false", lambda L, a: a.std(0, unbiased=False), x234))
    add(S("amax_all", lambda L, a: a.amax(), x234))
    add(S("amax_dim", lambda L, a: a.amax(1), x234))
    add(S("amax_dim_tuple_keepdim", lambda L, a: L.amax(a, (0, -1), keepdim=True), x234))
    add(S("amin_dim_neg", lambda L, a: a.amin(-1), x234))
    add(S("amin_dim_tuple", lambda L, a: a.amin(dim=(1, 2)), x234))
    add(S("amax_ties", lambda L, a: a.amax(), [(2, 3)], prep=_ties, gradcheck=False,
          gradgradcheck=False))
    add(S("amin_ties_dim", lambda L, a: a.amin(1), [(2, 4)], prep=_ties, gradcheck=False,
          gradgradcheck=False))
    add(S("logsumexp_dim", lambda L, a: a.logsumexp(1), x234))
    add(S("logsumexp_dim_neg_keepdim", lambda L, a: L.logsumexp(a, -1, keepdim=True), x234))
    add(S("logsumexp_dim_tuple", lambda L, a: a.logsumexp((0, 2)), x234))
    add(S("norm_default", lambda L, a: a.norm(), x234))
    add(S("norm_p2_dim", lambda L, a: a.norm(p=2, dim=1), x234))
    add(S("norm_p2_dim_keepdim", lambda L, a: L.norm(a, 2, dim=-1, keepdim=True), x234))
    add(S("norm_p1", lambda L, a: a.norm(p=1), x234))
    add(S("norm_p1_dim", lambda L, a: a.norm(1, dim=0), x234))
    add(S("norm_inf", lambda L, a: a.norm(p=float("inf")), x234))
    add(S("norm_inf_dim", lambda L, a: a.norm(float("inf"), dim=-1, keepdim=True), x234))
    add(S("norm_p3", lambda L, a: a.norm(p=3), x234))
    add(S("norm_p3_dim", lambda L, a: a.norm(3, dim=(0, 2)), x234))
    add(S("max_dim_values", lambda L, a: a.max(1)[0], x234))
    add(S("max_dim_keepdim", lambda L, a: a.max(dim=-1, keepdim=True).values, x234))
    add(S("min_dim_values", lambda L, a: L.min(a, 0)[0], x234))
    add(S("min_dim_neg", lambda L, a: a.min(-2).values, x234))
    add(S("max_full", lambda L, a: a.max(), x234))
    add(S("min_full", lambda L, a: L.min(a), x234))
    add(S("max_full_0d", lambda L, a: a.max(), [()]))
    add(S("cumsum_dim0", lambda L, a: a.cumsum(0), x234))
    add(S("cumsum_dim_neg", lambda L, a: L.cumsum(a, -1), x234))
    add(S("cumsum_0d", lambda L, a: a.cumsum(0), [()]))
    add(S("cumprod", lambda L, a: a.cumprod(1), [(2, 4)], low=0.5, high=1.5))
    add(S("cumprod_zeros", lambda L, a: L.cumprod(a, -1), [(3, 4)],
          prep=lambda arr: arr[0].__setitem__((slice(None), [1, 2]), [[0, 0], [0, 1], [1, 0]])))
    add(S("softmax_dim_neg", lambda L, a: a.softmax(-1), x234))
    add(S("softmax_dim0", lambda L, a: L.softmax(a, 0), x234))
    add(S("softmax_0d", lambda L, a: a.softmax(0), [()]))
    add(S("log_softmax_dim_neg", lambda L, a: a.log_softmax(-1), x234))
    add(S("log_softmax_dim1", lambda L, a: L.log_softmax(a, 1), x234))

    # ------------------------------------------------------------------ shape
    add(S("reshape", lambda L, a: a.reshape(4, 6), x234))
    add(S("reshape_infer", lambda L, a: a.reshape(-1, 2), x234))
    add(S("reshape_tuple", lambda L, a: L.reshape(a, (3, -1)), [(2, 3, 2)]))
    add(S("reshape_0d", lambda L, a: a.reshape(1, 1), [()]))
    add(S("reshape_to_0d", lambda L, a: a.reshape(()), [(1, 1)]))
    add(S("view", lambda L, a: a.view(6, 4), x234))
    add(S("view_infer", lambda L, a: a.view(2, -1), x234))
    add(S("flatten", lambda L, a: a.flatten(), x234))
    add(S("flatten_start_end", lambda L, a: a.flatten(1, 2), [(2, 3, 4, 1)]))
    add(S("flatten_neg", lambda L, a: L.flatten(a, 0, -2), x234))
    add(S("unflatten", lambda L, a: a.unflatten(1, (2, 2)), [(3, 4)]))
    add(S("unflatten_neg_infer", lambda L, a: a.unflatten(-1, (2, -1)), x234))
    add(S("squeeze_all", lambda L, a: a.squeeze(), [(1, 3, 1, 2)]))
    add(S("squeeze_dim", lambda L, a: a.squeeze(2), [(1, 3, 1, 2)]))
    add(S("squeeze_dim_neg_noop", lambda L, a: a.squeeze(-1), [(1, 3, 1, 2)]))
    add(S("unsqueeze", lambda L, a: a.unsqueeze(1), [(3, 4)]))
    add(S("unsqueeze_neg", lambda L, a: L.unsqueeze(a, -1), [(3, 4)]))
    add(S("unsqueeze_0d", lambda L, a: a.unsqueeze(0), [()]))
    add(S("transpose", lambda L, a: a.transpose(0, 2), x234))
    add(S("transpose_neg", lambda L, a: L.transpose(a, -1, -2), x234))
    add(S("permute", lambda L, a: a.permute(2, 0, 1), x234))
    add(S("permute_neg_tuple", lambda L, a: L.permute(a, (-1, 0, -2)), x234))
    add(S("expand", lambda L, a: a.expand(2, 3, 4), [(3, 1)]))
    add(S("expand_keep", lambda L, a: a.expand(2, -1, 4), [(3, 1)]))
    add(S("expand_0d", lambda L, a: a.expand(3, 2), [()]))
    add(S("broadcast_to", lambda L, a: L.broadcast_to(a, (2, 3, 4)), [(1, 4)]))
    add(S("repeat", lambda L, a: a.repeat(2, 3), [(2, 3)]))
    add(S("repeat_more_dims", lambda L, a: a.repeat(2, 1, 3), [(2, 3)]))
    add(S("flip", lambda L, a: a.flip(0), x234))
    add(S("flip_many_neg", lambda L, a: L.flip(a, (0, -1)), x234))
    add(S("roll", lambda L, a: a.roll(1, 0), x234))
    add(S("roll_neg_multi", lambda L, a: L.roll(a, (-1, 2), (-1, 1)), x234))
    add(S("roll_flat", lambda L, a: a.roll(3), [(3, 4)]))
    add(S("cat", lambda L, a, b: L.cat([a, b]), [(2, 3), (4, 3)]))
    add(S("cat_dim_neg", lambda L, a, b, c: L.cat([a, b, c], dim=-1), [(2, 3), (2, 1), (2, 2)]))
    add(S("cat_with_const", lambda L, a: L.cat([a, L.const(np.ones((1, 3)))], 0), [(2, 3)]))
    add(S("stack", lambda L, a, b: L.stack([a, b]), [(2, 3), (2, 3)]))
    add(S("stack_dim_neg", lambda L, a, b: L.stack((a, b), dim=-1), [(2, 3), (2, 3)]))
    add(S("stack_0d", lambda L, a, b: L.stack([a, b]), [(), ()]))
    add(S("split_size", lambda L, a: a.split(2, dim=1), [(3, 5)]))
    add(S("split_sections", lambda L, a: L.split(a, [1, 3, 1], -1), [(2, 5)]))
    add(S("chunk", lambda L, a: a.chunk(3, 0), [(5, 2)]))
    add(S("chunk_neg", lambda L, a: L.chunk(a, 2, -1), [(2, 4)]))
    add(S("pad_constant", lambda L, a: L.pad(a, (1, 2)), x234))
    add(S("pad_constant_value_2d", lambda L, a: L.pad(a, (0, 1, 2, 1), value=0.5), x234))
    add(S("pad_constant_negative", lambda L, a: L.pad(a, (-1, 1)), x234))
    add(S("pad_reflect", lambda L, a: L.pad(a, (2, 1), mode="reflect"), x234))
    add(S("pad_reflect_2d", lambda L, a: L.pad(a, (1, 1, 2, 1), mode="reflect"),
          [(1, 2, 3, 4)]))
    add(S("pad_replicate", lambda L, a: L.pad(a, (1, 3), mode="replicate"), x234))
    add(S("pad_replicate_2d", lambda L, a: L.pad(a, (1, 0, 2, 1), mode="replicate"),
          [(1, 2, 3, 4)]))
    add(S("pad_circular", lambda L, a: L.pad(a, (1, 2), mode="circular"), x234))
    add(S("pad_circular_2d", lambda L, a: L.pad(a, (2, 1, 1, 1), mode="circular"),
          [(1, 2, 3, 4)]))
    add(S("tril", lambda L, a: a.tril(), [(3, 4)]))
    add(S("tril_k", lambda L, a: L.tril(a, -1), [(2, 3, 3)]))
    add(S("triu", lambda L, a: a.triu(), [(4, 3)]))
    add(S("triu_k", lambda L, a: L.triu(a, 1), [(2, 3, 4)]))
    add(S("t", lambda L, a: a.t(), [(3, 4)]))
    add(S("t_1d", lambda L, a: L.t(a), [(3,)]))
    add(S("T", lambda L, a: a.T, [(3, 4)]))
    add(S("mT", lambda L, a: a.mT, x234))

    # ------------------------------------------------------------------ indexing
    add(S("index_int", lambda L, a: a[1], x234))
    add(S("index_neg_int", lambda L, a: a[-1, -2], x234))
    add(S("index_slice", lambda L, a: a[:, 1:3], x234))
    add(S("index_step_slice", lambda L, a: a[::2, 1::2, ::3], [(3, 4, 5)]))
    add(S("index_neg_slice", lambda L, a: a[-2:, :-1], [(3, 4)]))
    add(S("index_none", lambda L, a: a[None, :, None], [(3, 4)]))
    add(S("index_ellipsis", lambda L, a: a[..., 1], x234))
    add(S("index_ellipsis_none", lambda L, a: a[0, ..., None], x234))
    add(S("index_0d_scalar", lambda L, a: a[()], [()]))
    add(S("index_int_array", lambda L, a: a[L.long([0, 2])], [(3, 4)]))
    add(S("index_int_array_repeated", lambda L, a: a[L.long([1, 1, 0, 1])], [(3, 4)]))
    add(S("index_int_array_2d_repeated", lambda L, a: a[:, L.long([[0, 3], [3, 3]])], [(2, 4)]))
    add(S("index_int_array_neg", lambda L, a: a[L.long([-1, 0, -1])], [(3, 2)]))
    add(S("index_list_repeated", lambda L, a: a[[0, 0, 2]], [(3, 2)]))
    add(S("index_two_arrays", lambda L, a: a[L.long([0, 1, 1]), L.long([2, 0, 2])], [(2, 3)]))
    add(S("index_arrays_split_by_slice", lambda L, a: a[L.long([0, 1]), :, L.long([3, 3])],
          x234))
    add(S("index_bool_mask", lambda L, a: a[L.mask(_MASK_34)], [(3, 4)]))
    add(S("index_bool_mask_rows", lambda L, a: a[L.mask([True, False, True])], [(3, 4)]))
    add(S("index_bool_from_data", lambda L, a: a[a > 0], [(3, 4)]))
    add(S("index_mixed_slice_array", lambda L, a: a[1:, L.long([0, 0, 2])], [(3, 4)]))
    add(S("index_mixed_int_array_none", lambda L, a: a[0, None, L.long([1, 1])], x234))
    add(S("index_0d_tensor", lambda L, a: a[L.long(1)], [(3, 4)]))
    add(S("index_0d_tensor_and_slice", lambda L, a: a[L.long(0), 1:], x234))
    add(S("index_int_slice_array", lambda L, a: a[0, :, L.long([1, 1])], x234))
    add(S("index_0d_tensor_slice_array", lambda L, a: a[L.long(1), :, L.long([0, 2])], x234))
    add(S("index_ellipsis_int_array", lambda L, a: a[..., 0, L.long([1, 1])], x234))
    add(S("index_array_slice_int", lambda L, a: a[L.long([0, 1, 1]), :, 0], x234))
    add(S("gather", lambda L, a: a.gather(1, L.long([[0, 0], [2, 1], [3, 3]])), [(3, 4)]))
    add(S("gather_dim0", lambda L, a: L.gather(a, 0, L.long([[1, 0, 1, 1]])), [(2, 4)]))
    add(S("gather_neg_dim", lambda L, a: a.gather(-1, L.long([[[0], [2], [2]]] * 2)), x234))
    add(S("scatter_add", lambda L, a, s: a.scatter_add(1, L.long([[0, 0], [2, 1], [3, 3]]), s),
          [(3, 4), (3, 2)]))
    # PyTorch's backward returns a gradient of the index's shape for the larger src
    add(S("scatter_add_larger_src", lambda L, a, s: L.scatter_add(
        a, 0, L.long([[1, 1, 0]]), s), [(2, 3), (2, 4)], torch_grad=False))
    add(S("index_select", lambda L, a: a.index_select(1, L.long([3, 0, 3])), [(2, 4)]))
    add(S("index_select_neg_dim", lambda L, a: L.index_select(a, -3, L.long([1, 1])), x234))
    add(S("masked_fill", lambda L, a: a.masked_fill(L.mask(_MASK_34), 0.5), [(3, 4)]))
    add(S("masked_fill_bcast", lambda L, a: L.masked_fill(a, L.mask([True, False, False, True]),
                                                          -1.0), [(2, 3, 4)]))
    add(S("masked_fill_from_data", lambda L, a: a.masked_fill(a < 0, 0.0), [(3, 4)]))

    # ------------------------------------------------------------------ linear algebra
    for name, sa, sb in [("1d_1d", (4,), (4,)), ("1d_2d", (3,), (3, 2)), ("2d_1d", (2, 3), (3,)),
                         ("2d_2d", (2, 3), (3, 4)), ("batched", (2, 2, 3), (2, 3, 4)),
                         ("bcast_batch", (2, 1, 2, 3), (3, 3, 2)), ("3d_1d", (2, 2, 3), (3,)),
                         ("1d_3d", (3,), (2, 3, 2)), ("3d_2d", (2, 2, 3), (3, 2))]:
        add(S(f"matmul_{name}", lambda L, a, b: L.matmul(a, b), [sa, sb]))
    add(S("mm", lambda L, a, b: a.mm(b), [(2, 3), (3, 4)]))
    add(S("bmm", lambda L, a, b: L.bmm(a, b), [(2, 2, 3), (2, 3, 2)]))
    add(S("mv", lambda L, a, b: a.mv(b), [(2, 3), (3,)]))
    add(S("dot", lambda L, a, b: L.dot(a, b), [(4,), (4,)]))
    add(S("outer", lambda L, a, b: a.outer(b), [(3,), (4,)]))
    for name, eq, shapes in [("mm", "ij,jk->ik", [(2, 3), (3, 4)]),
                             ("bmm", "bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
                             ("dot", "i,i->", [(4,), (4,)]),
                             ("outer", "i,j->ij", [(3,), (2,)]),
                             ("transpose", "ij->ji", [(2, 3)]),
                             ("sum_all", "ij->", [(2, 3)]),
                             ("rowwise_dot", "ij,ij->i", [(3, 4), (3, 4)]),
                             ("implicit", "ij,jk", [(2, 3), (3, 2)]),
                             ("ellipsis", "...ij,...jk->...ik", [(2, 2, 3), (2, 3, 2)]),
                             ("three_operands", "ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
                             ("contract_inner_only", "ijk,j->k", [(2, 3, 2), (3,)]),
                             ("summed_only_in_one", "ij,k->k", [(2, 3), (4,)]),
                             ("bcast_batch", "bij,jk->bik", [(2, 2, 3), (3, 2)]),
                             ("diagonal", "ii->i", [(3, 3)]),
                             ("trace", "ii", [(3, 3)]),
                             ("batch_diagonal_times", "bii,bi->b", [(2, 3, 3), (2, 3)])]:
        add(S(f"einsum_{name}", lambda L, *xs, eq=eq: L.einsum(eq, *xs), shapes))

    # ------------------------------------------------------------------ beyond API.md's list
    # maths PyTorch users reach for; each gets the same parity and gradient checks
    for name, f, lo, hi in [("erf", lambda L, a: L.erf(a), -2, 2),
                            ("log2", lambda L, a: a.log2(), 0.2, 3),
                            ("log10", lambda L, a: a.log10(), 0.2, 3),
                            ("exp2", lambda L, a: a.exp2(), -2, 2),
                            ("square", lambda L, a: a.square(), -2, 2),
                            ("tan", lambda L, a: a.tan(), -1, 1),
                            ("asin", lambda L, a: a.asin(), -0.9, 0.9),
                            ("acos", lambda L, a: a.acos(), -0.9, 0.9),
                            ("atan", lambda L, a: a.atan(), -2, 2),
                            ("sinh", lambda L, a: a.sinh(), -2, 2),
                            ("cosh", lambda L, a: a.cosh(), -2, 2),
                            ("reciprocal_method", lambda L, a: a.reciprocal(), 0.5, 2)]:
        add(S(name, f, [(3, 4)], low=lo, high=hi))
    add(S("lerp_scalar_weight", lambda L, a, b: L.lerp(a, b, 0.3), [(3, 4), (4,)]))
    add(S("lerp_tensor_weight", lambda L, a, b, w: L.lerp(a, b, w), [(3, 4), (3, 4), (4,)]))
    add(S("remainder", lambda L, a, b: L.remainder(a, b), [(3, 4), (4,)], low=(-3, 0.7),
          high=(3, 2), gradgradcheck=False))
    add(S("fmod", lambda L, a, b: L.fmod(a, b), [(3, 4), (4,)], low=(-3, 0.7), high=(3, 2),
          gradgradcheck=False))
    add(S("floor_divide", lambda L, a, b: L.floor_divide(a, b), [(3, 4), (4,)],
          low=(-3, 0.7), high=(3, 2), grad=False))
    add(S("nan_to_num", lambda L, a: L.nan_to_num(a / a.abs().round(), nan=0.5), [(3, 4)],
          grad=False))
    add(S("narrow", lambda L, a: a.narrow(1, 1, 2), [(3, 4)]))
    add(S("movedim", lambda L, a: L.movedim(a, 0, -1), [(2, 3, 4)]))
    add(S("repeat_interleave", lambda L, a: L.repeat_interleave(a, 2, dim=1), [(2, 3)]))
    add(S("unfold", lambda L, a: a.unfold(1, 3, 2), [(2, 7)]))
    add(S("diagonal_offset", lambda L, a: a.diagonal(1), [(3, 4)]))
    add(S("sort_values", lambda L, a: L.sort(a, dim=1, descending=True)[0], [(3, 4)]))
    add(S("topk_values", lambda L, a: L.topk(a, 2, dim=-1)[0], [(3, 5)]))
    add(S("scatter_src", lambda L, a, b: L.scatter(a, 1, L.long([[0, 2], [1, 3]]), b),
          [(2, 4), (2, 2)]))

    # ------------------------------------------------------------------ integer inputs
    add(S("int_mul_float_scalar", lambda L, a: a * 2.5, [(3,)], low=-5, high=5,
          int_inputs=True, grad=False))
    add(S("int_truediv_int", lambda L, a, b: a / b, [(3,), (3,)], low=(-5, 1), high=(5, 4),
          int_inputs=True, grad=False))
    add(S("int_add_int_scalar", lambda L, a: a + 3, [(3,)], low=-5, high=5, int_inputs=True,
          grad=False))
    add(S("int_sum", lambda L, a: a.sum(), [(3, 2)], low=-5, high=5, int_inputs=True,
          grad=False))
    add(S("int_cumsum", lambda L, a: a.cumsum(0), [(4,)], low=-5, high=5, int_inputs=True,
          grad=False))
    add(S("int_sqrt", lambda L, a: a.sqrt(), [(4,)], low=0, high=9, int_inputs=True,
          grad=False))
    add(S("int_clamp_float", lambda L, a: a.clamp(min=0.5), [(4,)], low=-3, high=3,
          int_inputs=True, grad=False))
    return rows


OPS = _rows()
