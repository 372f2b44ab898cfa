"""Rows of the bad-input table for nn.functional (conv, pooling, losses, embedding,
normalisation, activations): (id, fn(lib))."""
from tests.autograd.bad_input import ints, mixed_precision, t


def F(L):
    return L.nn.functional


ROWS = []


def row(rid, fn):
    ROWS.append((rid, fn))


# ---- convolutions: dims x bad inputs --------------------------------------------------
for d in (1, 2, 3):
    sp = (5,) * d
    ks = (3,) * d
    conv = f"conv{d}d"
    row(f"{conv}-ok", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 2, 3, *sp), t(L, 4, 3, *ks)))
    row(f"{conv}-channels", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 2, 2, *sp), t(L, 4, 3, *ks)))
    row(f"{conv}-rank-low", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 3, *sp[:-1]), t(L, 4, 3, *ks)))
    row(f"{conv}-rank-high", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 1, 2, 3, *sp), t(L, 4, 3, *ks)))
    row(f"{conv}-unbatched", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 3, *sp), t(L, 4, 3, *ks)))
    row(f"{conv}-weight-rank", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 2, 3, *sp), t(L, 4, 3)))
    row(f"{conv}-kernel-big", lambda L, conv=conv, sp=sp:
        getattr(F(L), conv)(t(L, 1, 3, *sp), t(L, 4, 3, *(7,) * len(sp))))
    row(f"{conv}-neg-padding", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 1, 3, *sp), t(L, 4, 3, *ks), padding=-1))
    row(f"{conv}-stride0", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 1, 3, *sp), t(L, 4, 3, *ks), stride=0))
    row(f"{conv}-dilation0", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 1, 3, *sp), t(L, 4, 3, *ks), dilation=0))
    row(f"{conv}-groups", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 1, 4, *sp), t(L, 3, 2, *ks), groups=2))
    row(f"{conv}-groups0", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 1, 3, *sp), t(L, 4, 3, *ks), groups=0))
    row(f"{conv}-bias-shape", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 1, 3, *sp), t(L, 4, 3, *ks), t(L, 5)))
    row(f"{conv}-padding-str", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 1, 3, *sp), t(L, 4, 3, *ks), padding="full"))
    row(f"{conv}-same-stride", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 1, 3, *sp), t(L, 4, 3, *ks), padding="same", stride=2))
    row(f"{conv}-same-ok", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 1, 3, *sp), t(L, 4, 3, *ks), padding="same"))
    row(f"{conv}-dtype", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 1, 3, *sp), t(L, 4, 3, *ks, dtype=L.float64)))
    row(f"{conv}-int", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(ints(L, 1, 3, *sp), ints(L, 4, 3, *ks)))
    row(f"{conv}-padding-len", lambda L, conv=conv, sp=sp, ks=ks:
        getattr(F(L), conv)(t(L, 1, 3, *sp), t(L, 4, 3, *ks), padding=(1,) * (d + 1)))
    if d < 3:
        ct = f"conv_transpose{d}d"
        row(f"{ct}-ok", lambda L, ct=ct, sp=sp, ks=ks:
            getattr(F(L), ct)(t(L, 2, 3, *sp), t(L, 3, 4, *ks)))
        row(f"{ct}-channels", lambda L, ct=ct, sp=sp, ks=ks:
            getattr(F(L), ct)(t(L, 2, 2, *sp), t(L, 3, 4, *ks)))
        row(f"{ct}-rank", lambda L, ct=ct, sp=sp, ks=ks:
            getattr(F(L), ct)(t(L, *sp), t(L, 3, 4, *ks)))
        row(f"{ct}-output_padding", lambda L, ct=ct, sp=sp, ks=ks:
            getattr(F(L), ct)(t(L, 1, 3, *sp), t(L, 3, 4, *ks), output_padding=2))
        row(f"{ct}-stride0", lambda L, ct=ct, sp=sp, ks=ks:
            getattr(F(L), ct)(t(L, 1, 3, *sp), t(L, 3, 4, *ks), stride=0))
        row(f"{ct}-neg-padding", lambda L, ct=ct, sp=sp, ks=ks:
            getattr(F(L), ct)(t(L, 1, 3, *sp), t(L, 3, 4, *ks), padding=-1))

