/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fake backend device for the device modules' KUnit suites, so that a
 * device's ->poll() can be driven ring by ring as the core's work item
 * drives it.
 *
 * The core's side is a struct hvl_core_dev, so that hvl_device_interrupt()
 * and hvl_device_ready() work on it, with a no-op work item on system_wq
 * for hvl_device_kick().  Its window, as in vring_kunit.c, is 64 KiB of
 * kernel memory at bus FAKE_BUS, each queue's rings in a slot of 8 KiB (up
 * to 256 entries), buffers from FAKE_DATA on, and a second region of
 * FAKE_BIG_SIZE at FAKE_BIG_BUS whose mapping is that same buffer area:
 * buffers there may be large, as long as the device touches only their
 * first bytes.
 *
 * The peer driver's side is played by the test: it posts chains (a
 * device-readable and a device-writable descriptor, either may be absent)
 * and asks, as a driver does after publishing, whether the device wants a
 * doorbell for its next chain.
 */
#ifndef _HVL_FAKE_DEV_H
#define _HVL_FAKE_DEV_H

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/hvl.h>
#include <linux/virtio_byteorder.h>
#include <linux/virtio_ring.h>
#include <linux/workqueue.h>

#include "../core/core.h"

#define FAKE_BUS	0x80000000ULL
#define FAKE_SIZE	0x10000u
#define FAKE_MAX_QUEUES	3
#define FAKE_SLOT	0x2000u		/* rings of one queue */
#define FAKE_AVAIL	0x1000u		/* in a slot; the descriptors at 0 */
#define FAKE_USED	0x1400u
#define FAKE_DATA	(FAKE_MAX_QUEUES * FAKE_SLOT)
#define FAKE_BIG_BUS	0x100000000ULL
#define FAKE_BIG_SIZE	(16u << 20)

struct fake_dev {
	struct hvl_core_dev cd;
	struct hvl_window win;
	struct hvl_region region[2];
	struct hvl_vq vqs[FAKE_MAX_QUEUES];
	u8 *mem;
	u16 avail_idx[FAKE_MAX_QUEUES];	/* the driver's copies */
	unsigned int toggled_q;		/* by fake_toggle() */
	unsigned int idx_reads;
	void *priv;			/* the suite's */
};

static inline void fake_dev_work(struct work_struct *work)
{
}

/*
 * @nq queues of @num[] entries, set up as a driver that negotiated
 * VIRTIO_RING_F_EVENT_IDX, or not, would; the device active (DRIVER_OK).
 * It becomes @test->priv.
 */
static inline struct fake_dev *fake_dev_new(struct kunit *test,
					    unsigned int nq, const u16 *num,
					    bool event_idx)
{
	struct fake_dev *fd = kunit_kzalloc(test, sizeof(*fd), GFP_KERNEL);
	struct hvl_core_dev *cd;
	unsigned int q;

	KUNIT_ASSERT_NOT_NULL(test, fd);
	KUNIT_ASSERT_LE(test, nq, FAKE_MAX_QUEUES);
	fd->mem = kunit_kzalloc(test, FAKE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fd->mem);
	fd->region[0] = (struct hvl_region){ .bus = FAKE_BUS, .size = FAKE_SIZE,
					     .va = fd->mem };
	fd->region[1] = (struct hvl_region){ .bus = FAKE_BIG_BUS,
					     .size = FAKE_BIG_SIZE,
					     .va = fd->mem + FAKE_DATA };
	fd->win.xlate.nr = ARRAY_SIZE(fd->region);
	fd->win.xlate.regions = fd->region;
	fd->win.wq = system_wq;

	cd = &fd->cd;
	cd->page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cd->page);
	mutex_init(&cd->lock);
	spin_lock_init(&cd->isr_lock);
	INIT_WORK(&cd->work, fake_dev_work);
	cd->hdev.win = &fd->win;
	cd->hdev.num_queues = nq;
	cd->hdev.vqs = fd->vqs;
	for (q = 0; q < nq; q++) {
		u64 base = FAKE_BUS + q * FAKE_SLOT;

		KUNIT_ASSERT_EQ(test, hvl_vq_init(&fd->vqs[q], &fd->win.xlate,
						  q, num[q], base,
						  base + FAKE_AVAIL,
						  base + FAKE_USED, event_idx,
						  false), 0);
	}
	cd->active = true;
	test->priv = fd;
	return fd;
}

/* Before the test's memory goes: no kick may still be queued. */
static inline void fake_dev_free(struct fake_dev *fd)
{
	cancel_work_sync(&fd->cd.work);
}

static inline struct vring_desc *fake_desc(struct fake_dev *fd,
					   unsigned int q)
{
	return (struct vring_desc *)(fd->mem + q * FAKE_SLOT);
}

static inline struct vring_avail *fake_avail(struct fake_dev *fd,
					     unsigned int q)
{
	return (struct vring_avail *)(fd->mem + q * FAKE_SLOT + FAKE_AVAIL);
}

static inline struct vring_used *fake_used(struct fake_dev *fd,
					   unsigned int q)
{
	return (struct vring_used *)(fd->mem + q * FAKE_SLOT + FAKE_USED);
}

