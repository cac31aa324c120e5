"""Simulation options, seed, engine choice and state preparation of the tensornet primitives.

The engine is picked per circuit by ``method``: ``"mps"`` (:class:`~qtwin.tensornet.MPS`),
``"statevector"`` (the dense :class:`~qtwin.tensornet.Statevector`) or ``"auto"``: the dense
engine for at most :data:`AUTO_DENSE_MAX_QUBITS` qubits unless a truncation (``max_bond`` or
``cutoff``) is asked for, which only the MPS honours; the MPS otherwise.

Example:
    >>> MPSOptions.checked(max_bond=16, cutoff=1e-10).kwargs()
    {'max_bond': 16, 'cutoff': 1e-10}
    >>> MPSOptions.checked(max_bond=0)
    Traceback (most recent call last):
    ...
    ValueError: max_bond must be an integer >= 1, got 0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from qiskit.circuit import Parameter, QuantumCircuit

from qtwin._validation import (
    as_generator,
    check_choice,
    check_nonnegative_float,
    check_positive_int,
)

if TYPE_CHECKING:
    from qtwin.distributed import ClusterHandle
    from qtwin.tensornet import MPS
    from qtwin.tensornet.dynamic import Engine

__all__ = [
    "MPSOptions",
    "TensornetPrimitive",
    "PURE_STATE_HINT",
    "METHODS",
    "AUTO_DENSE_MAX_QUBITS",
]

PURE_STATE_HINT = (
    "The tensornet backend simulates pure states; use the 'aer' backend for mid-circuit "
    "measurements and resets."
)

METHODS = ("auto", "mps", "statevector")
"""The values of the ``method`` option."""

AUTO_DENSE_MAX_QUBITS = 20
"""``method="auto"`` runs circuits of at most this many qubits on the dense statevector."""

_DTYPES = {"complex64": torch.complex64, "complex128": torch.complex128}


@dataclass(frozen=True)
class MPSOptions:
    """Keyword arguments for :meth:`qtwin.tensornet.MPS.from_circuit`; ``None`` means default.

    Attributes:
        max_bond: largest bond dimension kept, ``>= 1``.
        cutoff: discard singular values below this threshold, ``>= 0``.
        dtype: ``torch.complex64`` / ``torch.complex128`` (or their names).
        device: a torch device or its name.
    """

    max_bond: int | None = None
    cutoff: float | None = None
    dtype: torch.dtype | None = None
    device: torch.device | None = None

    @classmethod
    def checked(
        cls,
        *,
        max_bond: int | None = None,
        cutoff: float | None = None,
        dtype: torch.dtype | str | None = None,
        device: torch.device | str | None = None,
    ) -> MPSOptions:
        """Validate and normalise the options (names of dtypes and devices become objects)."""
        if max_bond is not None:
            max_bond = check_positive_int(max_bond, "max_bond")
        if cutoff is not None:
            cutoff = check_nonnegative_float(cutoff, "cutoff")
        if isinstance(dtype, str):
            if dtype.removeprefix("torch.") not in _DTYPES:
                raise ValueError(f"dtype must be one of {sorted(_DTYPES)}, got {dtype!r}")
            dtype = _DTYPES[dtype.removeprefix("torch.")]
        if dtype is not None and dtype not in _DTYPES.values():
            raise ValueError(f"dtype must be torch.complex64 or torch.complex128, got {dtype!r}")
        if device is not None:
            try:
                device = torch.device(device)
            except (RuntimeError, TypeError) as exc:
                raise ValueError(f"device must be a torch device name, got {device!r}") from exc
        return cls(max_bond=max_bond, cutoff=cutoff, dtype=dtype, device=device)

    def kwargs(self) -> dict[str, Any]:
        """The options that are set, as keyword arguments."""
        return {k: v for k, v in vars(self).items() if v is not None}


class TensornetPrimitive:
    """The seed, the :class:`MPSOptions`, the engine choice and the state preparation of the
    tensornet primitives."""

    _seed: int | np.random.Generator | None
    _mps_options: MPSOptions
    _method: str = "auto"

    def _init_tensornet(
        self,
        seed: int | np.random.Generator | None,
        *,
        max_bond: int | None,
        cutoff: float | None,
        dtype: Any,
        device: Any,
        method: str = "auto",
        cluster: Any = None,
        chunk_size: int = 16,
    ) -> None:
        from qtwin.distributed import as_handle

        as_generator(seed)  # validates the type
        self._seed = seed
        self._mps_options = MPSOptions.checked(
            max_bond=max_bond, cutoff=cutoff, dtype=dtype, device=device
        )
        self._method = check_choice(method, "method", METHODS)
        self._cluster = as_handle(cluster)
        self._chunk_size = check_positive_int(chunk_size, "chunk_size")

    @property
    def cluster(self) -> ClusterHandle:
        """Where the parameter-set chunks run (:class:`~qtwin.distributed.ClusterHandle`)."""
        return self._cluster

    @property
    def chunk_size(self) -> int:
        """Parameter sets per task on a cluster (the chunks never depend on the workers)."""
        return self._chunk_size

    def close(self) -> None:
        """Close the cluster client this primitive started (nothing for in-process runs)."""
        self._cluster.close()

    def _worker_options(self) -> dict[str, Any]:
        """Keyword arguments that rebuild this primitive's simulation on a worker."""
        return {"method": self._method, **self._mps_options.kwargs()}

    def _chunking(self) -> tuple[Any, int | None]:
        """The client (``None`` in-process) and the chunk size (``None``: one chunk per PUB)."""
        client = self._cluster.client()
        return client, (None if client is None else self._chunk_size)

    @property
    def seed(self) -> int | np.random.Generator | None:
        """The seed (or generator) of the sampling or of the precision noise."""
        return self._seed

    @property
    def mps_options(self) -> MPSOptions:
        """Truncation, dtype and device of the simulation."""
        return self._mps_options

    @property
    def method(self) -> str:
        """``"auto"``, ``"mps"`` or ``"statevector"``: which engine runs the circuits."""
        return self._method

    def _method_for(self, circuit: QuantumCircuit) -> str:
        """The engine ``"mps"`` or ``"statevector"`` that runs ``circuit``."""
        return method_for(circuit, self._method, self._mps_options)

    def _engine(self, circuit: QuantumCircuit) -> Engine:
        """The simulator of ``circuit`` (see :meth:`_method_for`) as a trajectory engine."""
        return engine_for(circuit, self._method, self._mps_options)

    def _mps(self, body: QuantumCircuit, values: dict[Parameter, float]) -> MPS:
        """The state that ``body`` prepares at the parameter ``values``."""
        from qtwin.tensornet import MPS

        return MPS.from_circuit(body, parameter_values=values, **self._mps_options.kwargs())


def method_for(circuit: QuantumCircuit, method: str, options: MPSOptions) -> str:
    """The engine, ``"mps"`` or ``"statevector"``, that runs ``circuit`` under ``method``.

    ``"auto"`` picks the dense statevector for circuits of at most
    :data:`AUTO_DENSE_MAX_QUBITS` qubits when no truncation is asked for, the MPS otherwise.
    """
    if method != "auto":
        return method
    truncated = options.max_bond is not None or options.cutoff is not None
    dense = circuit.num_qubits <= AUTO_DENSE_MAX_QUBITS and not truncated
    return "statevector" if dense else "mps"


def engine_for(circuit: QuantumCircuit, method: str, options: MPSOptions) -> Engine:
    """The simulator of ``circuit`` (see :func:`method_for`) as a trajectory engine; what a
    primitive runs in process and what a cluster worker rebuilds from the same options."""
    from qtwin.tensornet.dynamic import MPSEngine, StatevectorEngine

    if method_for(circuit, method, options) == "statevector":
        pairs = (("dtype", options.dtype), ("device", options.device))
        return StatevectorEngine(**{k: v for k, v in pairs if v is not None})
    return MPSEngine(options.kwargs())
