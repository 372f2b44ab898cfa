"""Tensor's method families, one mixin class per family; `autograd/tensor.py` assembles
`Tensor` from its core and these. Each method is a one-line call into an op in
`autograd/ops/` (or `creation`, `linalg`, `sampling`), written out so that a grep finds it."""
