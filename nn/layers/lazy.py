"""Lazy modules (same as torch.nn's LazyLinear, LazyConv*, LazyConvTranspose*,
LazyBatchNorm*, LazyInstanceNorm*): the input-size argument is left out and inferred from
the first input; until then the weights are `UninitializedParameter`s (and the running
statistics `UninitializedBuffer`s). The first forward (or load_state_dict) materialises
them, initialises them as the ordinary layer does, and turns the module into that layer
(`type(m) is nn.Linear` afterwards, as in PyTorch)."""
from __future__ import annotations

import autograd as ag
from autograd.tensor import Parameter, Tensor

from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .linear import Linear
from .norm import (
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
)


class UninitializedTensorMixin:
    """materialize(shape, device=None, dtype=None): give the tensor its shape (uninitialised
    values) and make it an ordinary Parameter / Tensor."""

    __slots__ = ()

    def materialize(self, shape, device=None, dtype=None):
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        new = ag.empty(shape, device=device or self.device, dtype=dtype or self.dtype)
        self.array = new.array
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return f"<{type(self).__name__}>"


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """Same as torch.nn.UninitializedParameter: a parameter whose shape is not known yet."""

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad=True, device=None, dtype=None):
        super().__init__(ag.empty(0, device=device, dtype=dtype), requires_grad)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """Same as torch.nn.UninitializedBuffer: a buffer whose shape is not known yet."""

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        t = ag.empty(0, device=device, dtype=dtype)
        t.__class__ = cls
        return t.requires_grad_(requires_grad)

    def __init__(self, requires_grad=False, device=None, dtype=None):
        pass


def _uninitialized(t) -> bool:
    return isinstance(t, UninitializedTensorMixin)


class LazyModuleMixin:
    """Same as torch.nn.modules.lazy.LazyModuleMixin: `initialize_parameters(*input)` runs
    as a forward pre-hook on the first call; `has_uninitialized_params()`."""

    cls_to_become = None

    def _lazy_setup(self):
        object.__setattr__(self, "_initialize_hook", self.register_forward_pre_hook(
            self._infer_parameters, with_kwargs=True))
        object.__setattr__(self, "_load_hook",
                           self.register_load_state_dict_pre_hook(self._lazy_load_hook))

    def has_uninitialized_params(self) -> bool:
        return any(_uninitialized(t) for t in (*self._parameters.values(),
                                                 *self._buffers.values()))

    def initialize_parameters(self, *args, **kwargs):
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {type(self).__name__}")

    def _infer_parameters(self, module, args, kwargs=None):
        self.initialize_parameters(*args, **(kwargs or {}))
        if self.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        self._finish_lazy()

    def _finish_lazy(self):
        for name in ("_initialize_hook", "_load_hook"):
            hook = self.__dict__.pop(name, None)
            if hook is not None:
                hook.remove()
        if self.cls_to_become is not None:
            self.__class__ = self.cls_to_become

    def _lazy_load_hook(self, module, state_dict, prefix, local_metadata, strict, missing,
                        unexpected, errors):
        """Materialise uninitialised entries to the shapes of the checkpoint's."""
        for name, t in (*self._parameters.items(), *self._buffers.items()):
            key = prefix + name
            if key in state_dict and _uninitialized(t):
                t.materialize(tuple(state_dict[key].shape))
        if not self.has_uninitialized_params() and "_initialize_hook" in self.__dict__:
            self._finish_lazy()

    def _materialize_like(self, in_size: int):
        """Materialise the parameters and buffers with in_size as the inferred size."""
        with ag.no_grad():
            for t in (*self._parameters.values(), *self._buffers.values()):
                if _uninitialized(t):
                    t.materialize(self._shape_of(t, in_size))
            self.reset_parameters()


class LazyLinear(LazyModuleMixin, Linear):
    """Same as torch.nn.LazyLinear(out_features, bias=True)."""

    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        super().__init__(0, 0, False, device, dtype)
        self.out_features = out_features
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        self._lazy_setup()

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def _shape_of(self, t, in_size):
        return (self.out_features, in_size) if t is self.weight else (self.out_features,)

    def initialize_parameters(self, input, *args, **kwargs):
        if self.has_uninitialized_params():
            self.in_features = input.shape[-1]
            self._materialize_like(self.in_features)


