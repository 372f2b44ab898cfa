from . import data, optim, utils
