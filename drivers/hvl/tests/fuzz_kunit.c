// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: a hostile-peer fuzzer for what the peer writes and the device
 * side parses, run for a number of inputs chosen at load time.
 *
 *   ring   random and mutated split rings: descriptors (addresses inside,
 *          at the edge of and outside the window, lengths that wrap,
 *          every flag, next indices in and out of range), indirect
 *          tables, avail indices that stand still, step or jump, and
 *          wrap past 65535, and event-index fields; the queue is popped
 *          and pushed as a device would.
 *   vsock, vsock_deliver
 *          packet headers and buffer sizes from the peer through
 *          hvl_vsock_check_hdr(), and through the device's poll into the
 *          vsock core (fuzz_vsock.c).
 *   txn    register-write transactions (core/txn.c) on the fake device
 *          of txn_fake.h: every virtio-mmio register offset and random
 *          ones, config space at and beyond its end, widths 0 to 8,
 *          plausible values (status bits in order, queue sizes, ring
 *          addresses inside, at the edge of and outside the window,
 *          feature words) and random ones, seqs that repeat and jump,
 *          peer restarts, the backend unbound and rebound, an activate()
 *          that fails, a fatal backend error, and now and then a valid
 *          initialisation so that DRIVER_OK and live queues are reached
 *          and then attacked.
 *
 * After every input the invariants are checked: a chain the ring hands
 * out lies entirely inside the window and its lengths add up; every
 * refusal breaks the queue and is counted exactly once; a broken queue
 * hands out nothing until reset, and after a reset a good chain pops.
 * A new transaction is acknowledged once, with a defined status, and
 * counted once (an error once); a repeated seq changes nothing; a
 * refused write changes nothing; the register image matches the state;
 * FEATURES_OK and DRIVER_OK only after a valid negotiation; a ready
 * queue's rings lie inside the window; activate() runs once per session,
 * at DRIVER_OK; after NEEDS_RESET only a reset or an InterruptACK.  Every
 * 1000 txn inputs a reset must leave nothing behind and a valid
 * initialisation must reach DRIVER_OK again.  Failure messages carry the
 * seed and the input number, so that they replay.
 * A kernel report (KASAN, UBSAN, WARN) fails make check on its own.
 *
 * make check loads the suite with its defaults (a short run, fixed seed,
 * so a failure reproduces); make soak (tests/soak/60-fuzz.sh) reloads it
 * with inputs=1000000 and a seed of its own, and prints the rate.
 */
#include <kunit/test.h>
#include <linux/hvl.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/string.h>
#include <linux/virtio_byteorder.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "fuzz.h"

unsigned long hvl_fuzz_inputs = 20000;
module_param_named(inputs, hvl_fuzz_inputs, ulong, 0444);
MODULE_PARM_DESC(inputs, "inputs per fuzz case (default 20000)");

u64 hvl_fuzz_seed = 1;
module_param_named(seed, hvl_fuzz_seed, ullong, 0444);
MODULE_PARM_DESC(seed, "random seed; the same seed replays the same inputs");

/*
 * The window: ring memory at BUS0 and a separate page right after it,
 * so that a buffer running from one into the other must be refused.
 * Unlike the vring suite there is no sparse region: every translation
 * the ring hands out is dereferenceable and is checked against these.
 */
#define BUS0		0x80000000ULL
#define SIZE0		0x10000u
#define BUS1		(BUS0 + SIZE0)
#define SIZE1		0x1000u
#define NUM_MAX		16u
#define DESC		0x0000u
#define AVAIL		0x1000u
#define USED		0x2000u
#define TABLE		0x3000u		/* indirect tables, 4 KiB */
#define DATA		0x4000u
#define SEGS		64u

struct ring_fuzz {
	struct hvl_region r[2];
	struct hvl_xlate x;
	u8 *mem, *mem1;
	struct hvl_vq vq;
	struct kvec iov[SEGS];
	struct hvl_chain c;
	struct rnd_state rnd;
	unsigned long refused, popped;
	/* How deep the inputs reach, past the first checks. */
	unsigned long multi, indirect, wraps;
	unsigned int max_segs;
};

