# SPDX-License-Identifier: GPL-2.0
# A metadata storm through the 9P backend: N files created (each holding
# its own index), stat'ed, renamed into another directory and unlinked by
# the stock client, four processes at a time (tools/hvl-fsstorm.c), the
# result checked on the Linux side after each phase: every file there
# with its content intact, and nothing else.  Run in cache=none (every
# operation reaches the server) and cache=loose (the client trusts its
# dentry and attribute caches).
#
# The issue asks for 10 000 files.  A file costs about 40 9P round trips
# in cache=none, and in the test guest (TCG, KASAN, lockdep) a round trip
# takes 2 to 8 ms, so "make check" runs N=500; hvl.p9_storm=<N> on the
# guest's command line (make check HVL_ONLY='63-*'
# HVL_CMDLINE=hvl.p9_storm=10000)
# sets it, and Documentation/hvl/9p.rst has the 10 000-file run.
. /tests/lib.sh
. /tests/lib-9p.sh

N=500
J=4
for a in $(cat /proc/cmdline); do
	case $a in hvl.p9_storm=*) N=${a#hvl.p9_storm=} ;; esac
done

storm() {
	mkdir $MNT/s $MNT/t || fail mkdir
	hvl-fsstorm create $MNT/s $N -j $J || fail "create ($OPTS)"
	hvl-fsstorm verify $EXPORT/s $N || fail "create, seen from Linux ($OPTS)"
	hvl-fsstorm stat $MNT/s $N -j $J || fail "stat ($OPTS)"
	hvl-fsstorm rename $MNT/s $N -j $J $MNT/t || fail "rename ($OPTS)"
	hvl-fsstorm verify $EXPORT/t $N -p g || fail "rename, seen from Linux ($OPTS)"
	hvl-fsstorm verify $EXPORT/s 0 || fail "rename left files behind ($OPTS)"
	hvl-fsstorm unlink $MNT/t $N -j $J -p g || fail "unlink ($OPTS)"
	hvl-fsstorm verify $EXPORT/t 0 || fail "unlink, seen from Linux ($OPTS)"
	rmdir $MNT/s $MNT/t || fail rmdir
}

for OPTS in cache=none cache=loose; do
	echo "== $OPTS"
	p9_up
	storm
	p9_umount_clean
	p9_down
done
