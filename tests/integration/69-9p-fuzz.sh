# SPDX-License-Identifier: GPL-2.0
# The hostile 9P peer (tools/hvl-9pfuzz.c) at make check size: P9_FUZZ
# random and mutated T-messages (default 5000, seed P9_FUZZ_SEED, default
# 1, so that a failure replays) through the inject hook, every reply's
# framing checked.  Afterwards the server must hold no fid of the
# fuzzer's, the export must still serve the stock client, and nothing may
# have been created outside the export, and slab memory must be back
# within 4 MiB of where it was once the export and the modules are gone.
# make soak runs 1 000 000 (tests/soak/70-9p-fuzz.sh).
# hvl-timeout: 600
. /tests/lib.sh
. /tests/lib-9p.sh

N=${P9_FUZZ:-5000}
S=${P9_FUZZ_SEED:-1}
slab_kb() {
	echo 3 >/proc/sys/vm/drop_caches
	awk '$1 == "Slab:" {print $2}' /proc/meminfo
}
s0=$(slab_kb)
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
hvl-9pfuzz $INJ -n "$N" -s "$S" || fail "hvl-9pfuzz (seed $S)"
[ "$(p9_stat fids)" = 0 ] || fail "fids left after the fuzzer's closing Tversion: $(p9_stat fids)"
ls / >/tmp/root.after
cmp -s /tmp/root.before /tmp/root.after || fail "the fuzzer changed /: $(diff /tmp/root.before /tmp/root.after)"
grep "^errors\|^refused\|^fids" "$P9DBG" | tr '\n' ' '
echo
# The export still serves a stock client.
chmod 755 $EXPORT
p9_mount
echo after >$MNT/after-fuzz || fail "write after the fuzzer"
[ "$(cat $EXPORT/after-fuzz)" = after ] || fail "the export does not serve after the fuzzer"
p9_umount_clean
p9_down
s1=$(slab_kb)
echo "slab: ${s0} kB -> ${s1} kB"
[ $((s1 - s0)) -le 4096 ] || fail "slab grew by $((s1 - s0)) kB across $N messages"
