"""A TRL DPOTrainer that trains with SLIME (slime_loss.py) instead of DPO.

DPOTrainer hands its loss only summed log-probs per completion; SLIME's stabilizer needs every rejected token. So
this subclass replaces DPOTrainer's per-batch hook, `get_batch_loss_metrics` (used for training and evaluation): a
forward pass over prompt + completion for chosen and for rejected, per-token log-probs of the completion tokens,
then `slime_loss`. Everything else (data preparation, accelerate, logging, checkpoints) is DPOTrainer's.

Written for TRL 0.13 to 0.19 (the batch fields of DataCollatorForPreference: prompt/chosen/rejected `_input_ids`
and `_attention_mask`, prompts left-padded, completions right-padded). It is not run in slimegrad's CI, which has
no TRL; only slime_loss.py is tested there. SLIME is reference-free: the reference model DPOTrainer keeps is unused.
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

    def get_batch_loss_metrics(self, model, batch, train_eval="train"):
        """DPOTrainer's per-batch hook for training and evaluation alike: SLIME's loss and TRL-named metrics."""
        chosen, chosen_mask = self._completion_logps(model, batch, "chosen")
        rejected, rejected_mask = self._completion_logps(model, batch, "rejected")
        loss, terms, chosen_rewards, rejected_rewards = slime_loss(
            chosen, chosen_mask, rejected, rejected_mask, preset=self.slime_preset, **self.slime_overrides)
        prefix = "eval_" if train_eval == "eval" else ""
        mean = lambda t: self.accelerator.gather_for_metrics(t.detach()).float().mean().item()  # noqa: E731
        metrics = {f"{prefix}slime/{name}": mean(value.reshape(1)) for name, value in terms.items()}
        metrics[f"{prefix}rewards/chosen"] = mean(chosen_rewards)
        metrics[f"{prefix}rewards/rejected"] = mean(rejected_rewards)
        metrics[f"{prefix}rewards/margins"] = mean(chosen_rewards - rejected_rewards)
        metrics[f"{prefix}rewards/accuracies"] = mean((chosen_rewards > rejected_rewards).float())
        return loss, metrics
