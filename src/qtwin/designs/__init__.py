"""Qudit t-designs in any dimension ("Qudit Designs and Where to Find Them", arXiv:2603.02659).

- groups: the Weyl–Heisenberg group and the single- and multi-qudit Clifford group for every
  ``d`` (:mod:`~qtwin.designs.weyl`, :mod:`~qtwin.designs.clifford`);
- moments: frame potentials, Haar values and design checks
  (:mod:`~qtwin.designs.frame_potentials`, :mod:`~qtwin.designs.haar`);
- weighted state designs in any ``d`` and the linear-programming search for design weights
  (:mod:`~qtwin.designs.weighted`); known designs: MUBs, stabilizer orbits, the qubit Clifford
  group, the binary icosahedral group (:mod:`~qtwin.designs.known`);
- spin coherent and spin-GKP states (:mod:`~qtwin.designs.spin`);
- qudit classical shadows on the shared MPS simulator (:mod:`~qtwin.designs.shadows`);
- approximate unitary designs from native high-spin and cavity-QED gates
  (:mod:`~qtwin.designs.native`).
"""

from qtwin.designs.clifford import (
    CliffordGroup,
    clifford_group,
    clifford_group_order,
    clifford_unitary,
    is_wh_normalizer,
    random_clifford,
    symplectic_action,
    symplectic_group,
)
from qtwin.designs.frame_potentials import frame_potential, group_frame_potential, is_design
from qtwin.designs.haar import haar_frame_potential, symmetric_dimension
from qtwin.designs.known import (
    binary_icosahedral_group,
    mutually_unbiased_bases,
    qubit_clifford_group,
    stabilizer_orbit,
)
from qtwin.designs.native import (
    NativeDesignResult,
    cavity_circuits,
    frame_potential_std_error,
    frame_potential_vs_depth,
    high_spin_circuits,
)
from qtwin.designs.shadows import (
    ShadowData,
    classical_shadow,
    estimate_fidelity,
    estimate_observable,
    shadow_variance_bound,
)
from qtwin.designs.spin import spin_coherent_states, spin_gkp_states
from qtwin.designs.weighted import DesignWeights, find_design_weights, weighted_state_design
from qtwin.designs.weyl import weyl_heisenberg, wh_labels

__all__ = [
    "CliffordGroup",
    "DesignWeights",
    "NativeDesignResult",
    "ShadowData",
    "binary_icosahedral_group",
    "cavity_circuits",
    "classical_shadow",
    "clifford_group",
    "clifford_group_order",
    "clifford_unitary",
    "estimate_fidelity",
    "estimate_observable",
    "find_design_weights",
    "frame_potential",
    "frame_potential_std_error",
    "frame_potential_vs_depth",
    "group_frame_potential",
    "haar_frame_potential",
    "high_spin_circuits",
    "is_design",
    "is_wh_normalizer",
    "mutually_unbiased_bases",
    "qubit_clifford_group",
    "random_clifford",
    "shadow_variance_bound",
    "spin_coherent_states",
    "spin_gkp_states",
    "stabilizer_orbit",
    "symmetric_dimension",
    "symplectic_action",
    "symplectic_group",
    "weighted_state_design",
    "weyl_heisenberg",
    "wh_labels",
]
