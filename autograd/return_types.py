"""torch.return_types: the named tuples ops return (`max(dim)`'s values and indices,
`linalg.svd`'s U, S, Vh, ...), tuples whose fields have names, printed as PyTorch prints
them:

    torch.return_types.max(
    values=tensor([1., 1.]),
    indices=tensor([0, 0]))
"""
from __future__ import annotations

from collections import namedtuple


def return_type(name: str, fields) -> type:
    """The named tuple type `name` with `fields` (made once per name: the types of one
    name are the same class, as torch.return_types.<name> is)."""
    cls = globals().get(name)
    if isinstance(cls, type) and cls.__module__ == __name__:
        return cls
    base = namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{name}(\n{body})"
    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__,
                               "__module__": __name__, "__qualname__": name})
    globals()[name] = cls
    return cls