# ---- pooling --------------------------------------------------------------------------
for d in (1, 2, 3):
    sp = (4,) * d
    for kind in ("max", "avg", "lp"):
        if kind == "lp" and d == 3:
            continue
        op = f"{kind}_pool{d}d"

        def call(L, x, k, op=op, kind=kind, **kw):
            fn = getattr(F(L), op)
            return fn(x, 2.0, k, **kw) if kind == "lp" else fn(x, k, **kw)
        row(f"{op}-ok", lambda L, call=call, sp=sp: call(L, t(L, 1, 2, *sp), 2))
        row(f"{op}-kernel-big", lambda L, call=call, sp=sp: call(L, t(L, 1, 2, *sp), 5))
        row(f"{op}-kernel0", lambda L, call=call, sp=sp: call(L, t(L, 1, 2, *sp), 0))
        row(f"{op}-stride0", lambda L, call=call, sp=sp:
            call(L, t(L, 1, 2, *sp), 2, stride=0))
        row(f"{op}-rank-low", lambda L, call=call, sp=sp: call(L, t(L, *sp), 2))
        row(f"{op}-rank-high", lambda L, call=call, sp=sp: call(L, t(L, 1, 1, 2, *sp), 2))
        row(f"{op}-int", lambda L, call=call, sp=sp: call(L, ints(L, 1, 2, *sp), 2))
        if kind != "lp":
            row(f"{op}-pad-big", lambda L, call=call, sp=sp:
                call(L, t(L, 1, 2, *sp), 2, padding=2))
            row(f"{op}-pad-neg", lambda L, call=call, sp=sp:
                call(L, t(L, 1, 2, *sp), 2, padding=-1))
    for kind in ("max", "avg") if d < 3 else ("avg",):  # no adaptive_max_pool3d in Ember
        op = f"adaptive_{kind}_pool{d}d"
        row(f"{op}-ok", lambda L, op=op, sp=sp: getattr(F(L), op)(t(L, 1, 2, *sp), 2))
        row(f"{op}-neg", lambda L, op=op, sp=sp: getattr(F(L), op)(t(L, 1, 2, *sp), -1))
        row(f"{op}-rank", lambda L, op=op, sp=sp: getattr(F(L), op)(t(L, *sp[:-1]), 2))
        row(f"{op}-len", lambda L, op=op, sp=sp:
            getattr(F(L), op)(t(L, 1, 2, *sp), (2,) * (d + 1)))
row("max_pool2d-dilation0", lambda L: F(L).max_pool2d(t(L, 1, 1, 4, 4), 2, dilation=0))
row("max_pool2d-indices", lambda L: F(L).max_pool2d(t(L, 1, 1, 4, 4), 2,
                                                    return_indices=True))
row("max_unpool2d-size", lambda L: F(L).max_unpool2d(t(L, 1, 1, 2, 2), ints(L, 1, 1, 2, 2),
                                                     2, output_size=(9, 9)))
row("max_unpool2d-float-idx", lambda L: F(L).max_unpool2d(t(L, 1, 1, 2, 2),
                                                          t(L, 1, 1, 2, 2), 2))

# ---- padding / resampling / vision ----------------------------------------------------
PAD = {
    "odd": lambda L: F(L).pad(t(L, 1, 2, 4), (1,)),
    "too-long": lambda L: F(L).pad(t(L, 1, 2, 4), (1, 1, 1, 1, 1, 1, 1, 1)),
    "reflect-big": lambda L: F(L).pad(t(L, 1, 2, 4), (4, 4), mode="reflect"),
    "reflect-ok": lambda L: F(L).pad(t(L, 1, 2, 4), (3, 3), mode="reflect"),
    "reflect-1d-rank": lambda L: F(L).pad(t(L, 4), (1, 1), mode="reflect"),
    "replicate-rank": lambda L: F(L).pad(t(L, 4), (1, 1, 1, 1, 1, 1), mode="replicate"),
    "circular-big": lambda L: F(L).pad(t(L, 1, 2, 4), (5, 5), mode="circular"),
    "bad-mode": lambda L: F(L).pad(t(L, 1, 2, 4), (1, 1), mode="wrap"),
    "neg-ok": lambda L: F(L).pad(t(L, 1, 2, 4), (-1, -1)),
    "neg-too-much": lambda L: F(L).pad(t(L, 1, 2, 4), (-3, -3)),
    "float-pad": lambda L: F(L).pad(t(L, 1, 2, 4), (1.5, 1)),
    "value-reflect": lambda L: F(L).pad(t(L, 1, 2, 4), (1, 1), mode="reflect", value=1.0),
}
for rid, fn in PAD.items():
    row(f"pad-{rid}", fn)
