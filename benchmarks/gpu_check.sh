#!/usr/bin/env bash
# GPU check for the day a CUDA machine is available: qtwin on --device cuda against Aer
# (CPU, and GPU where qiskit-aer-gpu is importable), every step under a timeout so the whole
# script fits in 8 minutes, ending with one summary table.
#
#   bash benchmarks/gpu_check.sh              # results in $OUT (if set) else benchmarks/results/gpu_check
#   OUT=/tmp/gpu bash benchmarks/gpu_check.sh
#
# Steps (seconds of timeout):
#   pytest      60  python -m pytest -m gpu -q (the tests marked gpu; skipped without CUDA)
#   bw_shallow  80  simulator.py brickwork n=20,50,100 depth 10, bond 64 and 256, qtwin cuda vs Aer MPS CPU
#   bw_deep     80  simulator.py brickwork n=50,100 depth 20, bond 64 (truncating), same sides
#   real_quick  80  simulator.py --suite real --quick --no-quimb: qtwin cuda vs Aer MPS (CPU: Aer has
#                   no GPU MPS); dense side qtwin cuda vs Aer statevector on GPU when importable
#                   (quimb is CPU-only and slow on long-range gates: its numbers come from the CPU run)
#   aqc        110  aqc.py --quick --peers aer (from a copy of benchmarks/: it writes results/aqc.json;
#                   aqc.py has no --device, qtwin.aqc runs where its defaults put it)
#   entangle    55  entanglement.py --quick --device cuda
# Unmeasured until a GPU session runs it (see benchmarks/README.md).
set -u
cd "$(dirname "$0")/.."
OUT_DIR="${OUT:-benchmarks/results/gpu_check}"
mkdir -p "$OUT_DIR"
export OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
STATUS_FILE="$OUT_DIR/steps.tsv"
: >"$STATUS_FILE"

python - <<'EOF' >"$OUT_DIR/env.txt" 2>&1
import torch
print("torch", torch.__version__, "cuda", torch.cuda.is_available(),
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else "-")
try:
    from qiskit_aer import AerSimulator
    print("aer devices", AerSimulator().available_devices())
except Exception as exc:  # noqa: BLE001
    print("aer", exc)
EOF
cat "$OUT_DIR/env.txt"
if grep -q "'GPU'" "$OUT_DIR/env.txt"; then AER_DEVICE=GPU; else AER_DEVICE=CPU; fi

# step NAME TIMEOUT_S COMMAND...: run with a timeout, log to $OUT_DIR/NAME.log, record rc and time
step() {
    local name=$1 limit=$2
    shift 2
    local t0=$SECONDS
    echo "== $name (timeout ${limit}s): $*"
    timeout -k 5 "$limit" "$@" >"$OUT_DIR/$name.log" 2>&1
    local rc=$?
    printf '%s\t%s\t%s\n' "$name" "$rc" "$((SECONDS - t0))" >>"$STATUS_FILE"
    tail -n 12 "$OUT_DIR/$name.log"
}

step pytest 60 python -m pytest -m gpu -q -p no:cacheprovider
step bw_shallow 80 python benchmarks/simulator.py --device cuda --no-quimb \
    --cases 20x10,50x10,100x10 --bonds 64,256 --out "$OUT_DIR/simulator_brickwork_shallow.json"
step bw_deep 80 python benchmarks/simulator.py --device cuda --no-quimb \
    --cases 50x20,100x20 --bonds 64 --out "$OUT_DIR/simulator_brickwork_deep.json"
step real_quick 80 python benchmarks/simulator.py --suite real --quick --device cuda --no-quimb \
    --aer-device "$AER_DEVICE" --timeout 20 --out "$OUT_DIR/simulator_real_quick.json"
AQC_TMP=$(mktemp -d)
cp -r benchmarks "$AQC_TMP/benchmarks"
step aqc 110 python "$AQC_TMP/benchmarks/aqc.py" --quick --peers aer
cp "$AQC_TMP/benchmarks/results/aqc.json" "$OUT_DIR/aqc_quick.json" 2>/dev/null
rm -rf "$AQC_TMP"
step entangle 55 python benchmarks/entanglement.py --quick --device cuda --out "$OUT_DIR/entanglement_quick.json"

python - "$OUT_DIR" <<'EOF' | tee "$OUT_DIR/summary.txt"
"""One table: every step's exit status and time, and its headline number from its JSON."""
import json
import sys
from pathlib import Path

out = Path(sys.argv[1])


def load(name):
    try:
        return json.loads((out / name).read_text())
    except (OSError, ValueError):
        return None


def brickwork(name):
    data = load(name)
    if not data:
        return "no results"
    return "; ".join(
        f"n={r['n']} d={r['depth']} b={r['max_bond']} aer/qtwin={r['aer_over_qtwin']:.2f}"
        for r in data["rows"]
    )


def real():
    data = load("simulator_real_quick.json")
    if not data:
        return "no results"
    s = data["summary"]
    fmt = lambda x: "-" if x is None else f"{x:.2f}"  # noqa: E731
    return (f"geomean tn/aer {fmt(s['geomean_tn_over_aer'])}, tn/quimb "
            f"{fmt(s['geomean_tn_over_quimb'])}, dense tn/aer({data['aer_device']}) "
            f"{fmt(s['geomean_dense_tn_over_aer'])}; checks {s['verdicts']}")


def tail(name):
    try:
        lines = (out / f"{name}.log").read_text().strip().splitlines()
        return lines[-1][:110] if lines else ""
    except OSError:
        return ""


headline = {
    "pytest": lambda: tail("pytest"),
    "bw_shallow": lambda: brickwork("simulator_brickwork_shallow.json"),
    "bw_deep": lambda: brickwork("simulator_brickwork_deep.json"),
    "real_quick": real,
    "aqc": lambda: tail("aqc"),
    "entangle": lambda: tail("entangle"),
}
print((out / "env.txt").read_text().strip())
print(f"{'step':<11} {'rc':>4} {'s':>5}  headline (rc 124: timed out)")
for line in (out / "steps.tsv").read_text().splitlines():
    name, rc, secs = line.split("\t")
    print(f"{name:<11} {rc:>4} {secs:>5}  {headline[name]()}")
EOF
