#!/usr/bin/env python3
"""layers.py SRC_DIR - the layering rule of src/ (docs/hacking.md).

Each folder of src/ is a layer with a rank; a file may include headers of
its own folder and of folders of a lower rank, never of a higher one or of
another folder of the same rank. The include graph between files must have
no cycle. Prints one line per breach (FILE:LINE: what) and exits 1 when
there is any; a folder that is not in the table is a breach too, so a new
folder has to be placed on purpose.
"""
import os
import re
import sys

# Lowest first. Folders of equal rank are siblings: neither sees the other.
RANKS = {
    "base": 0,
    "dns": 1,
    "chall": 2,
    "acme": 3,
    "store": 4,
    "manifest": 5,
    "checks": 6,
    "render": 6,
    "deploy": 7,
    "reconcile": 8,
    "cli": 9,
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def main(src):
    bad = []
    graph = {}
    for dirpath, _, names in os.walk(src):
        for n in sorted(names):
            if not n.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, n)
            rel = os.path.relpath(path, src)
            parts = rel.split(os.sep)
            if len(parts) != 2:
                bad.append("%s: not in a layer folder" % rel)
                continue
            folder = parts[0]
            if folder not in RANKS:
                bad.append("%s: folder %s has no rank in tests/lib/layers.py"
                           % (rel, folder))
                continue
            graph.setdefault(rel, [])
            with open(path, encoding="utf-8", errors="replace") as f:
                for ln, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    inc = m.group(1)
                    ip = inc.split("/")
                    if len(ip) != 2:
                        bad.append("src/%s:%d: #include \"%s\" names no layer"
                                   " folder" % (rel, ln, inc))
                        continue
                    graph[rel].append((inc, ln))
                    to = ip[0]
                    if to == folder:
                        continue
                    if to not in RANKS:
                        bad.append("src/%s:%d: #include \"%s\": unknown folder"
                                   % (rel, ln, inc))
                    elif RANKS[to] >= RANKS[folder]:
                        bad.append("src/%s:%d: %s (rank %d) includes %s"
                                   " (rank %d)" % (rel, ln, folder,
                                                   RANKS[folder], inc,
                                                   RANKS[to]))
    # Cycles among files, depth first.
    state = {}
    stack = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for inc, ln in graph.get(node, []):
            if inc not in graph:
                continue
            if state.get(inc) == 1:
                cyc = stack[stack.index(inc):] + [inc]
                bad.append("src/%s:%d: include cycle: %s"
                           % (node, ln, " -> ".join(cyc)))
            elif inc not in state:
                visit(inc)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "src"))