static u32 rnd32(struct ring_fuzz *f)
{
	return prandom_u32_state(&f->rnd);
}

static u32 below(struct ring_fuzz *f, u32 n)
{
	return rnd32(f) % n;
}

/* An address a hostile peer would try: mostly plausible, some not. */
static u64 fuzz_addr(struct ring_fuzz *f)
{
	switch (below(f, 8)) {
	case 0: return BUS0 + below(f, SIZE0);
	case 1: return BUS0 + DATA + below(f, SIZE0 - DATA);
	case 2: return BUS1 + below(f, SIZE1 + 16);
	case 3: return BUS0 + SIZE0 - below(f, 64);
	case 4: return BUS0 - below(f, 64);
	case 5: return ((u64)rnd32(f) << 32) | rnd32(f);
	case 6: return BUS0 + TABLE + 16 * below(f, 256);
	default: return BUS0 + DATA + 64 * below(f, 64);
	}
}

static u32 fuzz_len(struct ring_fuzz *f)
{
	switch (below(f, 6)) {
	case 0: return 0;
	case 1: return U32_MAX - below(f, 64);
	case 2: return rnd32(f);
	case 3: return 16 * below(f, 300);
	default: return below(f, 4096);
	}
}

static u16 fuzz_flags(struct ring_fuzz *f)
{
	u16 flags = below(f, 8);	/* NEXT, WRITE, INDIRECT */

	if (!below(f, 16))
		flags |= rnd32(f);	/* bits no spec defines */
	return flags;
}

static void fuzz_desc(struct ring_fuzz *f, struct vring_desc *d, u16 size)
{
	d->addr = __cpu_to_virtio64(true, fuzz_addr(f));
	d->len = __cpu_to_virtio32(true, fuzz_len(f));
	d->flags = __cpu_to_virtio16(true, fuzz_flags(f));
	d->next = __cpu_to_virtio16(true, below(f, 8) ? below(f, size) : rnd32(f));
}

static bool in_window(struct ring_fuzz *f, const struct kvec *v)
{
	const u8 *p = v->iov_base;

	if (p >= f->mem && p < f->mem + SIZE0)
		return v->iov_len <= (size_t)(f->mem + SIZE0 - p);
	if (p >= f->mem1 && p < f->mem1 + SIZE1)
		return v->iov_len <= (size_t)(f->mem1 + SIZE1 - p);
	return false;
}

/*
 * (Re)start the queue as a driver reset would, with random features;
 * half the time as if both sides had then gone through up to 64 short of
 * 65 536 chains, so that the 16-bit indices wrap within the next inputs
 * (a queue that runs long enough gets there; a restart every 64 inputs
 * does not).
 */
static void ring_restart(struct kunit *test, struct ring_fuzz *f)
{
	struct vring_avail *avail = (struct vring_avail *)(f->mem + AVAIL);
	struct vring_used *used = (struct vring_used *)(f->mem + USED);
	u16 num = 1u << below(f, 5);	/* 1 .. NUM_MAX */
	u16 start = below(f, 2) ? 0 : (u16)(0xffff - below(f, 64));

	hvl_vq_reset(&f->vq);
	memset(f->mem, 0, DATA);
	KUNIT_ASSERT_EQ(test, hvl_vq_init(&f->vq, &f->x, 0, num, BUS0 + DESC,
					  BUS0 + AVAIL, BUS0 + USED,
					  below(f, 2), below(f, 2)), 0);
	f->vq.last_avail = start;
	f->vq.avail_seen = start;
	f->vq.used_idx = start;
	f->vq.signalled_used = start;
	avail->idx = __cpu_to_virtio16(true, start);
	used->idx = __cpu_to_virtio16(true, start);
}

