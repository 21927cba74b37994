// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device side of a virtio 1.x split virtqueue whose rings and buffers the
 * peer publishes as bus addresses inside the window.
 *
 * Why not vringh: vringh_getdesc_kern() passes descriptor addresses
 * through no_range_check() and then uses them as kernel pointers, so it
 * must never see a descriptor an untrusted driver wrote; the _iotlb
 * variant translates into struct pages, which a no-map reserved-memory
 * window does not have.  Every address here goes through hvl_xlate()
 * instead, and nothing else is dereferenced.
 *
 * The peer can rewrite the rings at any moment, also while we walk a
 * chain.  Every shared field is therefore read exactly once (READ_ONCE
 * into a local) and only the local is validated and used.  Our indices,
 * last_avail and used_idx, are private; used->idx and avail_event are
 * written but never read back, so the peer cannot move them for us.
 *
 * The peer is another OS on another core: even a UP build of this kernel
 * has a second CPU to order against, so the barriers are never smp_*().
 * Which ones order the window depends on how it is mapped: hvl_map_wmb()
 * and hvl_map_rmb() pick dma_*() for a cacheable window, as virtio_ring
 * uses for !weak_barriers, and wmb()/rmb() for a write-combining one;
 * mb() orders both.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <linux/hvl.h>
#include <linux/hvl_abi.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/printk.h>
#include <linux/virtio_byteorder.h>

#include "core.h"

/* virtio 1.x rings are little-endian whatever the CPU. */
static inline u16 rd16(const __virtio16 *p)
{
	return __virtio16_to_cpu(true, READ_ONCE(*p));
}

static inline void wr16(__virtio16 *p, u16 v)
{
	WRITE_ONCE(*p, __cpu_to_virtio16(true, v));
}

/* Any ring error is fatal for the queue until the driver resets it. */
static int bad(struct hvl_vq *vq, int err, const char *why)
{
	WRITE_ONCE(vq->broken, true);
	vq->stats.errors++;
	pr_warn_ratelimited("queue %u: %s\n", vq->index, why);
	return err;
}

/**
 * hvl_vq_init() - take a split virtqueue the driver has set up into use
 * @vq: the queue; @vq->num_max must be set, 0 meaning HVL_QUEUE_MAX
 * @x: the window's regions
 * @index: queue index, for messages
 * @num: QueueNum, a power of two no larger than @vq->num_max
 * @desc: bus address of the descriptor table (16-byte aligned)
 * @avail: bus address of the driver area (2-byte aligned)
 * @used: bus address of the device area (4-byte aligned)
 * @event_idx: VIRTIO_RING_F_EVENT_IDX was negotiated
 * @indirect: VIRTIO_RING_F_INDIRECT_DESC was negotiated
 *
 * Both indices start at 0 as after a reset; neither avail->idx nor
 * used->idx is looked at, and nothing is written to the rings.  On
 * failure @vq is left as it was.
 *
 * Return: 0, -EINVAL for a bad @num, -EFAULT if a ring is misaligned or
 * not entirely inside one region.
 */
int hvl_vq_init(struct hvl_vq *vq, const struct hvl_xlate *x,
		unsigned int index, u16 num, u64 desc, u64 avail, u64 used,
		bool event_idx, bool indirect)
{
	unsigned int max = vq->num_max ?: HVL_QUEUE_MAX;
	void *d, *a, *u;

	if (!is_power_of_2(num) || num > max)
		return -EINVAL;

	d = hvl_xlate(x, desc, (u64)num * sizeof(struct vring_desc),
		      VRING_DESC_ALIGN_SIZE);
	a = hvl_xlate(x, avail, 6 + 2 * (u64)num, VRING_AVAIL_ALIGN_SIZE);
	u = hvl_xlate(x, used, 6 + 8 * (u64)num, VRING_USED_ALIGN_SIZE);
	if (!d || !a || !u)
		return -EFAULT;

	vq->xlate = x;
	vq->index = index;
	vq->desc = d;
	WRITE_ONCE(vq->avail, a);	/* see hvl_vq_peer_news() */
	vq->used = u;
	vq->num = num;
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->signalled_used = 0;
	vq->signalled_valid = false;
	vq->event_idx = event_idx;
	vq->indirect = indirect;
	WRITE_ONCE(vq->broken, false);
	WRITE_ONCE(vq->ready, true);
	return 0;
}
EXPORT_SYMBOL_GPL(hvl_vq_init);

