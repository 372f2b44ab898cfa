"""The differentiable ops, one file per family. Each op is a `Function` subclass with its
forward and backward side by side, and a snake_case function right below it."""
