"""The reference-MPS corpus: loading, hash checks, and the stored physics reproduced by qtwin
against independent references (free-fermion closed forms, sparse exact diagonalization,
quimb's entropies, energy conservation of a quench, qtwin's own TEBD vs quimb's)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import scipy.sparse.linalg

from qtwin.circuits import hamiltonians
from qtwin.tensornet import corpus


def _hamiltonian(rec):
    h = dict(rec["hamiltonian"])
    return getattr(hamiltonians, h.pop("function"))(**h)


def test_every_state_loads_normalized_with_its_manifest_shape():
    assert len(corpus.names()) >= 7
    for rec in corpus.entries():
        psi = corpus.load(rec["name"])
        assert psi.num_sites == rec["num_sites"] and list(psi.dims) == rec["dims"]
        assert psi.bond_dims == rec["bond_dims"]
        assert abs(psi.norm() - 1) < 1e-12
        assert max(psi.bond_dims) <= 32


def test_entropy_profiles_match_quimb():
    for rec in corpus.entries():
        psi = corpus.load(rec["name"])
        ours = psi.entropy_profile()
        assert np.allclose(ours, rec["entropy_profile"], atol=1e-10)
        q = psi.to_quimb()
        q.normalize()
        theirs = [q.entropy(c) * np.log(2) for c in range(1, psi.num_sites)]  # bits -> nats
        assert np.allclose(ours, theirs, atol=1e-8), rec["name"]


def _tfim_exact(n, J, g):
    # -J sum ZZ - g sum X on an open chain: Jordan-Wigner free fermions (Pfeuty 1970)
    t = np.diag(np.full(n, 2.0 * g)) + np.diag(np.full(n - 1, 2.0 * J), 1)
    return -0.5 * np.linalg.svd(t, compute_uv=False).sum()


def _xx_exact(n, J):
    eps = 4.0 * J * np.cos(np.arange(1, n + 1) * np.pi / (n + 1))
    return eps[eps < 0].sum()


def test_ground_state_energies_reproduce_dmrg_and_the_closed_forms():
    closed = {
        "tfim_critical_20": _tfim_exact(20, 1.0, 1.0),
        "tfim_ordered_24": _tfim_exact(24, 1.0, 0.5),
        "xx_20": _xx_exact(20, 1.0),
    }
    for rec in corpus.entries():
        if rec["kind"] != "ground_state":
            continue
        energy = corpus.load(rec["name"]).expectation(_hamiltonian(rec)).real
        assert abs(energy - rec["energy"]) < 1e-8, rec["name"]  # quimb's DMRG value
        if rec["name"] in closed:
            assert abs(energy - closed[rec["name"]]) < 1e-6 * abs(energy), rec["name"]
    # Heisenberg has no simple closed form on an open chain: sparse exact diagonalization
    rec = corpus.entry("heisenberg_12")
    h = _hamiltonian(rec).to_matrix(sparse=True)
    e0 = scipy.sparse.linalg.eigsh(h, k=1, which="SA")[0][0]
    assert abs(rec["energy"] - e0) < 1e-8


def test_quenches_conserve_energy_and_agree_with_qtwin_tebd():
    from qtwin.aqc import tebd_target

    for name, neel_energy in (("xxz_quench_20", -0.5 * 2.0 * 19), ("tfim_quench_16", 15.0)):
        rec = corpus.entry(name)
        h = _hamiltonian(rec)
        psi = corpus.load(name)
        # <Neel|H|Neel>: only the ZZ terms survive, each -1 on a Neel state
        assert abs(psi.expectation(h).real - neel_energy) < 5e-5
        ours = tebd_target(h, rec["time"], dt=0.02)  # qtwin's own 2nd-order Trotter TEBD
        assert 1 - abs(ours.overlap(psi)) ** 2 < 2e-6


def test_random_profile_state_has_its_prescribed_entropies():
    rec = corpus.entry("random_profile_16")
    prof = corpus.load("random_profile_16").entropy_profile()
    assert np.max(np.abs(prof - np.asarray(rec["target_entropy_profile"]))) < 1e-5


def test_a_modified_file_an_unknown_name_and_a_missing_folder_are_refused(tmp_path, monkeypatch):
    copy = tmp_path / "corpus"
    shutil.copytree(corpus.corpus_dir(), copy)
    monkeypatch.setenv(corpus.ENV_VAR, str(copy))
    assert corpus.load("tfim_quench_16").num_sites == 16  # the copy is used, and it verifies
    data = dict(np.load(copy / "tfim_quench_16.npz"))
    data["site_3"] = data["site_3"] * 1.0000001
    np.savez(copy / "tfim_quench_16.npz", **data)
    with pytest.raises(ValueError, match="does not match its manifest sha256"):
        corpus.load("tfim_quench_16")
    assert corpus.load("tfim_quench_16", verify=False).num_sites == 16
    with pytest.raises(ValueError, match=r"one of the corpus states \[.*'xx_20'"):
        corpus.load("xx_21")
    manifest = json.loads((copy / "manifest.json").read_text())
    assert [s["name"] for s in manifest["states"]] == corpus.names()
    monkeypatch.setenv(corpus.ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="QTWIN_TENSORNET_CORPUS"):
        corpus.names()
