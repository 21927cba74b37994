#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dt-schema on compiled device trees (Debian 12: dt-schema 2022.08), for
# "make check":
#
#   dt-check.sh schema <out.json> [<kernel source>]
#	dt-mk-schema: the processed schema of our bindings, dt-schema's core
#	schemas, tests/qemu/dtschema/*.yaml and, from the kernel source, the
#	bindings of the mailbox controllers dts/examples/ use.  First copies
#	Debian's dtschema package next to <out.json> (dtschema-patched/) and
#	applies tests/qemu/dtschema-*.patch to the copy: the commands below
#	run dt-mk-schema and dt-validate from there, with Debian's python.
#   dt-check.sh validate [-l <substring>] <schema.json> <base.dts> [<overlay.dtso>...]
#	Merge as a bootloader would (dtb.sh), run dt-validate on the result;
#	fails when dt-validate reports anything (it exits 0 either way).
#	-l: only the schemas whose file name contains <substring>.
#   dt-check.sh invalid <schema.json> <base.dts> <overlay.dtso>
#	The same, for a broken overlay: fails unless dt-validate reports
#	every message of the overlay's "dt-check expects:" lines.
#   dt-check.sh examples <schema.json> <binding.yaml>...
#	The bindings' own examples, as the kernel's dt_binding_check does
#	(dt-extract-example, dtc, dt-validate).
set -eu

q=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$q/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Debian's python, which has dtschema's dependencies (a python3 earlier
# on PATH, a pyenv say, may not), and the patched copy of dtschema.
py=/usr/bin/python3
dt() { # dt <tool> <schema.json> <args>...
	t=$1 lib=$(cd "$(dirname "$2")" && pwd)/dtschema-patched
	shift 2
	PYTHONPATH=$lib "$py" "/usr/bin/$t" "$@"
}

# dt-validate <schema.json> <file.dtb> <log>: 0 if it had nothing to say.
limit=
run_validate() {
	vrc=0
	dt dt-validate "$1" ${limit:+-l "$limit"} -s "$1" "$2" >"$3" 2>&1 || vrc=$?
	[ $vrc = 0 ] && [ ! -s "$3" ]
}

cmd=$1
shift
case $cmd in
schema)
	out=$1 ksrc=${2:-}
	lib=$(cd "$(dirname "$out")" && pwd)/dtschema-patched
	sys=$("$py" -I -c 'import dtschema, os; print(os.path.dirname(dtschema.__file__))')
	rm -rf "$lib"
	mkdir -p "$lib"
	cp -R "$sys" "$lib/dtschema"
	rm -rf "$lib/dtschema/__pycache__"
	for p in "$q"/dtschema-*.patch; do
		[ -f "$p" ] || continue
		patch -s -p1 -d "$lib" <"$p"
	done
	got=$(PYTHONPATH=$lib "$py" -c 'import dtschema; print(dtschema.__file__)')
	[ "$got" = "$lib/dtschema/__init__.py" ] ||
		{ echo "dt-check.sh: python imports $got, not the copy" >&2; exit 1; }
	set -- "$repo"/Documentation/devicetree/bindings/hvl/*.yaml "$q"/dtschema/*.yaml
	if [ -n "$ksrc" ]; then
		k=$ksrc/Documentation/devicetree/bindings/mailbox
		set -- "$@" "$k/fsl,mu.yaml" "$k/xlnx,zynqmp-ipi-mailbox.yaml" \
			"$k/st,stm32-ipcc.yaml"
	fi
	# Not -u (--useronly): without dt-schema's core schemas, 2022.08's
	# get_prop_types() raises KeyError (fixed upstream by d41cf1e,
	# "validator: Don't crash if the de-aliaser hack fails", in 2024.11),
	# and the core schemas check the rest of the tree.
	dt dt-mk-schema "$out" -j "$@" >"$tmp/schema.json"
	mv "$tmp/schema.json" "$out"
	;;
validate)
	[ "$1" = -l ] && { limit=$2; shift 2; }
	schema=$1
	shift
	name=
	for f in "$@"; do name="$name${name:+ + }$(basename "$f")"; done
	"$q/dtb.sh" "$tmp/t.dtb" "$@"
	run_validate "$schema" "$tmp/t.dtb" "$tmp/log" && exit 0
	echo "dt-validate: $name:"
	sed "s|$tmp/t.dtb|$name|" "$tmp/log"
	exit 1
	;;
invalid)
	schema=$1 base=$2 o=$3
	name=$(basename "$o")
	"$q/dtb.sh" "$tmp/t.dtb" "$base" "$o"
	if run_validate "$schema" "$tmp/t.dtb" "$tmp/log"; then
		echo "dt-validate: $name: accepted, but it is broken"
		exit 1
	fi
	sed -n 's/.*dt-check expects: //p' "$o" >"$tmp/expect"
	if [ ! -s "$tmp/expect" ]; then
		echo "dt-validate: $name: no \"dt-check expects:\" line"
		exit 1
	fi
	rc=0
	while IFS= read -r e; do
		grep -qF -- "$e" "$tmp/log" && continue
		echo "dt-validate: $name: no \"$e\" in:"
		sed "s|$tmp/t.dtb|$name|" "$tmp/log"
		rc=1
	done <"$tmp/expect"
	exit $rc
	;;
examples)
	schema=$1
	shift
	rc=0
	for b in "$@"; do
		n=$(basename "$b" .yaml)
		dt-extract-example "$b" >"$tmp/$n.dts"
		dtc -q -@ -I dts -O dtb -o "$tmp/$n.dtb" "$tmp/$n.dts" ||
			{ echo "dtc: the examples of $n.yaml"; rc=1; continue; }
		run_validate "$schema" "$tmp/$n.dtb" "$tmp/log" && continue
		echo "dt-validate: the examples of $n.yaml:"
		sed "s|$tmp/$n.dtb|$n.example.dtb|" "$tmp/log"
		rc=1
	done
	exit $rc
	;;
*)
	echo "usage: dt-check.sh schema|validate|invalid|examples ..." >&2
	exit 2
	;;
esac
