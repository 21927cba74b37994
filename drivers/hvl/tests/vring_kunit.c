// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the device side of the split ring (core/vring.c).
 *
 * The test plays the driver: it lays out a split ring in a fake window
 * the way a virtio driver would and then checks what the device side
 * makes of it, good chains as well as hostile ones.
 *
 * The fake window has three regions:
 *   0: 64 KiB of real memory at bus 0x80000000, holding the rings
 *   1:  4 KiB of separate memory right after it (bus-adjacent, so a range
 *      crossing from region 0 into it must still be refused)
 *   2:  4 GiB at bus 0x100000000 whose mapping is region 0's memory; its
 *      translations are only ever compared, never dereferenced, so chains
 *      of gigabytes can be built without the memory.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/hvl.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/virtio_byteorder.h>

#include "../core/core.h"

#define BUS0		0x80000000ULL
#define SIZE0		0x10000u
#define BUS1		(BUS0 + SIZE0)
#define SIZE1		0x1000u
#define BUS2		0x100000000ULL
#define SIZE2		0x100000000ULL

#define NUM		8u
#define NUM_MAX		16u
#define DESC		0x0000u		/* offsets into region 0 */
#define AVAIL		0x1000u
#define USED		0x2000u
#define TABLE		0x3000u		/* indirect tables, up to 16 KiB */
#define DATA		0x8000u

struct fake {
	struct hvl_region r[3];
	struct hvl_xlate x;
	u8 *mem, *mem1;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	u16 avail_idx;			/* the driver's copy */
	struct hvl_vq vq;
	struct kvec iov[8];
	struct hvl_chain c;
	unsigned int idx_reads;		/* by toggling_avail_idx() */
};

static __virtio16 v16(u16 v)
{
	return __cpu_to_virtio16(true, v);
}

static u16 h16(__virtio16 v)
{
	return __virtio16_to_cpu(true, v);
}

static u32 h32(__virtio32 v)
{
	return __virtio32_to_cpu(true, v);
}

static void put(struct vring_desc *t, u16 i, u64 addr, u32 len, u16 flags,
		u16 next)
{
	t[i].addr = __cpu_to_virtio64(true, addr);
	t[i].len = __cpu_to_virtio32(true, len);
	t[i].flags = v16(flags);
	t[i].next = v16(next);
}

static struct vring_desc *table(struct fake *f, unsigned int off)
{
	return (struct vring_desc *)(f->mem + off);
}

static void publish(struct fake *f, u16 head)
{
	f->avail->ring[f->avail_idx % NUM] = v16(head);
	f->avail->idx = v16(++f->avail_idx);
}

/* (Re)start the queue on freshly zeroed rings, as a driver reset would. */
static void setup(struct kunit *test, struct fake *f, bool event_idx,
		  bool indirect)
{
	memset(f->mem, 0, DATA);
	f->avail_idx = 0;
	hvl_vq_reset(&f->vq);
	KUNIT_ASSERT_EQ(test, hvl_vq_init(&f->vq, &f->x, 3, NUM, BUS0 + DESC,
					  BUS0 + AVAIL, BUS0 + USED, event_idx,
					  indirect), 0);
}

static int fake_init(struct kunit *test)
{
	struct fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->mem = kunit_kzalloc(test, SIZE0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->mem);
	f->mem1 = kunit_kzalloc(test, SIZE1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->mem1);

	f->r[0] = (struct hvl_region){ .bus = BUS0, .size = SIZE0, .va = f->mem };
	f->r[1] = (struct hvl_region){ .bus = BUS1, .size = SIZE1, .va = f->mem1 };
	f->r[2] = (struct hvl_region){ .bus = BUS2, .size = SIZE2, .va = f->mem };
	f->x.nr = ARRAY_SIZE(f->r);
	f->x.regions = f->r;
	f->desc = table(f, DESC);
	f->avail = (struct vring_avail *)(f->mem + AVAIL);
	f->used = (struct vring_used *)(f->mem + USED);
	f->c.iov = f->iov;
	f->c.max = ARRAY_SIZE(f->iov);
	f->vq.num_max = NUM_MAX;
	setup(test, f, false, true);
	test->priv = f;
	return 0;
}

static void expect_clean(struct kunit *test, struct fake *f)
{
	KUNIT_EXPECT_FALSE(test, f->vq.broken);
	KUNIT_EXPECT_EQ(test, f->vq.stats.errors, 0);
}

static void pop_single(struct kunit *test)
{
	struct fake *f = test->priv;
	struct iov_iter it;
	u8 buf[64];

	memset(f->mem + DATA, 0x5a, 64);
	put(f->desc, 0, BUS0 + DATA, 64, 0, 0);
	publish(f, 0);

	KUNIT_EXPECT_TRUE(test, hvl_vq_has_work(&f->vq));
	KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
	KUNIT_EXPECT_EQ(test, f->c.head, 0);
	KUNIT_EXPECT_EQ(test, f->c.nr_out, 1);
	KUNIT_EXPECT_EQ(test, f->c.nr_in, 0);
	KUNIT_EXPECT_EQ(test, f->c.out_len, 64);
	KUNIT_EXPECT_EQ(test, f->c.in_len, 0);
	KUNIT_EXPECT_PTR_EQ(test, f->iov[0].iov_base, (void *)(f->mem + DATA));
	KUNIT_EXPECT_EQ(test, f->iov[0].iov_len, 64);
	KUNIT_EXPECT_EQ(test, f->vq.last_avail, 1);
	KUNIT_EXPECT_EQ(test, f->vq.stats.popped, 1);

	hvl_chain_out_iter(&f->c, &it);
	KUNIT_EXPECT_EQ(test, iov_iter_count(&it), 64);
	KUNIT_EXPECT_EQ(test, copy_from_iter(buf, sizeof(buf), &it), 64);
	KUNIT_EXPECT_MEMEQ(test, buf, f->mem + DATA, 64);
	hvl_chain_in_iter(&f->c, &it);
	KUNIT_EXPECT_EQ(test, iov_iter_count(&it), 0);

	KUNIT_EXPECT_FALSE(test, hvl_vq_has_work(&f->vq));
	KUNIT_EXPECT_EQ(test, hvl_vq_pop(&f->vq, &f->c), -EAGAIN);
	KUNIT_EXPECT_EQ(test, f->vq.last_avail, 1);
	expect_clean(test, f);
}

