#!/usr/bin/env python3
"""The Grafana dashboard and the Prometheus rules against what the
daemons export.

names.py DASHBOARD RULES [METRICS...]

Checks that DASHBOARD is an importable dashboard (a Prometheus
datasource input, a uid, a title, panels with ids, positions and
queries) and, given METRICS files (the text of a live GET /metrics of
amtrelayd and amtgwd), that every metric name a panel or a rule
queries is one they export, or a recording rule of RULES.  Names come
from the PromQL: identifiers that are not functions, keywords, labels,
strings or durations, and each alternative of a __name__=~"a_(x|y)_b"
matcher.  Exit 1 with one line per problem.
"""
import json
import re
import sys

FUNCS_KEYWORDS = {"by", "without", "on", "ignoring", "group_left",
                  "group_right", "and", "or", "unless", "bool", "offset",
                  "inf", "nan"}
IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def name_regex_names(expr):
    """Names of each __name__=~"prefix(a|b)suffix" matcher."""
    out = []
    for rx in re.findall(r'__name__\s*=~\s*"([^"]*)"', expr):
        m = re.fullmatch(r"([a-zA-Z0-9_:]*)\(([a-zA-Z0-9_|]*)\)([a-zA-Z0-9_:]*)",
                         rx)
        if m is None:
            out.append("unsupported __name__ regex " + rx)
            continue
        out += [m.group(1) + alt + m.group(3) for alt in m.group(2).split("|")]
    return out


def metric_names(expr):
    names = name_regex_names(expr)
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)      # strings
    e = re.sub(r"\{[^}]*\}", " ", e)                  # matchers
    e = re.sub(r"\[[^\]]*\]", " ", e)                 # ranges
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)",
               " ", e)                                 # label lists
    for m in IDENT.finditer(e):
        word = m.group(0)
        rest = e[m.end():].lstrip()
        if rest.startswith("(") or word.lower() in FUNCS_KEYWORDS:
            continue
        if re.fullmatch(r"[0-9.]+[smhdwy]?", word):
            continue
        names.append(word)
    return names


def rules(path):
    """(record names, [(where, expr)]) of a rules file, without YAML."""
    records, exprs, lines = set(), [], open(path).read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^\s*-?\s*record:\s*(\S+)", line)
        if m:
            records.add(m.group(1))
        m = re.match(r"^(\s*)expr:\s*(.*)$", line)
        if m:
            body, ind = m.group(2), len(m.group(1))
            if body in (">-", ">", "|", "|-"):
                body = ""
                while i + 1 < len(lines) and (lines[i + 1].strip() == "" or
                        len(lines[i + 1]) - len(lines[i + 1].lstrip()) > ind):
                    i += 1
                    body += " " + lines[i].strip()
            exprs.append(("%s:%d" % (path, i + 1), body.strip()))
        i += 1
    return records, exprs


def dashboard(path, errors):
    d = json.load(open(path))
    exprs = []
    for k in ("uid", "title", "panels", "schemaVersion"):
        if k not in d:
            errors.append("%s: no %s" % (path, k))
    if not any(i.get("pluginId") == "prometheus" for i in d.get("__inputs", [])):
        errors.append("%s: no Prometheus datasource input" % path)
    ids = set()
    for p in d.get("panels", []):
        title = p.get("title", "?")
        if p.get("id") in ids or "gridPos" not in p:
            errors.append("%s: panel %r: duplicate id or no gridPos" % (path, title))
        ids.add(p.get("id"))
        if p.get("type") == "row":
            continue
        if not p.get("targets"):
            errors.append("%s: panel %r queries nothing" % (path, title))
        for t in p.get("targets", []):
            exprs.append(("panel %r" % title, t.get("expr", "")))
    return exprs


def exported(paths):
    names = set()
    for path in paths:
        for line in open(path):
            m = re.match(r"^# TYPE (\S+) ", line)
            if m:
                names.add(m.group(1))
    return names


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    errors = []
    exprs = dashboard(argv[1], errors)
    records, rule_exprs = rules(argv[2])
    have = exported(argv[3:]) | records | {"up"}
    checked = 0
    for where, expr in (exprs + rule_exprs if argv[3:] else []):
        for n in metric_names(expr):
            checked += 1
            if n not in have:
                errors.append("%s queries %s, which no daemon exports" % (where, n))
    for e in errors:
        print(e)
    print("%d queries, %d metric names checked against %d exported" %
          (len(exprs) + len(rule_exprs), checked, len(have)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
