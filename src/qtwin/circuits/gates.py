r"""The gate library: torch matrices for Qiskit's standard gates, differentiable in their angles.

Every matrix follows Qiskit's little-endian convention: for a gate on ``qargs = (q0, q1, ...)``
the matrix index is :math:`i = b_{q_0} + 2 b_{q_1} + 4 b_{q_2} + \dots`, so the *first* qubit
argument is the least significant bit.

Angles may be Python floats or torch tensors of any batch shape ``(...)``; the result then has
shape ``(..., D, D)`` and carries autograd history, which is what makes the simulators
differentiable. Rotation gates use :math:`R_P(\theta) = \cos(\theta/2) I - i \sin(\theta/2) P`.

Example:
    >>> import torch
    >>> theta = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    >>> m = gate_matrix("rx", [theta])
    >>> torch.allclose(m @ m.conj().T, torch.eye(2, dtype=m.dtype))
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import cache, lru_cache

import numpy as np
import torch

__all__ = [
    "gate_matrix",
    "batched_kron",
    "has_torch_formula",
    "PARAMETRIC_GATES",
    "pauli_matrix",
    "permute_wires",
]

Angle = float | torch.Tensor

_PAULIS = {
    "I": np.eye(2, dtype=complex),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "Z": np.array([[1, 0], [0, -1]], dtype=complex),
}


@lru_cache(maxsize=256)
def pauli_matrix(label: str) -> np.ndarray:
    """Dense matrix of a Pauli label in Qiskit order (the rightmost letter acts on qubit 0).

    Example:
        >>> pauli_matrix("XZ").real.astype(int)[0]
        array([0, 0, 1, 0])
    """
    out = np.ones((1, 1), dtype=complex)
    for letter in label:  # leftmost letter = most significant qubit
        out = np.kron(out, _PAULIS[letter])
    return out


def _as_tensor(x: Angle, dtype: torch.dtype, device: torch.device | None) -> torch.Tensor:
    real = torch.float32 if dtype == torch.complex64 else torch.float64
    if isinstance(x, torch.Tensor):
        return x.to(device=device, dtype=real) if x.dtype != real or device else x
    return torch.tensor(float(x), dtype=real, device=device)


def _stack(rows: list[list[torch.Tensor]]) -> torch.Tensor:
    """Stack a nested list of same-shape tensors into ``(..., R, C)``."""
    return torch.stack([torch.stack(r, dim=-1) for r in rows], dim=-2)


def _expi(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return torch.polar(torch.ones_like(x), x).to(dtype)


def _pauli_rotation(label: str) -> Callable[..., torch.Tensor]:
    p = pauli_matrix(label)

    def build(theta: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        pm = torch.as_tensor(p, dtype=dtype, device=theta.device)
        eye = torch.eye(p.shape[0], dtype=dtype, device=theta.device)
        c = torch.cos(theta / 2).to(dtype)[..., None, None]
        s = torch.sin(theta / 2).to(dtype)[..., None, None]
        return c * eye - 1j * s * pm

    return build


def _u(theta: torch.Tensor, phi: torch.Tensor, lam: torch.Tensor, dtype: torch.dtype):
    c = torch.cos(theta / 2).to(dtype)
    s = torch.sin(theta / 2).to(dtype)
    return _stack(
        [
            [c, -_expi(lam, dtype) * s],
            [_expi(phi, dtype) * s, _expi(phi + lam, dtype) * c],
        ]
    )


def _phase(lam: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    one = torch.ones_like(lam).to(dtype)
    zero = torch.zeros_like(lam).to(dtype)
    return _stack([[one, zero], [zero, _expi(lam, dtype)]])


def _r(theta: torch.Tensor, phi: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    c = torch.cos(theta / 2).to(dtype)
    s = torch.sin(theta / 2).to(dtype)
    return _stack([[c, -1j * _expi(-phi, dtype) * s], [-1j * _expi(phi, dtype) * s, c]])


def _controlled(u: torch.Tensor) -> torch.Tensor:
    """Controlled-U with the control as qarg 0 (least significant): kron(I,P0) + kron(U,P1)."""
    p0 = torch.tensor([[1, 0], [0, 0]], dtype=u.dtype, device=u.device)
    p1 = torch.tensor([[0, 0], [0, 1]], dtype=u.dtype, device=u.device)
    eye = torch.eye(u.shape[-1], dtype=u.dtype, device=u.device)
    return _kron(eye.expand(u.shape), p0) + _kron(u, p1)


def batched_kron(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Batched Kronecker product ``a ⊗ b`` over the last two axes (leading axes broadcast).

    In Qiskit's little-endian order ``batched_kron(u1, u0)`` acts with ``u0`` on qubit 0.

    Example:
        >>> import torch
        >>> x = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
        >>> batched_kron(torch.stack([x, torch.eye(2)]), torch.eye(2)).shape
        torch.Size([2, 4, 4])
    """
    out = a[..., :, None, :, None] * b[..., None, :, None, :]
    shape = out.shape[:-4] + (a.shape[-2] * b.shape[-2], a.shape[-1] * b.shape[-1])
    return out.reshape(shape)