class _LazyConv(LazyModuleMixin):
    def _lazy_conv_init(self, out_channels, bias, device, dtype):
        self.out_channels = out_channels
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        self.in_channels = 0
        self._lazy_setup()

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def _shape_of(self, t, in_size):
        if t is not self.weight:
            return (self.out_channels,)
        if self.transposed:
            return (in_size, self.out_channels // self.groups) + self.kernel_size
        return (self.out_channels, in_size // self.groups) + self.kernel_size

    def initialize_parameters(self, input, *args, **kwargs):
        if self.has_uninitialized_params():
            batched = input.ndim == self._dims + 2
            if input.ndim not in (self._dims + 1, self._dims + 2):
                raise RuntimeError(
                    f"Expected {self._dims + 1}D (unbatched) or {self._dims + 2}D (batched) "
                    f"input to {type(self).__name__}, but got input of size: "
                    f"{list(input.shape)}")
            self.in_channels = input.shape[1 if batched else 0]
            if self.in_channels % self.groups:
                raise ValueError("in_channels must be divisible by groups")
            self._materialize_like(self.in_channels)


def _conv(base, doc):
    class LazyConv(_LazyConv, base):
        __doc__ = doc
        cls_to_become = base

        def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                     groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
            base.__init__(self, 0, 0, kernel_size, stride, padding, dilation,
                          groups, False, padding_mode, device, dtype)
            self._lazy_conv_init(out_channels, bias, device, dtype)
    return LazyConv


def _conv_transpose(base, doc):
    class LazyConvTranspose(_LazyConv, base):
        __doc__ = doc
        cls_to_become = base

        def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                     groups=1, bias=True, dilation=1, padding_mode="zeros", device=None,
                     dtype=None):
            base.__init__(self, 0, 0, kernel_size, stride, padding, output_padding,
                          groups, False, dilation, padding_mode, device, dtype)
            self._lazy_conv_init(out_channels, bias, device, dtype)
    return LazyConvTranspose


LazyConv1d = _conv(Conv1d, "Same as torch.nn.LazyConv1d (in_channels from the input).")
LazyConv2d = _conv(Conv2d, "Same as torch.nn.LazyConv2d (in_channels from the input).")
LazyConv3d = _conv(Conv3d, "Same as torch.nn.LazyConv3d (in_channels from the input).")
LazyConvTranspose1d = _conv_transpose(ConvTranspose1d, "Same as torch.nn.LazyConvTranspose1d.")
LazyConvTranspose2d = _conv_transpose(ConvTranspose2d, "Same as torch.nn.LazyConvTranspose2d.")
LazyConvTranspose3d = _conv_transpose(ConvTranspose3d, "Same as torch.nn.LazyConvTranspose3d.")


class _LazyNorm(LazyModuleMixin):
    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None):
        super().__init__(0, eps, momentum, False, False, device, dtype)
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = ag.tensor(0, dtype=ag.int64, device=device)
        self._lazy_setup()

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def _shape_of(self, t, in_size):
        return (in_size,)

    def initialize_parameters(self, input, *args, **kwargs):
        if self.has_uninitialized_params():
            self.num_features = input.shape[1]  # as PyTorch (the channel dim of a batch)
            self._materialize_like(self.num_features)


def _norm(base, doc, **defaults):
    class LazyNorm(_LazyNorm, base):
        __doc__ = doc
        cls_to_become = base

        def __init__(self, eps=1e-5, momentum=0.1, affine=defaults["affine"],
                     track_running_stats=defaults["track"], device=None, dtype=None):
            super().__init__(eps, momentum, affine, track_running_stats, device, dtype)
    return LazyNorm


LazyBatchNorm1d = _norm(BatchNorm1d, "Same as torch.nn.LazyBatchNorm1d.", affine=True,
                        track=True)
LazyBatchNorm2d = _norm(BatchNorm2d, "Same as torch.nn.LazyBatchNorm2d.", affine=True,
                        track=True)
LazyBatchNorm3d = _norm(BatchNorm3d, "Same as torch.nn.LazyBatchNorm3d.", affine=True,
                        track=True)
LazyInstanceNorm1d = _norm(InstanceNorm1d, "Same as torch.nn.LazyInstanceNorm1d.",
                           affine=True, track=True)  # torch's defaults, unlike InstanceNorm
LazyInstanceNorm2d = _norm(InstanceNorm2d, "Same as torch.nn.LazyInstanceNorm2d.",
                           affine=True, track=True)  # torch's defaults, unlike InstanceNorm
LazyInstanceNorm3d = _norm(InstanceNorm3d, "Same as torch.nn.LazyInstanceNorm3d.",
                           affine=True, track=True)  # torch's defaults, unlike InstanceNorm

for _cls, _name in [(LazyConv1d, "LazyConv1d"), (LazyConv2d, "LazyConv2d"),
                    (LazyConv3d, "LazyConv3d"), (LazyConvTranspose1d, "LazyConvTranspose1d"),
                    (LazyConvTranspose2d, "LazyConvTranspose2d"),
                    (LazyConvTranspose3d, "LazyConvTranspose3d"),
                    (LazyBatchNorm1d, "LazyBatchNorm1d"), (LazyBatchNorm2d, "LazyBatchNorm2d"),
                    (LazyBatchNorm3d, "LazyBatchNorm3d"),
                    (LazyInstanceNorm1d, "LazyInstanceNorm1d"),
                    (LazyInstanceNorm2d, "LazyInstanceNorm2d"),
                    (LazyInstanceNorm3d, "LazyInstanceNorm3d")]:
    _cls.__name__ = _cls.__qualname__ = _name