/**
 * hvl_vq_reset() - forget a queue's rings
 * @vq: the queue
 *
 * Afterwards the queue is not ready, no longer broken and holds no
 * interrupt (coalescing off).  @vq->num_max, @vq->index and the
 * statistics are kept.
 */
void hvl_vq_reset(struct hvl_vq *vq)
{
	/* Not ready first: see hvl_vq_peer_news(). */
	WRITE_ONCE(vq->ready, false);
	vq->xlate = NULL;
	vq->desc = NULL;
	WRITE_ONCE(vq->avail, NULL);
	vq->used = NULL;
	vq->num = 0;
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->signalled_used = 0;
	vq->signalled_valid = false;
	vq->event_idx = false;
	vq->indirect = false;
	vq->coal_usecs = 0;
	vq->coal_packets = 0;
	vq->coal_pending = 0;
	WRITE_ONCE(vq->broken, false);
}
EXPORT_SYMBOL_GPL(hvl_vq_reset);

/*
 * Follow the chain starting at @head into @c.  table and size switch to
 * an indirect table when one is met; seen bounds the walk within the
 * current table, which catches every loop: a table of size entries has
 * no loop-free chain longer than size.
 */
static int walk(struct hvl_vq *vq, struct hvl_chain *c, u16 head)
{
	unsigned int max = min(c->max, HVL_CHAIN_MAX);
	const struct vring_desc *table = vq->desc;
	unsigned int size = vq->num, seen = 0, nr = 0;
	u64 out_len = 0, in_len = 0;
	bool indirect = false, writable = false;
	u16 i = head;

	if (head >= size)
		return bad(vq, -EBADMSG, "head out of range");

	for (;;) {
		const struct vring_desc *d = &table[i];
		u64 addr;
		u32 len;
		u16 flags, next;
		void *p;

		if (++seen > size)
			return bad(vq, -ELOOP, "descriptor loop");

		addr = __virtio64_to_cpu(true, READ_ONCE(d->addr));
		len = __virtio32_to_cpu(true, READ_ONCE(d->len));
		flags = rd16(&d->flags);
		next = rd16(&d->next);

		if (flags & VRING_DESC_F_INDIRECT) {
			if (!vq->indirect)
				return bad(vq, -EBADMSG, "indirect not negotiated");
			if (indirect)
				return bad(vq, -EBADMSG, "nested indirect");
			if (flags & VRING_DESC_F_NEXT)
				return bad(vq, -EBADMSG, "indirect with next");
			if (!len || len % sizeof(struct vring_desc))
				return bad(vq, -EBADMSG, "bad indirect length");
			if (len / sizeof(struct vring_desc) > HVL_CHAIN_MAX)
				return bad(vq, -E2BIG, "indirect table too large");
			/*
			 * The spec asks no alignment of indirect tables; we
			 * want 16 so that the 64-bit addr loads are aligned.
			 * Drivers kmalloc() them, which gives that anyway.
			 */
			table = hvl_xlate(vq->xlate, addr, len,
					  VRING_DESC_ALIGN_SIZE);
			if (!table)
				return bad(vq, -EFAULT, "indirect table not in window");
			size = len / sizeof(struct vring_desc);
			seen = 0;
			indirect = true;
			i = 0;
			continue;
		}

		if (flags & VRING_DESC_F_WRITE) {
			writable = true;
			in_len += len;
			if (in_len > U32_MAX)
				return bad(vq, -EBADMSG, "writable length overflow");
		} else {
			if (writable)
				return bad(vq, -EBADMSG, "readable after writable");
			out_len += len;
			if (out_len > U32_MAX)
				return bad(vq, -EBADMSG, "readable length overflow");
		}

		/* Also refuses addr + len wrapping, and stray empty buffers. */
		p = hvl_xlate(vq->xlate, addr, len, 1);
		if (!p)
			return bad(vq, -EFAULT, "buffer not in window");

		/* An empty segment would be a no-op for the iterators. */
		if (len) {
			if (nr >= max)
				return bad(vq, -E2BIG, "too many segments");
			c->iov[nr].iov_base = p;
			c->iov[nr].iov_len = len;
			nr++;
			if (flags & VRING_DESC_F_WRITE)
				c->nr_in++;
			else
				c->nr_out++;
		}

		if (!(flags & VRING_DESC_F_NEXT))
			break;
		if (next >= size)
			return bad(vq, -EBADMSG, "next out of range");
		i = next;
	}

	c->out_len = out_len;
	c->in_len = in_len;
	return 0;
}