/* A broken queue recovers: after a reset one good chain pops. */
static void ring_recover(struct kunit *test, struct ring_fuzz *f)
{
	struct vring_desc *desc = (struct vring_desc *)(f->mem + DESC);
	struct vring_avail *avail = (struct vring_avail *)(f->mem + AVAIL);
	struct vring_used *used = (struct vring_used *)(f->mem + USED);
	u16 used_before;

	ring_restart(test, f);
	desc[0].addr = __cpu_to_virtio64(true, BUS0 + DATA);
	desc[0].len = __cpu_to_virtio32(true, 64);
	desc[0].flags = 0;
	avail->ring[f->vq.last_avail % f->vq.num] = 0;
	avail->idx = __cpu_to_virtio16(true, f->vq.last_avail + 1);
	KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
	KUNIT_ASSERT_EQ(test, f->c.out_len, 64);
	used_before = f->vq.used_idx;
	hvl_vq_push(&f->vq, &f->c, 0);
	if (f->vq.used_idx < used_before)
		f->wraps++;
	KUNIT_ASSERT_EQ(test, __virtio16_to_cpu(true, used->idx),
			f->vq.used_idx);
}

/*
 * A valid chain of two to four segments at the next avail slot, in the
 * descriptor table or, half the time, in an indirect table: refusals
 * restart the queue (zeroed rings) two inputs in three, and random
 * fields alone seldom make a chain past the first check.  The mutations
 * of this input and the next break it a field or two at a time.
 */
static void ring_plant(struct ring_fuzz *f)
{
	struct vring_desc *desc = (struct vring_desc *)(f->mem + DESC);
	struct vring_desc *table = (struct vring_desc *)(f->mem + TABLE);
	struct vring_avail *avail = (struct vring_avail *)(f->mem + AVAIL);
	u16 num = f->vq.num, head = below(f, num);
	unsigned int m = 2 + below(f, 3), split, i;
	bool indirect = below(f, 2);
	struct vring_desc *d;

	if (indirect) {
		u32 k = below(f, 256 - m);

		desc[head].addr = __cpu_to_virtio64(true, BUS0 + TABLE + 16 * k);
		desc[head].len = __cpu_to_virtio32(true, 16 * m);
		desc[head].flags = __cpu_to_virtio16(true, VRING_DESC_F_INDIRECT);
		table += k;
	} else {
		m = min_t(unsigned int, m, num);
	}
	split = below(f, m + 1);	/* device-readable first, then writable */
	for (i = 0; i < m; i++) {
		/* An indirect table's entries link by their index in it. */
		d = indirect ? &table[i] : &desc[(head + i) % num];
		d->addr = __cpu_to_virtio64(true, BUS0 + DATA + 64 * below(f, 64));
		d->len = __cpu_to_virtio32(true, 1 + below(f, 64));
		d->flags = __cpu_to_virtio16(true, (i + 1 < m ? VRING_DESC_F_NEXT : 0) |
					     (i >= split ? VRING_DESC_F_WRITE : 0));
		d->next = __cpu_to_virtio16(true, indirect ? i + 1 : (head + i + 1) % num);
	}
	avail->ring[f->vq.last_avail % num] = __cpu_to_virtio16(true, head);
}

