"""No import circle between Tabik's modules (typing-only imports aside)."""

from __future__ import annotations

import sys

import grimp

from bot.config import PROJECT_ROOT

PACKAGES = ("bot", "actions", "channels", "console")


def import_graph() -> grimp.ImportGraph:
    # The project's own packages, not another checkout's that happens to be installed.
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)


def circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of two or more modules (Tarjan, iteratively)."""
    ours = {m for m in graph.modules if m.split(".")[0] in PACKAGES}
    imports = {m: sorted(graph.find_modules_directly_imported_by(m) & ours) for m in ours}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(ours):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            module, position = work.pop()
            if position == 0:
                index[module] = low[module] = len(index)
                stack.append(module)
                on_stack.add(module)
            targets = imports[module]
            if position < len(targets):
                work.append((module, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[module] = min(low[module], index[target])
                continue
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
    return found


def test_circles_are_found() -> None:
    graph = grimp.ImportGraph()
    for module in ("bot", "bot.a", "bot.b", "bot.c", "bot.d"):
        graph.add_module(module)
    graph.add_import(importer="bot.a", imported="bot.b")
    graph.add_import(importer="bot.b", imported="bot.c")
    graph.add_import(importer="bot.c", imported="bot.a")
    graph.add_import(importer="bot.d", imported="bot.a")
    assert circles(graph) == [["bot.a", "bot.b", "bot.c"]]


def test_no_module_imports_itself_round_a_circle() -> None:
    graph = import_graph()
    found = circles(graph)
    described = [
        " <-> ".join(group)
        + ": "
        + ", ".join(
            f"{a} -> {b}"
            for a in group
            for b in group
            if graph.direct_import_exists(importer=a, imported=b)
        )
        for group in found
    ]
    assert found == [], "import circles:\n" + "\n".join(described)
