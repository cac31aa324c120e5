"""QuditCircuit against dense numpy: Kronecker products and an explicit basis-state loop."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import Operator, random_unitary

from qtwin.circuits import qudit_gates as qg
from qtwin.circuits.qudit import QuditCircuit, QuditGate


def haar(dim: int, seed: int) -> np.ndarray:
    return random_unitary(dim, seed=seed).data


def reference_embed(
    dims: tuple[int, ...], matrix: np.ndarray, wires: tuple[int, ...]
) -> np.ndarray:
    """Embed a gate by looping over basis states (independent of the tensordot code)."""
    total = math.prod(dims)

    def digits(index: int) -> list[int]:
        out = []
        for d in dims:  # wire 0 is least significant
            out.append(index % d)
            index //= d
        return out

    def sub_index(dig: list[int]) -> int:
        idx, scale = 0, 1
        for w in wires:  # wires[0] is least significant within the gate
            idx += dig[w] * scale
            scale *= dims[w]
        return idx

    full = np.zeros((total, total), dtype=complex)
    for i, j in itertools.product(range(total), repeat=2):
        di, dj = digits(i), digits(j)
        if all(di[w] == dj[w] for w in range(len(dims)) if w not in wires):
            full[i, j] = matrix[sub_index(di), sub_index(dj)]
    return full


def test_constructor_forms():
    qc = QuditCircuit(3, 4)
    assert qc.dims == (3, 3, 3, 3) and qc.num_qudits == 4 and qc.gates == [] and qc.dim == 81
    mixed = QuditCircuit([2, 3, 5])
    assert mixed.dims == (2, 3, 5) and mixed.num_qudits == 3
    assert QuditCircuit((2, 3), num_qudits=2).dims == (2, 3)


@pytest.mark.parametrize(
    "args,exc,match",
    [
        ((3,), ValueError, "num_qudits is required when dims is an int"),
        ((3, 0), ValueError, "num_qudits must be an integer >= 1"),
        (([2, 3], 3), ValueError, r"num_qudits must equal len\(dims\) = 2"),
        (([2, 1],), ValueError, r"dims\[1\] must be an integer local dimension >= 2"),
        (([],), ValueError, "dims must name at least one site"),
    ],
)
def test_constructor_errors(args, exc, match):
    with pytest.raises(exc, match=match):
        QuditCircuit(*args)


def test_single_wire_gates_are_little_endian_kron():
    U3, U5 = haar(3, 1), haar(5, 2)
    np.testing.assert_allclose(
        QuditCircuit([3, 5]).unitary(U3, 0).to_matrix(), np.kron(np.eye(5), U3), atol=1e-12
    )
    np.testing.assert_allclose(
        QuditCircuit([3, 5]).unitary(U5, 1).to_matrix(), np.kron(U5, np.eye(3)), atol=1e-12
    )
    qc = QuditCircuit([2, 3, 5]).unitary(U3, [1])
    np.testing.assert_allclose(
        qc.to_matrix(), np.kron(np.kron(np.eye(5), U3), np.eye(2)), atol=1e-12
    )


def test_multi_wire_gate_order_matches_qiskit_qargs():
    U = haar(4, 3)
    qc = QuantumCircuit(3)
    qc.unitary(U, [2, 0])
    np.testing.assert_allclose(
        QuditCircuit(2, 3).unitary(U, (2, 0)).to_matrix(), Operator(qc).data, atol=1e-12
    )


@pytest.mark.parametrize("wires", [(0, 2), (2, 0), (1, 2, 0), (2,), (0, 1)])
def test_gates_on_mixed_dims_match_basis_loop(wires):
    dims = (2, 3, 4)
    U = haar(math.prod(dims[w] for w in wires), seed=len(wires))
    got = QuditCircuit(dims).unitary(U, wires).to_matrix()
    np.testing.assert_allclose(got, reference_embed(dims, U, wires), atol=1e-12)


def test_circuit_is_product_of_embedded_gates():
    dims = (3, 2, 3)
    qc = (
        QuditCircuit(dims).f(0).csum(0, 2).x(1).z(2, power=2).rotation(0, 0, 2, 0.4, 0.1).csum(2, 1)
    )
    want = np.eye(18)
    for g in qc.gates:
        want = reference_embed(dims, g.matrix, g.wires) @ want
    np.testing.assert_allclose(qc.to_matrix(), want, atol=1e-12)
    assert [g.name for g in qc] == ["f", "csum", "x", "z^2", "r", "csum"]
    assert len(qc) == 6 and qc.depth() == 4
    assert repr(qc) == "QuditCircuit(dims=(3, 2, 3), num_gates=6, depth=4)"


def test_named_gates_use_qudit_gates():
    qc = QuditCircuit([3, 5]).x(1, power=2).z(0).f(1).csum(1, 0).displacement(0, 1, 2)
    np.testing.assert_allclose(qc.gates[0].matrix, qg.shift(5, 2))
    np.testing.assert_allclose(qc.gates[1].matrix, qg.clock(3))
    np.testing.assert_allclose(qc.gates[2].matrix, qg.fourier(5))
    np.testing.assert_allclose(qc.gates[3].matrix, qg.csum(5, 3))
    assert qc.gates[3].wires == (1, 0)
    np.testing.assert_allclose(qc.gates[4].matrix, qg.displacement(3, 1, 2))


def test_qutrit_bell_state():
    psi = QuditCircuit(3, 2).f(0).csum(0, 1).to_matrix()[:, 0]
    want = np.zeros(9, complex)
    want[[0, 4, 8]] = 1 / np.sqrt(3)
    np.testing.assert_allclose(psi, want, atol=1e-12)


def test_inverse_and_compose():
    qc = QuditCircuit([3, 4]).f(0).csum(0, 1).unitary(haar(12, 5), [1, 0])
    inv = qc.inverse()
    np.testing.assert_allclose(inv.to_matrix(), qc.to_matrix().conj().T, atol=1e-12)
    assert [g.name for g in inv] == ["unitary_dg", "csum_dg", "f_dg"]
    assert [g.name for g in inv.inverse()] == ["f", "csum", "unitary"]
    both = qc.compose(inv)
    np.testing.assert_allclose(both.to_matrix(), np.eye(12), atol=1e-12)
    assert len(qc) == 3  # compose returns a new circuit
    big = QuditCircuit([2, 3, 4]).compose(qc, wires=[1, 2])
    np.testing.assert_allclose(big.to_matrix(), np.kron(qc.to_matrix(), np.eye(2)), atol=1e-12)
    with pytest.raises(ValueError, match="other.dims"):
        big.compose(qc)
    with pytest.raises(ValueError, match="wire 0 of other has dimension 3"):
        big.compose(qc, wires=[0, 2])
    with pytest.raises(ValueError, match="wires must name 2 wires"):
        big.compose(qc, wires=[1])
    with pytest.raises(TypeError, match="other must be a QuditCircuit"):
        qc.compose(QuantumCircuit(2))


@pytest.mark.parametrize(
    "matrix,wires,exc,match",
    [
        (np.ones((3, 2)), 0, ValueError, "matrix must be a square 2-D array"),
        (
            np.eye(2),
            0,
            ValueError,
            r"matrix must be 3 x 3 \(the product of dims \(3,\) of wires \(0,\)\)",
        ),
        (np.eye(15), [0, 1], ValueError, r"matrix must be 12 x 12"),
        (np.ones((3, 3)), 0, ValueError, "matrix is not unitary"),
        (np.full((3, 3), np.nan), 0, ValueError, "matrix must be finite"),
        (np.eye(3), 2, ValueError, r"wires must be wires in 0..1, got 2"),
        (np.eye(9), [0, 0], ValueError, "wires must be distinct"),
        (np.eye(3), [], ValueError, "wires must name at least one wire"),
        (np.eye(3), [True], TypeError, "wires must hold ints"),
        (np.array([["a"]]), 0, TypeError, "matrix must hold numbers"),
    ],
)
def test_append_errors(matrix, wires, exc, match):
    with pytest.raises(exc, match=match):
        QuditCircuit([3, 4]).append(matrix, wires)


def test_append_accepts_torch_and_gates_are_immutable():
    qc = QuditCircuit(2, 1).append(torch.tensor(qg.fourier(2)), 0, name="h")
    g = qc.gates[0]
    assert isinstance(g, QuditGate) and g.matrix.dtype == np.complex128 and g.name == "h"
    with pytest.raises(ValueError):
        g.matrix[0, 0] = 2
    with pytest.raises(AttributeError):
        g.name = "x"
    with pytest.raises(ValueError, match="wire must be wires in 0..0"):
        qc.x(1)
    with pytest.raises(ValueError, match=r"\(control, target\) must be distinct"):
        QuditCircuit(3, 2).csum(1, 1)


def test_to_matrix_refuses_large_circuits():
    with pytest.raises(ValueError, match=r"prod\(dims\) = 6561 exceeds max_dim = 4096"):
        QuditCircuit(3, 8).to_matrix()
    with pytest.raises(ValueError, match=r"prod\(dims\) = 27 exceeds max_dim = 20"):
        QuditCircuit(3, 3).to_matrix(max_dim=20)
    assert QuditCircuit(3, 3).to_matrix(max_dim=27).shape == (27, 27)


def test_qiskit_round_trip():
    qc = QuantumCircuit(3, global_phase=0.3)
    qc.h(0)
    qc.cx(0, 2)
    qc.barrier()
    qc.rzz(0.4, 2, 1)
    qc.ccx(2, 0, 1)
    qd = QuditCircuit.from_qiskit(qc)
    assert qd.dims == (2, 2, 2) and [g.name for g in qd] == ["h", "cx", "rzz", "ccx"]
    assert qd.gates[1].wires == (0, 2)
    np.testing.assert_allclose(qd.to_matrix(), Operator(qc).data, atol=1e-12)
    np.testing.assert_allclose(Operator(qd.to_qiskit()).data, Operator(qc).data, atol=1e-12)
    empty = QuditCircuit.from_qiskit(QuantumCircuit(1, global_phase=0.5))
    np.testing.assert_allclose(empty.to_matrix(), np.exp(0.5j) * np.eye(2))


def test_qiskit_interop_errors():
    with pytest.raises(ValueError, match=r"needs every dimension to be 2.*\(2, 3\)"):
        QuditCircuit([2, 3]).to_qiskit()
    measured = QuantumCircuit(1, 1)
    measured.measure(0, 0)
    with pytest.raises(ValueError, match="non-unitary instruction 'measure'"):
        QuditCircuit.from_qiskit(measured)
    param = QuantumCircuit(1)
    param.rx(Parameter("t"), 0)
    with pytest.raises(ValueError, match="unbound parameters"):
        QuditCircuit.from_qiskit(param)
    with pytest.raises(TypeError, match="qc must be a qiskit QuantumCircuit"):
        QuditCircuit.from_qiskit(QuditCircuit(2, 1))
