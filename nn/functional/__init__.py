"""Same as torch.nn.functional: the function form of every layer, activation and loss."""
from .activation import (
    celu,
    celu_,
    elu,
    elu_,
    gelu,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    hardtanh_,
    leaky_relu,
    leaky_relu_,
    log_softmax,
    logsigmoid,
    mish,
    prelu,
    relu,
    relu6,
    relu_,
    rrelu,
    rrelu_,
    selu,
    selu_,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    softshrink,
    softsign,
    tanh,
    tanhshrink,
    threshold,
    threshold_,
)
from .linear import bilinear, linear, normalize, one_hot
from .loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)

# isort: split
# --- layers (branch `layers`): conv, pooling, norm, dropout, embedding, attention
from .attention import scaled_dot_product_attention
from .conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .dropout import dropout, dropout2d
from .embedding import embedding
from .normalization import batch_norm, group_norm, layer_norm
from .pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)

# isort: split
# --- vision, normalisation and distance extras (branch `more-vision`)
from .distance import (
    cosine_embedding_loss,
    cosine_similarity,
    pairwise_distance,
    triplet_margin_loss,
)
from .normalization import instance_norm, local_response_norm, rms_norm
from .vision import (
    interpolate,
    pixel_shuffle,
    pixel_unshuffle,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)

# isort: split
# --- padding, 3-d layers, fold/unfold, dropout and pooling extras (branch `r2-layers3`)
from .conv import conv3d, conv_transpose3d
from .dropout import alpha_dropout, dropout1d, dropout3d, feature_alpha_dropout
from .im2col import channel_shuffle, fold, unfold
from .padding import pad  # PyTorch's argument rules over the engine's pad op
from .pooling import adaptive_avg_pool3d, avg_pool3d, max_pool3d
from .pooling_extra import (
    lp_pool1d,
    lp_pool2d,
    lp_pool3d,
    max_unpool1d,
    max_unpool2d,
    max_unpool3d,
)

# isort: split
# --- more losses (branch `more-losses`)
from .likelihood_loss import gaussian_nll_loss, poisson_nll_loss
from .margin_loss import (
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    soft_margin_loss,
)

# isort: split
# --- embedding_bag and ctc_loss (branch `r3-embbag`)
from .ctc import ctc_loss
from .embedding import embedding_bag

# isort: split
# --- the remaining names of torch.nn.functional (branch `r4-surfB`)
from autograd.tensor import Tensor  # torch.nn.functional re-exports torch.Tensor

from .extra import (
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d_with_indices,
    adaptive_max_pool3d,
    adaptive_max_pool3d_with_indices,
    affine_grid,
    assert_int_or_pair,
    conv_tbc,
    grid_sample,
    grouped_mm,
    gumbel_softmax,
    linear_cross_entropy,
    max_pool1d_with_indices,
    max_pool2d_with_indices,
    max_pool3d_with_indices,
    native_channel_shuffle,
    pdist,
    triplet_margin_with_distance_loss,
)
from .fractional import (  # noqa: E402
    fractional_max_pool2d,
    fractional_max_pool2d_with_indices,
    fractional_max_pool3d,
    fractional_max_pool3d_with_indices,
)
from .mha import multi_head_attention_forward  # noqa: E402
