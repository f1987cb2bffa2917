"""Lazy, thread-safe model loading (the pattern of Immich's InferenceModel).

No model is touched at import time. The first `predict` loads the files under a lock; every
later call reuses the loaded session. No Django in this package: inputs are paths and arrays.
"""

from __future__ import annotations

import gc
import sys
import threading
from pathlib import Path
from typing import Any

#: Where ONNX graphs run: onnxruntime (the core install), or OpenVINO (the openvino extra:
#: bfloat16 on CPUs that have it, faster; README, "Inference engines").
ENGINES = ("onnxruntime", "openvino")
DEFAULT_ENGINE = "onnxruntime"


class ModelFileMissing(RuntimeError):
    """A model file is not where the settings say; the message names the path."""


class InferenceModel:
    #: Recorded with every fact the model produces, so a model change can be backfilled.
    name: str = ""
    version: str = ""
    #: The files it reads from MODEL_DIR (relative; each one is in inference/manifest.py).
    files: tuple[str, ...] = ()

    def __init__(self, model_dir: Path, threads: int = 1, engine: str = DEFAULT_ENGINE) -> None:
        """`engine`: one of ENGINES, for the models that run ONNX graphs (a model that
        cannot use another one is never given one)."""
        self.model_dir = Path(model_dir)
        self.threads = threads
        self.engine = engine
        # Another engine computes at another precision: facts it produced say so.
        if engine != DEFAULT_ENGINE:
            self.version = f"{self.version}, {engine}"
        self._lock = threading.Lock()
        self._loaded = False

    def model_files(self) -> tuple[str, ...]:
        """What must be in MODEL_DIR before this model can load (for checks and fetching)."""
        return self.files

    def fetch_hint(self) -> str:
        """How to get this model's files: the end of its missing-file error."""
        return (
            "Fetch the model files with `python manage.py photodesk_models fetch` (or `fetch "
            "--from DIR` offline), or set PHOTODESK['MODEL_DIR'] to the folder that holds them."
        )

    def _require(self, relative: str) -> Path:
        path = self.model_dir / relative
        if not path.exists():
            raise ModelFileMissing(f"{self.name}: model file {path} not found. {self.fetch_hint()}")
        return path

    def load(self) -> None:
        raise NotImplementedError

    def ensure_loaded(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if not self._loaded:
                self.load()
                self._loaded = True
                keep_for_life()
        # A model's library may have brought its own thread pool (OpenCV, a BLAS).
        apply_process_threads()

    @property
    def loaded(self) -> bool:
        return self._loaded

    def predict(self, *args: Any, **kwargs: Any) -> Any:
        self.ensure_loaded()
        return self._predict(*args, **kwargs)

    def _predict(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError


def keep_for_life() -> None:
    """Take every object alive now (a model just loaded, with the modules and settings before
    it) out of the cyclic garbage collector's walks (gc.freeze): they live as long as the
    process. Otherwise each full collection walks them all again; in a web process with
    spaCy's pipeline loaded one took 80 ms, in the middle of a suggestion."""
    gc.freeze()


_process_threads: int | None = None


def set_process_threads(threads: int) -> None:
    """Every native thread pool of this process at `threads` (INFERENCE_THREADS): numpy's
    BLAS (and dlib's, when it links one) through threadpoolctl, and OpenCV. Sessions take
    the same number when they are made (onnx_session, LiteRT). Without this, each library
    sizes its pool by the machine's cores, and two workers on two cores fight over them."""
    global _process_threads
    _process_threads = threads
    apply_process_threads()


def apply_process_threads() -> None:
    """Apply set_process_threads' number to the libraries loaded since (cheap: run again
    after each model load)."""
    if _process_threads is None:
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=_process_threads)
    cv2 = sys.modules.get("cv2")  # only if a model uses it: importing it costs memory
    if cv2 is not None:
        cv2.setNumThreads(_process_threads)


def onnx_session(path: Path, threads: int, arena: bool = True, engine: str = DEFAULT_ENGINE):
    """A CPU session on `threads` threads. `arena=False` for a model whose inputs change
    shape from call to call (text): onnxruntime's CPU arena keeps every peak allocation for
    the life of the process; an image model with fixed input shapes runs faster with it.
    `engine` "openvino": an OpenVinoSession, which answers the same calls."""
    if engine == "openvino":
        from photodesk.inference.openvino import OpenVinoSession

        return OpenVinoSession(path, threads)
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.enable_cpu_mem_arena = arena
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
