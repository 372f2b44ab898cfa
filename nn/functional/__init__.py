"""Function forms of the layers, activations and losses; same as torch.nn.functional."""

# --- layers (branch `layers`): conv, pooling, norm, dropout, embedding, attention
from .conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