/* 3 -> 5 -> 1 -> 2 -> 6: two readable, an empty writable, two writable. */
static void pop_chain(struct kunit *test)
{
	struct fake *f = test->priv;
	struct iov_iter it;
	u8 buf[256];
	int i;

	for (i = 0; i < 256; i++)
		f->mem[DATA + i] = i;
	put(f->desc, 3, BUS0 + DATA, 16, VRING_DESC_F_NEXT, 5);
	put(f->desc, 5, BUS0 + DATA + 0x80, 100, VRING_DESC_F_NEXT, 1);
	put(f->desc, 1, BUS0 + DATA + 0x100, 0,
	    VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	put(f->desc, 2, BUS0 + DATA + 0x200, 200,
	    VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 6);
	put(f->desc, 6, BUS1 + 0x10, 50, VRING_DESC_F_WRITE, 0);
	publish(f, 3);

	KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
	KUNIT_EXPECT_EQ(test, f->c.head, 3);
	KUNIT_EXPECT_EQ(test, f->c.nr_out, 2);
	KUNIT_EXPECT_EQ(test, f->c.nr_in, 2);
	KUNIT_EXPECT_EQ(test, f->c.out_len, 116);
	KUNIT_EXPECT_EQ(test, f->c.in_len, 250);
	KUNIT_EXPECT_PTR_EQ(test, f->iov[0].iov_base, (void *)(f->mem + DATA));
	KUNIT_EXPECT_EQ(test, f->iov[0].iov_len, 16);
	KUNIT_EXPECT_PTR_EQ(test, f->iov[1].iov_base,
			    (void *)(f->mem + DATA + 0x80));
	KUNIT_EXPECT_EQ(test, f->iov[1].iov_len, 100);
	KUNIT_EXPECT_PTR_EQ(test, f->iov[2].iov_base,
			    (void *)(f->mem + DATA + 0x200));
	KUNIT_EXPECT_EQ(test, f->iov[2].iov_len, 200);
	KUNIT_EXPECT_PTR_EQ(test, f->iov[3].iov_base, (void *)(f->mem1 + 0x10));
	KUNIT_EXPECT_EQ(test, f->iov[3].iov_len, 50);

	hvl_chain_out_iter(&f->c, &it);
	KUNIT_ASSERT_EQ(test, copy_from_iter(buf, sizeof(buf), &it), 116);
	KUNIT_EXPECT_MEMEQ(test, buf, f->mem + DATA, 16);
	KUNIT_EXPECT_MEMEQ(test, buf + 16, f->mem + DATA + 0x80, 100);

	memset(buf, 0xc3, sizeof(buf));
	hvl_chain_in_iter(&f->c, &it);
	KUNIT_ASSERT_EQ(test, copy_to_iter(buf, sizeof(buf), &it), 250);
	KUNIT_EXPECT_MEMEQ(test, f->mem + DATA + 0x200, buf, 200);
	KUNIT_EXPECT_MEMEQ(test, f->mem1 + 0x10, buf, 50);
	KUNIT_EXPECT_EQ(test, f->mem1[0x10 + 50], 0);
	KUNIT_EXPECT_EQ(test, f->vq.last_avail, 1);
	expect_clean(test, f);
}

static void pop_indirect(struct kunit *test)
{
	struct fake *f = test->priv;
	struct vring_desc *t = table(f, TABLE), *t2 = table(f, TABLE + 0x100);

	put(t, 0, BUS0 + DATA, 32, VRING_DESC_F_NEXT, 2);
	put(t, 2, BUS0 + DATA + 0x100, 64,
	    VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	put(t, 1, BUS1, 8, VRING_DESC_F_WRITE, 0);
	put(f->desc, 0, BUS0 + TABLE, 3 * 16, VRING_DESC_F_INDIRECT, 0);
	publish(f, 0);

	KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
	KUNIT_EXPECT_EQ(test, f->c.head, 0);
	KUNIT_EXPECT_EQ(test, f->c.nr_out, 1);
	KUNIT_EXPECT_EQ(test, f->c.nr_in, 2);
	KUNIT_EXPECT_EQ(test, f->c.out_len, 32);
	KUNIT_EXPECT_EQ(test, f->c.in_len, 72);
	KUNIT_EXPECT_PTR_EQ(test, f->iov[0].iov_base, (void *)(f->mem + DATA));
	KUNIT_EXPECT_PTR_EQ(test, f->iov[1].iov_base,
			    (void *)(f->mem + DATA + 0x100));
	KUNIT_EXPECT_PTR_EQ(test, f->iov[2].iov_base, (void *)f->mem1);
	KUNIT_EXPECT_EQ(test, f->iov[2].iov_len, 8);

	/* Direct descriptors may precede the indirect one. */
	put(f->desc, 1, BUS0 + DATA + 0x400, 10, VRING_DESC_F_NEXT, 2);
	put(f->desc, 2, BUS0 + TABLE + 0x100, 16, VRING_DESC_F_INDIRECT, 0);
	put(t2, 0, BUS0 + DATA + 0x500, 20, VRING_DESC_F_WRITE, 0);
	publish(f, 1);

	KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
	KUNIT_EXPECT_EQ(test, f->c.head, 1);
	KUNIT_EXPECT_EQ(test, f->c.nr_out, 1);
	KUNIT_EXPECT_EQ(test, f->c.nr_in, 1);
	KUNIT_EXPECT_EQ(test, f->c.out_len, 10);
	KUNIT_EXPECT_EQ(test, f->c.in_len, 20);
	KUNIT_EXPECT_PTR_EQ(test, f->iov[1].iov_base,
			    (void *)(f->mem + DATA + 0x500));
	KUNIT_EXPECT_EQ(test, f->vq.stats.popped, 2);
	expect_clean(test, f);
}

/* Edges that must still be accepted. */
static void pop_limits(struct kunit *test)
{
	struct fake *f = test->priv;
	unsigned int i;

	/* 4 GiB - 1 in one direction (region 2 is never dereferenced). */
	put(f->desc, 0, BUS2, 0x80000000u, VRING_DESC_F_NEXT, 1);
	put(f->desc, 1, BUS2 + 0x80000000u, 0x7fffffffu, 0, 0);
	publish(f, 0);
	KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
	KUNIT_EXPECT_EQ(test, f->c.out_len, U32_MAX);
	KUNIT_EXPECT_PTR_EQ(test, f->iov[1].iov_base,
			    (void *)(f->mem + 0x80000000u));

	/* Exactly c->max segments; a descriptor ending the region. */
	f->c.max = 2;
	put(f->desc, 0, BUS0 + DATA, 1, VRING_DESC_F_NEXT, 1);
	put(f->desc, 1, BUS0 + SIZE0 - 4, 4, VRING_DESC_F_WRITE, 0);
	publish(f, 0);
	KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
	KUNIT_EXPECT_EQ(test, f->c.nr_out + f->c.nr_in, 2);

	/* A chain using every descriptor of the table. */
	for (i = 0; i < NUM; i++)
		put(f->desc, i, BUS0 + DATA + i, 1, VRING_DESC_F_NEXT, i + 1);
	f->desc[NUM - 1].flags = 0;
	f->c.max = ARRAY_SIZE(f->iov);
	publish(f, 0);
	KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
	KUNIT_EXPECT_EQ(test, f->c.nr_out, NUM);

	/* avail->idx a full ring ahead. */
	put(f->desc, 0, BUS0 + DATA, 1, 0, 0);
	for (i = 0; i < NUM; i++)
		publish(f, 0);
	for (i = 0; i < NUM; i++)
		KUNIT_EXPECT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
	KUNIT_EXPECT_EQ(test, hvl_vq_pop(&f->vq, &f->c), -EAGAIN);
	KUNIT_EXPECT_EQ(test, f->vq.stats.popped, 3 + NUM);
	expect_clean(test, f);
}

/* Both 16-bit indices wrap; slots are taken modulo num. */
static void index_wrap(struct kunit *test)
{
	struct fake *f = test->priv;
	u16 i;

	f->vq.last_avail = 0xfffe;
	f->vq.used_idx = 0xfffe;
	f->avail_idx = 0xfffe;
	for (i = 0; i < 4; i++) {
		put(f->desc, i, BUS0 + DATA, 8, 0, 0);
		publish(f, i);
	}
	for (i = 0; i < 4; i++) {
		KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
		KUNIT_EXPECT_EQ(test, f->c.head, i);
		hvl_vq_push(&f->vq, &f->c, i * 10);
	}
	KUNIT_EXPECT_EQ(test, f->vq.last_avail, 2);
	KUNIT_EXPECT_EQ(test, h16(f->used->idx), 2);
	KUNIT_EXPECT_EQ(test, h32(f->used->ring[6].id), 0);
	KUNIT_EXPECT_EQ(test, h32(f->used->ring[7].id), 1);
	KUNIT_EXPECT_EQ(test, h32(f->used->ring[0].id), 2);
	KUNIT_EXPECT_EQ(test, h32(f->used->ring[1].id), 3);
	KUNIT_EXPECT_EQ(test, h32(f->used->ring[1].len), 30);
	expect_clean(test, f);
}

static void push(struct kunit *test)
{
	struct fake *f = test->priv;

	put(f->desc, 5, BUS0 + DATA, 8, VRING_DESC_F_WRITE, 0);
	put(f->desc, 2, BUS0 + DATA + 8, 8, VRING_DESC_F_WRITE, 0);
	publish(f, 5);
	publish(f, 2);

	KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
	hvl_vq_push(&f->vq, &f->c, 123);
	KUNIT_EXPECT_EQ(test, h32(f->used->ring[0].id), 5);
	KUNIT_EXPECT_EQ(test, h32(f->used->ring[0].len), 123);
	KUNIT_EXPECT_EQ(test, h16(f->used->idx), 1);
	KUNIT_EXPECT_EQ(test, f->vq.used_idx, 1);

	/* A peer scribbling on used->idx does not move our index. */
	f->used->idx = v16(0x4242);
	KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
	hvl_vq_push(&f->vq, &f->c, 0);
	KUNIT_EXPECT_EQ(test, h32(f->used->ring[1].id), 2);
	KUNIT_EXPECT_EQ(test, h32(f->used->ring[1].len), 0);
	KUNIT_EXPECT_EQ(test, h16(f->used->idx), 2);
	KUNIT_EXPECT_EQ(test, f->vq.used_idx, 2);
	KUNIT_EXPECT_EQ(test, h32(f->used->ring[0].id), 5);
	expect_clean(test, f);
}

/*
 * Several chains used at once (mergeable receive buffers): every entry is
 * written before used->idx moves, and it moves once, by all of them.
 */
static void push_n(struct kunit *test)
{
	struct fake *f = test->priv;
	u16 heads[3];
	u32 lens[3] = { 100, 200, 300 };
	int i;

	for (i = 0; i < 3; i++) {
		put(f->desc, 4 + i, BUS0 + DATA + 8 * i, 8, VRING_DESC_F_WRITE, 0);
		publish(f, 4 + i);
	}
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
		heads[i] = f->c.head;
	}
	KUNIT_EXPECT_EQ(test, h16(f->used->idx), 0);
	hvl_vq_push_n(&f->vq, heads, lens, 3);
	KUNIT_EXPECT_EQ(test, h16(f->used->idx), 3);
	KUNIT_EXPECT_EQ(test, f->vq.used_idx, 3);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, h32(f->used->ring[i].id), 4 + i);
		KUNIT_EXPECT_EQ(test, h32(f->used->ring[i].len), lens[i]);
	}

	/* Across the end of the used ring, and past signalled_used. */
	setup(test, f, true, false);
	f->vq.last_avail = 6;
	f->vq.used_idx = 6;
	f->avail_idx = 6;
	f->vq.signalled_used = 8;
	f->vq.signalled_valid = true;
	for (i = 0; i < 3; i++) {
		put(f->desc, i, BUS0 + DATA + 8 * i, 8, VRING_DESC_F_WRITE, 0);
		publish(f, i);
		KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
		heads[i] = f->c.head;
	}
	hvl_vq_push_n(&f->vq, heads, lens, 3);
	KUNIT_EXPECT_EQ(test, h16(f->used->idx), 9);
	KUNIT_EXPECT_EQ(test, h32(f->used->ring[6].id), 0);
	KUNIT_EXPECT_EQ(test, h32(f->used->ring[7].id), 1);
	KUNIT_EXPECT_EQ(test, h32(f->used->ring[0].id), 2);
	KUNIT_EXPECT_FALSE(test, f->vq.signalled_valid);
	expect_clean(test, f);
}

