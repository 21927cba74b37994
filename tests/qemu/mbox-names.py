#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The mboxes/mbox-names rules of the hvl bindings against the code's.

The part of the bindings that the doorbell code
(drivers/hvl/core/doorbell.c) can contradict is checked here with plain
JSON schema, after the one rewrite dt-schema applies to it (an "items"
list fixes the array's length, as in dtschema's _fixup_items_size()):
every combination of one or two channels with mbox-names absent or a
list of one or two names out of "tx", "rx" and "foo", repeats included,
must be accepted by the binding exactly when hvl_doorbell_init() accepts
it.  dt-validate checks the examples (dts/examples/) against the whole
binding; this checks the binding against the code.

Usage: mbox-names.py <binding.yaml>...
"""
import itertools
import sys

import jsonschema
import yaml


def code_accepts(nmbox, names):
    """hvl_doorbell_init(): the checks before it requests the channels."""
    if nmbox == 2 and (names is None or "rx" not in names):
        return False            # "two mboxes need mbox-names"
    if names is not None and (len(names) != nmbox or "tx" not in names or
                              (nmbox == 2 and "rx" not in names)):
        return False            # "mbox-names must name each of the mboxes"
    return True


def fixup_items_size(schema):
    """dt-schema's: an "items" list sets minItems and maxItems."""
    if isinstance(schema, list):
        for s in schema:
            fixup_items_size(s)
    elif isinstance(schema, dict):
        if isinstance(schema.get("items"), list):
            schema.setdefault("minItems", len(schema["items"]))
            schema.setdefault("maxItems", len(schema["items"]))
        elif "maxItems" in schema and "minItems" not in schema:
            schema["minItems"] = schema["maxItems"]
        elif "minItems" in schema and "maxItems" not in schema:
            schema["maxItems"] = schema["minItems"]
        for v in schema.values():
            fixup_items_size(v)


def check(path):
    d = yaml.safe_load(open(path))
    schema = {
        "properties": {
            "mboxes": {"type": "array", "minItems": 1, "maxItems": 2},
            "mbox-names": d["properties"]["mbox-names"],
        },
    }
    for k in ("allOf", "if", "then", "else"):
        if k in d:
            schema[k] = d[k]
    fixup_items_size(schema)
    v = jsonschema.Draft201909Validator(schema)
    bad = 0
    for nmbox in (1, 2):
        cases = [None] + [list(p) for n in (1, 2)
                          for p in itertools.product(["tx", "rx", "foo"],
                                                     repeat=n)]
        for names in cases:
            node = {"mboxes": [[1]] * nmbox}
            if names is not None:
                node["mbox-names"] = names
            want, got = code_accepts(nmbox, names), v.is_valid(node)
            if want != got:
                bad += 1
                print(f"{path}: {nmbox} mboxes, mbox-names = {names}: "
                      f"the binding {'accepts' if got else 'refuses'} it, "
                      f"the code {'accepts' if want else 'refuses'} it")
    return bad


sys.exit(1 if sum(check(p) for p in sys.argv[1:]) else 0)
