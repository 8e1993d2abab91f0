"""Prove, without a GPU, that the CUDA libraries of the GPU image are all there, once.

    python -m app.engine.cuda_libs    # exit 0 and a summary, or 1 and every problem found

The day the image meets a GPU, ONNX Runtime's CUDA provider loads cuDNN, cuBLAS,
cuFFT, cuRAND and the CUDA runtime, and cuDNN in turn opens its sub-libraries
and NVRTC *by name*. A library missing from the image, or present but not
registered with the loader, only shows up then, as a CPU fallback or a failed
start. This check finds it at build time (the Dockerfile runs it) and in CI
(scripts/docker_check.sh), where there is no GPU:

* ONNX Runtime lists ``CUDAExecutionProvider``, and only the GPU build of it is installed;
* ``ldd -r`` on the CUDA provider and on every library of the nvidia-* wheels it
  uses (``ORT_WHEEL_DIRS``; Paddle's GPU wheel adds more, which it loads itself):
  no dependency "not found", no undefined symbol. ``libcuda.so.1`` is the one allowed
  exception: the driver, which the NVIDIA Container Toolkit mounts at run time;
* every one of those libraries is in the loader's cache (``ldconfig -p``), so a
  ``dlopen`` by name finds it;
* no CUDA library is installed twice (a second CUDA in the image is gigabytes);
* a session on the CUDA provider alone really loads the provider and all it links;
  without a driver, CUDA itself then refuses, which is the expected end here.

Standard library only besides ONNX Runtime: the Dockerfile runs this file before
the app is copied in.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections import defaultdict
from importlib import metadata
from pathlib import Path

SHARED_PROVIDER = "libonnxruntime_providers_shared.so"
DRIVER_LIBRARY = "libcuda.so.1"
"""Provided by the host's driver at run time, never by the image."""
ORT_WHEEL_DIRS = ("cuda_runtime", "cuda_nvrtc", "cublas", "cudnn", "cufft", "curand", "nvjitlink")
"""The nvidia-* wheels (folders under site-packages/nvidia) of onnxruntime-gpu's
[cuda,cudnn] extras and their dependencies: requirements-gpu.txt."""
CUDA_FAMILIES = re.compile(
    r"^lib(cudart|cublas|cublasLt|cudnn\w*|cufft\w*|curand|cusolver\w*|cusparse\w*|nvrtc\w*"
    r"|nvJitLink|nccl|cupti)\.so"
)
_NOT_FOUND = re.compile(r"^\s*(\S+) => not found")
_UNDEFINED = re.compile(r"^undefined symbol: (\S+)")


def cuda_provider_library() -> Path:
    """ONNX Runtime's CUDA provider, next to its Python module."""
    import onnxruntime

    return Path(onnxruntime.__file__).parent / "capi" / "libonnxruntime_providers_cuda.so"


def wheel_libraries(site_packages: Path) -> list[Path]:
    """Every shared library of the nvidia-* wheels ONNX Runtime's CUDA provider uses."""
    return sorted(
        p
        for folder in ORT_WHEEL_DIRS
        for p in (site_packages / "nvidia" / folder / "lib").glob("*.so*")
        if p.is_file()
    )


def ldd_problems(library: Path, preload: Path | None = None) -> list[str]:
    """Dependencies of ``library`` that do not resolve, and undefined symbols (``ldd -r``).

    ``preload``: a library the loader has already loaded when ``library`` is opened.
    """
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if preload is not None:
        env["LD_PRELOAD"] = str(preload)
    result = subprocess.run(
        ["ldd", "-r", str(library)], capture_output=True, text=True, timeout=120, check=False,
        env=env,
    )
    problems = []
    for line in (result.stdout + result.stderr).splitlines():
        missing = _NOT_FOUND.match(line)
        if missing and missing.group(1) != DRIVER_LIBRARY:
            problems.append(f"{library.name}: needs {missing.group(1)}, not found")
        undefined = _UNDEFINED.match(line.strip())
        if undefined:
            problems.append(f"{library.name}: undefined symbol {undefined.group(1)}")
    if result.returncode != 0 and not problems:
        problems.append(f"{library.name}: ldd failed: {result.stderr.strip()[:200]}")
    return problems


