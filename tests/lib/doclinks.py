#!/usr/bin/env python3
"""doclinks.py ROOT [MAX_README_LINES] - the documentation's links hold.

Checks README.md, tests/README.md and docs/*.md under ROOT: every relative
link ([text](target) or a [label]: target definition, outside code blocks
and code spans) names a file or directory that exists, and a #fragment
names a heading of the target Markdown file (GitHub's anchor rule). Also
that README.md has at most MAX_README_LINES lines (default 250): it is the
front door, the rest lives in docs/. Prints one line per problem
(FILE:LINE: what) and exits 1 when there is any.
"""
import os
import re
import sys

INLINE = re.compile(r'!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
REFDEF = re.compile(r'^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$')
HEADING = re.compile(r'^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$')
SCHEME = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:')


def prose_lines(text):
    """(line number, line) outside fenced and indented code blocks."""
    fence = None
    prev_blank = True
    in_indented = False
    for n, line in enumerate(text.split("\n"), 1):
        s = line.strip()
        if fence is not None:
            if s.startswith(fence):
                fence = None
            prev_blank = False
            continue
        m = re.match(r'^\s{0,3}(```+|~~~+)', line)
        if m:
            fence = m.group(1)[:3]
            continue
        if line.startswith("    ") or line.startswith("\t"):
            if prev_blank or in_indented:
                in_indented = True
                continue
        elif s:
            in_indented = False
        prev_blank = (s == "")
        yield n, line


def slug(title):
    t = re.sub(r'`', '', title).strip().lower()
    t = re.sub(r'[^\w\- ]', '', t)
    return t.replace(' ', '-')


def anchors(path, cache):
    if path not in cache:
        seen = {}
        out = set()
        with open(path, encoding="utf-8") as f:
            for _, line in prose_lines(f.read()):
                m = HEADING.match(line)
                if not m:
                    continue
                s = slug(m.group(2))
                k = seen.get(s, 0)
                out.add(s if k == 0 else "%s-%d" % (s, k))
                seen[s] = k + 1
        cache[path] = out
    return cache[path]


def check_file(root, rel, cache, bad):
    path = os.path.join(root, rel)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for n, line in prose_lines(text):
        line = re.sub(r'`[^`]*`', '``', line)   # code spans hold no links
        targets = INLINE.findall(line)
        m = REFDEF.match(line)
        if m:
            targets.append(m.group(1))
        for t in targets:
            if SCHEME.match(t) or t.startswith("//"):
                continue
            target, _, frag = t.partition("#")
            if target == "":
                tpath = path
            else:
                tpath = os.path.normpath(
                    os.path.join(os.path.dirname(path), target))
                if not os.path.exists(tpath):
                    bad.append("%s:%d: %s: no such file" % (rel, n, t))
                    continue
            if frag and tpath.endswith(".md") and os.path.isfile(tpath):
                if frag not in anchors(tpath, cache):
                    bad.append("%s:%d: %s: no heading #%s in %s" % (
                        rel, n, t, frag, os.path.relpath(tpath, root)))


def main(root, max_lines):
    bad = []
    cache = {}
    files = ["README.md", os.path.join("tests", "README.md")]
    ddir = os.path.join(root, "docs")
    if os.path.isdir(ddir):
        files += [os.path.join("docs", n) for n in sorted(os.listdir(ddir))
                  if n.endswith(".md")]
    for rel in files:
        if not os.path.isfile(os.path.join(root, rel)):
            bad.append("%s: missing" % rel)
            continue
        check_file(root, rel, cache, bad)
    readme = os.path.join(root, "README.md")
    if os.path.isfile(readme):
        with open(readme, encoding="utf-8") as f:
            n = len(f.read().rstrip("\n").split("\n"))
        if n > max_lines:
            bad.append("README.md: %d lines, more than %d" % (n, max_lines))
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.stderr.write("usage: doclinks.py ROOT [MAX_README_LINES]\n")
        sys.exit(2)
    sys.exit(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3
                  else 250))
