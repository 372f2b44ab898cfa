"""torch's aten-level top-level functions, served lazily through the torch namespace
(autograd.__getattr__ asks `NN_TOP_LEVEL`, a `TopLevel` mapping, for names it lacks):

- method forms: torch.X(input, ...) for the torch names that are input.X(...) (the
  in-place forms torch.exp_, torch.sigmoid_, torch.clamp_min_, torch.index_put_, ...,
  and addr, frexp, ldexp, fix, is_nonzero, unsafe_split, dsplit, ...): one rule, the
  Tensor method of that name;
- copy forms: torch.X_copy(input, ...) (view_copy, permute_copy, t_copy, select_copy,
  ...) is the view op X's result, cloned (a tuple of views: each cloned);
- aten's own signatures of the nn-level functions, which differ from nn.functional's:
  torch.dropout(input, p, train), torch.layer_norm(input, normalized_shape, weight, bias,
  eps, cudnn_enable), torch.embedding(weight, indices, padding_idx=-1, ...), the losses
  with an int `reduction` (0 none, 1 mean, 2 sum), grid_sampler with int modes, the
  functional RNN cells that take weights, ...: each a thin adapter onto nn.functional
  (bound when first asked, as the engine imports nn lazily), so gradients come from the
  functional's ops; the functional RNN cells and torch.lstm / gru / rnn_tanh / rnn_relu
  taking their weights (autograd._aten_rnn);
- the process-wide switches and queries of autograd.torch_switches.
"""
from __future__ import annotations

import types

from . import _aten_rnn as _rnn
from . import _linalg_lowrank as _lowrank
from . import backend
from . import creation as _cr
from . import tensor_base as _tb
from . import torch_switches as _sw
from .grad_mode import no_grad
from .tensor_base import TensorBase as Tensor

_nn = types.SimpleNamespace(F=None)  # nn.functional, bound by TopLevel.__getitem__
_REDUCTION = {0: "none", 1: "mean", 2: "sum"}


def _reduction(name, r):
    if r not in _REDUCTION:
        raise RuntimeError(f"{name}: reduction must be 0 (none), 1 (mean) or 2 (sum), "
                           f"got {r!r}")
    return _REDUCTION[r]


def _opt(seq):
    """aten's empty `stride=[]` means 'the kernel size' (None for nn.functional)."""
    return None if seq is None or (isinstance(seq, (list, tuple)) and len(seq) == 0) else seq


# ----------------------------------------------------------------------------- dropout
def _check_p(p):
    if not 0 <= p <= 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")


def _into(input, out):
    """The in-place form's result: `out` written into `input` (autograd's in-place rules
    apply, as in torch)."""
    return input if out is input else input.copy_(out)


def _aten_dropout(name):
    """torch.<name>(input, p, train) (aten's argument order, all required) and its
    in-place form, over nn.functional's <name>."""
    def out_of_place(input, p, train):
        _check_p(p)
        return getattr(_nn.F, name)(input, p, train)

    def in_place(input, p, train):
        return _into(input, out_of_place(input, p, train))
    out_of_place.__name__, in_place.__name__ = name, name + "_"
    out_of_place.__doc__ = f"Same as torch.{name} (aten's argument order)."
    in_place.__doc__ = f"Same as torch.{name}_: in place."
    return out_of_place, in_place


dropout, dropout_ = _aten_dropout("dropout")
alpha_dropout, alpha_dropout_ = _aten_dropout("alpha_dropout")
feature_alpha_dropout, feature_alpha_dropout_ = _aten_dropout("feature_alpha_dropout")


def feature_dropout(input, p, train):
    """Same as torch.feature_dropout: zeroes whole channels, one draw per (sample,
    channel) pair of an input of at least 2 dimensions (a 2-D input: per element),
    scaling the kept ones by 1 / (1 - p)."""
    _check_p(p)
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if not train or p == 0:
        return input
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    if p == 1:
        return input * input.new_zeros(shape)
    keep = input.new_empty(shape).bernoulli_(1 - p)
    return input * keep.div_(1 - p)


def feature_dropout_(input, p, train):
    """Same as torch.feature_dropout_: in place."""
    return _into(input, feature_dropout(input, p, train))