/* Mutate the rings: a fresh layout, or a few fields of the last one. */
static void ring_mutate(struct ring_fuzz *f)
{
	struct vring_desc *desc = (struct vring_desc *)(f->mem + DESC);
	struct vring_desc *table = (struct vring_desc *)(f->mem + TABLE);
	struct vring_avail *avail = (struct vring_avail *)(f->mem + AVAIL);
	struct vring_used *used = (struct vring_used *)(f->mem + USED);
	u16 num = f->vq.num, idx;
	unsigned int i, n;

	n = below(f, 4) ? 1 + below(f, 4) : num;
	for (i = 0; i < n; i++)
		fuzz_desc(f, &desc[below(f, num)], num);
	n = below(f, 4) ? below(f, 4) : 256;
	for (i = 0; i < n; i++)
		fuzz_desc(f, &table[below(f, 256)], 1 + below(f, 256));
	for (i = 0; i < num; i++)
		if (below(f, 2))
			avail->ring[i] = __cpu_to_virtio16(true, below(f, 8) ?
							  below(f, num) : rnd32(f));

	if (!below(f, 4))
		ring_plant(f);

	idx = f->vq.last_avail;
	switch (below(f, 8)) {
	case 0:			/* jump past the ring */
		idx += num + 1 + below(f, 0x8000);
		break;
	case 1:			/* stand still */
		break;
	case 2:
		idx = rnd32(f);
		break;
	default:		/* step, by at most a ring */
		idx += below(f, num + 1);
		break;
	}
	avail->idx = __cpu_to_virtio16(true, idx);
	avail->flags = __cpu_to_virtio16(true, rnd32(f));
	/* used_event after the avail ring, avail_event after the used ring */
	avail->ring[num] = __cpu_to_virtio16(true, rnd32(f));
	if (!below(f, 8))
		used->idx = __cpu_to_virtio16(true, rnd32(f));
}

/* One input: mutate, then drain the queue as a device would. */
static void ring_input(struct kunit *test, struct ring_fuzz *f)
{
	u16 avail_idx, budget, i;
	unsigned long errors = f->vq.stats.errors;
	bool jumped;
	int ret;

	ring_mutate(f);
	avail_idx = __virtio16_to_cpu(true, ((struct vring_avail *)
					     (f->mem + AVAIL))->idx);
	budget = avail_idx - f->vq.last_avail;
	jumped = budget > f->vq.num;

	for (i = 0; i <= f->vq.num; i++) {
		unsigned int s;
		size_t out = 0, in = 0;

		const struct vring_desc *head;
		u16 used_before = f->vq.used_idx;

		ret = hvl_vq_pop(&f->vq, &f->c);
		if (ret)
			break;
		f->popped++;
		head = (const struct vring_desc *)(f->mem + DESC) + f->c.head;
		if (head->flags & __cpu_to_virtio16(true, VRING_DESC_F_INDIRECT))
			f->indirect++;
		if (f->c.nr_out + f->c.nr_in > 1)
			f->multi++;
		f->max_segs = max(f->max_segs, f->c.nr_out + f->c.nr_in);
		/* Never more chains than the driver made available. */
		KUNIT_ASSERT_LT(test, i, budget);
		KUNIT_ASSERT_LE(test, f->c.nr_out + f->c.nr_in, SEGS);
		for (s = 0; s < f->c.nr_out + f->c.nr_in; s++) {
			KUNIT_ASSERT_TRUE_MSG(test, in_window(f, &f->iov[s]),
					      "segment %u outside the window", s);
			if (s < f->c.nr_out)
				out += f->iov[s].iov_len;
			else
				in += f->iov[s].iov_len;
		}
		KUNIT_ASSERT_EQ(test, out, f->c.out_len);
		KUNIT_ASSERT_EQ(test, in, f->c.in_len);
		hvl_vq_push(&f->vq, &f->c, below(f, 2) ? 0 : min_t(size_t, in, rnd32(f)));
		if (f->vq.used_idx < used_before)
			f->wraps++;
		hvl_vq_should_notify(&f->vq);
	}

	/* More chains than the ring holds: refused before the first. */
	if (jumped) {
		KUNIT_ASSERT_EQ(test, i, 0);
		KUNIT_ASSERT_EQ(test, ret, -EBADMSG);
	}
	switch (ret) {
	case 0:
	case -EAGAIN:
		KUNIT_ASSERT_FALSE(test, f->vq.broken);
		KUNIT_ASSERT_EQ(test, f->vq.stats.errors, errors);
		break;
	case -EBADMSG:
	case -EFAULT:
	case -ELOOP:
	case -E2BIG:
		/* Refused, broken, counted once, and it stays broken. */
		f->refused++;
		KUNIT_ASSERT_TRUE(test, f->vq.broken);
		KUNIT_ASSERT_EQ(test, f->vq.stats.errors, errors + 1);
		KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), -EIO);
		ring_recover(test, f);
		break;
	default:
		KUNIT_FAIL(test, "hvl_vq_pop() returned %d", ret);
	}
	if (!below(f, 64))
		ring_restart(test, f);
	if (below(f, 2))
		hvl_vq_enable_notify(&f->vq);
	else
		hvl_vq_disable_notify(&f->vq);
}

