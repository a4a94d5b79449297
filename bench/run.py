"""The kubelint benchmark: kubelint against the YAML floor, checkov and kubernetes-validate.

    python bench/run.py                      # generated workload (10,000 objects) + ../shared/corpus
    python bench/run.py --skip-competitors   # kubelint and the floor only (no network needed)
    python bench/run.py --scale 0.1 --no-scaling --skip-competitors   # a quick look

Run it with the Python of the environment kubelint is installed in.  It

1. generates the workload of bench/workload.py under bench/work/ (deterministic: seed
   and scale give the same bytes);
2. installs each competitor into its own virtual environment under bench/work/ (never
   into kubelint's), once, and reuses it afterwards;
3. runs, one after the other on the same files: kubelint (full default rule set with
   schema validation), the floor (every file loaded with PyYAML's libyaml loader and
   nothing else, the least any Python tool must spend), kubernetes-validate on the
   Kubernetes files and checkov (`--framework kubernetes`, offline);
   kubelint and the floor run `--repeat` times (3), interleaved, and the run of
   median wall time is shown: a shared machine has slow spells of a minute or more
   that would otherwise land on one tool only; kubelint also runs just before and
   just after each competitor, and the competitor's "× kubelint" is against the mean
   of those two runs;
4. measures wall time, CPU time (user + system, child processes included) and peak
   resident memory (the largest single process) of each run, and prints a table with
   resources per second and the ratios to the floor and to kubelint;
5. does it again at twice the size (kubelint and floor) to show scaling, and times the
   start-up (`kubelint --version`, `kubelint check` on one small file);
6. writes everything as JSON to bench/out/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from workload import generate  # noqa: E402

DEFAULT_CORPUS = os.path.join(REPO, "..", "shared", "corpus")
COMPETITORS = {
    # name: (pip requirement, console script)
    "kubernetes-validate": ("kubernetes-validate", "kubernetes-validate"),
    "checkov": ("checkov", "checkov"),
}

FLOOR_SCRIPT = r"""
import os, sys, yaml
loader = yaml.CSafeLoader
count = 0
for root in sys.argv[1:]:
    for base, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                with open(os.path.join(base, name), encoding="utf-8", errors="replace") as f:
                    try:
                        count += sum(1 for d in yaml.load_all(f.read(), Loader=loader) if d is not None)
                    except yaml.YAMLError:
                        pass
print(count)
"""


@dataclass
class Measurement:
    tool: str
    target: str
    wall: float
    cpu: float
    peak_mb: float
    exit_code: int
    objects: int = 0
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.objects / self.wall if self.wall > 0 else 0.0


def measure(tool: str, target: str, argv: list[str], *, env: dict[str, str] | None = None) -> Measurement:
    """Run argv to completion; wall, CPU (self + children) and peak RSS from wait4."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=devnull, env=env)
        assert process.stdout is not None
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    result = Measurement(
        tool,
        target,
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,  # KiB on Linux
        process.returncode,
    )
    result.extra["stdout"] = output.decode("utf-8", "replace")
    return result


def kubelint_command() -> list[str]:
    script = os.path.join(os.path.dirname(sys.executable), "kubelint")
    return [script] if os.path.exists(script) else [sys.executable, "-m", "kubelint"]


def run_kubelint(target: str, paths: list[str], jobs: str | None = None, *options: str) -> Measurement:
    argv = [*kubelint_command(), "check", "--no-config", "--fail-on", "never", "-f", "json", *options, *paths]
    if jobs is not None:
        argv[2:2] = ["--jobs", jobs]
    name = " ".join(["kubelint", *options] + ([f"--jobs {jobs}"] if jobs is not None else []))
    m = measure(name, target, argv)
    try:
        report = json.loads(m.extra.pop("stdout"))
        m.objects = int(report["summary"]["objects"])
        m.extra["findings"] = int(report["summary"]["findings"])
    except (ValueError, KeyError, TypeError):
        m.note = f"no JSON report (exit {m.exit_code})"
    return m


def run_floor(target: str, paths: list[str]) -> Measurement:
    m = measure("floor: PyYAML C loader", target, [sys.executable, "-c", FLOOR_SCRIPT, *paths])
    try:
        m.objects = int(m.extra.pop("stdout").strip() or 0)
    except ValueError:
        m.note = "floor script failed"
    return m


def yaml_files(paths: list[str]) -> list[str]:
    found: list[str] = []
    for root in paths:
        for base, dirs, files in os.walk(root):
            dirs.sort()
            found.extend(os.path.join(base, n) for n in sorted(files) if n.endswith((".yaml", ".yml")))
    return found