/* Chains given back are popped again, revalidated, in the same order. */
static void unpop(struct kunit *test)
{
	struct fake *f = test->priv;

	put(f->desc, 1, BUS0 + DATA, 8, VRING_DESC_F_WRITE, 0);
	put(f->desc, 2, BUS0 + DATA + 8, 8, VRING_DESC_F_WRITE, 0);
	publish(f, 1);
	publish(f, 2);
	KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
	KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
	KUNIT_EXPECT_EQ(test, f->c.head, 2);
	hvl_vq_unpop(&f->vq, 2);
	KUNIT_EXPECT_EQ(test, f->vq.last_avail, 0);
	KUNIT_EXPECT_EQ(test, f->vq.stats.popped, 0);
	KUNIT_EXPECT_TRUE(test, hvl_vq_has_work(&f->vq));

	/* The peer rewrote a descriptor meanwhile: checked again. */
	put(f->desc, 1, BUS2 + SIZE2, 8, VRING_DESC_F_WRITE, 0);
	KUNIT_EXPECT_EQ(test, hvl_vq_pop(&f->vq, &f->c), -EFAULT);
	KUNIT_EXPECT_TRUE(test, f->vq.broken);
}

/* Pop and push one single-segment chain, as a device would. */
static void cycle(struct kunit *test, struct fake *f, unsigned int n)
{
	put(f->desc, 0, BUS0 + DATA, 8, VRING_DESC_F_WRITE, 0);
	while (n--) {
		publish(f, 0);
		KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
		hvl_vq_push(&f->vq, &f->c, 8);
	}
}

