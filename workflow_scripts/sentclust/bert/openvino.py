"""The OpenVINO CPU path: which backend runs the transformer, and the compiled transformer.

On a CPU the transformer runs by default on OpenVINO (``backend: auto``, when the
``openvino`` package imports): the model's first module, converted from PyTorch in memory and
compiled for this CPU in float32 or bf16, or an int8 model quantized and checked by
:mod:`sentclust.bert.int8`; which one runs is measured (:mod:`sentclust.bert.paths`).
Pooling and normalisation stay the sentence-transformers modules. ``openvino`` and ``torch``
are imported only when a runner is built, so this module imports without them.

OpenVINO sends usage telemetry unless opted out (importing it already sends an event; its
consent file, written by ``opt_in_out --opt_out``, is per user): importing this module opts the
process out (:func:`opt_out_of_openvino_telemetry`), and every function here that imports
OpenVINO does so again first. OpenVINO and NNCF then use their no-telemetry stubs.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import warnings

import numpy as np

BACKENDS = ("auto", "torch", "openvino")


def opt_out_of_openvino_telemetry() -> None:
    """Opt this process out of OpenVINO's (and NNCF's) usage telemetry; call before OpenVINO is
    imported (importing it already sends an event). Idempotent.

    ``openvino_telemetry`` is made unimportable for the process, so that OpenVINO's converter
    and NNCF fall back to their built-in stubs, which send nothing; a telemetry client that is
    already configured (OpenVINO imported earlier) is told it has no consent.
    """
    module = sys.modules.get("openvino_telemetry")
    if module is not None:
        # the configured singleton, if any (not configured yet: nothing has been sent)
        with contextlib.suppress(Exception):
            module.Telemetry().consent = False
    sys.modules["openvino_telemetry"] = None  # a later import raises ImportError


opt_out_of_openvino_telemetry()  # before anything in this process imports openvino


def openvino_available() -> bool:
    opt_out_of_openvino_telemetry()
    try:
        importlib.import_module("openvino")
    except ImportError:
        return False
    return True


def resolve_backend(requested: str, device: str, *, available: bool | None = None) -> str:
    """What runs the transformer: ``openvino`` (CPU only) or ``torch``.

    ``auto``: OpenVINO on the CPU when the package imports, else torch (always on CUDA).
    """
    if requested not in BACKENDS:
        raise ValueError(f"bert.runtime.backend must be one of {BACKENDS}, got {requested!r}")
    available = openvino_available() if available is None else available
    if requested == "auto":
        return "openvino" if device == "cpu" and available else "torch"
    if requested == "openvino":
        if device != "cpu":
            raise ValueError(
                f"bert.runtime.backend is 'openvino' but the device is '{device}': OpenVINO "
                "runs the CPU path here; set bert.runtime.backend to auto or torch"
            )
        if not available:
            raise RuntimeError(
                "bert.runtime.backend is 'openvino' but the openvino package does not import: "
                "install it (pip install -r envs/requirements.txt, or make venv) or set "
                "bert.runtime.backend to auto or torch"
            )
    return requested


def input_names(model) -> list[str]:
    """The tokenizer outputs the transformer reads (``token_type_ids`` only where it has them)."""
    names = ["input_ids", "attention_mask"]
    if "token_type_ids" in model.tokenizer.model_input_names:
        names.append("token_type_ids")
    return names


def _convert(hf, names: list[str]):
    """The Hugging Face transformer as an OpenVINO model returning its ``last_hidden_state``
    (converted with OpenVINO's telemetry off)."""
    opt_out_of_openvino_telemetry()
    import openvino as ov
    import torch

    class Hidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            kw = {"input_ids": input_ids, "attention_mask": attention_mask}
            if token_type_ids is not None:
                kw["token_type_ids"] = token_type_ids
            return self.inner(**kw).last_hidden_state

    # the example has padding, so that the traced graph is the one that applies the mask
    example = {n: torch.ones(2, 8, dtype=torch.long) for n in names}
    example["attention_mask"][1, 5:] = 0
    if "token_type_ids" in example:
        example["token_type_ids"].zero_()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about shapes taken as constants
        return ov.convert_model(
            Hidden(hf),
            example_input=example,
            input=[(n, [-1, -1], ov.Type.i64) for n in names],
        )


class OpenVINOTransformer:
    """The model's first module (the Hugging Face transformer) compiled by OpenVINO for the CPU.

    Converted from the loaded PyTorch weights in memory (nothing is downloaded or written),
    with dynamic batch and sequence length; called with int64 arrays, it returns the token
    embeddings (the ``last_hidden_state``) as float32.
    """

    def __init__(self, model, *, precision: str, threads: int | None, int8_model=None):
        opt_out_of_openvino_telemetry()
        import openvino as ov

        if precision not in ("float32", "bfloat16", "int8"):
            raise ValueError(f"OpenVINO runs float32, bfloat16 or int8 here, not {precision!r}")
        self.names = input_names(model)
        if precision == "int8":
            if int8_model is None:
                raise ValueError("precision int8 needs the quantized model (int8_model)")
            converted = ov.Core().read_model(str(int8_model))
        else:
            converted = _convert(model[0].auto_model.eval(), self.names)
        settings = {
            # int8: the quantized layers run in int8, the rest in float32
            "INFERENCE_PRECISION_HINT": "bf16" if precision == "bfloat16" else "f32",
            "PERFORMANCE_HINT": "LATENCY",
            # OpenVINO pins its threads to cores by default: two 1-thread shard jobs on one
            # machine would then share core 0 and run at half speed (measured)
            "ENABLE_CPU_PINNING": False,
        }
        if threads:
            settings["INFERENCE_NUM_THREADS"] = int(threads)
        self.compiled = ov.Core().compile_model(converted, "CPU", settings)
        self.request = self.compiled.create_infer_request()

    def __call__(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        result = self.request.infer({n: arrays[n] for n in self.names})
        return np.asarray(result[0], dtype=np.float32)


def openvino_runner(
    model, precision: str, threads: int | None, *, int8_model=None
) -> OpenVINOTransformer:
    """The compiled transformer for (precision, threads), compiled once per loaded model."""
    cache = model.__dict__.setdefault("_sentclust_openvino", {})
    key = (precision, threads, str(int8_model) if precision == "int8" else None)
    if key not in cache:
        cache[key] = OpenVINOTransformer(
            model, precision=precision, threads=threads, int8_model=int8_model
        )
    return cache[key]