def loader_cache() -> set[str]:
    """Library names the dynamic loader finds by name (``ldconfig -p``)."""
    out = subprocess.run(
        ["ldconfig", "-p"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return {line.split()[0] for line in out.splitlines()[1:] if line.strip()}


def duplicates(site_packages: Path) -> list[str]:
    """CUDA libraries installed more than once (two wheels, or two CUDA majors)."""
    by_family: dict[str, list[Path]] = defaultdict(list)
    for path in site_packages.rglob("lib*.so*"):
        match = CUDA_FAMILIES.match(path.name)
        if match and path.is_file() and not path.is_symlink():
            by_family[match.group(0)].append(path)
    return [
        f"{family} installed {len(paths)} times: "
        + ", ".join(str(p.relative_to(site_packages)) for p in paths)
        for family, paths in sorted(by_family.items())
        if len(paths) > 1
    ]


def provider_load_problem(model: Path) -> str | None:
    """Open ``model`` on the CUDA provider alone (no CPU fallback): a library the
    provider cannot load is a problem; CUDA failing after it loaded is not (no GPU)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4
    try:
        session = onnxruntime.InferenceSession(
            str(model), options, providers=["CUDAExecutionProvider"], enable_fallback=0
        )
    except Exception as exc:  # expected without a GPU: we only read what failed
        text = str(exc)
        if "Failed to load library" in text or "cannot open shared object" in text:
            return f"the CUDA provider does not load: {text[:300]}"
        return None
    # No error: either a GPU is here, or ONNX Runtime dropped a provider it could not load.
    if "CUDAExecutionProvider" not in session.get_providers():
        return "the CUDA provider does not load (ONNX Runtime went on without it)"
    return None


def _probe_model() -> Path | None:
    # The embedded detector, which the rapidocr wheel ships (installed --no-deps).
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or spec.origin is None:
        return None
    return next(iter(sorted(Path(spec.origin).parent.glob("models/*det*.onnx"))), None)


def check() -> tuple[list[str], list[str]]:
    """Run every check; return (facts for the summary, problems)."""
    import onnxruntime

    facts: list[str] = []
    problems: list[str] = []
    providers = onnxruntime.get_available_providers()
    if "CUDAExecutionProvider" not in providers:
        problems.append(f"ONNX Runtime has no CUDAExecutionProvider (providers: {providers})")
    installed = {name for name in ("onnxruntime", "onnxruntime-gpu") if _installed(name)}
    if installed != {"onnxruntime-gpu"}:
        problems.append(f"expected the package onnxruntime-gpu alone, found {sorted(installed)}")
    from onnxruntime.capi import build_and_package_info

    facts.append(
        f"onnxruntime-gpu {onnxruntime.__version__} (built with CUDA "
        f"{getattr(build_and_package_info, 'cuda_version', '?')}), "
        f"providers {', '.join(providers)}"
    )
    site_packages = Path(onnxruntime.__file__).parent.parent
    provider = cuda_provider_library()
    libraries = [provider, *wheel_libraries(site_packages)]
    if not provider.exists():
        problems.append(f"{provider} is missing")
        return facts, problems
    # ONNX Runtime loads its providers_shared library before a provider, which
    # takes its host interface (Provider_GetHost) from it.
    problems += ldd_problems(provider, preload=provider.with_name(SHARED_PROVIDER))
    for library in libraries[1:]:
        problems += ldd_problems(library)
    cache = loader_cache()
    unregistered = [p.name for p in libraries[1:] if p.name not in cache]
    if unregistered:
        problems.append(
            "not in the loader cache (dlopen by name fails): " + ", ".join(unregistered)
        )
    problems += duplicates(site_packages)
    model = _probe_model()
    if model is None:
        problems.append("no ONNX model to open on the CUDA provider (rapidocr not installed)")
    else:
        loaded = provider_load_problem(model)
        if loaded is not None:
            problems.append(loaded)
        facts.append("the CUDA provider loads with everything it links (a session on it alone)")
    facts.append(
        f"{len(libraries)} libraries checked with ldd -r (the CUDA provider and "
        f"{len(libraries) - 1} from the nvidia-* wheels), all in the loader cache"
    )
    wheels = sorted(
        f"{d.metadata['Name']} {d.version}"
        for d in metadata.distributions()
        if d.metadata["Name"] and d.metadata["Name"].lower().startswith("nvidia-")
    )
    facts.append("wheels: " + ", ".join(wheels))
    return facts, problems


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def main() -> int:
    """Print the summary or the problems; exit status 0 when there are none."""
    facts, problems = check()
    for problem in problems:
        print(f"cuda_libs: {problem}", file=sys.stderr)
    if problems:
        print(f"cuda_libs: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    for fact in facts:
        print(f"cuda_libs: {fact}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
