r"""Standard, character and interleaved randomized benchmarking of the single-qudit Clifford group.

**Standard RB** (:func:`standard_rb`). Averaged over Clifford sequences of length ``m``
with gate-independent noise :math:`\Lambda`, the survival probability is
(:mod:`qtwin.rb.simulate`)

.. math::

    p(m) = B + \sum_\sigma A_\sigma f_\sigma^m ,

one exponential per irrep :math:`\sigma_g` (proper divisor ``g`` of ``d``). For prime ``d``
there is a single decay ``f`` and :math:`F_{\rm avg} = f + (1 - f)/d`; for composite ``d``
the Clifford group is not a 2-design, the decays differ in general and one exponential does
not describe :math:`p(m)` (a :class:`RBWarning` reports the fit's reduced :math:`\chi^2`).

**Character RB** (:func:`character_rb`; Helsen, Xue, Vandersypen, Wehner, npj QI 5, 71
(2019), arXiv:1806.02048), character group the Weyl–Heisenberg group. Each sequence is run
with a WH gate :math:`D(u)` compiled into its first Clifford and *not* undone by the inverse,
so :math:`\mathbb{E}\,p(m; u) = \langle\langle E|\Lambda T^m L(D(u))|\rho\rangle\rangle`.
Since :math:`L(D(u))` acts on :math:`D(v)` by the phase :math:`\omega^{-[u,v]}`, the
character :math:`\chi_\sigma(u) = \mathrm{tr}(P_\sigma L(D(u)))` satisfies
:math:`\frac{1}{d^2}\sum_u \chi_\sigma(u)^* L(D(u)) = P_\sigma`, hence the weighted signal

.. math::

    k_\sigma(m) = \frac{d_\sigma}{d^2}\sum_u \chi_\sigma(u)^*\, p(m; u)
    = d_\sigma\langle\langle E|\Lambda P_\sigma|\rho\rangle\rangle\, f_\sigma^m
    =: A_\sigma f_\sigma^m

is a single exponential with **no offset** (the trivial irrep is projected out). Each is
fitted with ``A f^m`` and the decays combine into
:math:`F_{\rm avg} = (d + 1 + \sum_\sigma d_\sigma f_\sigma)/(d(d+1))`, with a bootstrap
interval (all irreps resampled together).

**Interleaved RB** (:func:`interleaved_rb`; Magesan et al., PRL 109, 080505 (2012),
arXiv:1203.4550): a reference run and a run with a Clifford ``G`` after every Clifford.
Standard: :math:`r_G = (d-1)(1 - p_{\bar G}/p)/d`, with the systematic bound
:math:`E = \min\{(d-1)(|p - p_{\bar G}/p| + 1 - p)/d,\
2(d^2-1)(1-p)/(pd^2) + 4\sqrt{1-p}\sqrt{d^2-1}/p\}`. Character: per irrep
:math:`f_\sigma^G = f_\sigma^{\rm int}/f_\sigma^{\rm ref}` and :math:`F_G` from them.

**On a cluster** (``cluster=``, :mod:`qtwin.distributed`): the sequences of each length are
simulated in batches of ``batch_size`` as work units. Unit ``(m, b)`` (length ``m``, first
sequence ``b``) draws its Cliffords, character gates and shots from its own
:class:`numpy.random.SeedSequence` (root seed, job name, unit key), and the fit's bootstrap
from the key ``"fit"``, so the result is identical on any number of workers and equal to
``cluster="local"`` (the same units in this process). It is a different random stream from
``cluster=None`` (one generator consumed in order), which is kept bit for bit.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from qtwin._io import to_jsonable
from qtwin._validation import as_generator, check_choice, check_positive_int
from qtwin.designs.clifford import clifford_group_order, prime_factors
from qtwin.distributed import ClusterSpec, map_units, root_seed, unit_seed
from qtwin.distributed import cluster as cluster_session
from qtwin.rb.channels import Channel, NoiseModel, NoiseSpec, as_noise_model
from qtwin.rb.fidelity import _irreps, fidelity_from_decays, wh_characters
from qtwin.rb.fit import DecayFit, bootstrap_indices, bootstrap_interval, fit_decay
from qtwin.rb.simulate import clifford_index, sample_sequences, simulate_survival

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "RBWarning",
    "StandardRBResult",
    "IrrepDecay",
    "CharacterRBResult",
    "InterleavedRBResult",
    "standard_rb",
    "character_rb",
    "interleaved_rb",
]


def _fields(obj: object, skip: set[str]) -> dict[str, Any]:
    """The dataclass fields of ``obj`` by name, without those in ``skip``."""
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name not in skip}  # type: ignore[arg-type]


class RBWarning(UserWarning):
    """Raised (as a warning) when a single exponential does not describe standard RB data."""


@dataclass(frozen=True)
class StandardRBResult:
    """Result of :func:`standard_rb`.

    Attributes:
        d: local dimension.
        lengths: ``(L,)`` sequence lengths.
        survival: ``(L, S)`` survival probability per length and sequence.
        fit: the fit :math:`A f^m + B` (:class:`~qtwin.rb.fit.DecayFit`).
        fidelity: :math:`f + (1 - f)/d` (meaningful for prime ``d`` only).
        fidelity_ci: its interval.
        error_per_clifford: :math:`(d-1)(1-f)/d = 1 - F`.
        single_decay: whether one exponential is the right model (``d`` prime).
        reduced_chi2: goodness of fit of the single exponential.
    """

    d: int
    lengths: np.ndarray
    survival: np.ndarray
    fit: DecayFit
    fidelity: float
    fidelity_ci: tuple[float, float]
    error_per_clifford: float
    single_decay: bool
    reduced_chi2: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields: arrays as lists, :attr:`fit` as :meth:`DecayFit.to_dict`.

        Example:
            >>> from qtwin.rb.channels import depolarizing
            >>> res = standard_rb(3, [1, 4, 8], 2, depolarizing(3, 0.02), seed=1)
            >>> d = res.to_dict()
            >>> d["d"], d["lengths"], round(d["fit"]["f"], 8)
            (3, [1, 4, 8], 0.98)
        """
        return {**to_jsonable(_fields(self, {"fit"})), "fit": self.fit.to_dict()}

    def to_dataframe(self) -> pd.DataFrame:
        """One row per length: ``d, length, mean, sem, fit, residual`` (the fitted data).

        The per-sequence survival stays in :attr:`survival`.

        Example:
            >>> from qtwin.rb.channels import depolarizing
            >>> res = standard_rb(3, [1, 4, 8], 2, depolarizing(3, 0.02), seed=1)
            >>> res.to_dataframe().columns.tolist()
            ['d', 'length', 'mean', 'sem', 'fit', 'residual']
        """
        df = self.fit.to_dataframe()
        df.insert(0, "d", self.d)
        return df


