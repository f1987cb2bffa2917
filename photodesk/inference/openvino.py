"""ONNX files run by OpenVINO on the CPU (INFERENCE_ENGINE "openvino", the openvino extra).

The same model files as onnxruntime, compiled by OpenVINO's CPU plugin. On a CPU with
bfloat16 instructions (AVX512-BF16, AMX) it computes in bfloat16 by default, which is where
its speed comes from: on this project's 2-core EPYC the text detector took 145 ms instead of
240 on a 736 x 1120 copy (in float32, 255). The classifier's labels and the text read stay
very nearly alike; README, "Inference engines", gives the measurements.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np


class _Port:
    """An input or output as onnxruntime's NodeArg shows it (name and shape)."""

    def __init__(self, port: Any) -> None:
        self.name = port.get_any_name()
        self.shape = [
            dim.get_length() if dim.is_static else None for dim in port.get_partial_shape()
        ]


class OpenVinoSession:
    """An ONNX graph compiled for the CPU on `threads` threads, with the part of
    onnxruntime's InferenceSession that Photodesk and the libraries it hands a session to
    use: `run(output_names, feed)`, `get_inputs()`, `get_outputs()`. Safe to call from
    several threads (each has its own infer request)."""

    def __init__(self, path: Path, threads: int) -> None:
        import openvino as ov

        self.compiled = ov.Core().compile_model(
            str(path),
            "CPU",
            {
                "INFERENCE_NUM_THREADS": threads,
                "NUM_STREAMS": 1,
                "PERFORMANCE_HINT": "LATENCY",
                # Pinned threads put every worker process on the same core: two workers
                # took 462 ms a photo each instead of 230.
                "ENABLE_CPU_PINNING": False,
                # Kernels kept per input shape: the text detector sees a new shape with most
                # photos; 58 MB less in a worker after the demo photos, 3 % slower.
                "CPU_RUNTIME_CACHE_CAPACITY": 0,
            },
        )
        self.inputs = [_Port(port) for port in self.compiled.inputs]
        self.outputs = [_Port(port) for port in self.compiled.outputs]
        self._local = threading.local()

    @property
    def precision(self) -> str:
        """What the CPU plugin computes in: "bf16" where the CPU has it, else "f32"."""
        return str(self.compiled.get_property("INFERENCE_PRECISION_HINT"))

    def get_inputs(self) -> list[_Port]:
        return self.inputs

    def get_outputs(self) -> list[_Port]:
        return self.outputs

    def run(self, output_names: list[str] | None, feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self.compiled.create_infer_request()
        request.infer(feed)
        names = output_names or [port.name for port in self.outputs]
        # The request reuses its output buffers on the next call: copy them out.
        return [np.array(request.get_tensor(name).data, copy=True) for name in names]
