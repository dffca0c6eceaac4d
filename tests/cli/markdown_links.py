#!/usr/bin/python3
"""Every link in the project's Markdown files reaches something: a `#anchor` a heading of that
file makes (GitHub's rule: lower case, punctuation dropped but '-' and '_', spaces as '-', a
repeated heading numbered -1, -2, ...), and a relative path an existing file (and its anchor).
Prints one line per broken link; exit 1 when there is one.

  markdown_links.py SOURCE_DIR FILE.md..."""

import os
import re
import sys

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading):
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path):
    """The anchors the headings of a Markdown file make, outside fenced code."""
    made, counts, fenced = set(), {}, False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("```"):
                fenced = not fenced
            elif not fenced and re.match(r"#{1,6} ", line):
                base = slug(line.lstrip("#"))
                n = counts.get(base, 0)
                counts[base] = n + 1
                made.add(base if n == 0 else f"{base}-{n}")
    return made


def links(path):
    fenced = False
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.startswith("```"):
                fenced = not fenced
            elif not fenced:
                for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
                    yield number, target


def main():
    source, files = sys.argv[1], sys.argv[2:]
    broken = 0
    for name in files:
        path = os.path.join(source, name)
        for number, target in links(path):
            if re.match(r"[a-z]+:", target):  # https:, mailto:: not checked here
                continue
            file_part, _, anchor = target.partition("#")
            linked = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
            if not os.path.exists(linked):
                print(f"{name}:{number}: {target}: no file {os.path.relpath(linked, source)}")
                broken += 1
            elif anchor and linked.endswith(".md") and anchor not in anchors(linked):
                print(f"{name}:{number}: {target}: no heading makes #{anchor}")
                broken += 1
    print(f"markdown links: {broken} broken" if broken else "markdown links: all reach their targets")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