# ----------------------------------------------------------------------------- norms
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05,
               cudnn_enable=True):
    """Same as torch.layer_norm (cudnn_enable is accepted; Ember calls no cuDNN)."""
    return _nn.F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    """Same as torch.group_norm."""
    return _nn.F.group_norm(input, num_groups, weight, bias, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                  momentum, eps, cudnn_enabled):
    """Same as torch.instance_norm (aten's argument order: weight and bias first)."""
    return _nn.F.instance_norm(input, running_mean, running_var, weight, bias,
                               use_input_stats, momentum, eps)


# ----------------------------------------------------------------------------- embeddings
def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """Same as torch.embedding: weight first; a negative padding_idx means none."""
    return _nn.F.embedding(indices, weight, None if padding_idx < 0 else padding_idx,
                           scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def embedding_renorm_(input, indices, max_norm, norm_type):
    """Same as torch.embedding_renorm_: rescales in place (outside autograd) the rows of
    `input` that `indices` names whose norm exceeds max_norm to norm max_norm."""
    with no_grad():
        rows = indices.reshape(-1).unique()
        sel = input[rows]
        norms = sel.norm(norm_type, dim=1, keepdim=True)
        scale = (max_norm / (norms + 1e-7)).clamp(max=1.0)
        input[rows] = sel * scale
    return input


# ----------------------------------------------------------------------------- pooling
def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Same as torch.max_pool1d (aten: an empty stride means the kernel size)."""
    return _nn.F.max_pool1d(input, kernel_size, _opt(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode=False):
    """Same as torch.max_pool1d_with_indices: (values, indices)."""
    return _nn.F.max_pool1d(input, kernel_size, _opt(stride), padding, dilation, ceil_mode,
                            return_indices=True)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Same as torch.max_pool2d."""
    return _nn.F.max_pool2d(input, kernel_size, _opt(stride), padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Same as torch.max_pool3d."""
    return _nn.F.max_pool3d(input, kernel_size, _opt(stride), padding, dilation, ceil_mode)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False,
               count_include_pad=True):
    """Same as torch.avg_pool1d."""
    return _nn.F.avg_pool1d(input, kernel_size, _opt(stride), padding, ceil_mode,
                            count_include_pad)


def adaptive_avg_pool1d(input, output_size):
    """Same as torch.adaptive_avg_pool1d."""
    return _nn.F.adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool1d(input, output_size):
    """Same as torch.adaptive_max_pool1d: (values, indices), always."""
    return _nn.F.adaptive_max_pool1d(input, output_size, return_indices=True)


# ----------------------------------------------------------------------------- convolutions
def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                groups):
    """Same as torch.convolution: conv{1,2,3}d or conv_transpose{1,2,3}d by the weight's
    dimensions and `transposed`."""
    n = weight.dim() - 2
    if n not in (1, 2, 3):
        raise RuntimeError(f"convolution: expected a 3-, 4- or 5-D weight, got shape "
                           f"{tuple(weight.shape)}")
    F = _nn.F
    if transposed:
        fn = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[n - 1]
        return fn(input, weight, bias, stride, padding, output_padding, groups, dilation)
    fn = (F.conv1d, F.conv2d, F.conv3d)[n - 1]
    return fn(input, weight, bias, stride, padding, dilation, groups)


def conv_tbc(input, weight, bias, pad=0):
    """Same as torch.conv_tbc: a 1-D convolution of a (time, batch, channels) input by a
    (kernel, in, out) weight, giving (time', batch, out)."""
    if input.dim() != 3 or weight.dim() != 3 or bias.dim() != 1:
        raise RuntimeError(f"conv_tbc: expected a 3-D input, a 3-D weight and a 1-D bias, "
                           f"got {tuple(input.shape)}, {tuple(weight.shape)}, "
                           f"{tuple(bias.shape)}")
    out = _nn.F.conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=pad)
    return out.permute(2, 0, 1)


def constant_pad_nd(input, pad, value=0):
    """Same as torch.constant_pad_nd."""
    return _nn.F.pad(input, list(pad), value=value)


# ----------------------------------------------------------------------------- losses
def kl_div(input, target, reduction=1, *, log_target=False):
    """Same as torch.kl_div (an int reduction; 1 is the plain mean, without
    nn.functional's batchmean advice)."""
    r = _reduction("kl_div", reduction)
    out = _nn.F.kl_div(input, target, reduction="none", log_target=log_target)
    return out if r == "none" else out.mean() if r == "mean" else out.sum()


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None,
                                     reduction=1):
    """Same as torch.binary_cross_entropy_with_logits (an int reduction)."""
    return _nn.F.binary_cross_entropy_with_logits(
        input, target, weight, reduction=_reduction("binary_cross_entropy_with_logits",
                                                    reduction), pos_weight=pos_weight)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=1):
    """Same as torch.cosine_embedding_loss (an int reduction)."""
    return _nn.F.cosine_embedding_loss(input1, input2, target, margin,
                                       reduction=_reduction("cosine_embedding_loss",
                                                            reduction))


