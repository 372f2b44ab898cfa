"""Function forms of the layers, activations and losses; same as torch.nn.functional."""

# --- layers (branch `layers`): conv, pooling, norm, dropout, embedding, attention
from .attention import scaled_dot_product_attention
from .conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .dropout import dropout, dropout2d
from .embedding import embedding
from .normalization import batch_norm, group_norm, layer_norm
from .pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