@dataclass(frozen=True)
class IrrepDecay:
    """One character-weighted decay :math:`A_\\sigma f_\\sigma^m` of :func:`character_rb`.

    Attributes:
        g: proper divisor of ``d`` labelling the irrep.
        dim: irrep dimension :math:`J_2(d/g)`.
        fit: fit without offset.
        signal: ``(L, S)`` weighted signal per length and sequence.
    """

    g: int
    dim: int
    fit: DecayFit
    signal: np.ndarray

    @property
    def f(self) -> float:
        """The fitted decay :math:`f_\\sigma`."""
        return self.fit.f

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``g``, ``dim``, the fit (:meth:`DecayFit.to_dict`) and the signal."""
        return {
            "g": int(self.g),
            "dim": int(self.dim),
            "fit": self.fit.to_dict(),
            "signal": to_jsonable(self.signal),
        }


@dataclass(frozen=True)
class CharacterRBResult:
    """Result of :func:`character_rb`.

    Attributes:
        d: local dimension.
        lengths: ``(L,)`` sequence lengths.
        survival: ``(L, S, K)`` survival per length, sequence and character gate.
        characters: ``(L, S, K)`` label index ``u`` of each character gate.
        decays: one :class:`IrrepDecay` per proper divisor of ``d``.
        fidelity: :math:`(d + 1 + \\sum d_\\sigma f_\\sigma)/(d(d+1))`.
        fidelity_ci: bootstrap interval.
        fidelity_samples: bootstrap values.
    """

    d: int
    lengths: np.ndarray
    survival: np.ndarray
    characters: np.ndarray
    decays: tuple[IrrepDecay, ...]
    fidelity: float
    fidelity_ci: tuple[float, float]
    fidelity_samples: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields: arrays as lists, :attr:`decays` as :meth:`IrrepDecay.to_dict`
        (the bootstrap values ``fidelity_samples`` left out).

        Example:
            >>> from qtwin.rb.channels import depolarizing
            >>> res = character_rb(4, [1, 4, 8], 2, depolarizing(4, 0.05), seed=0)
            >>> [x["g"] for x in res.to_dict()["decays"]]
            [1, 2]
        """
        out = to_jsonable(_fields(self, {"decays", "fidelity_samples"}))
        return {**out, "decays": [x.to_dict() for x in self.decays]}

    def to_dataframe(self) -> pd.DataFrame:
        """One row per irrep and length: ``d, g, dim, f, length, mean, sem, fit, residual``
        (the character-weighted signal and its fitted decay :math:`A_\\sigma f_\\sigma^m`).

        Example:
            >>> from qtwin.rb.channels import depolarizing
            >>> res = character_rb(4, [1, 4, 8], 2, depolarizing(4, 0.05), seed=0)
            >>> df = res.to_dataframe()
            >>> len(df), sorted(set(df["g"]))
            (6, [1, 2])
        """
        import pandas as pd

        frames = []
        for x in self.decays:
            df = x.fit.to_dataframe()
            for k, (name, value) in enumerate(
                (("d", self.d), ("g", int(x.g)), ("dim", int(x.dim)), ("f", x.fit.f))
            ):
                df.insert(k, name, value)
            frames.append(df)
        return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class InterleavedRBResult:
    """Result of :func:`interleaved_rb`.

    Attributes:
        method: ``"standard"`` or ``"character"``.
        gate: Clifford index of the interleaved gate.
        reference, interleaved: the two runs.
        gate_fidelity: estimated average gate fidelity of the interleaved gate's error.
        gate_fidelity_ci: bootstrap interval.
        gate_error: ``1 - gate_fidelity`` (:math:`r_G`).
        systematic_bound: Magesan's bound ``E`` on :math:`|r_G^{\\rm est} - r_G|`
            (standard method; ``nan`` for character).
        gate_decays: per-irrep ratios :math:`f^{\\rm int}_\\sigma/f^{\\rm ref}_\\sigma` (key ``g``).
    """

    method: str
    gate: int
    reference: StandardRBResult | CharacterRBResult
    interleaved: StandardRBResult | CharacterRBResult
    gate_fidelity: float
    gate_fidelity_ci: tuple[float, float]
    gate_error: float
    systematic_bound: float
    gate_decays: dict[int, float]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields, the two runs as their own ``to_dict()``.

        Example:
            >>> from qtwin.rb.channels import depolarizing
            >>> res = interleaved_rb(3, [1, 4, 8], 2, 17, depolarizing(3, 0.02), seed=0)
            >>> sorted(res.to_dict()["reference"])[:3]
            ['d', 'error_per_clifford', 'fidelity']
        """
        return {
            **to_jsonable(_fields(self, {"reference", "interleaved"})),
            "reference": self.reference.to_dict(),
            "interleaved": self.interleaved.to_dict(),
        }

    def to_dataframe(self) -> pd.DataFrame:
        """One row per irrep ``g``: ``g, reference_f, interleaved_f, gate_decay``.

        Example:
            >>> from qtwin.rb.channels import depolarizing
            >>> res = interleaved_rb(3, [1, 4, 8], 2, 17, depolarizing(3, 0.02), seed=0)
            >>> res.to_dataframe().columns.tolist()
            ['g', 'reference_f', 'interleaved_f', 'gate_decay']
        """
        import pandas as pd

        def decays(run: StandardRBResult | CharacterRBResult) -> dict[int, float]:
            if isinstance(run, StandardRBResult):
                return {1: run.fit.f}
            return {int(x.g): x.fit.f for x in run.decays}

        ref, it = decays(self.reference), decays(self.interleaved)
        return pd.DataFrame(
            [
                {
                    "g": g,
                    "reference_f": ref[g],
                    "interleaved_f": it[g],
                    "gate_decay": self.gate_decays[g],
                }
                for g in sorted(self.gate_decays)
            ]
        )


def _check_lengths(lengths: Sequence[int] | np.ndarray) -> np.ndarray:
    arr = np.asarray(lengths)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"lengths must be a non-empty 1-D sequence of integers >= 1, got {lengths!r}"
        )
    if arr.dtype.kind not in "iu":
        raise TypeError(f"lengths must hold integers, got dtype {arr.dtype}")
    if arr.min() < 1:
        raise ValueError(f"lengths must be integers >= 1, got {arr.tolist()}")
    if np.unique(arr).size != arr.size:
        raise ValueError(f"lengths must be distinct, got {arr.tolist()}")
    return arr.astype(np.int64)


@dataclass(frozen=True)
class _Spec:
    """The checked settings of one RB run (what every private step below needs).

    ``characters`` is ``None`` for standard RB, ``"all"`` or a count for character RB;
    ``interleaved`` / ``interleaved_noise``: the Clifford (and its noise) after every
    Clifford of an interleaved run.
    """

    d: int
    lengths: np.ndarray
    num_samples: int
    model: NoiseModel
    shots: int | None
    confidence: float
    num_bootstrap: int
    characters: str | int | None = None
    interleaved: int | None = None
    interleaved_noise: Channel | None = None

    def with_gate(self, gate: int, noise: Channel | None) -> _Spec:
        """The same run with ``gate`` (and ``noise``) interleaved after every Clifford."""
        return dataclasses.replace(self, interleaved=gate, interleaved_noise=noise)


def _spec(
    d: object,
    lengths: object,
    num_samples: object,
    noise: NoiseSpec,
    shots: object,
    confidence: object,
    num_bootstrap: object,
    *,
    min_lengths: int = 1,
) -> _Spec:
    """Check the arguments every protocol shares (in the order the errors name them)."""
    d = check_positive_int(d, "d", minimum=2)
    m = _check_lengths(lengths)  # type: ignore[arg-type]
    s = check_positive_int(num_samples, "num_samples", minimum=1)
    c = float(confidence)  # type: ignore[arg-type]
    if not 0 < c < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    nb = check_positive_int(num_bootstrap, "num_bootstrap", minimum=10)
    if m.size < min_lengths:
        raise ValueError(f"lengths needs at least {min_lengths} distinct values, got {m.tolist()}")
    model = as_noise_model(noise, d)
    return _Spec(d, m, s, model, _check_shots(shots), c, nb)


def _check_shots(shots: object) -> int | None:
    return None if shots is None else check_positive_int(shots, "shots")


def _gate_index(gate: int | np.ndarray, d: int) -> int:
    if isinstance(gate, (int, np.integer)) and not isinstance(gate, bool):
        n = clifford_group_order(d)
        if not 0 <= int(gate) < n:
            raise ValueError(f"gate must be a Clifford index in [0, {n}) or a Clifford unitary")
        return int(gate)
    return int(clifford_index(np.asarray(gate), d))


@dataclass(frozen=True)
class _Units:
    """How survival data are produced on a cluster: client, root seed, job name, batch."""

    client: object
    root: np.random.SeedSequence
    job: str
    batch_size: int

    def fit_rng(self) -> np.random.Generator:
        return np.random.default_rng(unit_seed(self.root, "fit", key=self.job))


def _survival_unit(item: tuple, seed: np.random.SeedSequence) -> tuple[np.ndarray, np.ndarray]:
    """One batch: ``count`` sequences of one length, simulated with the unit's own stream."""
    d, length, count, model, shots, characters, interleaved, interleaved_noise = item
    rng = np.random.default_rng(seed)
    seqs = sample_sequences(d, length, count, rng)
    if characters is None:
        chars = None
    elif characters == "all":
        chars = np.broadcast_to(np.arange(d * d), (count, d * d)).copy()
    else:
        chars = rng.integers(0, d * d, size=(count, int(characters)))
    surv = simulate_survival(
        d,
        seqs,
        model,
        characters=chars,
        interleaved=interleaved,
        interleaved_noise=interleaved_noise,
        shots=shots,
        seed=rng,
    )
    return np.asarray(surv), (np.zeros((count, 0), np.int64) if chars is None else chars)


