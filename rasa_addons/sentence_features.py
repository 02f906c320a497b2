"""A message's sentence-level features, combined as Rasa combines them, without the rest.

``Message.get_sparse_features(TEXT)[1]`` / ``get_dense_features(TEXT)[1]`` give the sentence
features of every featurizer side by side, but they also combine, and deep-copy, the token-level
matrices, which the out-of-scope detector and the logistic-regression intent classifier never
read: most of their cost per message (docs/nlu/chinese.md, "Cost"). Same matrices, in the
pipeline's order (``tests/nlu/check_oos_detector.py`` and ``tests/rasa_side/check_speedups.py``
compare them with Rasa's).
"""

# ruff: noqa: UP006, UP035 - the Rasa environment's typing, as the other add-ons
from __future__ import annotations

from typing import Any, Tuple

import numpy as np
import scipy.sparse
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message


def sentence_features(message: Message) -> Tuple[Any, np.ndarray | None]:
    """The sparse sentence features side by side (None without any) and the dense ones
    concatenated (None without any)."""
    sentence = [
        f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE
    ]
    sparse = [f.features for f in sentence if f.is_sparse()]
    dense = [f.features for f in sentence if f.is_dense()]
    return (
        scipy.sparse.hstack(sparse) if sparse else None,
        np.concatenate(dense, axis=-1) if dense else None,
    )