static void notify_event_idx(struct kunit *test)
{
	struct fake *f = test->priv;

	setup(test, f, true, true);
	f->avail->flags = v16(VRING_AVAIL_F_NO_INTERRUPT);	/* ignored */

	/* Nothing signalled yet: notify whatever used_event says. */
	vring_used_event(&f->vq) = v16(0x100);
	cycle(test, f, 1);
	KUNIT_EXPECT_TRUE(test, hvl_vq_should_notify(&f->vq));
	KUNIT_EXPECT_FALSE(test, hvl_vq_should_notify(&f->vq));	/* nothing new */

	/* used_event 0: the driver wanted to hear about entry 0 only. */
	vring_used_event(&f->vq) = v16(0);
	cycle(test, f, 1);
	KUNIT_EXPECT_FALSE(test, hvl_vq_should_notify(&f->vq));

	/* used_event 2: wake me when entry 2 is used. */
	vring_used_event(&f->vq) = v16(2);
	cycle(test, f, 1);
	KUNIT_EXPECT_TRUE(test, hvl_vq_should_notify(&f->vq));

	/* Two at once: notify iff used_event is among them. */
	vring_used_event(&f->vq) = v16(2);
	cycle(test, f, 2);
	KUNIT_EXPECT_FALSE(test, hvl_vq_should_notify(&f->vq));
	vring_used_event(&f->vq) = v16(6);
	cycle(test, f, 2);
	KUNIT_EXPECT_TRUE(test, hvl_vq_should_notify(&f->vq));

	/*
	 * 2^16 pushes without a notification bring used_idx back onto
	 * signalled_used; the old value then means nothing.
	 */
	f->vq.signalled_used = f->vq.used_idx + 1;
	vring_used_event(&f->vq) = v16(0x100);
	cycle(test, f, 1);
	KUNIT_EXPECT_FALSE(test, f->vq.signalled_valid);
	KUNIT_EXPECT_TRUE(test, hvl_vq_should_notify(&f->vq));

	KUNIT_EXPECT_EQ(test, f->vq.stats.notifies, 4);
	KUNIT_EXPECT_EQ(test, f->vq.stats.suppressed, 3);
	expect_clean(test, f);
}

static void notify_flags(struct kunit *test)
{
	struct fake *f = test->priv;

	vring_used_event(&f->vq) = v16(0x7777);	/* ignored */
	cycle(test, f, 1);
	KUNIT_EXPECT_TRUE(test, hvl_vq_should_notify(&f->vq));
	f->avail->flags = v16(VRING_AVAIL_F_NO_INTERRUPT);
	cycle(test, f, 1);
	KUNIT_EXPECT_FALSE(test, hvl_vq_should_notify(&f->vq));
	f->avail->flags = v16(0);
	cycle(test, f, 1);
	KUNIT_EXPECT_TRUE(test, hvl_vq_should_notify(&f->vq));
	KUNIT_EXPECT_EQ(test, f->vq.stats.notifies, 2);
	KUNIT_EXPECT_EQ(test, f->vq.stats.suppressed, 1);
}

