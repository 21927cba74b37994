#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The mboxes/mbox-names rules of the hvl bindings against the code's.

dt-validate is not available everywhere make check runs, so the part of
the bindings that the doorbell code (drivers/hvl/core/doorbell.c) can
contradict is checked here with plain JSON schema: every combination of
one or two channels with mbox-names absent, "tx", "rx" or both (either
order) must be accepted by the binding exactly when hvl_doorbell_init()
accepts it.  Names that are neither, or given twice, the binding refuses
(enum, uniqueItems) and the code ignores; they are not enumerated.

Usage: mbox-names.py <binding.yaml>...
"""
import itertools
import sys

import jsonschema
import yaml


def code_accepts(nmbox, names):
    """hvl_doorbell_init(): the channels it requests must exist."""
    if nmbox == 2 and (names is None or "rx" not in names):
        return False            # "two mboxes need mbox-names"
    tx = 0 if names is None else (names.index("tx") if "tx" in names else None)
    if tx is None or tx >= nmbox:
        return False            # byname "tx" fails
    if names is not None and "rx" in names and names.index("rx") >= nmbox:
        return False            # byname "rx" fails
    return True


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
    v = jsonschema.Draft201909Validator(schema)
    bad = 0
    for nmbox in (1, 2):
        cases = [None] + [list(p) for n in (1, 2)
                          for p in itertools.permutations(["tx", "rx"], n)]
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
