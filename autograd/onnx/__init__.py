"""torch.onnx's `export` for Ember models: run the model once under the capture hook
of `Function.apply` and write what it did as an ONNX graph (onnx package), checked with
onnx.checker. Needs the extra: pip install "ember-grad[onnx]".

How it works: the model runs in eval mode (dropout off, batch norm on its running
statistics; the training flags are restored after) with every op call recorded, then
once more per dynamic axis name with that axis one longer; comparing the runs tells which
sizes follow which axis, so reshapes, broadcasts and zero-filled states are written in
terms of the input's shape. Each recorded op class (looked up by its class name) becomes
ONNX nodes (ops_math.py, ops_nn.py; exporter.py drives it); parameters and buffers
become initializers named by their state-dict keys; other constants become
initializers, and ops on constants alone are folded into one (`do_constant_folding`).
An op with no ONNX form raises naming the op, the module whose forward ran it and the
opset.
"""
from __future__ import annotations

from .trace import ExportError

__all__ = ["export", "ExportError"]

_INSTALL = 'onnx export needs the onnx package: pip install "ember-grad[onnx]"'


def export(model, args, f=None, *, input_names: list | None = None,
           output_names: list | None = None, dynamic_axes: dict | None = None,
           opset_version: int = 17, do_constant_folding: bool = True):
    """Same as torch.onnx.export (the TorchScript-style arguments): `args` is a Tensor
    or a tuple passed to `model` (its tensors become the graph's inputs, other values are
    fixed in the graph, a last dict holds keyword arguments), `f` a path or a binary file
    object (None: nothing is written);
    `input_names`/`output_names` name the graph's inputs and (flattened) outputs;
    `dynamic_axes` maps such a name to a list of axes or a dict {axis: name}, which
    become symbolic dimensions; `opset_version` 14 to 20. Returns the onnx.ModelProto
    (torch returns an ONNXProgram from its dynamo exporter, None from the TorchScript one).
    Raises ExportError (a RuntimeError) naming the op, the module and the opset for what
    ONNX cannot express, and ImportError without the onnx package."""
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise ImportError(_INSTALL) from None
    from .exporter import export_model  # imports onnx: only once it is known to exist
    return export_model(model, args, f, input_names, output_names, dynamic_axes,
                        opset_version, do_constant_folding)