/*
 * The driver's avail->idx.  One function so that a KUnit stub can play a
 * peer that changes it between two of our reads.
 */
VISIBLE_IF_KUNIT u16 hvl_vq_avail_idx(struct hvl_vq *vq)
{
	KUNIT_STATIC_STUB_REDIRECT(hvl_vq_avail_idx, vq);
	return rd16(&vq->avail->idx);
}
EXPORT_SYMBOL_IF_KUNIT(hvl_vq_avail_idx);

/**
 * hvl_vq_peer_news() - has avail->idx moved since the device last read it?
 * @vq: the queue
 *
 * For hvl_bus_peer_news(): any context, without the device's lock, so
 * while the work item may be setting the queue up or resetting it.  The
 * rings stay inside the window's mappings, which outlive the devices, so
 * an old pointer reads the old ring, harmlessly; a NULL one is no ring.
 *
 * Return: true if the queue is ready and not broken, and avail->idx is
 * not what the device last read (``avail_seen``).
 */
bool hvl_vq_peer_news(const struct hvl_vq *vq)
{
	struct vring_avail *a = READ_ONCE(vq->avail);

	if (!READ_ONCE(vq->ready) || READ_ONCE(vq->broken) || !a)
		return false;
	return rd16(&a->idx) != READ_ONCE(vq->avail_seen);
}
EXPORT_SYMBOL_IF_KUNIT(hvl_vq_peer_news);

/*
 * Read avail->idx into avail_seen: what hvl_vq_peer_news() compares with
 * (the doorbell's filter, hvl_bus_peer_news()) and what the watch on the
 * peer sums (hvl_bus_peer_activity()).  Written for those two, which read
 * it without the device's lock.  False, reading nothing, on a queue not
 * ready or broken.
 */
static bool note_avail(struct hvl_vq *vq)
{
	if (!vq->ready || vq->broken)
		return false;
	WRITE_ONCE(vq->avail_seen, hvl_vq_avail_idx(vq));
	return true;
}

/**
 * hvl_vq_pop() - take the next available descriptor chain
 * @vq: the queue
 * @c: receives the chain; @c->iov and @c->max must be set
 *
 * On success the kvecs of @c point into the window, readable segments
 * first.  Any malformed ring or chain breaks the queue: this and every
 * later call fail until hvl_vq_reset() or hvl_vq_init().  The contents
 * of @c are undefined after an error.
 *
 * Return: 0 with a chain in @c, -EAGAIN if the driver has made nothing
 * new available, -EIO if the queue is not ready or broken, or on hostile
 * input -EBADMSG (malformed ring or chain), -EFAULT (address outside the
 * window), -ELOOP (descriptor loop) or -E2BIG (more segments than
 * @c->max or HVL_CHAIN_MAX).
 */
int hvl_vq_pop(struct hvl_vq *vq, struct hvl_chain *c)
{
	u16 avail_idx, head;
	int err;

	if (!note_avail(vq))
		return -EIO;
	avail_idx = vq->avail_seen;
	if (avail_idx == vq->last_avail)
		return -EAGAIN;
	if ((u16)(avail_idx - vq->last_avail) > vq->num)
		return bad(vq, -EBADMSG, "avail index jumped");

	/*
	 * The driver wrote the ring entry and the descriptors before the
	 * index that published them; read them only after the index.
	 */
	hvl_map_rmb(vq->xlate);
	head = rd16(&vq->avail->ring[vq->last_avail & (vq->num - 1)]);

	c->head = head;
	c->nr_out = 0;
	c->nr_in = 0;
	err = walk(vq, c, head);
	if (err)
		return err;

	vq->last_avail++;
	vq->stats.popped++;
	return 0;
}
EXPORT_SYMBOL_GPL(hvl_vq_pop);

/**
 * hvl_vq_next() - pop a chain, or re-arm notifications on an empty ring
 * @vq: the queue
 * @c: the chain, as for hvl_vq_pop()
 * @budget: the caller's work budget: a re-arm that finds buffers after
 *	all costs one (the chain itself is the caller's to charge)
 *
 * The loop every device runs.  On an empty ring it asks the driver to
 * ring again and then looks once more, since the driver may have
 * published a buffer before it saw the request and will not ring for
 * it.  Each second look that finds a buffer is charged to @budget: a
 * peer that moves avail->idx back and forth between our two reads would
 * otherwise keep one run going for as long as it likes.
 *
 * Two ways to stop, which a caller must tell apart: on -EAGAIN it may
 * sleep, since the driver rings when it adds buffers; on -EBUSY it must
 * run again, since buffers may be waiting that the driver will not ring
 * for.  @budget may be spent already when called (a virtio-net frame
 * takes every buffer it needs): a pop that finds a chain costs nothing
 * here, only a second look does.
 *
 * Return: 0 with a chain in @c; -EAGAIN if the ring is empty and the
 * driver will ring; -EBUSY if a second look found buffers but @budget
 * ran out (*@budget <= 0); otherwise hvl_vq_pop()'s errors.
 */
