#!/usr/bin/env python3
"""Code shape of lib/, relay/, gateway/ and tools/: function lengths,
file sizes and circles of calls or includes between files.

usage: code-metrics.py [--check] BUILDDIR

Function lengths are read from the sources (OpenBSD style: the name at
column 0, the body between a '{' and a '}' at column 0).  Calls between
files are read from the object files of BUILDDIR with nm: a file calls
another when it uses a symbol that the other defines.  A circle is a
strongly connected set of two or more files.  --check exits 1 when a
function is over 60 lines, a file over 600 lines or a circle exists.
"""
import os
import re
import subprocess
import sys

DIRS = ("lib", "relay", "gateway", "tools")
MAX_FN, MAX_FILE = 60, 600


def sources(top):
    for d in DIRS:
        for name in sorted(os.listdir(os.path.join(top, d))):
            if name.endswith(".c"):
                yield os.path.join(d, name)


def functions(path):
    """(name, lines) for every function body in a C file."""
    out, name, start = [], None, None
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^([A-Za-z_]\w*)\(", line)
        if m:
            name = m.group(1)
        elif line == "{" and name:
            start = i
        elif line.startswith("}") and start is not None:
            out.append((name, i - start + 1))
            name, start = None, None
    return out


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]


def nm_symbols(obj):
    res = subprocess.run(["nm", obj], capture_output=True, text=True)
    defined, used = set(), set()
    for line in res.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBR":
            defined.add(parts[2])
    return defined, used


def objects(build, top):
    """Map each source file to its object file in BUILDDIR."""
    found = {}
    for root, _, files in os.walk(build):
        for name in files:
            if not name.endswith(".o"):
                continue
            base = re.sub(r"^[a-z_]+_la-|^[a-z]+-", "", name[:-2])
            rel = os.path.relpath(root, build)
            if rel.endswith(".libs"):
                rel = os.path.dirname(rel)
            src = os.path.join(rel, base + ".c")
            if src.split(os.sep)[0] in DIRS and os.path.exists(
                    os.path.join(top, src)):
                found.setdefault(src, os.path.join(root, name))
    return found


def scc(graph):
    """Tarjan's strongly connected components, iteratively."""
    index, low, stack, onstack, out = {}, {}, [], set(), []
    counter = [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        onstack.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    onstack.add(w)
                    work.append((w, iter(graph.get(w, ()))))
                    break
                if w in onstack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        onstack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
    return out


def call_graph(build, top):
    objs = objects(build, top)
    syms = {src: nm_symbols(o) for src, o in objs.items()}
    owner = {}
    for src, (defined, _) in syms.items():
        for s in defined:
            owner.setdefault(s, set()).add(src)
    graph = {}
    for src, (_, used) in syms.items():
        # A daemon's file calls only its own daemon's files and lib/.
        d = src.split(os.sep)[0]
        graph[src] = set()
        for s in used:
            for o in owner.get(s, ()):
                od = o.split(os.sep)[0]
                if o != src and (od == d or od == "lib"):
                    graph[src].add(o)
    return graph


def include_graph(top):
    graph = {}
    inc = os.path.join(top, "include")
    for root, _, files in os.walk(inc):
        for name in files:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, inc)
            graph[rel] = set()
            with open(path, encoding="utf-8") as f:
                for line in f:
                    m = re.match(r'#include "(amt/[^"]+)"', line)
                    if m:
                        graph[rel].add(m.group(1))
    return graph


def main():
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    if len(args) != 1:
        sys.exit(__doc__)
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    lens, long_fns, sizes = [], [], []
    for src in sources(top):
        path = os.path.join(top, src)
        with open(path, encoding="utf-8", errors="replace") as f:
            sizes.append((sum(1 for _ in f), src))
        for name, n in functions(path):
            lens.append(n)
            if n > MAX_FN:
                long_fns.append((n, src, name))
    flines = [s for s, _ in sizes]
    print("files: %d, lines median %d, p90 %d, max %d (%s)" % (
        len(sizes), pct(flines, .5), pct(flines, .9), max(sizes)[0],
        max(sizes)[1]))
    print("functions: %d, lines median %d, p90 %d, max %d" % (
        len(lens), pct(lens, .5), pct(lens, .9), max(lens)))
    big = [s for s in sorted(sizes, reverse=True) if s[0] > MAX_FILE]
    print("files over %d lines: %d" % (MAX_FILE, len(big)))
    for n, src in big:
        print("  %5d %s" % (n, src))
    print("functions over %d lines: %d" % (MAX_FN, len(long_fns)))
    for n, src, name in sorted(long_fns, reverse=True):
        print("  %5d %s %s()" % (n, src, name))
    circles = scc(call_graph(args[0], top)) + scc(include_graph(top))
    print("circles of calls or includes: %d" % len(circles))
    for c in circles:
        print("  " + " ".join(c))
    if check and (big or long_fns or circles):
        sys.exit(1)


if __name__ == "__main__":
    main()
