"""Randomized benchmarking for qudits of any dimension ("Qudit Designs and Where to Find Them",
arXiv:2603.02659; character RB after Helsen, Xue, Vandersypen, Wehner, npj QI 5, 71, 2019).

- noise channels and their exact fidelities (:mod:`~qtwin.rb.channels`,
  :mod:`~qtwin.rb.fidelity`);
- exact, batched simulation of random Clifford sequences (:mod:`~qtwin.rb.simulate`) and
  decay fits with bootstrap intervals (:mod:`~qtwin.rb.fit`);
- the protocols: standard, character and interleaved RB (:mod:`~qtwin.rb.protocols`);
- qubit RB circuits for any qtwin backend and the qiskit-experiments cross-check
  (:mod:`~qtwin.rb.circuits`).
"""

from qtwin.rb.channels import (
    Channel,
    amplitude_damping_cascade,
    check_cptp,
    coherent_overrotation,
    compose,
    dephasing,
    depolarizing,
    from_kraus,
)
from qtwin.rb.circuits import qiskit_experiments_standard_rb, rb_circuits, run_rb_on_backend
from qtwin.rb.fidelity import average_gate_fidelity, clifford_irreps, entanglement_fidelity
from qtwin.rb.protocols import (
    CharacterRBResult,
    InterleavedRBResult,
    RBWarning,
    StandardRBResult,
    analyze_character_rb,
    character_rb,
    interleaved_rb,
    standard_rb,
)

__all__ = [
    "Channel",
    "CharacterRBResult",
    "InterleavedRBResult",
    "RBWarning",
    "StandardRBResult",
    "amplitude_damping_cascade",
    "analyze_character_rb",
    "average_gate_fidelity",
    "character_rb",
    "check_cptp",
    "clifford_irreps",
    "coherent_overrotation",
    "compose",
    "dephasing",
    "depolarizing",
    "entanglement_fidelity",
    "from_kraus",
    "interleaved_rb",
    "qiskit_experiments_standard_rb",
    "rb_circuits",
    "run_rb_on_backend",
    "standard_rb",
]
