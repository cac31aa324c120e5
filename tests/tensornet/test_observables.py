"""qtwin.tensornet.observables: qudit local operators against dense numpy, and the module's
place in the package (it uses only the public face of an MPS; no import cycle)."""

from __future__ import annotations

import numpy as np

from qtwin.tensornet import MPS
from qtwin.tensornet.observables import CanonicalState, local_expectation


def test_local_expectation_on_qudits_matches_dense_numpy() -> None:
    rng = np.random.default_rng(4)
    dims = [3, 2, 3]
    v = rng.normal(size=18) + 1j * rng.normal(size=18)
    psi = MPS.from_dense(v, dims=dims)  # not normalized: the expectation divides by <psi|psi>
    a = rng.normal(size=(6, 6)) + 1j * rng.normal(size=(6, 6))
    op = a + a.conj().T  # Hermitian on sites (2, 1): little-endian, site 2 least significant
    # dense reference: embed op on sites (2, 1) of the little-endian vector (site 0 fastest)
    t = v.reshape(3, 2, 3)  # axes (s2, s1, s0)
    o = op.reshape(2, 3, 2, 3)  # (out s1, out s2, in s1, in s2)
    ot = np.einsum("abcd,dce->bae", o, t)  # contract s2 (axis 0) and s1 (axis 1)
    ref = np.vdot(t, ot) / np.vdot(v, v)
    ours = local_expectation(psi, [(op, (2, 1))])
    assert abs(complex(ours) - ref) < 1e-12
    assert isinstance(psi, CanonicalState)


def test_tensornet_has_no_import_cycle_and_observables_only_use_the_public_face() -> None:
    import ast
    import pathlib

    import qtwin.tensornet as tn

    root = pathlib.Path(tn.__file__).parent
    edges: dict[str, set[str]] = {}
    for f in root.glob("*.py"):
        deps = set()
        for node in ast.parse(f.read_text()).body:  # module-level (eager) imports
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "qtwin.tensornet."
            ):
                deps.add(node.module.rsplit(".", 1)[1])
        edges[f.stem] = deps

    def reaches(a: str, b: str, seen: set[str]) -> bool:
        return any(d == b or (d not in seen and reaches(d, b, seen | {d})) for d in edges[a])

    assert not [m for m in edges if reaches(m, m, {m})], edges
    text = (root / "observables.py").read_text()
    assert "qtwin.tensornet" not in text.split('"""', 2)[2].split("__all__")[0]
    assert "psi._" not in text
