"""PyTorch's side of the safetensors interop test (test/io/torch-interop.test.ts).

The `safetensors` Python package is not assumed: files are read and written here with struct + json and
torch.frombuffer, following the format's definition (8-byte little-endian header length, JSON header, raw data).

  read DIR FILE...      print, as JSON, every tensor of each FILE in DIR widened to float64 by torch
  compare DIR F32 HALF...  check that each tensor of each HALF file equals torch's rounding of the F32 file's
  write DIR             write a bare-GPT2Model BF16 checkpoint in two shards plus an index, an F16 file and
                        config.json, and print the float64 values torch reads back from them
"""
import json
import math
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "F16": torch.float16, "BF16": torch.bfloat16}
NAMES = {v: k for k, v in DTYPES.items()}


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    out = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        data = bytearray(raw[8 + n + begin : 8 + n + end])
        t = torch.frombuffer(data, dtype=DTYPES[e["dtype"]]) if data else torch.empty(0, dtype=DTYPES[e["dtype"]])
        out[name] = (e["dtype"], t.reshape(e["shape"]))
    return out


def save(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.contiguous()
        data = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def as_json(tensors):
    # JSON has no infinities or NaN: those travel as the strings "inf", "-inf", "nan"
    def number(v):
        return v if math.isfinite(v) else repr(v)

    return {name: {"dtype": dt, "shape": list(t.shape), "values": [number(v) for v in t.to(torch.float64).flatten().tolist()]}
            for name, (dt, t) in tensors.items()}


def gpt2_tensors(vocab, positions, embd, layers, gen):
    shapes = {"wte.weight": [vocab, embd], "wpe.weight": [positions, embd]}
    for i in range(layers):
        p = f"h.{i}."
        shapes.update({
            p + "ln_1.weight": [embd], p + "ln_1.bias": [embd],
            p + "attn.c_attn.weight": [embd, 3 * embd], p + "attn.c_attn.bias": [3 * embd],
            p + "attn.c_proj.weight": [embd, embd], p + "attn.c_proj.bias": [embd],
            p + "ln_2.weight": [embd], p + "ln_2.bias": [embd],
            p + "mlp.c_fc.weight": [embd, 4 * embd], p + "mlp.c_fc.bias": [4 * embd],
            p + "mlp.c_proj.weight": [4 * embd, embd], p + "mlp.c_proj.bias": [embd],
        })
    shapes.update({"ln_f.weight": [embd], "ln_f.bias": [embd]})
    return {name: torch.randn(shape, generator=gen) * 0.3 for name, shape in shapes.items()}


def write(folder):
    gen = torch.Generator().manual_seed(1234)
    vocab, positions, embd, layers = 13, 6, 8, 2
    weights = {name: t.to(torch.bfloat16) for name, t in gpt2_tensors(vocab, positions, embd, layers, gen).items()}
    # an older transformers also saved the causal-mask buffer; a loader must accept and ignore it
    weights["h.0.attn.bias"] = torch.tril(torch.ones(positions, positions)).reshape(1, 1, positions, positions).to(torch.bfloat16)
    names = list(weights)
    shards = {"model-00001-of-00002.safetensors": names[: len(names) // 2], "model-00002-of-00002.safetensors": names[len(names) // 2 :]}
    for shard, members in shards.items():
        save(f"{folder}/{shard}", {n: weights[n] for n in members})
    total = sum(t.numel() * 2 for t in weights.values())
    with open(f"{folder}/model.safetensors.index.json", "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": {n: s for s, m in shards.items() for n in m}}, f)
    config = {"model_type": "gpt2", "architectures": ["GPT2Model"], "vocab_size": vocab, "n_positions": positions,
              "n_embd": embd, "n_layer": layers, "n_head": 2, "n_inner": None, "activation_function": "gelu_pytorch_tanh",
              "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0, "layer_norm_epsilon": 1e-5, "torch_dtype": "bfloat16"}
    with open(f"{folder}/config.json", "w") as f:
        json.dump(config, f)
    # F16 edge values: subnormals, the largest finite value, infinities, negative zero
    edge = torch.tensor([0.1, -2.5, 6e-8, 6.1e-5, 65504.0, float("inf"), float("-inf"), -0.0], dtype=torch.float16)
    save(f"{folder}/half.safetensors", {"edge": edge, "noise": (torch.randn(3, 5, generator=gen) * 100).to(torch.float16)})
    loaded = {n: ("BF16", t) for n, t in weights.items()}
    loaded.update({"half." + n: v for n, v in load(f"{folder}/half.safetensors").items()})
    print(json.dumps(as_json(loaded)))


def compare(folder, f32_file, half_files):
    full = load(f"{folder}/{f32_file}")
    report = {}
    for half_file in half_files:
        for name, (dt, t) in load(f"{folder}/{half_file}").items():
            expected = full[name][1].to(DTYPES[dt])
            mismatches = int((t.view(torch.int16) != expected.view(torch.int16)).sum())
            report[f"{half_file}:{name}"] = {"dtype": dt, "mismatches": mismatches}
    print(json.dumps(report))


if __name__ == "__main__":
    command, folder = sys.argv[1], sys.argv[2]
    if command == "read":
        result = {}
        for file in sys.argv[3:]:
            result.update({f"{file}:{n}": v for n, v in as_json(load(f"{folder}/{file}")).items()})
        print(json.dumps(result))
    elif command == "compare":
        compare(folder, sys.argv[3], sys.argv[4:])
    elif command == "write":
        write(folder)
    else:
        sys.exit(f"unknown command {command}")
