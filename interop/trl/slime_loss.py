"""SLIME for PyTorch, with TRL's conventions: the same loss as slimegrad's `losses.slime` / `losses.slimeScript`.

SLIME (arXiv 2602.02383, section 4.1) is reference-free and reads per-token log-probs of the completion tokens,
not only their sums, because its stabilizer looks at every rejected token:

    anchor      L_w    = -lambda_w * lbar(y_w)
    stabilizer  L_l    = lambda_l * mean over all rejected completion tokens of the batch of softplus(-l_t - delta)^p
    dual margin L_dist = lambda_d * relu(m_hard - gap) * sigmoid(-kappa * (gap - m_soft)),  gap = lbar_w - lbar_l
    loss = mean over pairs of (L_w + L_dist) + L_l

lbar is a completion's mean per-token log-prob. The gate is differentiated, as in the paper. There is no extra
factor of 3 (the authors' TRL fork multiplies the loss by 3; the paper does not).

Inputs follow TRL: `[B, T]` per-token log-probs of the completion tokens and a `[B, T]` loss mask (bool or 0/1,
True where the token is a completion token). Config keys are snake_case versions of slimegrad's; presets:
"paper" (the paper's values) and "script" (the authors' training script: lambda_l = 0.0005).
"""

import math

import torch
import torch.nn.functional as F

SLIME_PRESETS = {
    "paper": {
        "lambda_w": 0.1, "lambda_l": 0.1, "lambda_d": 1.0, "delta": 1.25,
        "m_hard": 1.5, "m_soft": 1.0, "kappa": 2.5, "p": 2.5,
    },
}
SLIME_PRESETS["script"] = {**SLIME_PRESETS["paper"], "lambda_l": 0.0005}

# the same constraints slimegrad checks, so a config that one side refuses the other refuses too
_RULES = {
    "lambda_w": (">= 0", lambda v: v >= 0), "lambda_l": (">= 0", lambda v: v >= 0),
    "lambda_d": (">= 0", lambda v: v >= 0), "kappa": (">= 0", lambda v: v >= 0), "p": ("> 0", lambda v: v > 0),
    "delta": ("finite", lambda v: True), "m_hard": ("finite", lambda v: True), "m_soft": ("finite", lambda v: True),
}


def slime_config(preset="paper", **overrides):
    """The preset's values with `overrides` on top; unknown keys and out-of-range values are errors."""
    if preset not in SLIME_PRESETS:
        raise ValueError(f"slime: unknown preset {preset!r} (known: {', '.join(SLIME_PRESETS)})")
    config = dict(SLIME_PRESETS[preset])
    for key, value in overrides.items():
        if key not in _RULES:
            raise ValueError(f"slime: unknown config key {key!r} (slime accepts {', '.join(_RULES)})")
        value = float(value)
        rule, ok = _RULES[key]
        if not math.isfinite(value) or not ok(value):
            raise ValueError(f"slime: config {key!r} must be {rule} and finite, got {value}")
        config[key] = value
    return config


def _side(name, logps, mask):
    if logps.dim() != 2 or logps.shape != mask.shape:
        shapes = f"log-probs {tuple(logps.shape)} and mask {tuple(mask.shape)}"
        raise ValueError(f"slime: {name} {shapes} must both be [B, T]")
    mask = mask.to(logps.dtype)
    if ((mask != 0) & (mask != 1)).any():
        raise ValueError(f"slime: the {name} mask must hold only 0 and 1")
    counts = mask.sum(dim=1)
    if (counts == 0).any():
        row = int((counts == 0).nonzero()[0])
        raise ValueError(f"slime: {name} row {row} has no completion tokens")
    # padding may hold anything (even -inf); zero it before it can reach a value or a gradient
    tokens = torch.where(mask.bool(), logps, torch.zeros_like(logps))
    return tokens, mask, tokens.sum(dim=1) / counts


def slime_loss(chosen_logps, chosen_mask, rejected_logps, rejected_mask, preset="paper", **overrides):
    """SLIME on one batch.

    Returns `(loss, terms, chosen_rewards, rejected_rewards)`: the scalar loss, its named parts (anchor,
    stabilizer, margin; they add up to the loss) and, as TRL logs them, the per-pair rewards, which for SLIME are
    the plain mean per-token log-probs (detached).
    """
    c = slime_config(preset, **overrides)
    _, _, lbar_w = _side("chosen", chosen_logps, chosen_mask)
    rejected, rejected_mask, lbar_l = _side("rejected", rejected_logps, rejected_mask)
    gap = lbar_w - lbar_l
    gate = torch.sigmoid(-c["kappa"] * (gap - c["m_soft"]))
    floor = F.softplus(-rejected - c["delta"]).pow(c["p"]) * rejected_mask
    terms = {
        "anchor": -c["lambda_w"] * lbar_w.mean(),
        "stabilizer": c["lambda_l"] * floor.sum() / rejected_mask.sum(),
        "margin": c["lambda_d"] * (F.relu(c["m_hard"] - gap) * gate).mean(),
    }
    loss = terms["anchor"] + terms["stabilizer"] + terms["margin"]
    return loss, terms, lbar_w.detach(), lbar_l.detach()