INTERP = {
    "no-size": lambda L: F(L).interpolate(t(L, 1, 1, 4)),
    "both": lambda L: F(L).interpolate(t(L, 1, 1, 4), size=8, scale_factor=2.0),
    "bad-mode": lambda L: F(L).interpolate(t(L, 1, 1, 4), size=8, mode="cubic"),
    "linear-2d": lambda L: F(L).interpolate(t(L, 1, 1, 4, 4), size=8, mode="linear"),
    "bilinear-1d": lambda L: F(L).interpolate(t(L, 1, 1, 4), size=8, mode="bilinear"),
    "rank-2": lambda L: F(L).interpolate(t(L, 1, 4), size=8),
    "size-len": lambda L: F(L).interpolate(t(L, 1, 1, 4, 4), size=(8, 8, 8)),
    "neg-size": lambda L: F(L).interpolate(t(L, 1, 1, 4), size=-2),
    "align-nearest": lambda L: F(L).interpolate(t(L, 1, 1, 4), size=8, align_corners=True),
    "ok": lambda L: F(L).interpolate(t(L, 1, 1, 4), size=8, mode="linear"),
}
for rid, fn in INTERP.items():
    row(f"interpolate-{rid}", fn)
row("pixel_shuffle-div", lambda L: F(L).pixel_shuffle(t(L, 1, 3, 2, 2), 2))
row("pixel_shuffle-rank", lambda L: F(L).pixel_shuffle(t(L, 4, 2), 2))
row("pixel_unshuffle-div", lambda L: F(L).pixel_unshuffle(t(L, 1, 1, 3, 3), 2))
row("unfold-rank", lambda L: F(L).unfold(t(L, 1, 4, 4), 2))
row("unfold-kernel-big", lambda L: F(L).unfold(t(L, 1, 1, 4, 4), 5))
row("fold-bad", lambda L: F(L).fold(t(L, 1, 4, 5), (3, 3), 2))
row("grid_sample-shape", lambda L: F(L).grid_sample(t(L, 1, 1, 4, 4), t(L, 1, 3, 3, 3),
                                                    align_corners=False))
row("grid_sample-batch", lambda L: F(L).grid_sample(t(L, 1, 1, 4, 4), t(L, 2, 3, 3, 2),
                                                    align_corners=False))
row("affine_grid-theta", lambda L: F(L).affine_grid(t(L, 1, 3, 3), (1, 1, 4, 4),
                                                    align_corners=False))
row("channel_shuffle-div", lambda L: F(L).channel_shuffle(t(L, 1, 3, 2, 2), 2))

# ---- losses: each x bad kinds ---------------------------------------------------------
REGRESSION = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "soft_margin_loss",
              "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss"]
for op in REGRESSION:
    row(f"{op}-ok", lambda L, op=op: getattr(F(L), op)(t(L, 3, 4), t(L, 3, 4).abs()))
    row(f"{op}-shape", lambda L, op=op: getattr(F(L), op)(t(L, 3, 4), t(L, 4, 3).abs()))
    row(f"{op}-broadcast", lambda L, op=op: getattr(F(L), op)(t(L, 3, 4), t(L, 4).abs()))
    row(f"{op}-int-target", lambda L, op=op: getattr(F(L), op)(t(L, 3, 4), ints(L, 3, 4)))
    row(f"{op}-f64-target", mixed_precision(lambda L, op=op: getattr(F(L), op)(
        t(L, 3, 4), t(L, 3, 4, dtype=L.float64).abs())))
    row(f"{op}-reduction", lambda L, op=op: getattr(F(L), op)(
        t(L, 3, 4), t(L, 3, 4).abs(), reduction="avg"))
    row(f"{op}-0d", lambda L, op=op: getattr(F(L), op)(t(L), t(L).abs()))
    row(f"{op}-list-target", lambda L, op=op: getattr(F(L), op)(t(L, 2), [0.5, 0.5]))