void hvl_fuzz_report(struct kunit *test, const char *what, unsigned long n,
		     ktime_t t0, unsigned long refused)
{
	s64 us = max_t(s64, ktime_us_delta(ktime_get(), t0), 1);

	kunit_info(test, "%s: %lu inputs in %lld ms, %llu inputs/s, %lu refused, seed %llu\n",
		   what, n, us / 1000, div64_s64((s64)n * USEC_PER_SEC, us),
		   refused, hvl_fuzz_seed);
}

static void fuzz_ring(struct kunit *test)
{
	struct ring_fuzz *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned long n;
	ktime_t t0;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->mem = kunit_kzalloc(test, SIZE0, GFP_KERNEL);
	f->mem1 = kunit_kzalloc(test, SIZE1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->mem);
	KUNIT_ASSERT_NOT_NULL(test, f->mem1);
	f->r[0] = (struct hvl_region){ .bus = BUS0, .size = SIZE0, .va = f->mem };
	f->r[1] = (struct hvl_region){ .bus = BUS1, .size = SIZE1, .va = f->mem1 };
	f->x.nr = ARRAY_SIZE(f->r);
	f->x.regions = f->r;
	f->c.iov = f->iov;
	f->c.max = SEGS;
	f->vq.num_max = NUM_MAX;
	prandom_seed_state(&f->rnd, hvl_fuzz_seed);

	ring_restart(test, f);
	t0 = ktime_get();
	for (n = 0; n < hvl_fuzz_inputs; n++) {
		ring_input(test, f);
		if (!(n & 1023))
			cond_resched();
	}
	hvl_fuzz_report(test, "ring", n, t0, f->refused);
	kunit_info(test, "ring: %lu chains popped, %lu of 2 segments or more, %lu indirect, up to %u segments, %lu used index wraps\n",
		   f->popped, f->multi, f->indirect, f->max_segs, f->wraps);
	/* A fuzzer that never reached either side tests nothing. */
	KUNIT_EXPECT_GT(test, f->popped, 0);
	if (hvl_fuzz_inputs >= 1000) {
		KUNIT_EXPECT_GT(test, f->refused, 0);
		/* Nor one whose inputs all die at the first check. */
		KUNIT_EXPECT_GE(test, f->popped, n / 20);
	}
	/*
	 * Chains of several segments, direct and indirect, and used
	 * indices that wrap must be among them, at make check's size
	 * and up (seed 1 there: the same inputs each run).
	 */
	if (hvl_fuzz_inputs >= 20000) {
		KUNIT_EXPECT_GE(test, f->multi, n / 100);
		KUNIT_EXPECT_GE(test, f->indirect, n / 1000);
		KUNIT_EXPECT_GT(test, f->wraps, 0);
	}
}

static struct kunit_case fuzz_cases[] = {
	KUNIT_CASE_SLOW(fuzz_ring),
	KUNIT_CASE_SLOW(hvl_fuzz_vsock),
	KUNIT_CASE_SLOW(hvl_fuzz_vsock_deliver),
	KUNIT_CASE_SLOW(hvl_fuzz_txn),
	{}
};

static struct kunit_suite fuzz_suite = {
	.name = "hvl_fuzz",
	.test_cases = fuzz_cases,
};

kunit_test_suite(fuzz_suite);

MODULE_DESCRIPTION("KUnit: hostile-peer fuzzer for the hvl ring, vsock and register transactions");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
