"""The package's modules import each other in one direction only (see the README's layering).

Two checks. The first reads every module's top-level imports (not those inside functions) and
fails on any cycle, naming it: a cycle held together by import order breaks as soon as some
program imports its modules in another order. The second imports modules in fresh
interpreters, as a user's first `import minigrad.X` does.
"""
import ast
import os
import subprocess
import sys
from pathlib import Path


import minigrad

PACKAGE_DIR = Path(minigrad.__file__).parent
ROOT = PACKAGE_DIR.parent


def _modules():
    """{dotted name: (path, is_package)} for every module of the package."""
    found = {}
    for path in PACKAGE_DIR.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _top_level_imports(tree):
    """The import statements run when the module is imported (function bodies excluded)."""
    found = []

    def visit(statements):
        for node in statements:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.append(node)
            elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for field in ("body", "orelse", "finalbody", "handlers"):
                    inner = getattr(node, field, None)
                    if isinstance(inner, list):
                        visit(inner)

    visit(tree.body)
    return found


def _imported_names(node, package):
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
        base = ".".join(anchor + ([node.module] if node.module else []))
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def import_graph():
    """{module: set of modules its import runs first}. Importing a.b.c runs the package
    a.b's `__init__` too, so that is an edge as well (unless a.b encloses the importer)."""
    modules = _modules()
    graph = {name: set() for name in modules}
    for name, (path, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        for node in _top_level_imports(ast.parse(path.read_text())):
            for target in _imported_names(node, package):
                parts = target.split(".")
                for end in range(2, len(parts) + 1):
                    dependency = ".".join(parts[:end])
                    if dependency in modules and not (
                            name == dependency or name.startswith(dependency + ".")):
                        graph[name].add(dependency)
    return graph


def find_cycle(graph):
    """One cycle of `graph` as a list of nodes (first == last), or None."""
    state = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if start in state:
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            child = next(stack[-1], None)
            if child is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(child) == 1:
                return path[path.index(child):] + [child]
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append(iter(sorted(graph[child])))
    return None


def test_find_cycle_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_module_imports_have_no_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_tensor_is_below_autograd_and_functions():
    graph = import_graph()
    assert not {d for d in graph["minigrad.tensor"]
                if d.startswith(("minigrad.autograd", "minigrad.functions", "minigrad.nn"))}
    assert "minigrad.tensor" in graph["minigrad.autograd.function"]


def _run(code):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def _fresh_import_targets():
    """`minigrad`, then each module that `import minigrad` leaves unloaded, cut to its top-most
    unloaded package. Every other `import minigrad.X` runs exactly what `import minigrad` runs
    (the package's `__init__` first, in its fixed order), so it needs no process of its own."""
    result = _run("import sys, minigrad; print('\\n'.join(sorted(sys.modules)))")
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    unloaded = sorted(set(_modules()) - loaded)
    tops = [m for m in unloaded
            if not any(m.startswith(other + ".") for other in unloaded)]
    return ["minigrad"] + tops


def test_every_module_imports_in_a_fresh_interpreter():
    procs = {name: subprocess.Popen([sys.executable, "-c", f"import {name}"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT)
             for name in _fresh_import_targets()}
    failed = {}
    for name, proc in procs.items():
        _, err = proc.communicate(timeout=120)
        if proc.returncode:
            failed[name] = err.strip().splitlines()[-1:]
    assert not failed, f"modules that fail to import on their own: {failed}"


def test_tensor_methods_are_attached_to_tensor_and_its_subclasses():
    from minigrad.nn import Parameter
    from minigrad.tensor import Tensor
    from minigrad.tensor_methods import TensorMethods

    names = [n for n in vars(TensorMethods) if n not in ("__module__", "__qualname__",
                                                         "__doc__", "__dict__", "__weakref__")]
    assert len(names) > 300
    # every one is on Tensor (the dim-taking ones wrapped to accept numpy's keywords too)
    assert [n for n in names if n not in vars(Tensor)] == []
    assert Tensor.__add__ is TensorMethods.__add__
    p = Parameter(minigrad.ones(2))
    assert hash(p) != hash(Parameter(minigrad.ones(2))) and len({p, p}) == 1
    assert (p + 1).tolist() == [2.0, 2.0] and (p == 1).tolist() == [True, True]