def _survival_on_units(units: _Units, spec: _Spec) -> tuple[np.ndarray, np.ndarray]:
    """``(L, S[, K])`` survival and ``(L, S, K)`` character labels from batch units."""
    bs, s, m = units.batch_size, spec.num_samples, spec.lengths
    starts = range(0, s, bs)
    items = [
        (
            spec.d,
            int(length),
            min(bs, s - b0),
            spec.model,
            spec.shots,
            spec.characters,
            spec.interleaved,
            spec.interleaved_noise,
        )
        for length in m
        for b0 in starts
    ]
    keys = [(int(length), b0) for length in m for b0 in starts]
    out = map_units(
        _survival_unit, items, cluster=units.client, seed=units.root, key=units.job, unit_keys=keys
    )
    nb = len(starts)
    surv = np.stack(
        [np.concatenate([x[0] for x in out[i * nb : (i + 1) * nb]]) for i in range(m.size)]
    )
    chars = np.stack(
        [np.concatenate([x[1] for x in out[i * nb : (i + 1) * nb]]) for i in range(m.size)]
    )
    return surv, chars


def _standard(
    spec: _Spec,
    rng: np.random.Generator,
    units: _Units | None = None,
    stacklevel: int = 4,
) -> StandardRBResult:
    if units is not None:
        surv, _ = _survival_on_units(units, spec)
        rng = units.fit_rng()
    else:
        surv = _standard_survival(spec, rng)
    return _standard_result(spec, surv, rng, stacklevel)