/* The buffer at @off bytes into the data area. */
static inline void *fake_buf(struct fake_dev *fd, unsigned int off)
{
	return fd->mem + FAKE_DATA + off;
}

/* The bus address of the buffer at @off bytes into the data area. */
static inline u64 fake_bus(unsigned int off)
{
	return FAKE_BUS + FAKE_DATA + off;
}

static inline void fake_desc_put(struct vring_desc *d, u64 addr, u32 len,
				 u16 flags, u16 next)
{
	d->addr = __cpu_to_virtio64(true, addr);
	d->len = __cpu_to_virtio32(true, len);
	d->flags = __cpu_to_virtio16(true, flags);
	d->next = __cpu_to_virtio16(true, next);
}

/*
 * Post a chain on queue @q as its next available entry: @out_len bytes
 * at bus @out the device reads, then @in_len bytes at bus @in it writes;
 * a length of 0 leaves that part out.  Chains of one descriptor use the
 * descriptor of their ring index, so that a ring's worth can be
 * outstanding; chains of two use a pair, half a ring's worth.
 */
static inline void fake_post_chain(struct fake_dev *fd, unsigned int q,
				   u64 out, u32 out_len, u64 in, u32 in_len)
{
	u16 num = fd->vqs[q].num, idx = fd->avail_idx[q];
	struct vring_desc *t = fake_desc(fd, q);
	struct vring_avail *a = fake_avail(fd, q);
	u16 head;

	if (out_len && in_len) {
		head = (2 * idx) & (num - 1);
		fake_desc_put(&t[head], out, out_len, VRING_DESC_F_NEXT,
			      head + 1);
		fake_desc_put(&t[head + 1], in, in_len, VRING_DESC_F_WRITE, 0);
	} else {
		head = idx & (num - 1);
		fake_desc_put(&t[head], out_len ? out : in, out_len ?: in_len,
			      out_len ? 0 : VRING_DESC_F_WRITE, 0);
	}
	a->ring[idx & (num - 1)] = __cpu_to_virtio16(true, head);
	a->idx = __cpu_to_virtio16(true, ++fd->avail_idx[q]);
}

/* A chain of one descriptor, the buffer at @off of @len bytes. */
static inline void fake_post(struct fake_dev *fd, unsigned int q,
			     unsigned int off, u32 len, bool writable)
{
	if (writable)
		fake_post_chain(fd, q, 0, 0, fake_bus(off), len);
	else
		fake_post_chain(fd, q, fake_bus(off), len, 0, 0);
}

/* The device's avail_event on queue @q (EVENT_IDX). */
static inline u16 fake_avail_event(struct fake_dev *fd, unsigned int q)
{
	struct vring_used *u = fake_used(fd, q);

	return __virtio16_to_cpu(true, *(__virtio16 *)&u->ring[fd->vqs[q].num]);
}

/*
 * Would the driver ring the doorbell for its next chain on @q, as
 * virtqueue_kick_prepare() decides it after publishing one?
 */
static inline bool fake_would_ring(struct fake_dev *fd, unsigned int q)
{
	struct vring_used *u = fake_used(fd, q);
	u16 old = fd->avail_idx[q];

	if (fd->vqs[q].event_idx)
		return vring_need_event(fake_avail_event(fd, q), old + 1, old);
	return !(__virtio16_to_cpu(true, u->flags) & VRING_USED_F_NO_NOTIFY);
}

/* The device's used->idx on @q. */
static inline u16 fake_used_idx(struct fake_dev *fd, unsigned int q)
{
	return __virtio16_to_cpu(true, fake_used(fd, q)->idx);
}

/*
 * A peer that moves avail->idx of one queue back and forth: every pop
 * there finds the ring empty, every look after the re-arm finds a buffer
 * (as next_charges_rearm in vring_kunit.c).  It gives up after 10000
 * reads, so that a loop that does not stop on its own still ends.  The
 * other queues read as they are.
 */
static inline u16 fake_toggling_avail_idx(struct hvl_vq *vq)
{
	struct fake_dev *fd = kunit_get_current_test()->priv;

	if (vq->index != fd->toggled_q)
		return __virtio16_to_cpu(true, READ_ONCE(vq->avail->idx));
	if (++fd->idx_reads > 10000)
		return vq->last_avail;
	return vq->last_avail + !(fd->idx_reads & 1);
}

/* Until the end of @test, queue @q's avail->idx toggles. */
static inline void fake_toggle(struct kunit *test, unsigned int q)
{
	struct fake_dev *fd = test->priv;

	fd->toggled_q = q;
	fd->idx_reads = 0;
	kunit_activate_static_stub(test, hvl_vq_avail_idx,
				   fake_toggling_avail_idx);
}

/* Run ->poll() as the core's work item does: under the device's lock. */
static inline bool fake_poll(struct fake_dev *fd,
			     bool (*poll)(struct hvl_device *, int), int budget)
{
	bool more;

	mutex_lock(&fd->cd.lock);
	more = poll(&fd->cd.hdev, budget);
	mutex_unlock(&fd->cd.lock);
	return more;
}

#endif /* _HVL_FAKE_DEV_H */
