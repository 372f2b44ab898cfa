"""Training utilities: gradient clipping, checkpoints (safetensors), early stopping, gradient
health per parameter (`GradientMonitor`, `grad_report`), a per-layer `summary` (parameters,
shapes, bytes saved for backward), parametrizations and packed sequences (`nn.utils.rnn`)."""
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .early_stopping import EarlyStopping
from .serialization import load, save

__all__ = ["clip_grad_norm_", "clip_grad_value_", "EarlyStopping", "save", "load",
           "parameters_to_vector", "vector_to_parameters"]
from .monitor import GradientMonitor, grad_report  # noqa: E402
from .summary import summary  # noqa: E402

__all__ += ["GradientMonitor", "grad_report", "summary"]
from . import (  # noqa: E402
    parametrizations,
    parametrize,
    rnn,  # nn.utils.rnn: pad_sequence, PackedSequence, ...
    stateless,
)
from .weight_norm import (  # noqa: E402  (the functions shadow the module, as in torch)
    remove_spectral_norm,
    remove_weight_norm,
    spectral_norm,
    weight_norm,
)

__all__ += ["parametrize", "parametrizations", "stateless", "weight_norm", "remove_weight_norm",
            "spectral_norm", "remove_spectral_norm"]
from .clip_grad import clip_grad_norm, clip_grads_with_norm_, get_total_norm  # noqa: E402
from .fusion import (  # noqa: E402
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)
from .memory_format import (  # noqa: E402
    convert_conv2d_weight_memory_format,
    convert_conv3d_weight_memory_format,
    skip_init,
)

__all__ += ["clip_grad_norm", "clip_grads_with_norm_", "get_total_norm", "fuse_conv_bn_eval",
            "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights",
            "convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format",
            "skip_init"]
