"""GET /models: every installed model set, what it reads, and whether it is loaded."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.api.deps import StateDep
from app.engine.catalogue import PROFILES
from app.engine.pool_snapshot import SetSnapshot
from app.errors import NotReady

router = APIRouter(tags=["system"])


class ModelFileInfo(BaseModel):
    path: str
    sha256: str


class LoadedSetInfo(BaseModel):
    device: str
    workers: int = Field(description="Engines, each with its own worker thread.")
    requests: int = Field(description="Requests reading with this set now.")
    idle_s: float = Field(description="Seconds since a request last finished with it.")
    load_s: float = Field(description="Seconds its loading and warm-up took.")
    rss_growth_bytes: int = Field(
        description="Process RSS growth while it loaded (an estimate of its memory).")
    scheduler: dict[str, object]


class ModelSetInfo(BaseModel):
    name: str = Field(examples=["embedded"], description="What `model=` takes.")
    label: str = Field(examples=["embedded (PP-OCRv6 small, ONNX)"],
                       description="What answers report as `model`.")
    profiles: list[str] = Field(examples=[["accurate"]])
    backend: str
    source: str = Field(description="'embedded' (a pinned wheel) or 'folder' (models/).")
    languages: list[str]
    det_model: str
    rec_model: str
    files: list[ModelFileInfo]
    default: bool
    loaded: bool
    loading: bool
    state: LoadedSetInfo | None = None


class ModelsResponse(BaseModel):
    default: str
    max_loaded: int = Field(description="OCR_MAX_LOADED_SETS.")
    unloads: int = Field(description="Sets unloaded to make room since start.")
    rss_bytes: int = Field(description="Resident memory of the process now.")
    lang_sets: dict[str, str] = Field(description="OCR_LANG_SETS: language -> folder set.")
    sets: list[ModelSetInfo]
    structure: dict[str, object] | None = Field(
        None, description="The layout and table-structure models: loaded (names, files, "
        "calls) or why not (null while starting).")


def _describe(one: SetSnapshot, default: str) -> ModelSetInfo:
    entry, view = one.entry, one.state
    state = None
    if view is not None:
        state = LoadedSetInfo(
            device=view.info.device, workers=view.workers, requests=view.leases,
            idle_s=round(view.idle_s, 1), load_s=round(view.load_seconds, 3),
            rss_growth_bytes=view.rss_growth_bytes,
            scheduler={"queued_pages": view.queued, "worker_alive": view.alive,
                       **view.stats})
    return ModelSetInfo(
        name=entry.name, label=entry.label,
        profiles=[p for p, name in PROFILES.items() if name == entry.name],
        backend=entry.backend, source=entry.source, languages=list(entry.languages),
        det_model=entry.det_model, rec_model=entry.rec_model,
        files=[ModelFileInfo(**asdict(f)) for f in entry.files],
        default=entry.name == default, loaded=view is not None, loading=one.loading,
        state=state,
    )


@router.get("/models", summary="Installed model sets, their languages, loaded or not")
async def list_models(state: StateDep) -> ModelsResponse:
    """Every set `model=` and `lang=` can pick, with memory and scheduler figures for the
    loaded ones (all read at one instant)."""
    snapshot = state.snapshot()
    if snapshot is None:
        raise NotReady(f"The model catalogue is not ready (state: {state.phase.status}).",
                       headers={"Retry-After": "5"})
    return ModelsResponse(
        default=snapshot.default, max_loaded=snapshot.max_loaded, unloads=snapshot.unloads,
        rss_bytes=snapshot.rss_bytes, lang_sets=dict(state.settings.lang_sets),
        sets=[_describe(one, snapshot.default) for one in snapshot.sets],
        structure=state.structure.describe() if state.structure is not None else None,
    )