row("binary_cross_entropy-ok", lambda L: F(L).binary_cross_entropy(t(L, 3).sigmoid(),
                                                                    t(L, 3).abs()))
row("binary_cross_entropy-shape", lambda L: F(L).binary_cross_entropy(t(L, 3).sigmoid(),
                                                                       t(L, 4).abs()))
row("binary_cross_entropy-int", lambda L: F(L).binary_cross_entropy(t(L, 3).sigmoid(),
                                                                     ints(L, 3, high=2)))
row("binary_cross_entropy-weight", lambda L: F(L).binary_cross_entropy(
    t(L, 3).sigmoid(), t(L, 3).abs(), weight=t(L, 4)))
row("binary_cross_entropy-oob-input", lambda L: F(L).binary_cross_entropy(
    t(L, 3) + 2.0, t(L, 3).abs()))
row("binary_cross_entropy-f64-target", lambda L: F(L).binary_cross_entropy(
    t(L, 3).sigmoid(), t(L, 3, dtype=L.float64).abs()))
row("binary_cross_entropy-f64-weight", lambda L: F(L).binary_cross_entropy(
    t(L, 3).sigmoid(), t(L, 3).abs(), weight=t(L, 3, dtype=L.float64).abs(),
    reduction="none"))
row("bce_with_logits-f64-input", mixed_precision(lambda L: F(
    L).binary_cross_entropy_with_logits(t(L, 3, 4, dtype=L.float64), t(L, 3, 4).abs())))
row("bce_with_logits-f64-pos_weight", mixed_precision(lambda L: F(
    L).binary_cross_entropy_with_logits(t(L, 3, 4), t(L, 3, 4).abs(),
                                        pos_weight=t(L, 4, dtype=L.float64).abs())))
row("bce_with_logits-pos_weight", lambda L: F(L).binary_cross_entropy_with_logits(
    t(L, 3, 4), t(L, 3, 4).abs(), pos_weight=t(L, 5)))
CE = {
    "ok": lambda L: F(L).cross_entropy(t(L, 3, 5), ints(L, 3, high=5)),
    "class-oob": lambda L: F(L).cross_entropy(t(L, 3, 5), ints(L, 3, high=5) + 5),
    "class-neg": lambda L: F(L).cross_entropy(t(L, 3, 5), ints(L, 3, high=5) - 5),
    "float-target-ok": lambda L: F(L).cross_entropy(t(L, 3, 5), t(L, 3, 5).softmax(1)),
    "float-target-shape": lambda L: F(L).cross_entropy(t(L, 3, 5), t(L, 3, 4).softmax(1)),
    "float-target-1d": lambda L: F(L).cross_entropy(t(L, 3, 5), t(L, 3)),
    "batch": lambda L: F(L).cross_entropy(t(L, 3, 5), ints(L, 4, high=5)),
    "int32-target": lambda L: F(L).cross_entropy(t(L, 3, 5), ints(L, 3, dtype=L.int32)),
    "bool-target": lambda L: F(L).cross_entropy(t(L, 3, 5), ints(L, 3) > 0),
    "weight-len": lambda L: F(L).cross_entropy(t(L, 3, 5), ints(L, 3), weight=t(L, 4)),
    "weight-f64": lambda L: F(L).cross_entropy(t(L, 3, 5), ints(L, 3),
                                               weight=t(L, 5, dtype=L.float64)),
    "float-target-f64": mixed_precision(lambda L: F(L).cross_entropy(
        t(L, 3, 5), t(L, 3, 5, dtype=L.float64).softmax(1))),
    "0d-input": lambda L: F(L).cross_entropy(t(L), ints(L)),
    "1d-input-ok": lambda L: F(L).cross_entropy(t(L, 5), ints(L)),
    "2d-target": lambda L: F(L).cross_entropy(t(L, 3, 5), ints(L, 3, 1)),
    "int-input": lambda L: F(L).cross_entropy(ints(L, 3, 5), ints(L, 3)),
    "smoothing-oob": lambda L: F(L).cross_entropy(t(L, 3, 5), ints(L, 3),
                                                  label_smoothing=1.5),
    "spatial-ok": lambda L: F(L).cross_entropy(t(L, 2, 5, 3), ints(L, 2, 3, high=5)),
    "spatial-shape": lambda L: F(L).cross_entropy(t(L, 2, 5, 3), ints(L, 2, 4, high=5)),
    "ignore-ok": lambda L: F(L).cross_entropy(t(L, 3, 5), L.tensor([0, -100, 2])),
    "reduction": lambda L: F(L).cross_entropy(t(L, 3, 5), ints(L, 3), reduction="all"),
}
for rid, fn in CE.items():
    row(f"cross_entropy-{rid}", fn)
