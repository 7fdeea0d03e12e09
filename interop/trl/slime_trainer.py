"""A TRL DPOTrainer that trains with SLIME (slime_loss.py) instead of DPO.

DPOTrainer hands its loss only summed log-probs per completion; SLIME's stabilizer needs every rejected token, so
this subclass replaces `compute_loss`: one forward pass over prompt+completion for chosen and rejected, per-token
log-probs of the completion tokens, then `slime_loss`. Everything else (data collation, accelerate, logging,
checkpoints) is DPOTrainer's. Written for the batch fields of TRL's DataCollatorForPreference (TRL 0.13 to 0.19:
prompt/chosen/rejected `_input_ids` and `_attention_mask`, prompts left-padded, completions right-padded); it is not
run in slimegrad's CI, which has no TRL. SLIME is reference-free: the reference model DPOTrainer keeps is not read.
"""

import torch
from trl import DPOTrainer

from slime_loss import slime_config, slime_loss


class SlimeTrainer(DPOTrainer):
    """DPOTrainer with the SLIME loss. `slime_preset` is "paper" or "script"; `slime_overrides` any config keys."""

    def __init__(self, *args, slime_preset="paper", slime_overrides=None, **kwargs):
        # checked before the (slow) model set-up, so a typo fails at once
        slime_config(slime_preset, **(slime_overrides or {}))
        self.slime_preset = slime_preset
        self.slime_overrides = dict(slime_overrides or {})
        super().__init__(*args, **kwargs)

    @staticmethod
    def _completion_logps(model, batch, side):
        prompt_ids, prompt_mask = batch["prompt_input_ids"], batch["prompt_attention_mask"]
        ids, mask = batch[f"{side}_input_ids"], batch[f"{side}_attention_mask"]
        attention = torch.cat([prompt_mask, mask], dim=1)
        # prompts are left-padded: positions must count real tokens only, or GPT-2 sees shifted positions
        positions = (attention.cumsum(dim=1) - 1).clamp(min=0)
        logits = model(input_ids=torch.cat([prompt_ids, ids], dim=1), attention_mask=attention,
                       position_ids=positions).logits
        # the logits at position t predict token t + 1, so the completion is read from the last prompt position on
        logits = logits[:, prompt_ids.shape[1] - 1 : -1].float()
        logps = torch.log_softmax(logits, dim=-1).gather(-1, ids.unsqueeze(-1)).squeeze(-1)
        return logps, mask.bool()

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        chosen, chosen_mask = self._completion_logps(model, inputs, "chosen")
        rejected, rejected_mask = self._completion_logps(model, inputs, "rejected")
        loss, terms, chosen_rewards, rejected_rewards = slime_loss(
            chosen, chosen_mask, rejected, rejected_mask, preset=self.slime_preset, **self.slime_overrides)
        metrics = {f"slime/{name}": value.item() for name, value in terms.items()}
        metrics["rewards/chosen"] = chosen_rewards.mean().item()
        metrics["rewards/rejected"] = rejected_rewards.mean().item()
        metrics["rewards/margins"] = (chosen_rewards - rejected_rewards).mean().item()
        metrics["rewards/accuracies"] = (chosen_rewards > rejected_rewards).float().mean().item()
        if hasattr(self, "store_metrics"):
            self.store_metrics(metrics, train_eval="train" if model.training else "eval")
        return (loss, metrics) if return_outputs else loss
