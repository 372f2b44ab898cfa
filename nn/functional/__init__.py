"""Same as torch.nn.functional: the function form of every layer, activation and loss."""
from .activation import (
    elu,
    gelu,
    leaky_relu,
    log_softmax,
    logsigmoid,
    relu,
    relu_,
    sigmoid,
    silu,
    softmax,
    softplus,
    tanh,
)
from .linear import bilinear, linear
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
