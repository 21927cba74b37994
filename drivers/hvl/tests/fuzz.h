/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the hostile-peer fuzzer's files share: the module's parameters
 * (fuzz_kunit.c) and the cases defined elsewhere.
 */
#ifndef _HVL_FUZZ_H
#define _HVL_FUZZ_H

#include <kunit/test.h>
#include <linux/ktime.h>

extern unsigned long hvl_fuzz_inputs;	/* per case */
extern u64 hvl_fuzz_seed;

/* One line of a case's results: inputs, rate, refusals, seed. */
void hvl_fuzz_report(struct kunit *test, const char *what, unsigned long n,
		     ktime_t t0, unsigned long refused);

void hvl_fuzz_txn(struct kunit *test);		/* fuzz_txn.c */
void hvl_fuzz_vsock(struct kunit *test);	/* fuzz_vsock.c */
void hvl_fuzz_vsock_deliver(struct kunit *test);

#endif
