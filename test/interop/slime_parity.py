"""Parity helper for slime-torch.test.ts: reads batches as JSON on stdin, writes SLIME's loss, terms and the
gradients w.r.t. the per-token log-probs (float64) as JSON on stdout, computed by interop/trl/slime_loss.py, and
the resolved presets and which configs slime_config refuses."""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "interop", "trl"))
from slime_loss import SLIME_PRESETS, slime_config, slime_loss  # noqa: E402

results = []
for batch in json.load(sys.stdin):
    chosen = torch.tensor(batch["chosen"], dtype=torch.float64, requires_grad=True)
    rejected = torch.tensor(batch["rejected"], dtype=torch.float64, requires_grad=True)
    # TRL's loss masks are bool
    chosen_mask = torch.tensor(batch["chosenMask"]) == 1
    rejected_mask = torch.tensor(batch["rejectedMask"]) == 1
    loss, terms, _, _ = slime_loss(chosen, chosen_mask, rejected, rejected_mask, preset=batch["preset"])
    loss.backward()
    results.append({
        "loss": loss.item(),
        "terms": {k: v.item() for k, v in terms.items()},
        "gradChosen": chosen.grad.tolist(),
        "gradRejected": rejected.grad.tolist(),
    })

def refused(overrides):
    try:
        slime_config("paper", **overrides)
        return None
    except ValueError as e:
        return str(e)


refusals = [refused(o) for o in ({"lambda_w": -1}, {"p": 0}, {"kappa": -0.5}, {"lambdaW": 1}, {"delta": -3})]
json.dump({"torch": torch.__version__, "results": results, "presets": SLIME_PRESETS, "refusals": refusals}, sys.stdout)
