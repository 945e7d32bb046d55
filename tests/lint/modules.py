#!/usr/bin/env python3
"""Print every cycle in the module graph of src/, and every private header
included across modules; print nothing when there is none.

A module is a directory of src/ (src/rules, src/json, ...) or a file at its
top (src/util.c is module util).  A header include/secshim/NAME.h belongs to
the module of the same name, to the one HEADER_HOME names, or, when no
source implements it (cleanup.h, host.h), is an interface of its own whose
edges are its own includes.  An include of "secshim/X.h" is an edge from
the including file's module to X's; a cycle is a strongly connected set of
two or more modules (Tarjan, iterative: no recursion on the graph)."""
import os
import re
import sys

HEADER_HOME = {"exemption": "policy", "refusal": "policy", "pack": "policy",
               "settings": "json", "json-path": "json"}
INCLUDE = re.compile(r'^#include "secshim/([\w-]+)\.h"', re.M)
PRIVATE = re.compile(r'^#include "\.\./', re.M)


def module_of_source(path):
    parts = path.split("/")
    return parts[1] if len(parts) > 2 else parts[1][:-2]


def module_of_header(name):
    if name in HEADER_HOME:
        return HEADER_HOME[name]
    if os.path.exists(f"src/{name}.c") or os.path.isdir(f"src/{name}"):
        return name
    return name + ".h"


def sccs(graph):
    index, low, on, stack, out, n = {}, {}, set(), [], [], 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = n; n += 1; stack.append(root); on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = n; n += 1; stack.append(w); on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop(); on.discard(w); comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def main():
    os.chdir(sys.argv[1] if len(sys.argv) > 1 else ".")
    graph = {}
    files = [(os.path.join(d, f), None) for d, _, fs in os.walk("src") for f in fs if f.endswith((".c", ".h"))]
    files += [(os.path.join("include/secshim", f), module_of_header(f[:-2])) for f in os.listdir("include/secshim")]
    for path, mod in files:
        mod = mod or module_of_source(path)
        text = open(path, encoding="utf-8").read()
        if path.startswith("src/") and PRIVATE.search(text):
            print(f"{path}: includes a private header of another module (\"../\")")
        graph.setdefault(mod, set())
        for name in INCLUDE.findall(text):
            dep = module_of_header(name)
            if dep != mod:
                graph[mod].add(dep)
                graph.setdefault(dep, set())
    for comp in sccs(graph):
        edges = "; ".join(f"{m} -> {', '.join(sorted(graph[m] & set(comp)))}" for m in comp)
        print(f"module cycle: {' '.join(comp)} ({edges})")


main()