int hvl_vq_next(struct hvl_vq *vq, struct hvl_chain *c, int *budget)
{
	int ret;

	while ((ret = hvl_vq_pop(vq, c)) == -EAGAIN) {
		if (!hvl_vq_enable_notify(vq))
			break;
		if (--*budget <= 0)
			return -EBUSY;
	}
	return ret;
}
EXPORT_SYMBOL_GPL(hvl_vq_next);

/**
 * hvl_vq_push() - return a chain to the driver through the used ring
 * @vq: the queue
 * @c: a chain hvl_vq_pop() returned on this queue since its last init
 * @written: bytes written into the chain's writable segments
 *
 * Chains popped before the queue broke may still be pushed.
 */
void hvl_vq_push(struct hvl_vq *vq, const struct hvl_chain *c, u32 written)
{
	hvl_vq_push_n(vq, &c->head, &written, 1);
}
EXPORT_SYMBOL_GPL(hvl_vq_push);

/**
 * hvl_vq_push_n() - return several chains to the driver at once
 * @vq: the queue
 * @heads: the heads of @n chains hvl_vq_pop() returned on this queue
 * @written: bytes written into each chain's writable segments
 * @n: how many, at most @vq->num
 *
 * All @n used entries become visible to the driver with one move of
 * used->idx, never some of them: virtio-net's mergeable receive buffers
 * (VIRTIO_NET_F_MRG_RXBUF) announce in the first buffer how many follow,
 * and a driver that finds fewer used drops the frame.
 */
void hvl_vq_push_n(struct hvl_vq *vq, const u16 *heads, const u32 *written,
		   unsigned int n)
{
	u16 old = vq->used_idx;
	unsigned int i;

	if (WARN_ON_ONCE(!vq->ready || n > vq->num))
		return;

	for (i = 0; i < n; i++) {
		vring_used_elem_t *e;

		e = &vq->used->ring[(u16)(old + i) & (vq->num - 1)];
		WRITE_ONCE(e->id, __cpu_to_virtio32(true, heads[i]));
		WRITE_ONCE(e->len, __cpu_to_virtio32(true, written[i]));
	}
	/*
	 * The driver reads the entries, and the data the backend wrote into
	 * the chains, after seeing the index move.
	 */
	hvl_map_wmb(vq->xlate);
	vq->used_idx = old + n;
	wr16(&vq->used->idx, vq->used_idx);

	/*
	 * Once used_idx has gone all the way round to signalled_used,
	 * vring_need_event() can no longer tell old from new: start over.
	 * signalled_used was passed if it lies in (old, old + n].
	 */
	if (unlikely((u16)(vq->signalled_used - old - 1) < n))
		vq->signalled_valid = false;
}
EXPORT_SYMBOL_GPL(hvl_vq_push_n);

/**
 * hvl_vq_unpop() - give back chains popped but not used
 * @vq: the queue
 * @n: how many of the last chains hvl_vq_pop() returned, none pushed since
 *
 * They stay available to the driver, as if never popped, and are popped
 * (and validated) again next time: a device that finds it needs more
 * buffers than the driver has posted so far (a frame that does not fit
 * the receive buffers available) waits for more without using any.  The
 * data already written into them is the driver's to overwrite.
 */
void hvl_vq_unpop(struct hvl_vq *vq, unsigned int n)
{
	if (WARN_ON_ONCE(n > vq->num))
		return;
	vq->last_avail -= n;
	vq->stats.popped -= n;
}
EXPORT_SYMBOL_GPL(hvl_vq_unpop);

/**
 * hvl_vq_should_notify() - does the driver want an interrupt for our pushes?
 * @vq: the queue, after one or more hvl_vq_push()
 *
 * Honours used_event with VIRTIO_RING_F_EVENT_IDX, else the
 * VRING_AVAIL_F_NO_INTERRUPT flag.  Counts the answer in the statistics.
 *
 * Return: true if the caller should interrupt the driver.
 */
