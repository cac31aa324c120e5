"""Fixtures for the backend tests."""

from __future__ import annotations

import pytest
from backends_helpers import parameterized_circuit
from qiskit import QuantumCircuit


@pytest.fixture
def pqc() -> QuantumCircuit:
    """The 3-qubit, 2-parameter test circuit with final measurements."""
    return parameterized_circuit()
