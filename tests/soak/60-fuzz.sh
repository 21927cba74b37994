# SPDX-License-Identifier: GPL-2.0
# The hostile-peer fuzzer (KUnit suite hvl_fuzz, drivers/hvl/tests/
# fuzz_kunit.c) at soak size: SOAK_FUZZ inputs per case (default
# 1 000 000: random and mutated split rings, vsock headers checked and
# delivered through the device's poll, register transactions), seeded
# with
# SOAK_FUZZ_SEED (default: the time, printed, so a failure replays with
# make soak HVL_ONLY=60-* SOAK_FUZZ_SEED=<seed>).  make check runs the
# same suite with 20 000 inputs and seed 1.  Slab memory must not grow
# (4 MiB of slack, kmemleak's own cache apart), nor any cache by a
# quarter of SOAK_FUZZ in objects.
# hvl-timeout: 7200
. /tests/lib.sh

N=${SOAK_FUZZ:-1000000}
S=${SOAK_FUZZ_SEED:-$(date +%s)}
echo "fuzz: $N inputs per case, seed $S"
# Slab before the modules load and after they unload: what they hold
# while loaded is no part of a leak, nor may it hide one.
s0=$(slab_kb)
cp /tmp/slabinfo.last /tmp/slabinfo.0
load hvl_core hvl_vsock
# insmod waits for each case uninterruptibly (KUnit's try-catch), and a
# case at this size runs past the hung-task detector's 60 s (vsock_deliver
# its 250 000 inputs, some 90 s at 2900 a second), which panics the
# soak's guest (hung_task_panic=1).  KUnit's own limit, 300 s a case, still catches a
# case that hangs; the detector keeps watching every other task.
h=$(cat /proc/sys/kernel/hung_task_timeout_secs)
echo 600 >/proc/sys/kernel/hung_task_timeout_secs
rc=0
insmod $M/hvl_fuzz_kunit.ko inputs="$N" seed="$S" || rc=$?
echo "$h" >/proc/sys/kernel/hung_task_timeout_secs
[ $rc = 0 ] || fail "insmod hvl_fuzz_kunit"
R=/sys/kernel/debug/kunit/hvl_fuzz/results
grep -E "inputs/s|^ *(not )?ok" $R
awk '{ for (i = 1; i + 2 <= NF; i++)
	if ($(i + 1) == "inputs" && $(i + 2) == "in") t += $i }
     END { print "fuzz: " t + 0 " inputs in all" }' $R
grep -q "^not ok" $R && fail "the fuzzer found a violated invariant (seed $S): $(grep -B5 'not ok' $R | head -20)"
grep -q "^ok 1 hvl_fuzz" $R || fail "no result from hvl_fuzz: $(cat $R)"
rmmod hvl_fuzz_kunit
unload hvl_vsock hvl_core
s1=$(slab_kb)
echo "slab without kmemleak's: ${s0} kB -> ${s1} kB"
slab_grown /tmp/slabinfo.0
[ $((s1 - s0)) -le 4096 ] || fail "slab grew by $((s1 - s0)) kB across the fuzz run"
g=$(caches_grew /tmp/slabinfo.0 $((N / 4)))
[ -z "$g" ] || fail "caches grew by $((N / 4)) objects or more across $N inputs a case: $g"
