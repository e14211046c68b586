#!/usr/bin/env bash
# The GPU check of issue 18: one command, offline, under 8 minutes on the lent GPU machine
# (torch with CUDA, sentence-transformers, scikit-learn, pandas, pyarrow; no Snakemake, cuML,
# OpenVINO or TensorFlow needed). Encode (stage fp16 vs plain SentenceTransformer.encode), the
# k-sweep with the torch K-means backend vs scikit-learn, peak GPU memory: one table.
#
#   bash tests/benchmarks/gpu_check.sh [--dry-run] [--bundle DIR] [more gpu_check.py options]
#
# The bundle (model in float16 + a stratified subset of cleaned reviews, <= 55 MiB) is prepared on
# the development machine by `.venv/bin/python tests/benchmarks/gpu_bundle.py` into
# results/gpu_bundle (the default DIR); carry that folder to the GPU machine. --dry-run: the whole
# check on 200 reviews, on whatever device is here (the CPU on the development machine).
# Output: the table on stdout; gpu_check.{tsv,json,log} under $OUT when set, else results/gpu_check.
set -euo pipefail
cd "$(dirname "$0")/../.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
OUT_DIR="${OUT:-results/gpu_check}"
mkdir -p "$OUT_DIR"
PY="${PYTHON:-$([[ -x .venv/bin/python ]] && echo .venv/bin/python || echo python3)}"
if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
fi
# 470 s: the python side stops starting new k at --budget-s (400 s) and finishes in time
timeout -s KILL 470 "$PY" tests/benchmarks/gpu_check.py --out "$OUT_DIR" "$@" \
    2>&1 | tee "$OUT_DIR/gpu_check.log"
