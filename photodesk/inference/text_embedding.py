"""all-MiniLM-L6-v2 sentence embeddings (int8 ONNX): mean-pool over the mask, L2-normalise."""

from __future__ import annotations

import numpy as np

from photodesk.inference.base import InferenceModel, onnx_session

MAX_TOKENS = 256
MODEL = "all-MiniLM-L6-v2/model_int8.onnx"
TOKENIZER = "all-MiniLM-L6-v2/tokenizer.json"


class SentenceEmbedder(InferenceModel):
    name = "all-MiniLM-L6-v2-int8"
    version = "1"
    dimension = 384
    files = (MODEL, TOKENIZER)

    def load(self) -> None:
        from tokenizers import Tokenizer

        self.session = onnx_session(self._require(MODEL), self.threads, arena=False)
        tokenizer = Tokenizer.from_file(str(self._require(TOKENIZER)))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.tokenizer = tokenizer

    def _predict(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Embed texts → float32 [len(texts), 384], unit length."""
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        out = []
        for start in range(0, len(texts), batch_size):
            encodings = self.tokenizer.encode_batch(texts[start : start + batch_size])
            ids = np.array([e.ids for e in encodings], np.int64)
            mask = np.array([e.attention_mask for e in encodings], np.int64)
            hidden = self.session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out.append(pooled)
        vectors = np.concatenate(out).astype(np.float32)
        return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
