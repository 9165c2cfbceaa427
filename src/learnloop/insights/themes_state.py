"""A recompute's grouping state in the database: the vocabulary, the tf-idf rows and the item key
of each row, stored as numpy arrays and JSON (no pickle: nothing read back can run code).

`placing_model` turns it back into a `ThemeModel` whose theme numbers are today's theme ids, so a
new text joins the theme its nearest grouped texts are in now, corrections included.
"""

import io
import json

import numpy as np
from scipy import sparse

from learnloop.analytics.themes import ThemeModel, ThemeSettings
from learnloop.analytics.themes.features import Vocabulary

_cache: dict[tuple, tuple] = {}  # (run id, finished) -> (vocabulary, matrix, keys, settings); a run never changes


def dump(vocabulary: Vocabulary, matrix: sparse.csr_matrix, keys: list[str], settings: ThemeSettings) -> bytes:
    matrix = sparse.csr_matrix(matrix)
    meta = {
        "index": vocabulary.index, "surface": vocabulary.surface, "document_count": vocabulary.document_count,
        "keys": keys, "shape": list(matrix.shape),
        "settings": {name: getattr(settings, name) for name in settings.__dataclass_fields__},
    }
    buffer = io.BytesIO()
    np.savez_compressed(buffer, idf=vocabulary.idf, data=matrix.data, indices=matrix.indices, indptr=matrix.indptr,
                        meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    return buffer.getvalue()


def load(run_id, state: bytes) -> tuple:
    """`run_id`: anything naming one run for good (services pass (pk, finished_at): ids can be
    reused after a rollback)."""
    if run_id not in _cache:
        arrays = np.load(io.BytesIO(bytes(state)), allow_pickle=False)
        meta = json.loads(arrays["meta"].tobytes().decode())
        vocabulary = Vocabulary(index=meta["index"], idf=arrays["idf"], surface=meta["surface"],
                                document_count=meta["document_count"])
        matrix = sparse.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=tuple(meta["shape"]))
        _cache.clear()  # only the newest run is ever used
        _cache[run_id] = (vocabulary, matrix, meta["keys"], ThemeSettings(**meta["settings"]))
    return _cache[run_id]


def placing_model(run_id, state: bytes, theme_of: dict[str, int],
                  placed_since: list[tuple[str, int]] = ()) -> ThemeModel:
    """A model over the run's rows, each row voting for the theme its item is in today (-1: gone),
    plus the texts placed since the run (`placed_since`: (text, theme id)), so that a text placed
    between regroupings attracts later ones, through new words too (ThemeModel.add)."""
    vocabulary, matrix, keys, settings = load(run_id, state)
    membership = [theme_of.get(key, -1) for key in keys]
    model = ThemeModel(vocabulary, matrix, membership, settings)
    for text, theme_id in placed_since:
        model.add(text, theme=theme_id)
    return model


def run_keys(run_id, state: bytes) -> set[str]:
    return set(load(run_id, state)[2])
