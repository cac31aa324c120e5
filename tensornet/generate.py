"""Generate qtwin's reference-MPS corpus: one ``<name>.npz`` per state and ``manifest.json``.

Run from anywhere with the project's Python (quimb is a core dependency)::

    python tensornet/generate.py            # (re)write every state and the manifest
    python tensornet/generate.py --check    # recompute and compare with the files on disk

The states are made by quimb, so they are an independent reference for qtwin's simulator:

* ground states of open spin chains by quimb's two-site DMRG (``DMRG2``), with the
  Hamiltonian written in qtwin's Pauli convention (:mod:`qtwin.circuits.hamiltonians`);
  the manifest records the DMRG energy and, where the chain is free-fermionic (TFIM, XX),
  the exact energy from its closed form;
* quenched states :math:`e^{-iHt}|\\text{Néel}\\rangle` by quimb's TEBD (4th-order
  Trotter–Suzuki, small step, bond cap);
* random MPS with a prescribed entanglement profile (von Neumann entropy at every cut),
  reached by alternating projections: random tensors, then sweeps that set the Schmidt
  spectrum of each cut to a geometric one of the wanted entropy, until every cut is within
  ``1e-5`` nats of its target.

File format: ``numpy.savez`` with arrays ``site_0 .. site_{n-1}``, complex128, shape
``(chi_left, d, chi_right)`` (qtwin's layout; site ``i`` is qubit ``i``, so the dense vector
is little-endian as everywhere in qtwin). ``manifest.json`` records per state its ``name``,
``file``, ``kind``, ``num_sites``, ``dims``, ``bond_dims``, ``description``, the
``hamiltonian`` (the :mod:`qtwin.circuits.hamiltonians` function and its arguments), the
``energy`` (or ``time``), the ``entropy_profile`` in nats, the norm and the file's
``sha256``. ``--check`` compares states by their amplitudes (overlap), not bytes (zip
headers carry a date).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import quimb as qu
import quimb.tensor as qtn

HERE = Path(__file__).resolve().parent
SEED = 2026


# --------------------------------------------------------------------------- Hamiltonians
def _pauli_ham(
    n: int, zz: float, xx: float = 0.0, yy: float = 0.0, x: float = 0.0, z: float = 0.0
) -> qtn.SpinHam1D:
    """sum_i (xx X_iX_{i+1} + yy Y_iY_{i+1} + zz Z_iZ_{i+1}) + sum_i (x X_i + z Z_i) with
    Pauli matrices (quimb's strings are spin-1/2 operators S = sigma / 2)."""
    h = qtn.SpinHam1D(S=1 / 2)
    for coeff, op in ((xx, "X"), (yy, "Y"), (zz, "Z")):
        if coeff:
            h += 4 * coeff, op, op
    for coeff, op in ((x, "X"), (z, "Z")):
        if coeff:
            h += 2 * coeff, op
    return h


MODELS: dict[str, Callable[..., qtn.SpinHam1D]] = {
    # name of the qtwin.circuits.hamiltonians function -> the same Hamiltonian for quimb
    "transverse_field_ising": lambda n, J=1.0, g=1.0: _pauli_ham(n, zz=-J, x=-g),
    "xxz_chain": lambda n, J=1.0, delta=1.0: _pauli_ham(n, xx=J, yy=J, zz=J * delta),
    "heisenberg_chain": lambda n, J=1.0: _pauli_ham(n, xx=J, yy=J, zz=J),
}


def tfim_exact_energy(n: int, J: float, g: float) -> float:
    """Ground energy of the open chain -J sum ZZ - g sum X (Jordan–Wigner free fermions):
    E0 = -(1/2) sum_k s_k, s_k the singular values of the bidiagonal matrix with 2g on the
    diagonal and 2J above it."""
    t = np.diag(np.full(n, 2.0 * g)) + np.diag(np.full(n - 1, 2.0 * J), 1)
    return float(-0.5 * np.linalg.svd(t, compute_uv=False).sum())


def xx_exact_energy(n: int, J: float) -> float:
    """Ground energy of the open chain J sum (XX + YY): free fermions with hopping 2J,
    single-particle energies 4J cos(k pi / (n + 1)); the negative ones are filled."""
    eps = 4.0 * J * np.cos(np.arange(1, n + 1) * np.pi / (n + 1))
    return float(eps[eps < 0].sum())


# --------------------------------------------------------------------------- builders
def _qtwin_layout(mps: qtn.MatrixProductState) -> list[np.ndarray]:
    """quimb MPS -> list of (chi_l, d, chi_r) complex128 arrays, site i = qubit i."""
    from qtwin.tensornet.quimb_interop import from_quimb

    return [t.resolve_conj().numpy().astype(np.complex128) for t in from_quimb(mps).tensors]


def ground_state(model: str, n: int, max_bond: int, **params: float) -> dict[str, Any]:
    ham = MODELS[model](n, **params).build_mpo(n)
    dmrg = qtn.DMRG2(ham, bond_dims=[8, 16, max_bond], cutoffs=1e-12)
    # dense local Hamiltonians: quimb 1.15 with cotengra 0.8.3 fails in the lazy matvec
    # ("'numpy.ndarray' object has no attribute 'get_function'") for chains of ~20 sites
    dmrg.opts["local_eig_ham_dense"] = True
    dmrg.solve(tol=1e-11, max_sweeps=40, verbosity=0)
    psi = dmrg.state
    psi /= psi.norm()
    energy = float(np.real(dmrg.energy))
    out: dict[str, Any] = {
        "kind": "ground_state",
        "tensors": _qtwin_layout(psi),
        "hamiltonian": {"function": model, "n": n, **params},
        "energy": energy,
        "energy_method": f"quimb DMRG2, bond dims <= {max_bond}, tol 1e-11",
    }
    if model == "transverse_field_ising":
        out["energy_exact"] = tfim_exact_energy(n, params.get("J", 1.0), params.get("g", 1.0))
    if model == "xxz_chain" and params.get("delta", 1.0) == 0.0:
        out["energy_exact"] = xx_exact_energy(n, params.get("J", 1.0))
    return out


def quench(model: str, n: int, time: float, max_bond: int, **params: float) -> dict[str, Any]:
    from qtwin.circuits import neel_bitstring

    bits = neel_bitstring(n)  # Qiskit order: qubit q is bits[-1 - q]
    psi0 = qtn.MPS_computational_state("".join(bits[-1 - q] for q in range(n)))
    ham = MODELS[model](n, **params).build_local_ham(n)
    tebd = qtn.TEBD(psi0, ham, dt=0.01, split_opts={"max_bond": max_bond, "cutoff": 1e-12})
    tebd.update_to(time, order=4, progbar=False)
    psi = tebd.pt
    psi /= psi.norm()
    return {
        "kind": "quench",
        "tensors": _qtwin_layout(psi),
        "hamiltonian": {"function": model, "n": n, **params},
        "initial_state": "neel",
        "time": time,
        "truncation_error": float(tebd.err),
        "method": f"quimb TEBD, order 4, dt 0.01, max_bond {max_bond}, cutoff 1e-12",
    }


def _geometric_spectrum(k: int, entropy: float) -> np.ndarray:
    """Schmidt values s_j ∝ exp(-beta j / 2), j < k, whose entropy (nats) is ``entropy``."""
    lo, hi = 0.0, 60.0
    for _ in range(200):
        beta = (lo + hi) / 2
        p = np.exp(-beta * np.arange(k))
        p /= p.sum()
        s = float(-(p * np.log(p)).sum())
        lo, hi = (beta, hi) if s > entropy else (lo, beta)
    return np.sqrt(p)


def random_profile(n: int, max_bond: int, slope: float, seed: int) -> dict[str, Any]:
    """Random MPS whose entropy at cut c is min(slope * min(c, n - c), 0.9 log chi_c)."""
    import torch

    from qtwin.tensornet import MPS
    from qtwin.tensornet.linalg import svd

    rng = np.random.default_rng(seed)
    chi = [1] + [min(2 ** min(c, n - c), max_bond) for c in range(1, n)] + [1]
    target = [min(slope * min(c, n - c), 0.9 * math.log(chi[c])) for c in range(1, n)]
    spectra = [_geometric_spectrum(chi[c], target[c - 1]) for c in range(1, n)]
    shapes = [(chi[i], 2, chi[i + 1]) for i in range(n)]
    psi = MPS(
        [torch.as_tensor(rng.normal(size=s) + 1j * rng.normal(size=s)) for s in shapes]
    ).normalize()
    for _ in range(200):
        psi.canonicalize(0)
        t = psi.tensors
        for c in range(1, n):  # the centre is on site c - 1: set the spectrum of cut c
            a = t[c - 1]
            u, _, vh = svd(a.reshape(-1, a.shape[2]))
            lam = torch.as_tensor(spectra[c - 1][: vh.shape[0]], dtype=u.dtype)
            lam = lam / torch.linalg.vector_norm(lam)
            t[c - 1] = u.reshape(a.shape[0], 2, -1)
            t[c] = torch.tensordot(lam.unsqueeze(-1) * vh, t[c], dims=1)
        psi.center = n - 1
        if np.max(np.abs(psi.entropy_profile() - np.asarray(target))) < 1e-5:
            break
    return {
        "kind": "random_profile",
        "tensors": [x.resolve_conj().numpy().astype(np.complex128) for x in psi.tensors],
        "target_entropy_profile": target,
        "method": (
            f"seed {seed}: complex Gaussian tensors, then alternating projections of every "
            "cut's Schmidt spectrum onto a geometric one of the target entropy"
        ),
    }


# --------------------------------------------------------------------------- the corpus
STATES: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
    "tfim_critical_20": (
        "TFIM ground state at the critical point, H = -sum Z_iZ_{i+1} - sum X_i, 20 sites.",
        lambda: ground_state("transverse_field_ising", 20, 16, J=1.0, g=1.0),
    ),
    "tfim_ordered_24": (
        "TFIM ground state in the ordered phase (g = 0.5), 24 sites: short-range entangled.",
        lambda: ground_state("transverse_field_ising", 24, 8, J=1.0, g=0.5),
    ),
    "xx_20": (
        "XX chain ground state, H = sum (X_iX_{i+1} + Y_iY_{i+1}), 20 sites (free fermions).",
        lambda: ground_state("xxz_chain", 20, 24, J=1.0, delta=0.0),
    ),
    "heisenberg_12": (
        "Heisenberg chain ground state, H = sum (XX + YY + ZZ), 12 sites, exact bond 32.",
        lambda: ground_state("heisenberg_chain", 12, 32, J=1.0),
    ),
    "xxz_quench_20": (
        "Neel state after an XXZ quench (J = 0.5, Delta = 2, t = 0.5; the AQC tutorial's "
        "target), 20 sites.",
        lambda: quench("xxz_chain", 20, 0.5, 32, J=0.5, delta=2.0),
    ),
    "tfim_quench_16": (
        "Neel state after a critical TFIM quench (t = 1.0), 16 sites.",
        lambda: quench("transverse_field_ising", 16, 1.0, 32, J=1.0, g=1.0),
    ),
    "random_profile_16": (
        "Random MPS, bond 16, entropy 0.45 nats per site from each end up to a plateau.",
        lambda: random_profile(16, 16, 0.45, SEED),
    ),
}