def _standard_survival(spec: _Spec, rng: np.random.Generator) -> np.ndarray:
    d = spec.d
    return np.stack(
        [
            simulate_survival(
                d,
                sample_sequences(d, int(length), spec.num_samples, rng),
                spec.model,
                interleaved=spec.interleaved,
                interleaved_noise=spec.interleaved_noise,
                shots=spec.shots,
                seed=rng,
            )
            for length in spec.lengths
        ]
    )


def _standard_result(
    spec: _Spec, surv: np.ndarray, rng: np.random.Generator, stacklevel: int
) -> StandardRBResult:
    d, m = spec.d, spec.lengths
    fit = fit_decay(
        m,
        surv,
        offset=True,
        confidence=spec.confidence,
        num_bootstrap=spec.num_bootstrap,
        seed=rng,
    )
    fid = fit.f + (1 - fit.f) / d
    lo, hi = fit.f_ci
    single = len(prime_factors(d)) == 1 and prime_factors(d)[0] == d
    if not single:
        warnings.warn(
            f"d={d} is not prime: the Clifford group is not a unitary 2-design and standard RB "
            f"decays as a sum of {len(_irreps(d))} exponentials (one per proper divisor of d); "
            f"the single-exponential fit has reduced chi^2 = {fit.reduced_chi2:.3g}. "
            "Use character_rb for the average fidelity.",
            RBWarning,
            stacklevel=stacklevel,
        )
    return StandardRBResult(
        d=d,
        lengths=m,
        survival=surv,
        fit=fit,
        fidelity=float(fid),
        fidelity_ci=(lo + (1 - lo) / d, hi + (1 - hi) / d),
        error_per_clifford=float(1 - fid),
        single_decay=single,
        reduced_chi2=fit.reduced_chi2,
    )


