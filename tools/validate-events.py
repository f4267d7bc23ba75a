#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""Validate xhb events (JSON lines) against docs/events.schema.json.

    validate-events.py [FILE...]            files, or stdin when none or "-"
    validate-events.py --check-seq FILE     also: seq has no gaps per node
    validate-events.py --check-docs docs/man/xhb-events.7.scd
                                            schema and man page agree,
                                            examples valid

Prints the first failures as FILE:LINE: EVENT: what is wrong, then a count.
Exit status: 0 all valid, 1 a failure, 2 usage or I/O error, 77 the
python3-jsonschema package is missing (the test runners' "skip").
"""
import argparse
import json
import os
import re
import sys

try:
    import jsonschema
except ImportError:
    print("validate-events: python3-jsonschema is not installed "
          "(apt-get install python3-jsonschema)", file=sys.stderr)
    sys.exit(77)

DEFAULT_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "..", "docs", "events.schema.json")
ERRORS_PER_LINE = 4


class Report:
    def __init__(self, max_errors):
        self.max_errors = max_errors
        self.shown = 0
        self.failed = 0

    def fail(self, where, message):
        self.failed += 1
        if self.shown < self.max_errors:
            print(f"{where}: {message}")
            self.shown += 1
        elif self.shown == self.max_errors:
            print("... (more failures not shown)")
            self.shown += 1


def no_duplicate_keys(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def make_validator(schema):
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    # Formats (ipv4, ipv6) are only asserted with a format checker.
    return cls(schema, format_checker=jsonschema.FormatChecker())


def line_problems(validator, text):
    """Return (event object or None, list of messages)."""
    try:
        obj = json.loads(text, object_pairs_hook=no_duplicate_keys)
    except ValueError as e:
        return None, [f"not a JSON object: {e}"]
    if not isinstance(obj, dict):
        return None, ["not a JSON object"]
    errors = sorted(validator.iter_errors(obj),
                    key=lambda e: (len(e.absolute_path), e.message))
    # unevaluatedProperties also blames the event's own fields once any
    # of them is wrong; name only the fields that are really unknown.
    unevaluated = [e for e in errors if e.validator == "unevaluatedProperties"]
    errors = [e for e in errors if e.validator != "unevaluatedProperties"]
    messages = []
    schema = validator.schema
    event = obj.get("event")
    if unevaluated and event in schema["properties"]["event"]["enum"]:
        known = set(schema["properties"]) | set(
            schema["$defs"][event]["properties"])
        unknown = sorted(set(obj) - known)
        if unknown:
            messages.append(f"unknown field(s) for {event}: "
                            + ", ".join(unknown))
    for e in errors[:ERRORS_PER_LINE]:
        path = "/".join(str(p) for p in e.absolute_path)
        if path == "event" and e.validator == "enum":
            messages.append(f"unknown event {e.instance!r}")
        else:
            messages.append(f"{path}: {e.message}" if path else e.message)
    if not messages and unevaluated:
        messages.append(unevaluated[0].message)
    if len(errors) > ERRORS_PER_LINE:
        messages.append(f"and {len(errors) - ERRORS_PER_LINE} more")
    return obj, messages


def validate_stream(validator, name, stream, report, check_seq):
    count = 0
    last_seq = {}
    for number, raw in enumerate(stream, 1):
        count += 1
        where = f"{name}:{number}"
        try:
            text = raw.rstrip(b"\n").decode("utf-8")
        except UnicodeDecodeError as e:
            report.fail(where, f"?: not UTF-8: {e}")
            continue
        obj, messages = line_problems(validator, text)
        if messages:
            label = obj.get("event", "?") if isinstance(obj, dict) else "?"
            report.fail(where, f"{label}: " + "; ".join(messages))
        if not check_seq or not isinstance(obj, dict):
            continue
        node, seq = obj.get("node"), obj.get("seq")
        if not isinstance(seq, int):
            continue
        prev = last_seq.get(node)
        # seq restarts at 1 with each agent run.
        if prev is not None and seq != prev + 1 and seq != 1:
            report.fail(where, f"{obj.get('event', '?')}: seq {seq} follows "
                        f"{prev} for node {node}: events lost")
        last_seq[node] = seq
    return count


def json_type(schema, prop):
    """The JSON type word of a property, following $ref into $defs."""
    while "$ref" in prop:
        prop = schema["$defs"][prop["$ref"].rsplit("/", 1)[1]]
    if "type" in prop:
        return prop["type"]
    if "enum" in prop:
        return "string"
    return "?"


def scdoc_text(text):
    """Text as scdoc prints it: a backslash makes the next character
    literal (also inside literal blocks)."""
    return re.sub(r"\\(.)", r"\1", text)


def parse_docs(path):
    """Sections of the scdoc page (docs/man/xhb-events.7.scd): section ->
    field rows of its tables and the JSON examples of its literal blocks.

    "# COMMON FIELDS" is the common fields' section, "## EVENT" an event's.
    A table row is "|  *field*", then ":  type" and ":  required" (or
    optional) cells. A literal block that starts with "{" holds examples,
    one JSON object each, possibly over several lines."""
    sections, current = {}, None
    row_start = re.compile(r"^[\[|\]][\[\]\-<=> ] ")
    cell = re.compile(r"^:[\[\]\-<=> ] ")
    rows, block, block_line = [], None, 0

    def section(name, number):
        return sections.setdefault(name, {"fields": {}, "examples": [],
                                          "bad_examples": [], "line": number})

    def end_rows():
        for number, cells in rows:
            if current and len(cells) >= 3 and cells[2] in ("required",
                                                            "optional"):
                m = re.match(r"^\*([a-z_]+)\*$", cells[0])
                if m:
                    sections[current]["fields"][m.group(1)] = (
                        scdoc_text(cells[1]), cells[2])
        rows.clear()

    def end_block():
        text = scdoc_text("\n".join(block))
        if not text.lstrip().startswith("{"):
            return
        where = section(current or "(other)", block_line)
        decoder, pos = json.JSONDecoder(), 0
        while True:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos == len(text):
                break
            number = block_line + text.count("\n", 0, pos) + 1
            try:
                _, end = decoder.raw_decode(text, pos)
            except ValueError as e:
                where["bad_examples"].append((number, str(e)))
                break
            # One line, as the agent writes it, for line_problems().
            where["examples"].append((number, " ".join(
                part.strip() for part in text[pos:end].split("\n"))))
            pos = end

    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, 1):
            text = text.rstrip("\n")
            if text.lstrip("\t").startswith("```"):
                if block is None:
                    block, block_line = [], number
                else:
                    end_block()
                    block = None
                continue
            if block is not None:
                block.append(text.lstrip("\t"))
                continue
            if row_start.match(text):
                rows.append((number, [text[3:].strip()]))
                continue
            if rows and cell.match(text):
                rows[-1][1].append(text[3:].strip())
                continue
            if rows and text.startswith("   "):
                rows[-1][1][-1] += " " + text.strip()
                continue
            end_rows()
            if text.startswith("#"):
                m = re.match(r"^## ([a-z_]+)\s*$", text)
                if m:
                    current = m.group(1)
                elif re.match(r"^# COMMON FIELDS\s*$", text):
                    current = "(common)"
                else:
                    current = None
                if current:
                    section(current, number)
    end_rows()
    return sections


def check_docs(schema, validator, docs, report):
    sections = parse_docs(docs)
    names = set(schema["properties"]["event"]["enum"])
    dispatched = {b["if"]["properties"]["event"]["const"] for b in schema["allOf"]}
    documented = {s for s in sections if not s.startswith("(")}
    for name in sorted(names ^ dispatched):
        report.fail("schema", f"{name}: in the event enum or the allOf "
                    "dispatch, not both")
    for name in sorted(names - documented):
        report.fail(docs, f"{name}: in the schema, no '## {name}' section")
    for name in sorted(documented - names):
        report.fail(f"{docs}:{sections[name]['line']}",
                    f"{name}: documented, not in the schema")

    def compare(where, label, props, required, fields):
        for field in sorted(set(props) - set(fields)):
            report.fail(where, f"{label}: field {field} is in the schema, "
                        "not in the docs' table")
        for field in sorted(set(fields) - set(props)):
            report.fail(where, f"{label}: field {field} is in the docs' "
                        "table, not in the schema")
        for field in sorted(set(fields) & set(props)):
            doc_type, need = fields[field]
            want_need = "required" if field in required else "optional"
            if need != want_need:
                report.fail(where, f"{label}: {field} is {want_need} in the "
                            f"schema, {need} in the docs")
            want_type = json_type(schema, props[field])
            if doc_type != want_type:
                report.fail(where, f"{label}: {field} is {want_type} in the "
                            f"schema, {doc_type} in the docs")

    common = sections.get("(common)")
    if not common:
        report.fail(docs, "no '# COMMON FIELDS' section")
    else:
        compare(f"{docs}:{common['line']}", "common fields",
                schema["properties"], set(schema["required"]),
                common["fields"])
    for name in sorted(names & documented):
        section = sections[name]
        where = f"{docs}:{section['line']}"
        event = schema["$defs"][name]
        compare(where, name, event["properties"], set(event["required"]),
                section["fields"])
        if not any(json.loads(t).get("event") == name
                   for _, t in section["examples"]):
            report.fail(where, f"{name}: no example line")
    examples = 0
    for section_name, section in sections.items():
        for number, message in section["bad_examples"]:
            report.fail(f"{docs}:{number}", f"example: not JSON: {message}")
        for number, text in section["examples"]:
            examples += 1
            obj, messages = line_problems(validator, text)
            if messages:
                report.fail(f"{docs}:{number}", "example: " + "; ".join(messages))
            elif section_name in names and obj["event"] != section_name:
                report.fail(f"{docs}:{number}", f"example of {obj['event']} "
                            f"in the section of {section_name}")
    return examples


def main():
    parser = argparse.ArgumentParser(
        description="Validate xhb JSON events against the schema.")
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help='JSON lines; stdin when none or "-"')
    parser.add_argument("--schema", default=DEFAULT_SCHEMA,
                        help="schema file (default: docs/events.schema.json)")
    parser.add_argument("--max-errors", type=int, default=20,
                        help="failures to print (default 20)")
    parser.add_argument("--check-seq", action="store_true",
                        help="fail when seq skips a number for a node")
    parser.add_argument("--check-docs", metavar="DOCS",
                        help="check DOCS (docs/man/xhb-events.7.scd) against "
                        "the schema instead of reading events")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no summary line")
    args = parser.parse_args()

    try:
        with open(args.schema, encoding="utf-8") as f:
            schema = json.load(f)
        validator = make_validator(schema)
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        print(f"validate-events: {args.schema}: {e}", file=sys.stderr)
        return 2

    report = Report(args.max_errors)
    try:
        if args.check_docs:
            count = check_docs(schema, validator, args.check_docs, report)
            what = "examples"
        else:
            count = 0
            for name in args.files or ["-"]:
                if name == "-":
                    count += validate_stream(validator, "<stdin>",
                                             sys.stdin.buffer, report,
                                             args.check_seq)
                    continue
                with open(name, "rb") as f:
                    count += validate_stream(validator, name, f, report,
                                             args.check_seq)
            what = "events"
    except OSError as e:
        print(f"validate-events: {e}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(f"validate-events: {count} {what}, {report.failed} failures")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