NLL = {
    "ok": lambda L: F(L).nll_loss(t(L, 3, 5), ints(L, 3, high=5)),
    "class-oob": lambda L: F(L).nll_loss(t(L, 3, 5), ints(L, 3, high=5) + 5),
    "class-neg": lambda L: F(L).nll_loss(t(L, 3, 5), ints(L, 3, high=5) - 5),
    "float-target": lambda L: F(L).nll_loss(t(L, 3, 5), t(L, 3)),
    "batch": lambda L: F(L).nll_loss(t(L, 3, 5), ints(L, 4)),
    "weight-len": lambda L: F(L).nll_loss(t(L, 3, 5), ints(L, 3), weight=t(L, 6)),
    "weight-f64": lambda L: F(L).nll_loss(t(L, 3, 5), ints(L, 3),
                                          weight=t(L, 5, dtype=L.float64)),
    "0d": lambda L: F(L).nll_loss(t(L), ints(L)),
    "2d-target": lambda L: F(L).nll_loss(t(L, 3, 5), ints(L, 3, 5)),
    "int32": lambda L: F(L).nll_loss(t(L, 3, 5), ints(L, 3, dtype=L.int32)),
}
for rid, fn in NLL.items():
    row(f"nll_loss-{rid}", fn)
PAIR = {  # (input1, input2, target) losses
    "margin_ranking_loss": lambda L, n: (t(L, 3), t(L, n), t(L, 3).sign()),
    "cosine_embedding_loss": lambda L, n: (t(L, 3, 4), t(L, n, 4), t(L, 3).sign()),
    "hinge_embedding_loss": lambda L, n: (t(L, 3), t(L, n).sign()),
    "triplet_margin_loss": lambda L, n: (t(L, 3, 4), t(L, 3, 4), t(L, n, 4)),
    "gaussian_nll_loss": lambda L, n: (t(L, 3, 4), t(L, n, 4), t(L, 3, 4).abs()),
    "multilabel_soft_margin_loss": lambda L, n: (t(L, 3, 4), t(L, n, 4).abs()),
}
for op, make in PAIR.items():
    row(f"{op}-ok", lambda L, op=op, make=make: getattr(F(L), op)(*make(L, 3)))
    row(f"{op}-shape", lambda L, op=op, make=make: getattr(F(L), op)(*make(L, 5)))
row("multi_margin_loss-ok", lambda L: F(L).multi_margin_loss(t(L, 3, 5), ints(L, 3)))
row("multi_margin_loss-oob", lambda L: F(L).multi_margin_loss(t(L, 3, 5), ints(L, 3) + 5))
row("multi_margin_loss-p", lambda L: F(L).multi_margin_loss(t(L, 3, 5), ints(L, 3), p=3))
row("multilabel_margin_loss-float", lambda L: F(L).multilabel_margin_loss(t(L, 3, 5),
                                                                           t(L, 3, 5)))
row("gaussian_nll_loss-neg-var", lambda L: F(L).gaussian_nll_loss(t(L, 3), t(L, 3),
                                                                   -t(L, 3).abs()))
row("kl_div-bad-reduction", lambda L: F(L).kl_div(t(L, 3), t(L, 3), reduction="bad"))
row("ctc_loss-lengths", lambda L: F(L).ctc_loss(t(L, 5, 2, 4).log_softmax(2),
                                                ints(L, 2, 3, high=3) + 1,
                                                L.tensor([6, 5]), L.tensor([3, 3])))