static void enable_flags(struct kunit *test)
{
	struct fake *f = test->priv;

	f->used->flags = v16(0xffff);
	hvl_vq_disable_notify(&f->vq);
	KUNIT_EXPECT_EQ(test, h16(f->used->flags), VRING_USED_F_NO_NOTIFY);
	KUNIT_EXPECT_FALSE(test, hvl_vq_enable_notify(&f->vq));
	KUNIT_EXPECT_EQ(test, h16(f->used->flags), 0);
	KUNIT_EXPECT_EQ(test, h16(vring_avail_event(&f->vq)), 0);

	/* A buffer published while notifications were off. */
	hvl_vq_disable_notify(&f->vq);
	put(f->desc, 0, BUS0 + DATA, 8, 0, 0);
	publish(f, 0);
	KUNIT_EXPECT_TRUE(test, hvl_vq_enable_notify(&f->vq));
	KUNIT_EXPECT_EQ(test, h16(f->used->flags), 0);
	KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
	KUNIT_EXPECT_FALSE(test, hvl_vq_enable_notify(&f->vq));
}

static void enable_event_idx(struct kunit *test)
{
	struct fake *f = test->priv;

	setup(test, f, true, true);
	vring_avail_event(&f->vq) = v16(0x1234);
	hvl_vq_disable_notify(&f->vq);
	KUNIT_EXPECT_EQ(test, h16(f->used->flags), 0);
	KUNIT_EXPECT_EQ(test, h16(vring_avail_event(&f->vq)), 0x1234);

	cycle(test, f, 1);
	KUNIT_EXPECT_FALSE(test, hvl_vq_enable_notify(&f->vq));
	KUNIT_EXPECT_EQ(test, h16(vring_avail_event(&f->vq)), 1);
	KUNIT_EXPECT_EQ(test, h16(f->used->flags), 0);

	/* The driver published before it could see avail_event. */
	publish(f, 0);
	KUNIT_EXPECT_TRUE(test, hvl_vq_enable_notify(&f->vq));
	KUNIT_EXPECT_EQ(test, h16(vring_avail_event(&f->vq)), 1);
	KUNIT_ASSERT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
	KUNIT_EXPECT_FALSE(test, hvl_vq_enable_notify(&f->vq));
	KUNIT_EXPECT_EQ(test, h16(vring_avail_event(&f->vq)), 2);
}

static void broken_until_reset(struct kunit *test)
{
	struct fake *f = test->priv;

	put(f->desc, 0, BUS0 + DATA, 8, 0, 0);
	publish(f, NUM);
	KUNIT_EXPECT_EQ(test, hvl_vq_pop(&f->vq, &f->c), -EBADMSG);
	KUNIT_EXPECT_TRUE(test, f->vq.broken);

	/* The driver repairs the entry: too late. */
	f->avail->ring[0] = v16(0);
	KUNIT_EXPECT_FALSE(test, hvl_vq_has_work(&f->vq));
	KUNIT_EXPECT_FALSE(test, hvl_vq_enable_notify(&f->vq));
	KUNIT_EXPECT_EQ(test, hvl_vq_pop(&f->vq, &f->c), -EIO);
	KUNIT_EXPECT_EQ(test, f->vq.last_avail, 0);

	hvl_vq_reset(&f->vq);
	KUNIT_EXPECT_FALSE(test, f->vq.ready);
	KUNIT_EXPECT_FALSE(test, f->vq.broken);
	KUNIT_EXPECT_EQ(test, f->vq.num, 0);
	KUNIT_EXPECT_NULL(test, f->vq.desc);
	KUNIT_EXPECT_NULL(test, f->vq.avail);
	KUNIT_EXPECT_NULL(test, f->vq.used);
	KUNIT_EXPECT_EQ(test, f->vq.num_max, NUM_MAX);
	KUNIT_EXPECT_EQ(test, f->vq.index, 3);
	KUNIT_EXPECT_EQ(test, f->vq.stats.errors, 1);
	KUNIT_EXPECT_FALSE(test, hvl_vq_has_work(&f->vq));
	KUNIT_EXPECT_EQ(test, hvl_vq_pop(&f->vq, &f->c), -EIO);
	KUNIT_EXPECT_EQ(test, f->vq.stats.errors, 1);

	setup(test, f, false, true);
	put(f->desc, 0, BUS0 + DATA, 8, 0, 0);
	publish(f, 0);
	KUNIT_EXPECT_EQ(test, hvl_vq_pop(&f->vq, &f->c), 0);
	KUNIT_EXPECT_FALSE(test, f->vq.broken);
	KUNIT_EXPECT_EQ(test, f->vq.stats.errors, 1);
	KUNIT_EXPECT_EQ(test, f->vq.stats.popped, 1);
}

static void init_num(struct kunit *test)
{
	static const u16 bad[] = { 0, 3, 6, 12, 2 * NUM_MAX };
	struct fake *f = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		hvl_vq_reset(&f->vq);
		KUNIT_EXPECT_EQ_MSG(test, hvl_vq_init(&f->vq, &f->x, 0, bad[i],
						      BUS0 + DESC, BUS0 + AVAIL,
						      BUS0 + USED, false, false),
				    -EINVAL, "num %u", bad[i]);
		KUNIT_EXPECT_FALSE(test, f->vq.ready);
	}
	KUNIT_EXPECT_EQ(test, hvl_vq_init(&f->vq, &f->x, 0, 1, BUS0 + DESC,
					  BUS0 + AVAIL, BUS0 + USED, false,
					  false), 0);
	KUNIT_EXPECT_EQ(test, f->vq.num, 1);
	hvl_vq_reset(&f->vq);
	KUNIT_EXPECT_EQ(test, hvl_vq_init(&f->vq, &f->x, 0, NUM_MAX,
					  BUS0 + DESC, BUS0 + AVAIL,
					  BUS0 + USED, false, false), 0);
	KUNIT_EXPECT_EQ(test, f->vq.num, NUM_MAX);

	/* num_max 0 means the protocol's maximum; rings in region 2. */
	hvl_vq_reset(&f->vq);
	f->vq.num_max = 0;
	KUNIT_EXPECT_EQ(test, hvl_vq_init(&f->vq, &f->x, 0, 32768, BUS2,
					  BUS2 + 0x80000, BUS2 + 0xa0000,
					  false, false), 0);
	KUNIT_EXPECT_EQ(test, f->vq.num, 32768);
	hvl_vq_reset(&f->vq);
	KUNIT_EXPECT_EQ(test, f->vq.num_max, 0);
}