_kron = batched_kron


def _xx_plus_yy(theta: torch.Tensor, beta: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    c = torch.cos(theta / 2).to(dtype)
    s = torch.sin(theta / 2).to(dtype)
    one = torch.ones_like(c)
    zero = torch.zeros_like(c)
    return _stack(
        [
            [one, zero, zero, zero],
            [zero, c, -1j * s * _expi(-beta, dtype), zero],
            [zero, -1j * s * _expi(beta, dtype), c, zero],
            [zero, zero, zero, one],
        ]
    )


def _xx_minus_yy(theta: torch.Tensor, beta: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    c = torch.cos(theta / 2).to(dtype)
    s = torch.sin(theta / 2).to(dtype)
    one = torch.ones_like(c)
    zero = torch.zeros_like(c)
    return _stack(
        [
            [c, zero, zero, -1j * s * _expi(-beta, dtype)],
            [zero, one, zero, zero],
            [zero, zero, one, zero],
            [-1j * s * _expi(beta, dtype), zero, zero, c],
        ]
    )


_HALF_PI = np.pi / 2

#: Gate name -> builder ``f(*angles, dtype)`` for every parametric standard gate with a closed form.
PARAMETRIC_GATES: dict[str, Callable[..., torch.Tensor]] = {
    "rx": _pauli_rotation("X"),
    "ry": _pauli_rotation("Y"),
    "rz": _pauli_rotation("Z"),
    "rxx": _pauli_rotation("XX"),
    "ryy": _pauli_rotation("YY"),
    "rzz": _pauli_rotation("ZZ"),
    "rzx": _pauli_rotation("XZ"),  # Z on qarg 0, X on qarg 1 (Qiskit's RZXGate)
    "p": _phase,
    "u1": _phase,
    "u": _u,
    "u3": _u,
    "u2": lambda phi, lam, dtype: _u(torch.full_like(phi, _HALF_PI), phi, lam, dtype),
    "r": _r,
    "crx": lambda t, dtype: _controlled(_pauli_rotation("X")(t, dtype)),
    "cry": lambda t, dtype: _controlled(_pauli_rotation("Y")(t, dtype)),
    "crz": lambda t, dtype: _controlled(_pauli_rotation("Z")(t, dtype)),
    "cp": lambda lam, dtype: _controlled(_phase(lam, dtype)),
    "cu1": lambda lam, dtype: _controlled(_phase(lam, dtype)),
    "cu3": lambda t, p, la, dtype: _controlled(_u(t, p, la, dtype)),
    "cu": lambda t, p, la, g, dtype: _controlled(
        _expi(g, dtype)[..., None, None] * _u(t, p, la, dtype)
    ),
    "xx_plus_yy": _xx_plus_yy,
    "xx_minus_yy": _xx_minus_yy,
}


def has_torch_formula(name: str) -> bool:
    """Whether :func:`gate_matrix` has a closed-form torch builder for gate ``name``."""
    return name in PARAMETRIC_GATES


@cache
def _arity(name: str) -> int:
    """Number of angles gate ``name`` takes (its formula's arguments less ``dtype``)."""
    import inspect

    return len(inspect.signature(PARAMETRIC_GATES[name]).parameters) - 1


def _check_gate_params(name: str, params: Sequence[Angle]) -> None:
    """Refuse a wrong number of angles, or a NaN/inf/non-numeric scalar angle, for ``name``."""
    if isinstance(params, (str, bytes)) or not hasattr(params, "__len__"):
        raise TypeError(f"params must be a sequence of angles, got {params!r}")
    arity = _arity(name)
    if len(params) != arity:
        raise ValueError(
            f"gate {name!r} takes {arity} angle(s) in params, got {len(params)}: {list(params)!r}"
        )
    for i, p in enumerate(params):
        if isinstance(p, torch.Tensor):
            if p.is_complex():
                raise TypeError(f"params[{i}] of gate {name!r} must be a real angle, got {p!r}")
            continue
        try:
            value = float(p)
        except (TypeError, ValueError):
            raise TypeError(
                f"params[{i}] of gate {name!r} must be a real number, got {p!r}"
            ) from None
        if not math.isfinite(value):
            raise ValueError(f"params[{i}] of gate {name!r} must be finite, got {p!r}")


def gate_matrix(
    name: str,
    params: Sequence[Angle],
    *,
    dtype: torch.dtype = torch.complex128,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Matrix of the standard parametric gate ``name`` at angles ``params``, as a torch tensor.

    Args:
        name: a Qiskit gate name with a closed form here (see :data:`PARAMETRIC_GATES`).
        params: the gate's angles, floats or (batched) real torch tensors.
        dtype: ``torch.complex128`` (default) or ``torch.complex64``.
        device: torch device of the result.

    Returns:
        A tensor of shape ``(*batch, D, D)``, differentiable in any tensor angle.

    Example:
        >>> gate_matrix("rz", [np.pi]).diagonal()
        tensor([-0.-1.j, 0.+1.j], dtype=torch.complex128)
    """
    if not isinstance(name, str) or name not in PARAMETRIC_GATES:
        raise ValueError(
            f"gate name {name!r} has no closed-form matrix here; "
            f"known parametric gates: {sorted(PARAMETRIC_GATES)}"
        )
    _check_gate_params(name, params)
    dev = torch.device(device) if device is not None else None
    angles = [_as_tensor(p, dtype, dev) for p in params]
    if len(angles) > 1:
        angles = list(torch.broadcast_tensors(*angles))
    return PARAMETRIC_GATES[name](*angles, dtype=dtype)


def permute_wires(
    matrix: torch.Tensor, dims: Sequence[int], wires: Sequence[int], new_wires: Sequence[int]
) -> torch.Tensor:
    """The same gate written over ``new_wires`` (a permutation of ``wires``), little-endian.

    ``dims[j]`` is the local dimension of ``wires[j]``. Listing the wires in descending order
    gives the row-major ("site order") matrix of a block of neighbouring sites.

    Example:
        >>> cx = torch.eye(4, dtype=torch.complex128)[[0, 3, 2, 1]]  # control = wires[0]
        >>> swapped = permute_wires(cx, [2, 2], [0, 1], [1, 0])
        >>> swapped.real.int().tolist()  # control is now the second listed wire
        [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]]
    """
    wires, new_wires = tuple(wires), tuple(new_wires)
    if wires == new_wires:
        return matrix
    k = len(wires)
    pos = [wires.index(w) for w in new_wires]  # new qarg j is old qarg pos[j]
    t = matrix.reshape(tuple(reversed(dims)) * 2)
    # axis of old qarg j: k-1-j (outputs) and 2k-1-j (inputs); new order is most significant first
    out_axes = [k - 1 - pos[j] for j in reversed(range(k))]
    in_axes = [2 * k - 1 - pos[j] for j in reversed(range(k))]
    d = matrix.shape[-1]
    if isinstance(t, np.ndarray):  # the MPS fast path schedules numpy matrices
        return t.transpose(out_axes + in_axes).reshape(d, d)
    return t.permute(out_axes + in_axes).reshape(d, d)
