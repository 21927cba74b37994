# SPDX-License-Identifier: GPL-2.0
# The hostile 9P peer (tools/hvl-9pfuzz.c) at make check size: P9_FUZZ
# random and mutated T-messages (default 5000, seed P9_FUZZ_SEED, default
# 1, so that a failure replays) through the inject hook, every reply's
# framing checked.  Every fault must be counted, once: the server's
# malformed count must grow by the messages whose framing the fuzzer
# broke, its calls by the others, and its errors with the short ones by
# the Rlerror replies and the errors left unanswered for want of room
# (the fuzzer varies the reply room, inject_rsize).  At 5000 messages or
# more, fuzzed walk, lopen, getattr, readdir, read and write messages
# must each have succeeded at least once (the fuzzer gets past the
# decoding and the fid lookup).  Afterwards the
# server must hold no fid of the fuzzer's, the export must still serve
# the stock client, and nothing may have been created outside the
# export; slab memory must be back within 4 MiB of where it was once the
# export and the modules are gone, and no cache may have grown by a
# quarter of the messages in objects.
# make soak runs 200 000 (tests/soak/70-9p-fuzz.sh).
# hvl-timeout: 600
. /tests/lib.sh
. /tests/lib-9p.sh

N=${P9_FUZZ:-5000}
S=${P9_FUZZ_SEED:-1}
# calls, errors and malformed: the server's counts, summed over its
# operations (debugfs: "op.<name>: <calls> <errors> ...")
p9_totals() {
	awk '/^op\./ {c += $2; e += $3} $1 == "malformed:" {m = $2}
	     END {print c + 0, e + 0, m + 0}' "$P9DBG"
}
s0=$(slab_kb)
cp /tmp/slabinfo.last /tmp/slabinfo.0
p9_up inject=1
[ -n "$INJ" ] || fail "no inject hook"
# The fuzzer's Tversion resets the session: no client mounted meanwhile.
p9_umount_clean
mkdir -p $EXPORT/sub $EXPORT/d
echo data >$EXPORT/f
echo data >$EXPORT/sub/f
ln -s / $EXPORT/abs
chown -R 65534:65534 $EXPORT
ls / >/tmp/root.before
set -- $(p9_totals)
c0=$1 e0=$2 m0=$3
out=$(hvl-9pfuzz $INJ -n "$N" -s "$S") || fail "hvl-9pfuzz (seed $S): $out"
echo "$out"
set -- $(p9_totals)
dc=$(($1 - c0)) de=$(($2 - e0)) dm=$(($3 - m0))
sent= malf= short= lerr= noreply= roomless=
for kv in $out; do
	case $kv in
	noreply=*) noreply=${kv#*=} ;;
	roomless=*) roomless=${kv#*=} ;;
	sent=*) sent=${kv#*=} ;;
	malformed=*) malf=${kv#*=} ;;
	short=*) short=${kv#*=} ;;
	rlerror=*) lerr=${kv#*=} ;;
	esac
done
for v in "$sent" "$malf" "$short" "$lerr" "$noreply" "$roomless"; do
	[ -n "$v" ] || fail "no counts in the fuzzer's output: $out"
done
echo "server: calls +$dc errors +$de malformed +$dm"
# Through the inject hook every message is answered, malformed or not,
# where the reply room holds an Rlerror; an error without that room is
# answered with nothing (roomless).
[ "$noreply" = 0 ] || fail "$noreply messages got no reply (seed $S)"
[ "$dm" = "$malf" ] ||
	fail "the server counted $dm malformed messages; the fuzzer sent $malf (seed $S)"
[ $((dc + short)) = "$sent" ] ||
	fail "the server counted $dc calls and $short short messages; the fuzzer sent $sent (seed $S)"
[ $((de + short)) = $((lerr + roomless)) ] ||
	fail "the server counted $de errors and $short short messages; the fuzzer got $lerr Rlerror and $roomless errors without room for one (seed $S)"
[ "$(p9_stat fids)" = 0 ] || fail "fids left after the fuzzer's closing Tversion: $(p9_stat fids)"
ls / >/tmp/root.after
cmp -s /tmp/root.before /tmp/root.after || fail "the fuzzer changed /: $(diff /tmp/root.before /tmp/root.after)"
grep "^errors\|^refused\|^fids" "$P9DBG" | tr '\n' ' '
echo
# Deep enough: a fuzzer whose messages all fail their decoding, or the
# fid lookup, tests only that.  Fuzzed messages (the fuzzer's own set-up
# apart) must have reached the handlers behind a live fid and succeeded,
# each of these at least once.
if [ "$N" -ge 5000 ]; then
	for op in walk lopen getattr readdir read write; do
		c=
		for kv in $out; do
			case $kv in "$op="*) c=${kv#*=} ;; esac
		done
		[ -n "$c" ] || fail "no count of $op in the fuzzer's output: $out"
		[ "$c" -gt 0 ] || fail "no fuzzed $op succeeded in $N messages (seed $S)"
	done
fi
# The export still serves a stock client.
chmod 755 $EXPORT
p9_mount
echo after >$MNT/after-fuzz || fail "write after the fuzzer"
[ "$(cat $EXPORT/after-fuzz)" = after ] || fail "the export does not serve after the fuzzer"
p9_umount_clean
p9_down
s1=$(slab_kb)
echo "slab without kmemleak's: ${s0} kB -> ${s1} kB"
slab_grown /tmp/slabinfo.0
[ $((s1 - s0)) -le 4096 ] || fail "slab grew by $((s1 - s0)) kB across $N messages"
g=$(caches_grew /tmp/slabinfo.0 $((N / 4)))
[ -z "$g" ] || fail "caches grew by $((N / 4)) objects or more across $N messages: $g"
