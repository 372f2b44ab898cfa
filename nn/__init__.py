"""Ember's nn: modules, layers, losses and training utilities on top of autograd."""

# --- layers (branch `layers`): conv, pooling, norm, dropout, embedding, rnn, attention
