"""Everything that builds and trains models on top of the engine (same as torch.nn)."""
# isort: skip_file
from autograd.tensor import Parameter

from .module import Module
from . import functional, init
from .layers import (
    ELU,
    GELU,
    Bilinear,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSigmoid,
    LogSoftmax,
    ModuleDict,
    ModuleList,
    ReLU,
    Sequential,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
    Unflatten,
)
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from . import data, optim, utils