def kubernetes_files(files: list[str]) -> tuple[list[str], int]:
    """The files that hold Kubernetes objects and parse, with their object count.

    kubernetes-validate stops at the first file it cannot parse, so it is given only
    these (the corpus has broken and templated files on purpose)."""
    import yaml

    chosen: list[str] = []
    objects = 0
    for path in files:
        try:
            with open(path, encoding="utf-8") as handle:
                documents = list(yaml.load_all(handle.read(), Loader=yaml.CSafeLoader))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        count = sum(1 for d in documents if isinstance(d, dict) and "apiVersion" in d and "kind" in d)
        if count:
            chosen.append(path)
            objects += count
    return chosen, objects


def competitor_script(name: str, work: str, log: list[str]) -> str | None:
    """The competitor's console script in its own venv under `work`, installed on first use."""
    requirement, script = COMPETITORS[name]
    venv = os.path.join(work, f"venv-{name}")
    executable = os.path.join(venv, "bin", script)
    if os.path.exists(executable):
        return executable
    log.append(f"installing {name} into {venv} (once; this takes a minute) ...")
    print(log[-1], file=sys.stderr, flush=True)
    install_log = os.path.join(work, f"install-{name}.log")
    with open(install_log, "w", encoding="utf-8") as out:
        created = subprocess.run([sys.executable, "-m", "venv", venv], stdout=out, stderr=out, check=False)
        pip = os.path.join(venv, "bin", "pip")
        installed = created.returncode == 0 and (
            subprocess.run(
                [pip, "install", "--disable-pip-version-check", "--timeout", "30", "--retries", "1", "-q"]
                + [requirement],
                stdout=out,
                stderr=out,
                check=False,
                timeout=1800,
            ).returncode
            == 0
        )
    if not installed or not os.path.exists(executable):
        shutil.rmtree(venv, ignore_errors=True)
        log.append(
            f"could not install {name} (no network or no package index?); skipped. "
            f"Details: {install_log}. Use --skip-competitors to run without competitors."
        )
        print(log[-1], file=sys.stderr, flush=True)
        return None
    return executable


def run_kubernetes_validate(script: str, target: str, files: list[str], objects: int) -> Measurement:
    m = measure("kubernetes-validate", target, [script, "--quiet", *files])
    m.extra.pop("stdout", None)
    m.objects = objects
    m.note = f"{len(files)} files that parse and hold Kubernetes objects"
    return m


def run_checkov(script: str, target: str, paths: list[str], objects: int) -> Measurement:
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    argv = [script, "--framework", "kubernetes", "--skip-download", "--quiet", "--compact", "-o", "json"]
    for p in paths:
        argv += ["-d", p]
    m = measure("checkov", target, argv, env=env)
    m.extra.pop("stdout", None)
    m.objects = objects
    return m


def median_run(repeat: int, *runs: Callable[[], Measurement]) -> list[Measurement]:
    """Each run `repeat` times, interleaved (a, b, a, b, ...), so that a slow spell of
    a shared machine hits every tool alike; for each, the run of median wall time,
    with every wall time kept in `extra["walls"]`."""
    results: list[list[Measurement]] = [[] for _ in runs]
    for _ in range(max(1, repeat)):
        for i, run in enumerate(runs):
            results[i].append(run())
    chosen: list[Measurement] = []
    for measured in results:
        ordered = sorted(measured, key=lambda m: m.wall)
        median = ordered[(len(ordered) - 1) // 2]
        median.extra["walls"] = [round(m.wall, 3) for m in measured]
        chosen.append(median)
    return chosen


def compile_bytecode() -> None:
    """Write kubelint's .pyc files, as `pip install .` does (an editable install under
    PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module on every start)."""
    import importlib.util

    for name in ("kubelint", "kubelint.rules"):
        spec = importlib.util.find_spec(name)
        for directory in (spec.submodule_search_locations or []) if spec else []:
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", directory], capture_output=True, check=False
            )


def startup(repeat: int, tiny: str) -> dict[str, dict[str, float]]:
    """Median wall and CPU time of `kubelint --version` and of `kubelint check` on one small file."""
    compile_bytecode()
    base = kubelint_command()
    timings: dict[str, dict[str, float]] = {}
    for label, argv in (
        ("kubelint --version", [*base, "--version"]),
        ("kubelint check one small file", [*base, "check", "--no-config", tiny]),
    ):
        runs = [measure(label, "startup", argv) for _ in range(repeat)]
        timings[label] = {
            "wall": statistics.median(r.wall for r in runs),
            "cpu": statistics.median(r.cpu for r in runs),
        }
    return timings


