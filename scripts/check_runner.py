"""The command-line driver shared by check_tensorboard.py and check_safetensors.py."""
import importlib
import pathlib
import sys


def run(argv, usage, module, install_hint, check):
    """Runs check(folder, problems) on every RUN_DIR of argv after importing `module`.

    Prints the problems to stderr; returns 0 when there are none, 1 otherwise, 2 on bad usage or
    when `module` is not installed (with `install_hint`).
    """
    if len(argv) < 2:
        print(usage.strip(), file=sys.stderr)
        return 2
    try:
        importlib.import_module(module)
    except ImportError:
        print(f"{pathlib.Path(argv[0]).name} needs {module}: {install_hint}", file=sys.stderr)
        return 2
    problems = []
    for name in argv[1:]:
        check(pathlib.Path(name), problems)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0
