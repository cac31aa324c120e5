r"""Artificial entanglement: entanglement entropy profiles of neural-network weights and attention.

Implements "Artificial Entanglement in the Fine-Tuning of Large Language Models"
(Chen, Wang, Chen, Wu, Li, Liu; arXiv:2601.06788). A weight matrix :math:`W` is read as the
state :math:`\mathrm{vec}(W)/\|W\|_F` on a chain of prime-dimensional sites (row digits,
then column digits) and represented as an MPS of the shared simulator
(:class:`qtwin.tensornet.MPS`); its entanglement entropy at every cut is the profile.

* :func:`entanglement_profile`, :func:`entanglement_profiles` (a batch), :func:`weight_mps`,
  :func:`site_layout`: the profile; :func:`checkpoint_profiles`: every matrix of a sharded
  safetensors checkpoint, one unit each, on a Dask cluster with ``cluster=``;
* :func:`page_entropy`, :func:`page_curve`, :func:`gaussian_profile`,
  :func:`random_low_rank_profile`, :func:`random_attention`,
  :func:`random_attention_profile`: random-matrix baselines;
* :func:`fit_laws`: volume law, area law and area law with logarithmic (Cardy) correction;
* :class:`MPSAdapter`, :func:`apply_mps_adaptation`: the MPS adaptation layer
  :math:`\Delta W = (\alpha/r) B A_\text{MPS}`; :func:`lora_parameter_count`;
* :func:`load_minilm`, :func:`load_checkpoint`, :func:`checkpoint_weights`, :func:`encode`,
  :func:`attention_matrices`, :func:`finetune`, :func:`topic_sentences`: the real model
  (extra ``llm``).

Devices: every function with a ``device=`` argument computes on the CPU when it is
``None`` (the default) and on ``torch.device(device)`` otherwise (``device="cuda"`` for a
GPU); nothing moves to a GPU unless asked. Randomness comes from a ``seed`` (int, numpy
``Generator`` or ``None``) through local generators; torch's global seed is never reset.
"""

from qtwin.entanglement.adapters import (
    MPSAdapter,
    apply_mps_adaptation,
    lora_parameter_count,
    mps_adapter_parameter_count,
)
from qtwin.entanglement.baselines import (
    gaussian_profile,
    page_curve,
    page_entropy,
    random_attention,
    random_attention_profile,
    random_low_rank_profile,
)
from qtwin.entanglement.batched import entanglement_profiles
from qtwin.entanglement.checkpoint import checkpoint_profiles
from qtwin.entanglement.laws import LawFit, best_law, fit_laws, valley_depth
from qtwin.entanglement.models import (
    attention_matrices,
    checkpoint_weights,
    encode,
    load_checkpoint,
    load_minilm,
    minilm_path,
)
from qtwin.entanglement.profile import EntanglementProfile, entanglement_profile, weight_mps
from qtwin.entanglement.sites import SiteLayout, prime_factors, site_layout
from qtwin.entanglement.training import FineTuneResult, finetune, topic_sentences

__all__ = [
    "EntanglementProfile",
    "FineTuneResult",
    "LawFit",
    "MPSAdapter",
    "SiteLayout",
    "apply_mps_adaptation",
    "attention_matrices",
    "checkpoint_profiles",
    "checkpoint_weights",
    "encode",
    "entanglement_profile",
    "entanglement_profiles",
    "finetune",
    "fit_laws",
    "best_law",
    "valley_depth",
    "gaussian_profile",
    "load_checkpoint",
    "load_minilm",
    "lora_parameter_count",
    "minilm_path",
    "mps_adapter_parameter_count",
    "page_curve",
    "page_entropy",
    "prime_factors",
    "random_attention",
    "random_attention_profile",
    "random_low_rank_profile",
    "site_layout",
    "topic_sentences",
    "weight_mps",
]