def standard_rb(
    d: int,
    lengths: Sequence[int] | np.ndarray,
    num_samples: int,
    noise: NoiseSpec = None,
    *,
    seed: int | np.random.Generator | None = None,
    shots: int | None = None,
    confidence: float = 0.95,
    num_bootstrap: int = 200,
    cluster: ClusterSpec = None,
    batch_size: int = 64,
) -> StandardRBResult:
    r"""Standard Clifford RB of a qudit: survival probabilities and a fit :math:`A f^m + B`.

    Sequences are simulated exactly (:func:`~qtwin.rb.simulate.simulate_survival`) unless
    ``shots`` is given. For composite ``d`` an :class:`RBWarning` says that one exponential
    does not describe the decay and gives the fit's reduced :math:`\chi^2`.

    Args:
        d: local dimension, ``d >= 2``.
        lengths: distinct sequence lengths ``>= 1`` (at least 3).
        num_samples: random sequences per length, ``>= 1``.
        noise: ``None``, a Channel after every gate, or gate-dependent noise
            (mapping / callable Clifford index -> Channel).
        seed: seed for sequences, shots and bootstrap.
        shots: shots per sequence (``None``: exact probabilities).
        confidence: level of the bootstrap intervals.
        num_bootstrap: number of bootstrap resamples.
        cluster: ``None`` (default): one generator in this process; otherwise a cluster
            spec or client (:mod:`qtwin.distributed`; ``"local"`` runs the same units
            here): batches of sequences as units, identical results on any number of
            workers (see the module docstring). ``noise`` must be picklable for worker
            processes.
        batch_size: sequences per unit on a cluster, ``>= 1``.

    Example:
        >>> from qtwin.rb.channels import depolarizing
        >>> res = standard_rb(3, [1, 5, 10, 20], 4, depolarizing(3, 0.02), seed=1)
        >>> round(res.fit.f, 10), round(res.fidelity, 10)   # f = 1 - p, F = 1 - p (d-1)/d
        (0.98, 0.9866666667)
    """
    spec = _spec(d, lengths, num_samples, noise, shots, confidence, num_bootstrap)
    if cluster is None:
        return _standard(spec, as_generator(seed))
    batch_size = check_positive_int(batch_size, "batch_size")
    with cluster_session(cluster) as client:
        units = _Units(client, root_seed(seed), "rb-standard", batch_size)
        return _standard(spec, units.fit_rng(), units=units)


