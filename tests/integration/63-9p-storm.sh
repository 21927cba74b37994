# SPDX-License-Identifier: GPL-2.0
# A metadata storm through the 9P backend: N files created, stat'ed,
# renamed into another directory and unlinked by the stock client, the
# result checked on the Linux side after each phase.  Shell builtins do
# the per-file work (no fork per file: TCG is slow to fork), single
# commands the bulk renames and unlinks.
#
# N is 10 000 as the issue asks, but the test guest (TCG, KASAN, 4 vCPUs
# sharing a loaded 2-core host) takes about 20 ms per 9P round trip and
# a file costs about 10 of them: "make check" runs N=50 to stay in its
# time budget, the kernel parameter hvl.p9_storm=<N> sets it, and
# tools/9p-bench runs the full 10 000 (see Documentation/hvl/9p.rst).
. /tests/lib.sh
. /tests/lib-9p.sh

N=50
for a in $(cat /proc/cmdline); do
	case $a in hvl.p9_storm=*) N=${a#hvl.p9_storm=} ;; esac
done
p9_up
mkdir $MNT/s $MNT/t || fail mkdir

t0=$(now)
i=0
while [ $i -lt $N ]; do
	: >$MNT/s/f$i || fail "create f$i"
	i=$((i + 1))
done
t1=$(now)
[ "$(ls $EXPORT/s | wc -l)" = $N ] || fail "created $(ls $EXPORT/s | wc -l) of $N"

i=0
while [ $i -lt $N ]; do
	[ -f $MNT/s/f$i ] || fail "stat f$i"
	i=$((i + 1))
done
[ "$(ls -l $MNT/s | grep -c '^-')" = $N ] || fail "ls -l"
t2=$(now)

(cd $MNT/s && mv -- * ../t/) || fail "rename"
[ "$(ls $EXPORT/t | wc -l)" = $N ] && [ "$(ls $EXPORT/s | wc -l)" = 0 ] ||
	fail "renamed $(ls $EXPORT/t | wc -l) of $N"
t3=$(now)

rm -r $MNT/t || fail "unlink"
[ ! -e $EXPORT/t ] || fail "unlinked $(ls $EXPORT/t | wc -l) left"
t4=$(now)
echo "$N files: create $((t1 - t0))0 ms, stat $((t2 - t1))0 ms, rename $((t3 - t2))0 ms, unlink $((t4 - t3))0 ms"
p9_stat fids
p9_down