static void init_rings(struct kunit *test)
{
	static const struct {
		u64 desc, avail, used;
		int err;
	} cases[] = {
		{ BUS0 + 8, BUS0 + AVAIL, BUS0 + USED, -EFAULT },
		{ BUS0, BUS0 + AVAIL + 1, BUS0 + USED, -EFAULT },
		{ BUS0, BUS0 + AVAIL, BUS0 + USED + 2, -EFAULT },
		{ 0x1000, BUS0 + AVAIL, BUS0 + USED, -EFAULT },
		{ BUS0, BUS0 + AVAIL, BUS1 - 64, -EFAULT },	/* straddles */
		{ BUS0, BUS1 - 16, BUS0 + USED, -EFAULT },	/* straddles */
		{ BUS0, BUS0 + AVAIL, BUS1 + SIZE1 - 68, -EFAULT },
		{ BUS0, BUS0 + AVAIL + 2, BUS0 + USED + 4, 0 },
		{ BUS1 + 0x10, BUS1 + SIZE1 - 22, BUS1 + 0x200, 0 },
	};
	struct fake *f = test->priv;
	unsigned int i;

	/* Nothing in the rings is trusted or written at init. */
	memset(f->mem, 0xa5, DATA);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		hvl_vq_reset(&f->vq);
		KUNIT_EXPECT_EQ_MSG(test, hvl_vq_init(&f->vq, &f->x, 0, NUM,
						      cases[i].desc,
						      cases[i].avail,
						      cases[i].used, true, true),
				    cases[i].err, "case %u", i);
		KUNIT_EXPECT_EQ(test, f->vq.ready, !cases[i].err);
	}
	hvl_vq_reset(&f->vq);
	KUNIT_ASSERT_EQ(test, hvl_vq_init(&f->vq, &f->x, 0, NUM, BUS0 + DESC,
					  BUS0 + AVAIL, BUS0 + USED, true,
					  true), 0);
	KUNIT_EXPECT_EQ(test, f->vq.last_avail, 0);
	KUNIT_EXPECT_EQ(test, f->vq.used_idx, 0);
	KUNIT_EXPECT_EQ(test, h16(f->used->idx), 0xa5a5);
	KUNIT_EXPECT_EQ(test, h16(f->used->flags), 0xa5a5);
	/* ... and a stale avail->idx 0xa5a5 is a jump, not 0xa5a5 chains. */
	KUNIT_EXPECT_EQ(test, hvl_vq_pop(&f->vq, &f->c), -EBADMSG);
	KUNIT_EXPECT_EQ(test, hvl_vq_pop(&f->vq, &f->c), -EIO);
}

/*
 * Hostile chains.  Each builder writes a ring that a correct device must
 * refuse; the test then checks the error, that the queue broke, that
 * nothing was consumed and that it stays broken.
 */
struct hostile {
	const char *name;
	void (*build)(struct fake *f);
	int err;
	bool no_indirect;
	unsigned int max;		/* c->max, 0: ARRAY_SIZE(iov) */
};

static void outside(struct fake *f)
{
	put(f->desc, 0, 0x1000, 16, 0, 0);
	publish(f, 0);
}

static void past_end(struct fake *f)
{
	put(f->desc, 0, BUS1 + SIZE1 - 8, 16, 0, 0);
	publish(f, 0);
}

static void straddle(struct fake *f)
{
	put(f->desc, 0, BUS1 - 8, 16, 0, 0);
	publish(f, 0);
}

static void wrap64(struct fake *f)
{
	put(f->desc, 0, U64_MAX - 7, 16, 0, 0);
	publish(f, 0);
}

static void empty_outside(struct fake *f)
{
	put(f->desc, 0, BUS0 + DATA, 8, VRING_DESC_F_NEXT, 1);
	put(f->desc, 1, 0x1000, 0, 0, 0);
	publish(f, 0);
}

static void big_out(struct fake *f)
{
	put(f->desc, 0, BUS2, 0x80000000u, VRING_DESC_F_NEXT, 1);
	put(f->desc, 1, BUS2 + 0x80000000u, 0x80000000u, 0, 0);
	publish(f, 0);
}

