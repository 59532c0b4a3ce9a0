#!/bin/bash
# The prepared device call (docs/benchmarks.md, "GPU"): bf16 parity on CUDA, Qwen2-VL-2B generation and
# GRPO step benchmarks, and the Python reference's GRPO step in the same call for a like-for-like figure.
# Needs .device/ (scripts/device-carry.sh) with py_baseline.py copied in. Every step has its own time limit
# so one failure cannot eat the others'; GPU memory is sampled every 0.5 s and the peak reported per step.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True
J=${J:-"bash .device/run-java.sh dev.virft.cli.Main"}
DEV=${DEV:-cuda}; M=${M:-qwen2-vl-2b}; NEW=${NEW:-128}; IMG=${IMG:-448}; STEPS=${STEPS:-1000}
LOG="$OUT/steps.log"; : > "$LOG"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$OUT/gpu.txt" 2>&1
(while true; do echo "$(date +%s.%N) $(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits)"; sleep 0.5; done) > /tmp/mem.log 2>/dev/null &
POLL=$!
SUMMARY="$OUT/summary.txt"; : > "$SUMMARY"
step() {
  local name=$1 limit=$2; shift 2
  if [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $name "* ]]; then return; fi
  local t0; t0=$(date +%s.%N)
  echo "===== $name: $*" >> "$LOG"
  timeout "$limit" "$@" > /tmp/step.log 2>&1; local rc=$?
  cat /tmp/step.log >> "$LOG"; tail -n 25 /tmp/step.log
  local t1; t1=$(date +%s.%N)
  local peak; peak=$(awk -v a="$t0" -v b="$t1" '$1>=a && $1<=b && $2>m {m=$2} END {print m+0}' /tmp/mem.log)
  printf '%-16s rc=%-3s wall=%6.1fs peak_gpu_mem=%s MiB\n' "$name" "$rc" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" "$peak" | tee -a "$SUMMARY"
}
step parity_q2vl 60 $J parity --device $DEV --golden src/test/resources/golden/qwen2_vl
step parity_q25vl 45 $J parity --device $DEV --golden src/test/resources/golden/qwen2_5_vl
step grpo_2b 200 $J bench grpo --model $M --device $DEV --num_generations 8 --max_new_tokens $NEW --image $IMG --prompt_tokens 63 --steps 2
step py_baseline 130 python3 .device/py_baseline.py "$OUT/py_baseline.json"
step generate_2b 110 $J bench generate --model $M --device $DEV --batch 8 --prompt-len 64 --new-tokens $NEW --runs 3 --decode-steps $STEPS --warmup-steps 100
step vision_2b 40 $J bench vision --preset qwen2-vl-2b --device $DEV --dtype bfloat16 ${VDEPTH:+--depth $VDEPTH} --image 448x448 --iters 5 --backward
kill $POLL 2>/dev/null
echo "== py"; cat "$OUT/py_baseline.json" 2>/dev/null
echo "== summary"; cat "$SUMMARY"