TINY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27.2
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {cpu: 200m, memory: 64Mi}
"""


def _kubelint_beside(m: Measurement, default: float) -> float:
    """kubelint's wall time to compare `m` with: for a competitor, the mean of the
    kubelint runs just before and just after it (the machine's speed drifts over the
    minutes a competitor takes); else kubelint's median run."""
    beside = m.extra.get("kubelint_beside")
    return sum(beside) / len(beside) if beside else default


def table(rows: list[Measurement], floors: dict[str, float], kubelint_wall: dict[str, float]) -> str:
    head = ("tool", "target", "wall s", "CPU s", "peak MB", "objects", "obj/s", "× floor", "× kubelint")
    lines = [head]
    for m in rows:
        floor = floors.get(m.target)
        kl = kubelint_wall.get(m.target)
        lines.append(
            (
                m.tool,
                m.target,
                f"{m.wall:.2f}",
                f"{m.cpu:.2f}",
                f"{m.peak_mb:.0f}",
                str(m.objects),
                f"{m.per_second:,.0f}",
                f"{m.wall / floor:.2f}" if floor else "-",
                f"{m.wall / _kubelint_beside(m, kl):.1f}" if kl else "-",
            )
            + ((f"({m.note})",) if m.note else ())
        )
    widths = [max(len(r[i]) for r in lines if i < len(r)) for i in range(len(head))]
    return "\n".join(
        "  ".join(c.ljust(widths[i]) if i < 2 else c.rjust(widths[i]) for i, c in enumerate(r[: len(head)]))
        + (f"  {r[len(head)]}" if len(r) > len(head) else "")
        for r in lines
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kubelint benchmark (see the module docstring)")
    parser.add_argument("--scale", type=float, default=1.0, help="workload size; 1.0 = 10,000 objects")
    parser.add_argument("--seed", type=int, default=8, help="workload seed")
    parser.add_argument("--corpus", default=DEFAULT_CORPUS, help="real files to lint too ('' for none)")
    parser.add_argument("--skip-competitors", action="store_true", help="kubelint and the floor only")
    parser.add_argument("--no-scaling", action="store_true", help="skip the run at twice the size")
    parser.add_argument("--jobs", default=None, help="pass --jobs to kubelint (default: kubelint's own)")
    parser.add_argument("--work", default=os.path.join(HERE, "work"), help="scratch directory")
    parser.add_argument("--json", default=os.path.join(HERE, "out", "results.json"), help="results file")
    parser.add_argument("--startup-repeat", type=int, default=5)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of kubelint and the floor per target (the median is shown)",
    )
    args = parser.parse_args(argv)

    import importlib.util

    if importlib.util.find_spec("kubelint") is None:
        print(
            f"kubelint is not installed for {sys.executable}: run `pip install .` in the repository "
            "(in a virtual environment), then this script with that environment's python",
            file=sys.stderr,
        )
        return 2
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    log: list[str] = []
    rows: list[Measurement] = []
    floors: dict[str, float] = {}
    kubelint_wall: dict[str, float] = {}

    def note(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    targets: list[tuple[str, list[str], list[str], int]] = []  # name, paths, k8s files, objects
    workload = generate(os.path.join(work, f"workload-x{args.scale:g}"), scale=args.scale, seed=args.seed)
    note(
        f"workload: {workload.kubernetes_objects} Kubernetes objects in {workload.kubernetes_files} files, "
        f"{workload.compose_projects} Compose projects"
    )
    workload_name = f"workload ×{args.scale:g}"
    targets.append(
        (
            workload_name,
            [workload.root],
            yaml_files([workload.kubernetes_dir]),
            workload.kubernetes_objects + workload.compose_projects,
        )
    )
    corpus = os.path.abspath(args.corpus) if args.corpus else ""
    if corpus and os.path.isdir(corpus):
        targets.append(("corpus", [corpus], yaml_files([corpus]), 0))
    elif corpus:
        note(f"corpus {corpus} not found; skipped")

    scripts: dict[str, str | None] = {}
    if not args.skip_competitors:
        for name in COMPETITORS:
            scripts[name] = competitor_script(name, work, log)

    for name, paths, k8s_files, objects in targets:
        note(f"[{name}] floor and kubelint ({args.repeat}× each) ...")
        runs: list[Callable[[], Measurement]] = [
            partial(run_floor, name, paths),
            partial(run_kubelint, name, paths, args.jobs),
        ]
        if name == "corpus":  # the same files the competitors see, without Helm/Kustomize rendering
            runs.append(partial(run_kubelint, name, paths, args.jobs, "--no-render"))
        floor, kl, *others = median_run(args.repeat, *runs)
        floors[name] = floor.wall
        kubelint_wall[name] = kl.wall
        rows += [kl, floor, *others]
        objects = objects or kl.objects
        floor.objects = floor.objects or objects
        if not any(scripts.values()):
            continue
        chosen, k8s_objects = kubernetes_files(k8s_files)
        competitors: list[tuple[str, Callable[[], Measurement]]] = []
        if scripts.get("kubernetes-validate"):
            competitors.append(
                (
                    f"kubernetes-validate ({len(chosen)} files; slow)",
                    partial(
                        run_kubernetes_validate,
                        scripts["kubernetes-validate"] or "",
                        name,
                        chosen,
                        k8s_objects,
                    ),
                )
            )
        if scripts.get("checkov"):
            competitors.append(
                ("checkov (slow)", partial(run_checkov, scripts["checkov"] or "", name, paths, k8s_objects))
            )
        beside = [run_kubelint(name, paths, args.jobs).wall]
        for label, competitor in competitors:
            note(f"[{name}] {label} ...")
            measured = competitor()
            beside.append(run_kubelint(name, paths, args.jobs).wall)
            measured.extra["kubelint_beside"] = [round(w, 3) for w in beside[-2:]]
            rows.append(measured)

    scaling: dict[str, Any] = {}
    if not args.no_scaling:
        double = generate(
            os.path.join(work, f"workload-x{args.scale * 2:g}"), scale=args.scale * 2, seed=args.seed
        )
        name = f"workload ×{args.scale * 2:g}"
        note(f"[{name}] floor and kubelint ({args.repeat}× each) ...")
        floor2, kl2 = median_run(
            args.repeat,
            partial(run_floor, name, [double.root]),
            partial(run_kubelint, name, [double.root], args.jobs),
        )
        floors[name] = floor2.wall
        kubelint_wall[name] = kl2.wall
        rows += [kl2, floor2]
        kl1 = next(m for m in rows if m.target == workload_name and m.tool.startswith("kubelint"))
        floor1 = next(m for m in rows if m.target == workload_name and m.tool.startswith("floor"))
        scaling = {
            "kubelint": kl2.wall / kl1.wall,
            "floor": floor2.wall / floor1.wall,
            "kubelint_cpu": kl2.cpu / kl1.cpu,
            "floor_cpu": floor2.cpu / floor1.cpu,
        }

    tiny = os.path.join(work, "tiny", "deployment.yaml")
    os.makedirs(os.path.dirname(tiny), exist_ok=True)
    with open(tiny, "w", encoding="utf-8") as handle:
        handle.write(TINY)
    note("start-up ...")
    starts = startup(args.startup_repeat, tiny)

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print()
    print(f"kubelint benchmark on {machine}")
    print(table(rows, floors, kubelint_wall))
    if scaling:
        print(
            f"\nscaling ×2: kubelint {scaling['kubelint']:.2f}× the wall time "
            f"({scaling['kubelint_cpu']:.2f}× the CPU time), floor {scaling['floor']:.2f}× "
            f"({scaling['floor_cpu']:.2f}×)"
        )
    print()
    for label, timing in starts.items():
        print(
            f"start-up: {label}: {timing['wall']:.3f} s wall, {timing['cpu']:.3f} s CPU "
            f"(median of {args.startup_repeat})"
        )
    for line in log:
        print(f"note: {line}")

    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "machine": machine,
                "scale": args.scale,
                "seed": args.seed,
                "runs": [
                    {
                        **{k: v for k, v in asdict(m).items() if k != "extra"},
                        **{k: v for k, v in m.extra.items() if k != "stdout"},
                        "objects_per_second": m.per_second,
                        "times_floor": m.wall / floors[m.target] if floors.get(m.target) else None,
                        "times_kubelint": m.wall / _kubelint_beside(m, kubelint_wall[m.target])
                        if kubelint_wall.get(m.target)
                        else None,
                    }
                    for m in rows
                ],
                "scaling_x2": scaling,
                "startup": starts,
                "notes": log,
            },
            handle,
            indent=2,
        )
    print(f"\nresults: {os.path.relpath(args.json)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
