#!/usr/bin/env python3
"""The canonical content of a decision, written from docs/canonical.md alone (Python 3, standard
library only), to check that the document says enough to compute the register's bytes.

Usage: canonical.py VERSION INPUT.json
Writes the canonical bytes of the content in INPUT.json (keyed as in the document's section 2,
with part_two and part_two_salt beside them) under VERSION (1, 2, 3 or 4) to standard output.
"""

import functools
import hashlib
import json
import re
import sys
import unicodedata

FORMATS = {1: "decision-register/canonical/v1", 2: "decision-register/canonical/v2",
           3: "decision-register/canonical/v3", 4: "decision-register/canonical/v4",
           5: "decision-register/canonical/v5"}

# Section 4: the code points written as escapes; every other one is written as itself.
SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def string(s):
    out = ['"']
    for ch in s:
        if ch in SHORT:
            out.append(SHORT[ch])
        elif ord(ch) < 0x20 or ch in "\u2028\u2029":
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def text(s):
    """Section 3: CR LF to LF, then CR to LF, then NFC; nothing else."""
    if s is None:
        return None
    return unicodedata.normalize("NFC", s.replace("\r\n", "\n").replace("\r", "\n"))


def write(v):
    """Sections 2 and 4: objects are lists of (key, value) pairs, in order."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        raise ValueError("no value is a boolean")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return string(v)
    if isinstance(v, tuple):  # an object
        return "{" + ",".join(string(k) + ":" + write(x) for k, x in v) + "}"
    if isinstance(v, list):
        return "[" + ",".join(write(x) for x in v) + "]"
    raise ValueError("cannot write %r" % (v,))


def obj(*pairs):
    return tuple(pairs)


def section(s):
    return obj(("kind", s["kind"]), ("heading", text(s["heading"])), ("body", text(s["body"])))


# Section 10: the text model.
BULLET = re.compile("^(?:\u2022|\u00b7|\u25e6|\u25aa|-|\\*|\u2013|o)[ \t]+")
NUMBER = re.compile(r"^([0-9]{1,3}(?:\.[0-9]{1,3})*\.|[0-9]{1,3}(?:\.[0-9]{1,3})+"
                    r"|\((?:[0-9]{1,3}|[a-z]|[A-Z]|[ivx]{1,5}|[IVX]{1,5})\)|[a-z]\)|[0-9]{1,3}\))[ \t]+")


def words(s):
    """Runs of spaces and tabs made one space, none at either end."""
    return " ".join(w for w in re.split("[ \t]+", s) if w)


def read_line(line):
    """(kind, marker, content) of a non-blank line."""
    line = line.lstrip(" ").rstrip(" ")
    s = line.lstrip("\t")
    m = BULLET.match(s)
    if m and s[m.end():].strip(" \t"):
        return ("bullet", m.group(0).rstrip(" \t"), s[m.end():])
    m = NUMBER.match(s)
    if m:
        rest = s[m.end():]
        number = m.group(1)
        dotless = not number.endswith(".") and not number.endswith(")")
        if rest.strip(" \t") and (not dotless or "\t" in m.group(0) or "A" <= rest[0] <= "Z"):
            return ("number", number, rest)
    return ("", "", line)


def block(kind, number="", txt="", items=None, rows=None):
    return {"type": kind, "number": number, "text": txt, "items": items or [], "rows": rows or []}


def parse_paragraph(lines):
    blocks, open_ = [], False
    i = 0
    while i < len(lines):
        kind, marker, content = lines[i]
        tabs = content.count("\t")
        if tabs > 0 and i + 1 < len(lines) and lines[i + 1][2].count("\t") == tabs:
            rows = []
            while i < len(lines) and lines[i][2].count("\t") == tabs:
                cells = lines[i][2].split("\t")
                if lines[i][1]:
                    cells[0] = lines[i][1] + " " + cells[0]
                rows.append([words(c) for c in cells])
                i += 1
            blocks.append(block("table", rows=rows))
            open_ = False
            continue
        if kind == "bullet":
            if blocks and blocks[-1]["type"] == "list":
                blocks[-1]["items"].append(words(content))
            else:
                blocks.append(block("list", items=[words(content)]))
            open_ = False
        elif kind == "number":
            blocks.append(block("numbered", number=marker, txt=words(content)))
            open_ = True
        elif open_:
            blocks[-1]["text"] += "\n" + words(content)
        else:
            blocks.append(block("paragraph", txt=words(content)))
            open_ = True
        i += 1
    return blocks


def parse_text(s):
    blocks, para = [], []
    for line in s.split("\n"):
        if line.strip(" \t") == "":
            blocks += parse_paragraph(para)
            para = []
        else:
            para.append(read_line(line))
    return blocks + parse_paragraph(para)


def section_v3(s):
    body = text(s["body"])
    return obj(("kind", s["kind"]), ("heading", text(s["heading"])), ("body", body),
               ("blocks", [obj(("type", b["type"]), ("number", b["number"]), ("text", b["text"]),
                               ("items", b["items"]), ("rows", b["rows"])) for b in parse_text(body)]))


def funding(f):
    return obj(
        ("amount_pence", f["amount_pence"]),
        ("currency", f["currency"]),
        ("fy_start", f.get("fy_start")),
        ("fy_end", f.get("fy_end")),
        ("basis", f["basis"]),
        ("kind", f["kind"]),
        ("label", text(f["label"])),
        ("period_text", text(f.get("period_text"))),
        ("funder", text(f.get("funder"))),
        ("recipient", text(f.get("recipient"))),
    )


REFERENCE = re.compile(r"^(PCD|MD|DD|ADD) ([0-9]+)$|^(DMPCD) ([0-9]+) ([0-9]+)$")


def reference_key(r):
    """Section 5: (series, year, number) of a register reference, or None."""
    m = REFERENCE.match(r)
    if not m:
        return None
    if m.group(1):
        return (m.group(1).encode(), 0, int(m.group(2)))
    return (m.group(3).encode(), int(m.group(4)), int(m.group(5)))


def compare_links(a, b):
    ka, kb = a["kind"].encode(), b["kind"].encode()
    if ka != kb:
        return -1 if ka < kb else 1
    ra, rb = reference_key(a["reference"]), reference_key(b["reference"])
    if ra is None or rb is None:
        ra, rb = a["reference"].encode(), b["reference"].encode()
    return (ra > rb) - (ra < rb)


def part_two_sha256(c):
    """Section 6."""
    if not c.get("part_two"):
        return None
    b = write(obj(
        ("format", "decision-register/part-two/v1"),
        ("salt", c["part_two_salt"]),
        ("part_two", [section(s) for s in c["part_two"]]),
    )) + "\n"
    return hashlib.sha256(b.encode("utf-8")).hexdigest()


def canonical(version, c):
    pairs = [
        ("format", FORMATS[version]),
        ("reference", text(c["reference"])),
        ("title", text(c.get("title") or "")),
        ("summary", text(c.get("summary") or "")),
        ("funder", text(c.get("funder") or "")),
        ("recommendations", [text(r) for r in c.get("recommendations", [])]),
        ("part_one", [(section_v3 if version >= 3 else section)(s) for s in c.get("part_one", [])]),
        ("part_two_sha256", part_two_sha256(c)),
        ("funding", [funding(f) for f in c.get("funding", [])]),
        ("links", [obj(("kind", l["kind"]), ("reference", l["reference"]))
                   for l in sorted(c.get("links", []), key=functools.cmp_to_key(compare_links))]),
    ]
    if version >= 2:
        pairs.append(("documents", [obj(("name", text(d["name"])), ("media_type", d["media_type"]),
                                        ("size", d["size"]), ("sha256", d["sha256"]))
                                    for d in c.get("documents", [])]))
    if version >= 4:
        pairs.append(("approvals", [approval(a) for a in c.get("approvals") or []]))
    if version >= 5:
        pairs.append(("released", [released(r) for r in sorted(c.get("released") or [], key=lambda r: r["section"])]))
    return (write(obj(*pairs)) + "\n").encode("utf-8")


def approval(a):
    """Section 2 (version 4): an approval object."""
    cover = a.get("cover")
    if cover is not None:
        cover = obj(("from", cover["from"]), ("to", cover["to"]), ("set_by", text(cover["set_by"])))
    return obj(
        ("step", a["step"]),
        ("approver", text(a["approver"])),
        ("on_behalf_of", text(a.get("on_behalf_of"))),
        ("cover", cover),
        ("interests", a.get("interests")),
        ("interest_nature", text(a.get("interest_nature"))),
        ("dispensation_by", text(a.get("dispensation_by"))),
    )


def released(r):
    """Section 12 (version 5): a release object."""
    return obj(
        ("section", r["section"]),
        ("kind", r["kind"]),
        ("heading", text(r["heading"])),
        ("body", text(r["body"])),
        ("ground", r["ground"]),
        ("released_on", r["released_on"]),
        ("released_by", text(r["released_by"])),
    )


def main():
    version = int(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        content = json.load(f)
    sys.stdout.buffer.write(canonical(version, content))


if __name__ == "__main__":
    main()