def _character(
    spec: _Spec,
    rng: np.random.Generator,
    resamples: np.ndarray | None = None,
    units: _Units | None = None,
) -> CharacterRBResult:
    d, m, s = spec.d, spec.lengths, spec.num_samples
    c, nb, characters = spec.confidence, spec.num_bootstrap, spec.characters
    if units is not None:
        surv, chars = _survival_on_units(units, spec)
        if resamples is None:
            resamples = bootstrap_indices(m.size, s, nb, units.fit_rng())
        return analyze_character_rb(d, m, surv, chars, confidence=c, resamples=resamples)
    k = d * d if characters == "all" else int(characters)  # type: ignore[arg-type]
    surv = np.empty((m.size, s, k))
    chars = np.empty((m.size, s, k), dtype=np.int64)
    for i, length in enumerate(m):
        seqs = sample_sequences(d, int(length), s, rng)
        if characters == "all":
            chars[i] = np.arange(d * d)
        else:
            chars[i] = rng.integers(0, d * d, size=(s, k))
        surv[i] = simulate_survival(
            d,
            seqs,
            spec.model,
            characters=chars[i],
            interleaved=spec.interleaved,
            interleaved_noise=spec.interleaved_noise,
            shots=spec.shots,
            seed=rng,
        )
    if resamples is None:
        resamples = bootstrap_indices(m.size, s, nb, rng)
    return analyze_character_rb(d, m, surv, chars, confidence=c, resamples=resamples)


def analyze_character_rb(
    d: int,
    lengths: np.ndarray,
    survival: np.ndarray,
    characters: np.ndarray,
    *,
    confidence: float,
    resamples: np.ndarray,
) -> CharacterRBResult:
    r"""Character-weighted signals, one offset-free decay per irrep, and the fidelity.

    ``survival`` and ``characters`` have shape ``(L, S, K)``: the survival probability of each
    sequence run with Weyl–Heisenberg character gate ``characters[l, s, k]``. For each irrep
    :math:`\sigma`, :math:`k_\sigma(m) = d_\sigma\,\mathbb{E}[\chi_\sigma(u)\,p(m; u)]`
    is fitted by :math:`A_\sigma f_\sigma^m`; the decays combine into
    :math:`F = (d + 1 + \sum_\sigma d_\sigma f_\sigma)/(d(d+1))`. Shared by the simulated
    protocol and by data measured on a backend (:mod:`qtwin.rb.circuits`).
    """
    decays = []
    for sig in _irreps(d):
        chi = wh_characters(sig)  # real
        signal = sig.dim * (chi[characters] * survival).mean(axis=2)  # unbiased for k_sigma(m)
        fit = fit_decay(lengths, signal, offset=False, confidence=confidence, resamples=resamples)
        decays.append(IrrepDecay(sig.g, sig.dim, fit, signal))
    f = np.array([x.fit.f for x in decays])
    fb = np.stack([x.fit.f_samples for x in decays], axis=-1)
    fid_b = fidelity_from_decays(d, fb)
    fidelity = float(fidelity_from_decays(d, f))
    return CharacterRBResult(
        d=d,
        lengths=lengths,
        survival=survival,
        characters=characters,
        decays=tuple(decays),
        fidelity=fidelity,
        fidelity_ci=bootstrap_interval(fidelity, fid_b, confidence, survival.shape[1]),
        fidelity_samples=np.asarray(fid_b),
    )