def hinge_embedding_loss(input, target, margin=1.0, reduction=1):
    """Same as torch.hinge_embedding_loss (an int reduction)."""
    return _nn.F.hinge_embedding_loss(input, target, margin,
                                      reduction=_reduction("hinge_embedding_loss", reduction))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=1):
    """Same as torch.margin_ranking_loss (an int reduction)."""
    return _nn.F.margin_ranking_loss(input1, input2, target, margin,
                                     reduction=_reduction("margin_ranking_loss", reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    """Same as torch.poisson_nll_loss (every argument required, an int reduction)."""
    return _nn.F.poisson_nll_loss(input, target, log_input, full, eps=eps,
                                  reduction=_reduction("poisson_nll_loss", reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-06,
                        swap=False, reduction=1):
    """Same as torch.triplet_margin_loss (an int reduction)."""
    return _nn.F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                     reduction=_reduction("triplet_margin_loss", reduction))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=1,
             zero_infinity=False):
    """Same as torch.ctc_loss (an int reduction)."""
    return _nn.F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                          _reduction("ctc_loss", reduction), zero_infinity)


# ----------------------------------------------------------------------------- grids
_INTERP = {0: "bilinear", 1: "nearest", 2: "bicubic"}
_PADDING = {0: "zeros", 1: "border", 2: "reflection"}


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    """Same as torch.grid_sampler (and grid_sampler_2d / _3d): the modes as aten's ints
    (interpolation 0 bilinear, 1 nearest, 2 bicubic; padding 0 zeros, 1 border, 2
    reflection)."""
    if interpolation_mode not in _INTERP or padding_mode not in _PADDING:
        raise RuntimeError(f"grid_sampler: interpolation_mode must be 0, 1 or 2 and "
                           f"padding_mode 0, 1 or 2, got {interpolation_mode!r} and "
                           f"{padding_mode!r}")
    return _nn.F.grid_sample(input, grid, _INTERP[interpolation_mode],
                             _PADDING[padding_mode], align_corners)


def affine_grid_generator(theta, size, align_corners):
    """Same as torch.affine_grid_generator."""
    return _nn.F.affine_grid(theta, list(size), align_corners=align_corners)


# ----------------------------------------------------------------------------- the rest
def _from_F(name):
    """torch.X with nn.functional.X's own signature (activations, shuffles, distances)."""
    return lambda F: getattr(F, name)


_SAME_AS_F = ("conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "bilinear",
              "celu", "celu_", "selu", "selu_", "rrelu", "rrelu_", "threshold", "threshold_",
              "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "pdist",
              "pairwise_distance", "cosine_similarity")

# torch's top-level names that are `input.X(...)` (in torch, the function and method
# variants of one aten op)
METHOD_FORMS = frozenset(
    "abs_ acos_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ atan_ ceil_ "
    "clamp_max_ clamp_min_ clip_ cos_ cosh_ deg2rad_ erf_ exp2_ exp_ expm1_ fix_ floor_ "
    "frac_ index_put_ ldexp_ log10_ log1p_ log2_ log_ nan_to_num_ neg_ negative_ rad2deg_ "
    "reciprocal_ relu_ round_ rsqrt_ sigmoid_ sin_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ "
    "xlogy_ addr dsplit hsplit vsplit fix frexp ldexp hardshrink prelu is_inference "
    "is_nonzero is_same_size is_signed lu_solve orgqr ormqr narrow_copy unsafe_chunk "
    "unsafe_split unsafe_split_with_sizes".split())

# torch's X_copy names (dense ones): the view op X, then a copy
COPY_FORMS = frozenset(
    "alias as_strided detach diagonal expand permute select slice split split_with_sizes "
    "squeeze t transpose unbind unfold unsqueeze view".split())


def method_form(name):
    """torch.<name>(input, ...) as input.<name>(...) (the top-level in-place forms)."""
    def fn(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}")
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Same as torch.{name}: input.{name}(...)."
    return fn


