"""Run the README's copy-paste blocks of one named set, in order, in a project directory.

A block takes part when an HTML comment (invisible on GitHub) stands right before its fence:

    <!-- try-install plain,wagtail: ACTION [ARGUMENT] -->
    ```python
    ...
    ```

or carries its body itself, for a step only the test needs (making the fresh project):

    <!-- try-install plain: run
    django-admin startproject mysite .
    -->

ACTION is one of:
  run              bash runs the lines (set -e) in the project directory
  pip              the same, with `pip install photodesk[...]` installing the wheel under test
                   (PHOTODESK_WHEEL) instead of the package index's
  write FILE       the block becomes FILE (relative to the project)
  append FILE      the block is added at the end of FILE
  background       bash starts the lines in a session of their own and goes on; the process
                   group's id is appended to .try-install-pids in the project (the caller
                   stops them)
  run-if-command   like run, if the `manage.py` command the first line names exists (it may
                   be added later); otherwise skipped
  skip REASON      shown, not run (e.g. a download, where the test has the files already)

The commands run with the environment given (the caller puts the venv's bin first on PATH).

    python3 scripts/readme_blocks.py list --set plain
    python3 scripts/readme_blocks.py run --set plain --project DIR
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
MARKER = re.compile(
    r"<!--\s*try-install\s+(?P<sets>[\w,-]+)\s*:\s*(?P<action>[\w-]+)(?P<arg>[^\n]*?)"
    r"(?:\s*-->|\n(?P<body>.*?)-->)",
    re.DOTALL,
)
FENCE = re.compile(r"\s*```[\w-]*\n(?P<body>.*?)^```", re.DOTALL | re.MULTILINE)
ACTIONS = {"run", "pip", "write", "append", "background", "run-if-command", "skip"}
# `pip install photodesk` or `pip install "photodesk[faces,ocr]"`: the requirement to replace.
PIP_SHIM = r"""
pip() {
    local args=() a
    for a in "$@"; do
        case "$a" in
            photodesk|photodesk\[*) args+=("${PHOTODESK_WHEEL}${a#photodesk}") ;;
            *) args+=("$a") ;;
        esac
    done
    command pip "${args[@]}"
}
"""


@dataclass
class Block:
    sets: tuple[str, ...]
    action: str
    arg: str
    body: str
    line: int

    def describe(self) -> str:
        head = f"README.md:{self.line} {self.action} {self.arg}".rstrip()
        return head + "\n" + "".join(f"    {line}\n" for line in self.body.splitlines())


def blocks(text: str, name: str) -> list[Block]:
    """The blocks of set `name`, in README order; a marker without a block is an error."""
    found = []
    for match in MARKER.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        action, arg = match["action"], match["arg"].strip()
        if action not in ACTIONS:
            raise SystemExit(f"README.md:{line}: unknown try-install action {action!r}")
        body = match["body"]
        if body is None:
            fence = FENCE.match(text, match.end())
            if fence is None:
                raise SystemExit(f"README.md:{line}: a try-install marker without a ``` block")
            body = fence["body"]
        sets = tuple(match["sets"].split(","))
        if name in sets:
            found.append(Block(sets, action, arg, body.strip("\n") + "\n", line))
    if not found:
        raise SystemExit(f"README.md has no try-install blocks of the set {name!r}")
    return found


def run(block: Block, project: Path) -> None:
    started = time.monotonic()
    print(f"--- {block.describe()}", end="", flush=True)
    if block.action == "skip":
        print("    (not run)")
        return
    if block.action in ("write", "append"):
        path = project / block.arg
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a" if block.action == "append" else "w") as fh:
            fh.write(("\n" if block.action == "append" else "") + block.body)
        return
    script = block.body
    if block.action == "run-if-command":
        command = re.search(r"manage\.py\s+(\S+)", block.body)
        if command is None:
            raise SystemExit(f"README.md:{block.line}: run-if-command names no manage.py command")
        known = subprocess.run(
            ["python", "manage.py", "help", command[1]],
            cwd=project,
            capture_output=True,
        )
        if known.returncode != 0:
            print(f"    (skipped: no command {command[1]!r} yet)")
            return
    if block.action == "pip":
        script = PIP_SHIM + script
    if block.action == "background":
        log = (project / ".try-install-background.log").open("a")
        process = subprocess.Popen(
            ["bash", "-c", script],
            cwd=project,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        with (project / ".try-install-pids").open("a") as fh:
            fh.write(f"{process.pid}\n")
        print(f"    (started in the background: process group {process.pid})")
        return
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=project)
    if result.returncode != 0:
        raise SystemExit(f"README.md:{block.line}: the block failed (exit {result.returncode})")
    print(f"    ({time.monotonic() - started:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["list", "run"])
    parser.add_argument("--set", required=True, help="the named set, e.g. plain or wagtail")
    parser.add_argument("--project", type=Path, help="the project directory (run)")
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args()
    chosen = blocks(args.readme.read_text(encoding="utf-8"), args.set)
    if args.command == "list":
        for block in chosen:
            print(block.describe())
        return
    if args.project is None:
        parser.error("run needs --project")
    args.project.mkdir(parents=True, exist_ok=True)
    if "PHOTODESK_WHEEL" not in os.environ and any(b.action == "pip" for b in chosen):
        parser.error("PHOTODESK_WHEEL must name the wheel to install")
    for block in chosen:
        run(block, args.project)


if __name__ == "__main__":
    main()
