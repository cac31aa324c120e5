r"""Target states for AQC: time-evolved spin chains as MPS, and user MPS of any flavour.

:func:`tebd_target` evolves a product state under a chain Hamiltonian by TEBD on the shared
simulator: a fine second-order Trotter circuit (:func:`qtwin.circuits.trotter_circuit`),
whose brickwork gates are applied to a :class:`~qtwin.tensornet.MPS` with SVD truncation
(``max_bond``, ``cutoff``). The product :math:`\prod_k(1-\epsilon_k)` of the kept weights is
the MPS's ``fidelity_estimate``; ``1 - fidelity_estimate`` is the truncation error reported by
:func:`qtwin.aqc.compile_mps`.

:func:`to_target_mps` accepts a qtwin :class:`~qtwin.tensornet.MPS`, a quimb
``MatrixProductState`` (site ``i`` is qubit ``i``), Aer's ``(gammas, lambdas)`` from
``save_matrix_product_state``, or a dense vector.

Example:
    >>> from qtwin.circuits import xxz_chain
    >>> psi = tebd_target(xxz_chain(6), time=0.5, dt=0.05)
    >>> psi.num_sites, round(float(psi.norm()), 12)
    (6, 1.0)
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, Union

import numpy as np
import torch
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp

from qtwin._threads import torch_threads
from qtwin._validation import check_choice, check_finite, check_positive_int
from qtwin.tensornet import MPS

if TYPE_CHECKING:
    import quimb.tensor

__all__ = ["AerMPS", "TargetLike", "tebd_target", "target_from_circuit", "to_target_mps"]

#: Aer's ``save_matrix_product_state`` result: ``(gammas, lambdas)`` in Vidal form, ``gammas[i]``
#: a pair of ``(chi_l, chi_r)`` arrays (local state 0 and 1), ``lambdas[i]`` the bond weights
AerMPS: TypeAlias = tuple[list[Any], list[Any]]

#: every form of target state that :func:`to_target_mps` (and so :func:`~qtwin.aqc.compile_mps`)
#: accepts
TargetLike: TypeAlias = Union[  # noqa: UP007 - the quimb class is a forward reference
    MPS,
    "quimb.tensor.MatrixProductState",
    AerMPS,
    np.ndarray,
    torch.Tensor,
    Sequence[complex],
]


def tebd_target(
    hamiltonian: SparsePauliOp,
    time: float,
    *,
    dt: float = 0.05,
    order: int = 2,
    initial_state: str | None = "neel",
    max_bond: int | None = None,
    cutoff: float = 1e-12,
) -> MPS:
    r"""MPS of :math:`e^{-iHt}|\text{initial}\rangle` by TEBD (second-order Trotter, step
    ``dt``).

    Args:
        hamiltonian: a chain Hamiltonian from :mod:`qtwin.circuits.hamiltonians`
            (XXZ, Heisenberg, XYZ with fields, transverse-field Ising).
        time: evolution time.
        dt: largest Trotter step; ``ceil(time / dt)`` steps are taken.
        order: Trotter order, 1 or 2.
        initial_state: ``"neel"`` (default), ``"zeros"``/``None`` or a Qiskit-order bitstring.
        max_bond: bond-dimension cap, ``>= 1``; ``None`` for none.
        cutoff: discarded relative weight per SVD.

    Returns:
        The normalized MPS; ``1 - psi.fidelity_estimate`` estimates the truncation error.
    """
    from qtwin.circuits import trotter_circuit

    if not isinstance(dt, (int, float)) or isinstance(dt, bool) or not dt > 0:
        raise ValueError(f"dt must be a positive number, got {dt!r}")
    if isinstance(time, bool) or not isinstance(time, (int, float, np.integer, np.floating)):
        raise TypeError(f"time must be a real number, got {time!r}")
    if not math.isfinite(time) or not math.isfinite(dt):
        raise ValueError(f"time and dt must be finite numbers, got time={time!r}, dt={dt!r}")
    steps = max(1, math.ceil(abs(float(time)) / dt - 1e-9))
    qc = trotter_circuit(hamiltonian, time, steps, order=order, initial_state=initial_state)
    return target_from_circuit(qc, max_bond=max_bond, cutoff=cutoff)


def target_from_circuit(
    qc: QuantumCircuit,
    *,
    method: str = "tensornet",
    max_bond: int | None = None,
    cutoff: float = 1e-12,
) -> MPS:
    """MPS of ``qc |0...0>`` from qtwin's tensor network or Aer's MPS simulator.

    Args:
        qc: a bound circuit (a deep Trotter circuit, say).
        method: ``"tensornet"`` (qtwin's MPS) or ``"aer"`` (Aer ``matrix_product_state``).
        max_bond: bond-dimension cap, ``>= 1``; ``None`` for none.
        cutoff: discarded relative weight per SVD (Aer's truncation threshold).
    """
    check_choice(method, "method", ("tensornet", "aer"))
    if max_bond is not None:
        max_bond = check_positive_int(max_bond, "max_bond")
    if method == "tensornet":
        with torch_threads(1):
            psi = MPS.from_circuit(qc, max_bond=max_bond, cutoff=cutoff)
        return psi.normalize()
    from qiskit_aer import AerSimulator

    opts: dict[str, Any] = {"matrix_product_state_truncation_threshold": max(cutoff, 1e-16)}
    if max_bond is not None:
        opts["matrix_product_state_max_bond_dimension"] = max_bond
    circ = qc.copy()
    circ.save_matrix_product_state(label="mps")
    sim = AerSimulator(method="matrix_product_state", **opts)
    data = sim.run(circ.decompose(reps=0)).result().data()["mps"]
    return to_target_mps(data)


def _recanonicalize(psi: MPS) -> MPS:
    """Canonical form rebuilt by full QR sweeps in the (possibly promoted) dtype of ``psi``, so
    that norms read off the centre are exact for any user MPS (e.g. one built in complex64, or
    with a tensor rescaled away from its recorded centre)."""
    psi.center = None
    with torch_threads(1):
        return psi.canonicalize(0)


def _from_aer(data: AerMPS) -> MPS:
    gammas, lambdas = data
    tensors = []
    for i, pair in enumerate(gammas):
        g = np.stack([np.asarray(pair[0]), np.asarray(pair[1])], axis=1)  # (chi_l, 2, chi_r)
        if i < len(lambdas):
            g = g * np.asarray(lambdas[i])[None, None, :]
        tensors.append(torch.as_tensor(g, dtype=torch.complex128))
    return MPS(tensors)


def _quimb_mps_type() -> type | None:
    """quimb's ``MatrixProductState`` class if quimb is already imported, else ``None``: an
    object cannot be a quimb state unless quimb was imported to make it, so this never
    imports quimb."""
    module = sys.modules.get("quimb.tensor")
    return getattr(module, "MatrixProductState", None) if module is not None else None


@functools.singledispatch
def _convert(target: object) -> MPS:
    quimb_type = _quimb_mps_type()
    if quimb_type is not None and isinstance(target, quimb_type):
        _convert.register(quimb_type, _from_quimb)  # dispatch directly from now on
        return _from_quimb(target)
    raise TypeError(
        "target must be a qtwin MPS, a quimb MatrixProductState, Aer's (gammas, lambdas) "
        f"or a dense vector, got {type(target).__name__}"
    )


@_convert.register
def _(target: MPS) -> MPS:
    return _recanonicalize(target.to(dtype=torch.complex128))


@_convert.register(np.ndarray)
@_convert.register(torch.Tensor)
@_convert.register(list)
def _(target: np.ndarray | torch.Tensor | list) -> MPS:
    return MPS.from_dense(np.asarray(target, dtype=complex))


@_convert.register
def _(target: tuple) -> MPS:
    if len(target) == 2 and isinstance(target[0], list):
        return _from_aer(target)
    raise TypeError(
        "a tuple target must be Aer's (gammas, lambdas) from save_matrix_product_state, "
        f"got a tuple of {len(target)} {[type(x).__name__ for x in target]}"
    )


def _from_quimb(target: Any) -> MPS:
    from qtwin.tensornet.quimb_interop import from_quimb

    return from_quimb(target)


def to_target_mps(target: TargetLike) -> MPS:
    """Convert a target state to a qtwin :class:`~qtwin.tensornet.MPS` (complex128).

    The input types are dispatched by :func:`functools.singledispatch`; quimb is never
    imported here (a quimb state is recognized once quimb is loaded).

    Args:
        target: a qtwin ``MPS`` (copied and brought to canonical form in complex128); a quimb
            ``MatrixProductState`` (site ``i`` is qubit ``i``); Aer's ``(gammas, lambdas)``
            tuple from ``save_matrix_product_state`` (Vidal form); or a dense state vector
            (little-endian) of length ``2**n`` as a numpy array, torch tensor or list.

    Raises:
        TypeError: an object of another type.
        ValueError: non-qubit sites or non-finite entries.

    Example:
        >>> to_target_mps([0, 0, 1, 0]).bond_dims  # a dense vector: qubit 1 set
        [1]
    """
    out = _convert(target)
    if out.center is None:
        out.canonicalize(0)
    if set(out.dims) != {2}:
        raise ValueError(f"target must be a qubit state (local dimension 2), got {out.dims}")
    for i, t in enumerate(out.tensors):
        check_finite(t, f"target site {i}")
    return out
