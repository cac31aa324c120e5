r"""Exact overlap :math:`\langle\psi|V|0\rangle` of a target MPS with a circuit, column by column.

The AQC objective needs :math:`\langle \psi | V(\theta) | 0 \rangle` for a target MPS
:math:`|\psi\rangle` and a circuit :math:`V` of one- and two-qubit gates. Instead of simulating
:math:`V|0\rangle` (or :math:`V^\dagger|\psi\rangle`) as an MPS with SVD truncations, the whole
network (target on top, gates, :math:`|0\rangle` at the bottom) is contracted exactly from left
to right. A two-qubit gate on ``(lo, hi)`` is cut without any decomposition into its ``lo`` half
(the gate tensor itself) and its ``hi`` half (a copy tensor, i.e. a relabelling), so the left
environment after site ``i`` carries the target bond :math:`\chi_i` and the ``(out, in)`` legs
of every gate spanning the cut ``(i, i+1)``:

.. math::

    E_i \in \mathbb{C}^{\chi_i \times 4^{g_i}}, \qquad
    E_{i} = \mathrm{contract}\big(E_{i-1}, \bar A^{[i]}, G_{k_1}, \dots, G_{k_m}, v_i\big),
    \qquad \langle\psi|V|0\rangle = E_{n-1},

where :math:`g_i` is the number of gates across the cut (``depth / 2`` for a brickwork),
:math:`G_{k}` are the gates touching site ``i`` and :math:`v_i` is the bottom vector
(:math:`|0\rangle`, or a leading one-qubit layer applied to it). Each column is one einsum
whose contraction path is found once (``opt_einsum``) and reused; nothing is truncated, so
the value is exact and autograd gives the exact gradient with respect to every gate tensor at
the cost of about two evaluations (the environment method). Cost per evaluation:
:math:`O(n\,\chi^2 4^{g})`.

Example:
    >>> import torch
    >>> from qtwin.tensornet import MPS
    >>> psi = MPS.from_dense(torch.tensor([1, 0, 0, 1], dtype=torch.complex128) / 2 ** 0.5)
    >>> h = torch.tensor([[1, 1], [1, -1]], dtype=torch.complex128) / 2 ** 0.5
    >>> cx = torch.eye(4, dtype=torch.complex128)[[0, 3, 2, 1]]  # little-endian, control q0
    >>> net = OverlapNetwork(psi.tensors, [(0,), (0, 1)])
    >>> g = [h, matrix_to_site_tensor(cx, (0, 1))]
    >>> round(abs(net.overlap(g).item()) ** 2, 12)
    1.0
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterator, Sequence
from typing import Any

import opt_einsum
import torch

__all__ = ["OverlapNetwork", "matrix_to_site_tensor"]

_LETTERS = string.ascii_letters
_MAX_ENV = 2**27  # entries of one environment tensor (2 GiB in complex128)


def matrix_to_site_tensor(matrix: torch.Tensor, qubits: Sequence[int]) -> torch.Tensor:
    """A gate matrix (little-endian over ``qubits``) as a site-ordered tensor.

    ``(o, i)`` for one qubit; ``(o_lo, o_hi, i_lo, i_hi)`` for two qubits, ``lo < hi``.
    """
    if len(qubits) == 1:
        return matrix
    t = matrix.reshape(2, 2, 2, 2)  # (o1, o0, i1, i0) with q0 = qubits[0]
    if qubits[0] < qubits[1]:
        return t.permute(1, 0, 3, 2)
    return t


@functools.lru_cache(maxsize=4096)
def _expression(eq: str, shapes: tuple[tuple[int, ...], ...]) -> Any:
    """Compiled contraction (path found once per distinct column equation and shapes)."""
    return opt_einsum.contract_expression(eq, *shapes, optimize="auto")


def _next_label(labels: Iterator[str], site: int) -> str:
    try:
        return next(labels)
    except StopIteration as exc:
        raise ValueError(
            f"site {site}: too many gates across one cut for an exact contraction "
            "(more than 52 index labels); use a shallower ansatz"
        ) from exc


class OverlapNetwork:
    r"""Contraction plan for :math:`\langle\psi|V|0\rangle` with a fixed gate structure.

    Args:
        target: site tensors ``(chi_l, 2, chi_r)`` of the target MPS (any normalization).
        gates: the qubits of each gate in application order (one or two qubits each; any two
            distinct qubits, not only neighbours).
        bottom: ``True`` when :meth:`overlap` gets per-site bottom vectors (a leading one-qubit
            layer applied to :math:`|0\rangle`); ``False`` for plain :math:`|0\rangle`.

    Raises:
        ValueError: a gate on a qubit outside the target, or on one qubit twice, or a column
            whose environment would need more than 52 index labels.
    """

    def __init__(
        self,
        target: Sequence[torch.Tensor],
        gates: Sequence[Sequence[int]],
        *,
        bottom: bool = False,
    ) -> None:
        n = len(target)
        self.num_sites = n
        self.gates = [tuple(int(q) for q in g) for g in gates]
        for k, g in enumerate(self.gates):
            if len(g) not in (1, 2) or len(set(g)) != len(g) or not all(0 <= q < n for q in g):
                raise ValueError(
                    f"gate {k} acts on qubits {g}: gates must act on one or two distinct "
                    f"qubits in [0, {n - 1}]"
                )
        self.bottom = bottom
        self._target_conj = [t.conj().resolve_conj() for t in target]
        dtype, device = target[0].dtype, target[0].device
        self._e0 = torch.tensor([1, 0], dtype=dtype, device=device)
        self._columns = self._plan([tuple(t.shape) for t in target])

    def _plan(self, shapes: list[tuple[int, ...]]) -> list[tuple[object, list[int]]]:
        """Build one compiled einsum per column and the gate indices it takes."""
        n = self.num_sites
        touching: list[list[int]] = [[] for _ in range(n)]
        for k, g in enumerate(self.gates):
            for q in g:
                touching[q].append(k)
        spans = {k: (min(g), max(g)) for k, g in enumerate(self.gates) if len(g) == 2}
        open_gates: list[int] = []  # gates spanning the current left cut, in env leg order
        columns = []
        for i in range(n):
            labels = iter(_LETTERS)
            fresh = functools.partial(_next_label, labels, i)
            a_in, a_out = fresh(), fresh()
            env_labels: dict[int, list[str]] = {k: [fresh(), fresh()] for k in open_gates}
            env_op = [a_in] + [x for k in open_gates for x in env_labels[k]]
            operands: list[str] = []
            shapes_i: list[tuple[int, ...]] = [(shapes[i][0],) + (2,) * (2 * len(open_gates))]
            gate_ids: list[int] = []
            p = fresh()  # phys label at the bottom
            bottom_label = p
            new_open: dict[int, list[str]] = {}
            for k in touching[i]:
                above = fresh()
                g = self.gates[k]
                if len(g) == 1:
                    operands.append(above + p)
                    shapes_i.append((2, 2))
                    gate_ids.append(k)
                elif spans[k][0] == i:  # lo end: the gate tensor
                    o, inn = fresh(), fresh()
                    operands.append(above + o + p + inn)
                    shapes_i.append((2, 2, 2, 2))
                    gate_ids.append(k)
                    new_open[k] = [o, inn]
                elif spans[k][1] == i:  # hi end: a copy tensor, i.e. relabel the env legs
                    o, inn = env_labels[k]
                    env_op[env_op.index(o)] = above
                    if p in env_op:  # a label may not repeat within one operand
                        operands.append(inn + p)
                        shapes_i.append((2, 2))
                        gate_ids.append(-1)
                    else:
                        env_op[env_op.index(inn)] = p
                else:  # pragma: no cover - a two-qubit gate touches only its two ends
                    raise AssertionError
                p = above
            operands.insert(0, "".join(env_op))
            operands.append(a_in + p + a_out)
            shapes_i.append(shapes[i])
            operands.append(bottom_label)
            shapes_i.append((2,))
            next_open = [k for k in open_gates if spans[k][1] > i] + [
                k for k in touching[i] if k in new_open
            ]
            size = int(shapes[i][2]) * 4 ** len(next_open)
            if size > _MAX_ENV:
                raise ValueError(
                    f"the exact contraction would need an environment of {size} entries after "
                    f"site {i} (target bond {shapes[i][2]} x 4^{len(next_open)} for "
                    f"{len(next_open)} gates across the cut); the limit is {_MAX_ENV}: use a "
                    "shallower ansatz or a target with a smaller bond dimension"
                )
            out = a_out + "".join(
                x for k in next_open for x in (env_labels[k] if k in env_labels else new_open[k])
            )
            eq = ",".join(operands) + "->" + out
            expr = _expression(eq, tuple(tuple(int(d) for d in sh) for sh in shapes_i))
            columns.append((expr, gate_ids))
            open_gates = next_open
        return columns

    def overlap(
        self, gate_tensors: Sequence[torch.Tensor], bottom: torch.Tensor | None = None
    ) -> torch.Tensor:
        r""":math:`\langle\psi|V|0\rangle` as a 0-dim complex tensor (differentiable).

        Args:
            gate_tensors: one site-ordered tensor per gate (see :func:`matrix_to_site_tensor`).
            bottom: ``(n, 2)`` bottom vectors when the network was built with ``bottom=True``.
        """
        env = torch.ones(1, dtype=self._e0.dtype, device=self._e0.device)
        delta = torch.eye(2, dtype=self._e0.dtype, device=self._e0.device)
        for i, (expr, gate_ids) in enumerate(self._columns):
            ops = [env]
            for k in gate_ids:
                ops.append(delta if k < 0 else gate_tensors[k])
            ops.append(self._target_conj[i])
            ops.append(bottom[i] if self.bottom and bottom is not None else self._e0)
            env = expr(*ops, backend="torch")
        return env.reshape(())