def _check_characters(characters: object) -> str | int:
    if isinstance(characters, str):
        return check_choice(characters, "characters", ["all"])
    return check_positive_int(characters, "characters")


def character_rb(
    d: int,
    lengths: Sequence[int] | np.ndarray,
    num_samples: int,
    noise: NoiseSpec = None,
    *,
    seed: int | np.random.Generator | None = None,
    shots: int | None = None,
    characters: Literal["all"] | int = "all",
    confidence: float = 0.95,
    num_bootstrap: int = 200,
    cluster: ClusterSpec = None,
    batch_size: int = 64,
) -> CharacterRBResult:
    r"""Clifford character RB with the Weyl–Heisenberg group as character group.

    For each irrep :math:`\sigma_g` (proper divisor ``g`` of ``d``) the signal
    :math:`k_\sigma(m) = \frac{d_\sigma}{d^2}\sum_u\chi_\sigma(u)^*p(m;u)` is fitted with
    :math:`A f^m` (no offset), and :math:`F = (d+1+\sum_\sigma d_\sigma f_\sigma)/(d(d+1))`.

    Args:
        d: local dimension, ``d >= 2``.
        lengths: distinct sequence lengths ``>= 1`` (at least 2).
        num_samples: random Clifford sequences per length, ``>= 1``.
        noise: as in :func:`standard_rb`.
        seed: seed for sequences, character gates, shots and bootstrap.
        shots: shots per circuit (``None``: exact probabilities).
        characters: ``"all"``: run each Clifford sequence with every one of the ``d**2``
            character gates (exact average over ``u``); an int ``K``: ``K`` uniformly random
            character gates per sequence (estimator :math:`d_\sigma\,\overline{\chi_\sigma(u)
            p(m;u)}`, unbiased, noisier).
        confidence: level of the bootstrap intervals.
        num_bootstrap: number of bootstrap resamples.
        cluster, batch_size: as in :func:`standard_rb`.

    Example:
        >>> from qtwin.rb.channels import depolarizing
        >>> res = character_rb(6, [1, 4, 8], 3, depolarizing(6, 0.05), seed=0)
        >>> [(x.g, x.dim, round(x.f, 8)) for x in res.decays]
        [(1, 24, 0.95), (2, 8, 0.95), (3, 3, 0.95)]
        >>> round(res.fidelity, 8)   # 1 - p (d - 1)/d
        0.95833333
    """
    spec = _spec(d, lengths, num_samples, noise, shots, confidence, num_bootstrap, min_lengths=2)
    spec = dataclasses.replace(spec, characters=_check_characters(characters))
    if cluster is None:
        return _character(spec, as_generator(seed))
    batch_size = check_positive_int(batch_size, "batch_size")
    with cluster_session(cluster) as client:
        units = _Units(client, root_seed(seed), "rb-character", batch_size)
        return _character(spec, units.fit_rng(), units=units)


def _magesan_bound(d: int, p: float, p_int: float) -> float:
    if not 0 < p <= 1:
        return float("nan")
    b1 = (d - 1) * (abs(p - p_int / p) + (1 - p)) / d
    b2 = 2 * (d * d - 1) * (1 - p) / (p * d * d) + 4 * np.sqrt(1 - p) * np.sqrt(d * d - 1) / p
    return float(min(b1, b2))