# ---- embedding / one_hot --------------------------------------------------------------
EMB = {
    "ok": lambda L: F(L).embedding(ints(L, 2, 3, high=5), t(L, 5, 4)),
    "oob": lambda L: F(L).embedding(ints(L, 3) + 5, t(L, 5, 4)),
    "neg": lambda L: F(L).embedding(ints(L, 3) - 5, t(L, 5, 4)),
    "float-idx": lambda L: F(L).embedding(t(L, 3), t(L, 5, 4)),
    "1d-weight": lambda L: F(L).embedding(ints(L, 3), t(L, 5)),
    "0d-idx": lambda L: F(L).embedding(ints(L), t(L, 5, 4)),
    "int32-idx": lambda L: F(L).embedding(ints(L, 3, dtype=L.int32), t(L, 5, 4)),
    "padding-oob": lambda L: F(L).embedding(ints(L, 3), t(L, 5, 4), padding_idx=7),
    "padding-neg-ok": lambda L: F(L).embedding(ints(L, 3), t(L, 5, 4), padding_idx=-1),
    "padding-neg-oob": lambda L: F(L).embedding(ints(L, 3), t(L, 5, 4), padding_idx=-7),
}
for rid, fn in EMB.items():
    row(f"embedding-{rid}", fn)
ONEHOT = {
    "ok": lambda L: F(L).one_hot(ints(L, 3), 4),
    "oob": lambda L: F(L).one_hot(ints(L, 3) + 4, 4),
    "neg": lambda L: F(L).one_hot(ints(L, 3) - 4, 4),
    "float": lambda L: F(L).one_hot(t(L, 3), 4),
    "classes-small": lambda L: F(L).one_hot(ints(L, 3, high=3), 2),
    "classes-zero": lambda L: F(L).one_hot(ints(L, 3), 0),
    "classes-auto": lambda L: F(L).one_hot(ints(L, 3)),
    "0d": lambda L: F(L).one_hot(ints(L), 4),
    "int32": lambda L: F(L).one_hot(ints(L, 3, dtype=L.int32), 4),
    "bool": lambda L: F(L).one_hot(ints(L, 3) > 0, 2),
}
for rid, fn in ONEHOT.items():
    row(f"one_hot-{rid}", fn)

# ---- normalisation / activations with bad arguments ----------------------------------
NORM = {
    "layer_norm-shape": lambda L: F(L).layer_norm(t(L, 2, 3), (4,)),
    "layer_norm-weight": lambda L: F(L).layer_norm(t(L, 2, 3), (3,), t(L, 4)),
    "layer_norm-int": lambda L: F(L).layer_norm(ints(L, 2, 3), (3,)),
    "layer_norm-ok": lambda L: F(L).layer_norm(t(L, 2, 3), (3,), t(L, 3), t(L, 3)),
    "rms_norm-shape": lambda L: F(L).rms_norm(t(L, 2, 3), (4,)),
    "group_norm-div": lambda L: F(L).group_norm(t(L, 2, 6, 2), 4),
    "group_norm-weight": lambda L: F(L).group_norm(t(L, 2, 6, 2), 3, t(L, 5)),
    "group_norm-ok": lambda L: F(L).group_norm(t(L, 2, 6, 2), 3),
    "batch_norm-stats": lambda L: F(L).batch_norm(t(L, 3, 4), L.zeros(5), L.ones(5)),
    "batch_norm-train-one": lambda L: F(L).batch_norm(t(L, 1, 4), None, None,
                                                      training=True),
    "batch_norm-weight": lambda L: F(L).batch_norm(t(L, 3, 4), L.zeros(4), L.ones(4),
                                                   weight=t(L, 3)),
    "batch_norm-ok": lambda L: F(L).batch_norm(t(L, 3, 4), L.zeros(4), L.ones(4)),
    "instance_norm-stats": lambda L: F(L).instance_norm(t(L, 2, 3, 4), L.zeros(5),
                                                        L.ones(5)),
    "instance_norm-one": lambda L: F(L).instance_norm(t(L, 2, 3, 1)),
    "local_response_norm-rank": lambda L: F(L).local_response_norm(t(L, 3, 4), 2),
    "normalize-dim": lambda L: F(L).normalize(t(L, 3, 4), dim=2),
    "normalize-int": lambda L: F(L).normalize(ints(L, 3, 4)),
}
for rid, fn in NORM.items():
    row(rid, fn)