bool hvl_vq_should_notify(struct hvl_vq *vq)
{
	bool notify;

	if (!vq->ready)
		return false;

	/*
	 * Our used->idx must be visible before we read the driver's wishes,
	 * and the driver re-checks used->idx after publishing them: one of
	 * us sees the other, so no completion goes unnoticed.
	 */
	mb();

	if (vq->event_idx) {
		u16 old = vq->signalled_used, new = vq->used_idx;
		bool valid = vq->signalled_valid;

		vq->signalled_used = new;
		vq->signalled_valid = true;
		notify = !valid ||
			 vring_need_event(rd16(&vring_used_event(vq)), new, old);
	} else {
		notify = !(rd16(&vq->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
	}

	if (notify)
		vq->stats.notifies++;
	else
		vq->stats.suppressed++;
	return notify;
}
EXPORT_SYMBOL_GPL(hvl_vq_should_notify);

/**
 * hvl_vq_disable_notify() - ask the driver not to ring for new buffers
 * @vq: the queue
 *
 * Only a hint; the driver may ring anyway.  With EVENT_IDX this does
 * nothing: avail_event simply stays behind until hvl_vq_enable_notify().
 */
void hvl_vq_disable_notify(struct hvl_vq *vq)
{
	if (!vq->ready || vq->event_idx)
		return;
	/* NO_NOTIFY is the only used->flags bit, and we own the field. */
	wr16(&vq->used->flags, VRING_USED_F_NO_NOTIFY);
}
EXPORT_SYMBOL_GPL(hvl_vq_disable_notify);

/**
 * hvl_vq_enable_notify() - ask the driver to ring for new buffers again
 * @vq: the queue
 *
 * Return: true if buffers became available meanwhile, which the driver
 * may not ring for: the caller must then pop again rather than sleep.
 */
bool hvl_vq_enable_notify(struct hvl_vq *vq)
{
	if (!vq->ready)
		return false;

	if (vq->event_idx)
		wr16(&vring_avail_event(vq), vq->last_avail);
	else
		wr16(&vq->used->flags, 0);

	/*
	 * A driver that published a buffer before seeing this store did not
	 * ring; the store must be visible before we look at avail->idx so
	 * that either it rings or we see the buffer.
	 */
	mb();
	return hvl_vq_has_work(vq);
}
EXPORT_SYMBOL_GPL(hvl_vq_enable_notify);

/**
 * hvl_vq_has_work() - has the driver made buffers available?
 * @vq: the queue
 *
 * Return: true if the queue is ready, not broken, and avail->idx has
 * moved past what we popped.  hvl_vq_pop() does the validation.
 */
bool hvl_vq_has_work(struct hvl_vq *vq)
{
	return note_avail(vq) && vq->avail_seen != vq->last_avail;
}
EXPORT_SYMBOL_GPL(hvl_vq_has_work);

/**
 * hvl_vq_defer() - leave what the driver made available for later
 * @vq: a queue whose buffers the device fills only when it has something
 *	for the driver (receive buffers), which it has not now
 *
 * Notes avail->idx as read, so that hvl_bus_peer_news() does not run the
 * device's work item for these buffers on every doorbell the peer rings
 * for another queue or device: a driver refills its receive queue as it
 * consumes, so without this a console that sent once and then idled ran
 * on every doorbell of the window, for nothing.  The buffers are old news
 * now; the device kicks itself when it has something, and that run pops
 * them.  Work item context.
 */
void hvl_vq_defer(struct hvl_vq *vq)
{
	note_avail(vq);
}
EXPORT_SYMBOL_GPL(hvl_vq_defer);

/**
 * hvl_chain_out_iter() - iterate over the device-readable part of a chain
 * @c: a popped chain
 * @it: initialised as an ITER_SOURCE for copy_from_iter()
 *
 * The peer can change the data under us: copy it out before parsing it.
 */
void hvl_chain_out_iter(const struct hvl_chain *c, struct iov_iter *it)
{
	iov_iter_kvec(it, ITER_SOURCE, c->iov, c->nr_out, c->out_len);
}
EXPORT_SYMBOL_GPL(hvl_chain_out_iter);

/**
 * hvl_chain_in_iter() - iterate over the device-writable part of a chain
 * @c: a popped chain
 * @it: initialised as an ITER_DEST for copy_to_iter()
 */
void hvl_chain_in_iter(const struct hvl_chain *c, struct iov_iter *it)
{
	iov_iter_kvec(it, ITER_DEST, c->iov + c->nr_out, c->nr_in, c->in_len);
}
EXPORT_SYMBOL_GPL(hvl_chain_in_iter);
