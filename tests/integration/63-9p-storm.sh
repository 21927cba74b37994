# SPDX-License-Identifier: GPL-2.0
# A metadata storm through the 9P backend: N files created (each holding
# its own index), stat'ed, renamed into another directory and unlinked by
# the stock client, four processes at a time (tools/hvl-fsstorm.c), the
# result checked on the Linux side after each phase: every file there
# with its content intact, and nothing else.  Run in cache=none (every
# operation reaches the server) and cache=loose (the client trusts its
# dentry and attribute caches).
#
# N files in cache=loose, where the client's dentry cache keeps about two
# fids per file, so the fid table and the client's caches are tested at
# scale.  cache=none costs about 40 round trips per file, and a round
# trip in the test guest (TCG, KASAN, lockdep) 2 to 8 ms, so it runs N/20.
# make check runs N=300 (about 50 s); make soak runs N=10 000
# (SOAK_STORM, about 16 minutes) through tests/soak/10-9p-storm.sh.
# P9_STORM=<N> in the environment (hvl.env=P9_STORM=<N> on the guest's
# command line) or hvl.p9_storm=<N> scales both.
# hvl-timeout: 900
. /tests/lib.sh
. /tests/lib-9p.sh

N=${P9_STORM:-300}
J=4
for a in $(cat /proc/cmdline); do
	case $a in hvl.p9_storm=*) N=${a#hvl.p9_storm=} ;; esac
done

# check <what> <verify arguments...>: the Linux side's view, listed on failure
check() {
	local what=$1
	shift
	hvl-fsstorm verify "$@" && return
	ls -la $EXPORT $EXPORT/* 2>&1 | head -20
	grep " $EXPORT \| $MNT " /proc/mounts
	fail "$what ($OPTS)"
}

storm() { # storm <files>
	local N=$1 f
	mkdir $MNT/s $MNT/t || fail mkdir
	hvl-fsstorm create $MNT/s $N -j $J || fail "create ($OPTS)"
	check "create, seen from Linux" $EXPORT/s $N
	f=$(p9_stat fids)
	echo "fids held after create: $f"
	# The point of cache=loose here: a fid per file, held.
	[ "$OPTS" != cache=loose ] || [ "$f" -ge "$N" ] ||
		fail "cache=loose: $f fids held after creating $N files"
	hvl-fsstorm stat $MNT/s $N -j $J || fail "stat ($OPTS)"
	hvl-fsstorm rename $MNT/s $N -j $J $MNT/t || fail "rename ($OPTS)"
	check "rename, seen from Linux" $EXPORT/t $N -p g
	check "rename left files behind" $EXPORT/s 0
	hvl-fsstorm unlink $MNT/t $N -j $J -p g || fail "unlink ($OPTS)"
	check "unlink, seen from Linux" $EXPORT/t 0
	rmdir $MNT/s $MNT/t || fail rmdir
}

for OPTS in cache=none cache=loose; do
	n=$N
	[ $OPTS = cache=none ] && n=$(((N + 19) / 20))
	echo "== $OPTS, $n files"
	p9_up
	storm $n
	p9_umount_clean
	p9_down
done