ACT = ["relu", "gelu", "silu", "elu", "selu", "celu", "leaky_relu", "softplus", "mish",
       "hardswish", "hardsigmoid", "hardtanh", "relu6", "logsigmoid", "softsign",
       "tanhshrink", "softshrink", "hardshrink", "sigmoid", "tanh"]
for op in ACT:
    row(f"F.{op}-int", lambda L, op=op: getattr(F(L), op)(ints(L, 3)))
    row(f"F.{op}-list", lambda L, op=op: getattr(F(L), op)([1.0]))
    row(f"F.{op}-0d", lambda L, op=op: getattr(F(L), op)(t(L)))
for op in ["softmax", "log_softmax", "softmin", "gumbel_softmax_dim"]:
    if op == "gumbel_softmax_dim":
        continue
    row(f"F.{op}-dim-oob", lambda L, op=op: getattr(F(L), op)(t(L, 2, 3), dim=2))
    row(f"F.{op}-0d-ok", lambda L, op=op: getattr(F(L), op)(t(L), dim=0))
    row(f"F.{op}-0d-oob", lambda L, op=op: getattr(F(L), op)(t(L), dim=1))
    row(f"F.{op}-int", lambda L, op=op: getattr(F(L), op)(ints(L, 3), dim=0))
    row(f"F.{op}-dtype-ok", lambda L, op=op: getattr(F(L), op)(ints(L, 3), dim=0,
                                                               dtype=L.float32))
row("F.glu-odd", lambda L: F(L).glu(t(L, 2, 3)))
row("F.glu-dim-oob", lambda L: F(L).glu(t(L, 2, 4), dim=2))
row("F.glu-0d", lambda L: F(L).glu(t(L)))
row("F.prelu-weight", lambda L: F(L).prelu(t(L, 2, 3), t(L, 4)))
row("F.prelu-0d", lambda L: F(L).prelu(t(L), t(L, 1)))
row("F.threshold-ok", lambda L: F(L).threshold(t(L, 3), 0.1, 20.0))
row("F.hardtanh-min-max", lambda L: F(L).hardtanh(t(L, 3), 1.0, -1.0))
row("F.softshrink-neg", lambda L: F(L).softshrink(t(L, 3), -0.5))
row("F.rrelu-bounds", lambda L: F(L).rrelu(t(L, 3), 0.5, 0.1, training=False))
for op in ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]:
    row(f"F.{op}-p-big", lambda L, op=op: getattr(F(L), op)(t(L, 2, 3, 4, 4), p=1.5))
    row(f"F.{op}-p-neg", lambda L, op=op: getattr(F(L), op)(t(L, 2, 3, 4, 4), p=-0.1))
    row(f"F.{op}-eval-ok", lambda L, op=op: getattr(F(L), op)(t(L, 2, 3, 4, 4), p=0.5,
                                                              training=False))
row("F.dropout1d-rank", lambda L: F(L).dropout1d(t(L, 2, 3, 4, 4), 0.5))
row("F.dropout3d-rank-ok", lambda L: F(L).dropout3d(t(L, 3, 4, 4, 4), 0.5, training=False))
row("F.scaled_dot_product_attention-shape", lambda L: F(L).scaled_dot_product_attention(
    t(L, 2, 3, 4), t(L, 2, 5, 6), t(L, 2, 5, 4)))
row("F.scaled_dot_product_attention-mask", lambda L: F(L).scaled_dot_product_attention(
    t(L, 2, 3, 4), t(L, 2, 5, 4), t(L, 2, 5, 4), attn_mask=t(L, 4, 4)))
row("F.scaled_dot_product_attention-ok", lambda L: F(L).scaled_dot_product_attention(
    t(L, 2, 3, 4), t(L, 2, 5, 4), t(L, 2, 5, 4)))