def interleaved_rb(
    d: int,
    lengths: Sequence[int] | np.ndarray,
    num_samples: int,
    gate: int | np.ndarray,
    noise: NoiseSpec = None,
    gate_noise: Channel | None = None,
    *,
    method: Literal["standard", "character"] = "standard",
    seed: int | np.random.Generator | None = None,
    shots: int | None = None,
    characters: Literal["all"] | int = "all",
    confidence: float = 0.95,
    num_bootstrap: int = 200,
    cluster: ClusterSpec = None,
    batch_size: int = 64,
) -> InterleavedRBResult:
    r"""Interleaved RB (standard or character) estimating one Clifford gate's fidelity.

    The reference run uses ``noise``; the interleaved run adds ``gate`` after every
    Clifford, followed by ``gate_noise`` (default: the noise model's channel for that gate).
    The estimate is exact in expectation when the reference noise is depolarizing and
    within Magesan's bound ``E`` otherwise (standard method).

    Args:
        d, lengths, num_samples, noise, seed, shots, characters, confidence, num_bootstrap:
            as in :func:`standard_rb` / :func:`character_rb`.
        gate: Clifford index or Clifford unitary ``(d, d)``.
        gate_noise: channel after the interleaved gate.
        method: ``"standard"`` (prime ``d``) or ``"character"`` (any ``d``).
        cluster, batch_size: as in :func:`standard_rb`; the reference and interleaved runs
            are two jobs (``"rb-<method>-reference"``, ``"rb-<method>-interleaved"``).

    Example:
        >>> from qtwin.rb.channels import depolarizing
        >>> res = interleaved_rb(3, [1, 4, 8, 16], 3, 17, depolarizing(3, 0.02),
        ...                      depolarizing(3, 0.05), seed=0)
        >>> round(res.gate_fidelity, 8)   # 1 - 0.05 * 2/3
        0.96666667
    """
    spec = _spec(d, lengths, num_samples, noise, shots, confidence, num_bootstrap)
    method = check_choice(method, "method", ["standard", "character"])
    g_idx = _gate_index(gate, spec.d)
    if gate_noise is not None:
        as_noise_model(gate_noise, spec.d)  # checks type, dimension and CPTP
    if method == "character":
        spec = dataclasses.replace(spec, characters=_check_characters(characters))
    if cluster is None:
        return _interleaved(spec, g_idx, gate_noise, method, as_generator(seed), None)
    batch_size = check_positive_int(batch_size, "batch_size")
    with cluster_session(cluster) as client:
        root = root_seed(seed)
        units = tuple(
            _Units(client, root, f"rb-{method}-{run}", batch_size)
            for run in ("reference", "interleaved")
        )
        return _interleaved(spec, g_idx, gate_noise, method, units[0].fit_rng(), units)


def _interleaved(
    spec: _Spec,
    g_idx: int,
    gate_noise: Channel | None,
    method: str,
    rng: np.random.Generator,
    units: tuple[_Units, _Units] | None,
) -> InterleavedRBResult:
    d = spec.d
    gated = spec.with_gate(g_idx, gate_noise)
    u_ref, u_int = (None, None) if units is None else units
    if method == "standard":
        ref = _standard(spec, rng, units=u_ref, stacklevel=5)
        it = _standard(gated, rng, units=u_int, stacklevel=5)
        p, pi = ref.fit.f, it.fit.f
        ratio_b = it.fit.f_samples / ref.fit.f_samples
        fid = 1 - (d - 1) * (1 - pi / p) / d
        fid_b = 1 - (d - 1) * (1 - ratio_b) / d
        decays = {1: float(pi / p)}
        bound = _magesan_bound(d, p, pi)
    else:
        ref = _character(spec, rng, units=u_ref)
        it = _character(gated, rng, units=u_int)
        ratios = np.array([b.f / a.f for a, b in zip(ref.decays, it.decays, strict=True)])
        ratios_b = np.stack(
            [b.fit.f_samples / a.fit.f_samples for a, b in zip(ref.decays, it.decays, strict=True)],
            axis=-1,
        )
        fid = float(fidelity_from_decays(d, ratios))
        fid_b = fidelity_from_decays(d, ratios_b)
        decays = {a.g: float(r) for a, r in zip(ref.decays, ratios, strict=True)}
        bound = float("nan")
    return InterleavedRBResult(
        method=method,
        gate=g_idx,
        reference=ref,
        interleaved=it,
        gate_fidelity=float(fid),
        gate_fidelity_ci=bootstrap_interval(float(fid), fid_b, spec.confidence, spec.num_samples),
        gate_error=float(1 - fid),
        systematic_bound=bound,
        gate_decays=decays,
    )