def _entropy_profile(tensors: list[np.ndarray]) -> list[float]:
    import torch

    from qtwin.tensornet import MPS

    return [float(s) for s in MPS([torch.as_tensor(t) for t in tensors]).entropy_profile()]


def _record(name: str, description: str, built: dict[str, Any], path: Path) -> dict[str, Any]:
    tensors = built.pop("tensors")
    rec: dict[str, Any] = {
        "name": name,
        "file": path.name,
        "kind": built.pop("kind"),
        "num_sites": len(tensors),
        "dims": [int(t.shape[1]) for t in tensors],
        "bond_dims": [int(t.shape[2]) for t in tensors[:-1]],
        "description": description,
        "source": f"tensornet/generate.py:{name}",
        **built,
        "entropy_profile": _entropy_profile(tensors),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    return rec


def _overlap(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    env = np.ones((1, 1), dtype=complex)
    for x, y in zip(a, b, strict=True):
        env = np.einsum("ab,asc,bsd->cd", env, x.conj(), y)
    return float(abs(env[0, 0]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk")
    args = parser.parse_args(argv)
    records = []
    bad = []
    for name, (description, build) in STATES.items():
        built = build()
        path = HERE / f"{name}.npz"
        if args.check:
            with np.load(path) as f:
                disk = [f[f"site_{i}"] for i in range(len(f.files))]
            fid = _overlap(disk, built["tensors"]) ** 2
            print(f"{name}: fidelity with the file {fid:.12f}")
            if fid < 1 - 1e-8:
                bad.append(name)
            continue
        np.savez(path, **{f"site_{i}": t for i, t in enumerate(built["tensors"])})
        records.append(_record(name, description, built, path))
        print(f"wrote {path.name} ({path.stat().st_size / 1024:.0f} KiB)")
    if args.check:
        return 1 if bad else 0
    manifest = {
        "generator": "tensornet/generate.py",
        "seed": SEED,
        "quimb_version": qu.__version__,
        "format": "numpy .npz, arrays site_0 .. site_{n-1}, complex128, (chi_l, d, chi_r)",
        "site_order": "site i is qubit i (dense vectors little-endian, as in Qiskit)",
        "entropy_unit": "nats",
        "states": records,
    }
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
