"""Training utilities: gradient clipping, checkpoints (safetensors), early stopping."""
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .early_stopping import EarlyStopping
from .serialization import load, save

__all__ = ["clip_grad_norm_", "clip_grad_value_", "EarlyStopping", "save", "load",
           "parameters_to_vector", "vector_to_parameters"]
from .monitor import GradientMonitor, grad_report  # noqa: E402
from .summary import summary  # noqa: E402

__all__ += ["GradientMonitor", "grad_report", "summary"]
from . import rnn  # noqa: E402  (nn.utils.rnn: pad_sequence, PackedSequence, ...)