static void big_in(struct fake *f)
{
	put(f->desc, 0, BUS0 + DATA, 8, VRING_DESC_F_NEXT, 1);
	put(f->desc, 1, BUS2, 0xffffffffu,
	    VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	put(f->desc, 2, BUS0 + DATA, 1, VRING_DESC_F_WRITE, 0);
	publish(f, 0);
}

static void loop(struct fake *f)
{
	put(f->desc, 0, BUS0 + DATA, 1, VRING_DESC_F_NEXT, 1);
	put(f->desc, 1, BUS0 + DATA, 1, VRING_DESC_F_NEXT, 0);
	publish(f, 0);
}

static void self_loop(struct fake *f)
{
	put(f->desc, 3, BUS0 + DATA, 0, VRING_DESC_F_NEXT, 3);
	publish(f, 3);
}

static void bad_head(struct fake *f)
{
	put(f->desc, 0, BUS0 + DATA, 1, 0, 0);
	publish(f, NUM);
}

static void bad_next(struct fake *f)
{
	put(f->desc, 0, BUS0 + DATA, 1, VRING_DESC_F_NEXT, NUM);
	publish(f, 0);
}

static void jump(struct fake *f)
{
	unsigned int i;

	put(f->desc, 0, BUS0 + DATA, 1, 0, 0);
	for (i = 0; i <= NUM; i++)
		publish(f, 0);
}

static void backwards(struct fake *f)
{
	put(f->desc, 0, BUS0 + DATA, 1, 0, 0);
	publish(f, 0);
	f->avail->idx = v16(0xffff);
}

static void one_indirect(struct fake *f, u32 len, u16 flags)
{
	struct vring_desc *t = table(f, TABLE);

	put(t, 0, BUS0 + DATA, 8, 0, 0);
	put(f->desc, 0, BUS0 + TABLE, len, VRING_DESC_F_INDIRECT | flags, 1);
	put(f->desc, 1, BUS0 + DATA, 8, 0, 0);
	publish(f, 0);
}

static void indirect(struct fake *f)
{
	one_indirect(f, 16, 0);
}

static void indirect_next(struct fake *f)
{
	one_indirect(f, 16, VRING_DESC_F_NEXT);
}

static void indirect_empty(struct fake *f)
{
	one_indirect(f, 0, 0);
}

static void indirect_len(struct fake *f)
{
	one_indirect(f, 24, 0);
}

static void indirect_nested(struct fake *f)
{
	one_indirect(f, 32, 0);
	put(table(f, TABLE), 0, BUS0 + TABLE + 16, 16, VRING_DESC_F_INDIRECT, 0);
}

static void indirect_outside(struct fake *f)
{
	one_indirect(f, 32, 0);
	f->desc[0].addr = __cpu_to_virtio64(true, BUS1 + SIZE1 - 16);
}

static void indirect_unaligned(struct fake *f)
{
	one_indirect(f, 16, 0);
	f->desc[0].addr = __cpu_to_virtio64(true, BUS0 + TABLE + 8);
}

static void indirect_bad_next(struct fake *f)
{
	one_indirect(f, 32, 0);
	put(table(f, TABLE), 0, BUS0 + DATA, 8, VRING_DESC_F_NEXT, 2);
}

static void indirect_loop(struct fake *f)
{
	struct vring_desc *t = table(f, TABLE);

	one_indirect(f, 32, 0);
	put(t, 0, BUS0 + DATA, 8, VRING_DESC_F_NEXT, 1);
	put(t, 1, BUS0 + DATA, 8, VRING_DESC_F_NEXT, 0);
}

static void indirect_huge(struct fake *f)
{
	one_indirect(f, (HVL_CHAIN_MAX + 1) * 16, 0);
}

/* One direct segment plus a full indirect table of HVL_CHAIN_MAX. */
static void too_many_in_all(struct fake *f)
{
	struct vring_desc *t = table(f, TABLE);
	unsigned int i;

	for (i = 0; i < HVL_CHAIN_MAX; i++)
		put(t, i, BUS0 + DATA + i, 1, VRING_DESC_F_NEXT, i + 1);
	t[HVL_CHAIN_MAX - 1].flags = 0;
	put(f->desc, 0, BUS0 + DATA, 1, VRING_DESC_F_NEXT, 1);
	put(f->desc, 1, BUS0 + TABLE, HVL_CHAIN_MAX * 16,
	    VRING_DESC_F_INDIRECT, 0);
	publish(f, 0);
}

static void too_many(struct fake *f)
{
	put(f->desc, 0, BUS0 + DATA, 1, VRING_DESC_F_NEXT, 1);
	put(f->desc, 1, BUS0 + DATA, 1, VRING_DESC_F_NEXT, 2);
	put(f->desc, 2, BUS0 + DATA, 1, 0, 0);
	publish(f, 0);
}

static void out_after_in(struct fake *f)
{
	put(f->desc, 0, BUS0 + DATA, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	put(f->desc, 1, BUS0 + DATA, 8, 0, 0);
	publish(f, 0);
}

static void out_after_empty_in(struct fake *f)
{
	put(f->desc, 0, BUS0 + DATA, 0, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	put(f->desc, 1, BUS0 + DATA, 8, 0, 0);
	publish(f, 0);
}

static void out_after_in_indirect(struct fake *f)
{
	put(table(f, TABLE), 0, BUS0 + DATA, 8, 0, 0);
	put(f->desc, 0, BUS0 + DATA, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	put(f->desc, 1, BUS0 + TABLE, 16, VRING_DESC_F_INDIRECT, 0);
	publish(f, 0);
}

static const struct hostile hostile_cases[] = {
	{ "address outside the window", outside, -EFAULT },
	{ "range past the end of a region", past_end, -EFAULT },
	{ "range straddling two regions", straddle, -EFAULT },
	{ "addr + len wraps 64 bits", wrap64, -EFAULT },
	{ "empty buffer outside the window", empty_outside, -EFAULT },
	{ "readable total over 32 bits", big_out, -EBADMSG },
	{ "writable total over 32 bits", big_in, -EBADMSG },
	{ "descriptor loop", loop, -ELOOP },
	{ "descriptor pointing to itself", self_loop, -ELOOP },
	{ "head >= num", bad_head, -EBADMSG },
	{ "next >= num", bad_next, -EBADMSG },
	{ "avail->idx more than num ahead", jump, -EBADMSG },
	{ "avail->idx moved backwards", backwards, -EBADMSG },
	{ "indirect not negotiated", indirect, -EBADMSG, true },
	{ "indirect with next", indirect_next, -EBADMSG },
	{ "indirect inside indirect", indirect_nested, -EBADMSG },
	{ "indirect length zero", indirect_empty, -EBADMSG },
	{ "indirect length not a multiple of 16", indirect_len, -EBADMSG },
	{ "indirect table outside the window", indirect_outside, -EFAULT },
	{ "indirect table misaligned", indirect_unaligned, -EFAULT },
	{ "indirect next >= table size", indirect_bad_next, -EBADMSG },
	{ "indirect loop", indirect_loop, -ELOOP },
	{ "indirect table over HVL_CHAIN_MAX", indirect_huge, -E2BIG },
	{ "readable after writable", out_after_in, -EBADMSG },
	{ "readable after empty writable", out_after_empty_in, -EBADMSG },
	{ "readable in indirect after writable", out_after_in_indirect,
	  -EBADMSG },
	{ "more segments than c->max", too_many, -E2BIG, false, 2 },
	{ "more than HVL_CHAIN_MAX segments", too_many_in_all, -E2BIG, false,
	  2 * HVL_CHAIN_MAX },
};

KUNIT_ARRAY_PARAM_DESC(hostile, hostile_cases, name);

static void pop_hostile(struct kunit *test)
{
	const struct hostile *h = test->param_value;
	struct fake *f = test->priv;

	if (h->no_indirect)
		setup(test, f, false, false);
	if (h->max) {
		f->c.max = h->max;
		if (h->max > ARRAY_SIZE(f->iov)) {
			f->c.iov = kunit_kcalloc(test, h->max,
						 sizeof(*f->c.iov), GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, f->c.iov);
		}
	}
	h->build(f);

	KUNIT_EXPECT_TRUE(test, hvl_vq_has_work(&f->vq));
	KUNIT_EXPECT_EQ(test, hvl_vq_pop(&f->vq, &f->c), h->err);
	KUNIT_EXPECT_TRUE(test, f->vq.broken);
	KUNIT_EXPECT_EQ(test, f->vq.stats.errors, 1);
	KUNIT_EXPECT_EQ(test, f->vq.stats.popped, 0);
	KUNIT_EXPECT_EQ(test, f->vq.last_avail, 0);
	KUNIT_EXPECT_FALSE(test, hvl_vq_has_work(&f->vq));
	KUNIT_EXPECT_EQ(test, hvl_vq_pop(&f->vq, &f->c), -EIO);
	KUNIT_EXPECT_EQ(test, f->vq.stats.errors, 1);
	KUNIT_EXPECT_EQ(test, f->vq.last_avail, 0);
	KUNIT_EXPECT_EQ(test, h16(f->used->idx), 0);
}

static void not_ready(struct kunit *test)
{
	struct fake *f = test->priv;

	hvl_vq_reset(&f->vq);
	KUNIT_EXPECT_EQ(test, hvl_vq_pop(&f->vq, &f->c), -EIO);
	KUNIT_EXPECT_FALSE(test, hvl_vq_has_work(&f->vq));
	KUNIT_EXPECT_FALSE(test, hvl_vq_enable_notify(&f->vq));
	KUNIT_EXPECT_FALSE(test, hvl_vq_should_notify(&f->vq));
	hvl_vq_disable_notify(&f->vq);
	KUNIT_EXPECT_FALSE(test, f->vq.broken);
	KUNIT_EXPECT_EQ(test, f->vq.stats.errors, 0);
}

/*
 * A peer that moves avail->idx back and forth: every pop finds the ring
 * empty, every look after the re-arm finds a buffer.  It gives up after
 * 10000 reads, so that a loop that does not stop on its own still ends.
 */
static u16 toggling_avail_idx(struct hvl_vq *vq)
{
	struct fake *f = kunit_get_current_test()->priv;

	if (++f->idx_reads > 10000)
		return vq->last_avail;
	return vq->last_avail + !(f->idx_reads & 1);
}

static void next_charges_rearm(struct kunit *test)
{
	struct fake *f = test->priv;
	int budget = 8;

	/* Honest ring first: a chain, then empty and re-armed. */
	put(f->desc, 0, BUS0 + DATA, 8, 0, 0);
	publish(f, 0);
	hvl_vq_disable_notify(&f->vq);
	KUNIT_EXPECT_EQ(test, hvl_vq_next(&f->vq, &f->c, &budget), 0);
	KUNIT_EXPECT_EQ(test, hvl_vq_next(&f->vq, &f->c, &budget), -EAGAIN);
	KUNIT_EXPECT_EQ(test, budget, 8);
	KUNIT_EXPECT_EQ(test, h16(f->used->flags), 0);

	/* A second look that keeps finding buffers: run again, not sleep. */
	kunit_activate_static_stub(test, hvl_vq_avail_idx, toggling_avail_idx);
	KUNIT_EXPECT_EQ(test, hvl_vq_next(&f->vq, &f->c, &budget), -EBUSY);
	KUNIT_EXPECT_LE(test, budget, 0);
	/* A pop and a look per unit of budget, and nothing popped. */
	KUNIT_EXPECT_LE(test, f->idx_reads, 2 * 8);
	KUNIT_EXPECT_EQ(test, f->vq.stats.popped, 1);
	KUNIT_EXPECT_FALSE(test, f->vq.broken);
}

static struct kunit_case hvl_vring_cases[] = {
	KUNIT_CASE(pop_single),
	KUNIT_CASE(pop_chain),
	KUNIT_CASE(pop_indirect),
	KUNIT_CASE(pop_limits),
	KUNIT_CASE_PARAM(pop_hostile, hostile_gen_params),
	KUNIT_CASE(index_wrap),
	KUNIT_CASE(push),
	KUNIT_CASE(push_n),
	KUNIT_CASE(unpop),
	KUNIT_CASE(notify_event_idx),
	KUNIT_CASE(notify_flags),
	KUNIT_CASE(enable_flags),
	KUNIT_CASE(enable_event_idx),
	KUNIT_CASE(next_charges_rearm),
	KUNIT_CASE(broken_until_reset),
	KUNIT_CASE(not_ready),
	KUNIT_CASE(init_num),
	KUNIT_CASE(init_rings),
	{}
};

static struct kunit_suite hvl_vring_suite = {
	.name = "hvl_vring",
	.init = fake_init,
	.test_cases = hvl_vring_cases,
};

kunit_test_suite(hvl_vring_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests for the hvl split virtqueue device side");
