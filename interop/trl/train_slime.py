"""Continue a slimegrad run on GPUs: SLIME preference training of a checkpoint folder with TRL + accelerate.

    accelerate launch --multi_gpu --num_processes 4 interop/trl/train_slime.py \\
        --model runs/showcase/checkpoints/seed0/sft-checkpoint \\
        --data runs/showcase/task-train.jsonl --out runs/trl-slime

The model folder is a slimegrad checkpoint (a Hugging Face GPT-2 folder with its byte-level tokenizer); the data is
TRL preference JSONL (the showcase writes task-train.jsonl). The result is saved in float32 as model.safetensors +
config.json + tokenizer files, which `npm start -- --eval-only` reads. Not run in slimegrad's CI (no TRL there).
"""

import argparse

import torch
from datasets import load_dataset
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import DPOConfig

from slime_trainer import SlimeTrainer

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--model", required=True, help="slimegrad checkpoint folder")
parser.add_argument("--data", required=True, help="TRL preference JSONL")
parser.add_argument("--out", required=True, help="output folder")
parser.add_argument("--preset", default="paper", choices=["paper", "script"])
parser.add_argument("--steps", type=int, default=96)
parser.add_argument("--batch", type=int, default=16, help="pairs per step and device")
parser.add_argument("--lr", type=float, default=1e-3)
args = parser.parse_args()

tokenizer = AutoTokenizer.from_pretrained(args.model)
model = AutoModelForCausalLM.from_pretrained(args.model, torch_dtype=torch.float32)
config = DPOConfig(
    output_dir=args.out, max_steps=args.steps, per_device_train_batch_size=args.batch, learning_rate=args.lr,
    lr_scheduler_type="constant_with_warmup", warmup_ratio=0.1, weight_decay=0.0, max_grad_norm=1.0,
    max_length=model.config.n_positions, logging_steps=10, save_strategy="no", report_to=[],
)
trainer = SlimeTrainer(
    model=model, args=config, processing_class=tokenizer, slime_preset=args.preset,
    train_dataset=load_dataset("json", data_files=args.data, split="train"),
)
trainer.train()
trainer.save_model(args.out)  # model.safetensors + config.json, in the model's float32
tokenizer.save_pretrained(args.out)