def _slice(input, dim=0, start=None, end=None, step=1):
    index = [slice(None)] * input.dim()
    index[dim] = slice(start, end, step)
    return input[tuple(index)]


_VIEWS = {"alias": lambda t: t.view_as(t), "slice": _slice,
          "as_strided": lambda t, *a, **k: t.as_strided(*a, **k)}


def _copy_form(view):
    name = f"{view}_copy"

    def fn(input, *args, **kwargs):
        op = _VIEWS.get(view) or getattr(type(input), view)
        out = op(input, *args, **kwargs)
        return tuple(o.clone() for o in out) if isinstance(out, (tuple, list)) \
            else out.clone()
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Same as torch.{name}: torch.{view}'s result, copied (no view)."
    return fn


def _own(fn):
    return lambda F: fn


_ATEN = {f.__name__: _own(f) for f in (
    dropout, dropout_, alpha_dropout, alpha_dropout_, feature_alpha_dropout,
    feature_alpha_dropout_, feature_dropout, feature_dropout_, layer_norm, group_norm,
    instance_norm, embedding, embedding_renorm_, max_pool1d, max_pool1d_with_indices,
    max_pool2d, max_pool3d, avg_pool1d, adaptive_avg_pool1d, adaptive_max_pool1d,
    convolution, conv_tbc, constant_pad_nd, kl_div, binary_cross_entropy_with_logits,
    cosine_embedding_loss, hinge_embedding_loss, margin_ranking_loss, poisson_nll_loss,
    triplet_margin_loss, ctc_loss, grid_sampler, affine_grid_generator)}
_ATEN.update({f.__name__: _own(f) for f in (
    _rnn.lstm_cell, _rnn.gru_cell, _rnn.rnn_tanh_cell, _rnn.rnn_relu_cell, _rnn.lstm, _rnn.gru,
    _rnn.rnn_tanh, _rnn.rnn_relu)})
_ATEN["grid_sampler_2d"] = _ATEN["grid_sampler_3d"] = _own(grid_sampler)
_ATEN["svd_lowrank"], _ATEN["pca_lowrank"] = (_own(_lowrank.svd_lowrank),
                                              _own(_lowrank.pca_lowrank))
# the legacy constructor torch has for bfloat16 too (FloatTensor & co. are autograd's)
_ATEN["BFloat16Tensor"] = _own(_cr._typed("BFloat16Tensor", backend.bfloat16))
_ATEN.update({n: _from_F(n) for n in _SAME_AS_F})
_ATEN.update({n: _own(getattr(_sw, n)) for n in (
    "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
    "get_deterministic_debug_mode", "set_float32_matmul_precision",
    "get_float32_matmul_precision", "set_warn_always", "is_warn_always_enabled",
    "set_flush_denormal", "get_num_interop_threads", "set_num_interop_threads",
    "init_num_threads", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
    "set_anomaly_enabled", "set_autocast_enabled", "set_autocast_dtype",
    "is_autocast_cpu_enabled", "set_autocast_cpu_enabled", "get_autocast_cpu_dtype",
    "get_autocast_gpu_dtype", "set_autocast_cpu_dtype", "set_autocast_gpu_dtype",
    "is_autocast_cache_enabled", "set_autocast_cache_enabled", "clear_autocast_cache",
    "result_type", "can_cast", "typename", "unravel_index", "OutOfMemoryError")})


class TopLevel(dict):
    """The torch names autograd.__getattr__ serves lazily: name -> (nn.functional ->
    the object). Besides its entries it answers the method forms and the copy forms (one
    rule each); each object is built once."""

    _built: dict = {}

    def _factory(self, name):
        if dict.__contains__(self, name):
            return dict.__getitem__(self, name)
        if name in _ATEN:
            return _ATEN[name]
        # the two rules hold only where Ember's Tensor has the op (the assembled class)
        if name in METHOD_FORMS and hasattr(_tb.Tensor, name):
            return lambda F: method_form(name)
        view = name[:-5]
        if name.endswith("_copy") and view in COPY_FORMS and \
                (view in _VIEWS or hasattr(_tb.Tensor, view)):
            return lambda F: _copy_form(view)
        return None

    def __contains__(self, name):
        return self._factory(name) is not None

    def __getitem__(self, name):
        make = self._factory(name)
        if make is None:
            raise KeyError(name)

        def bound(F):
            _nn.F = F
            if name not in self._built:
                self._built[name] = make(F)
            return self._built[name]
        return bound
