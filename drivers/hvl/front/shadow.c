// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvl_front shadow rings: the split rings virtio_ring walks live in
 * private memory, and the device side only ever sees a copy in the window.
 *
 * virtio_ring trusts what it reads back from a ring: detach_buf_split()
 * follows the NEXT flags of the descriptor table, so a device side that
 * sets NEXT on every descriptor and returns one buffer makes it loop for
 * ever with the driver's lock held (the hvc lock, interrupts off).  A
 * front-end that serves a partition which does not trust us must not let
 * the window's contents steer the virtio core, so each queue has two rings
 * of the same size:
 *
 *   private  allocated here, handed to vring_new_virtqueue(); the stock
 *	      driver and virtio_ring use it as they would any split ring;
 *   public   in the restricted DMA pool, its addresses given to the device
 *	      side; written by the front-end (descriptors, avail) and by the
 *	      device side (used).
 *
 * On a notification the chains made available in the private ring are
 * copied to the public one (publish()); on a doorbell the public used
 * entries are brought back (hvl_front_vq_take_used()) only if the id is a
 * head the device side holds and the length fits the chain's writable
 * bytes.  Anything else is refused, counted, and breaks the queue.
 *
 * Event index: the driver never sees VIRTIO_RING_F_EVENT_IDX (vdev.c
 * hides it), so virtio_ring notifies on every kick and expects a callback
 * for every used buffer; the front-end runs the event index of the public
 * ring itself: it rings the doorbell only when the device side asked
 * (avail_event), and always asks to be interrupted for the next used entry.
 * Indirect descriptors are not hidden: virtio_ring keeps its tables
 * private and the DMA API bounces a copy into the window, which the device
 * side may rewrite; the front-end reads that copy only to bound used
 * lengths (indirect_in()), a bound only as good as the copy (trust.rst).
 *
 * virtio_console writes to an hvc with interrupts off and spins until the
 * device returns the buffer.  With a shared used ring that spin needs no
 * interrupt; with a shadow it needs hvl_front_vq_take_used() to run, which
 * a doorbell handled on that very CPU cannot do.  So a kick that makes
 * device-readable-only chains available with interrupts off waits here,
 * taking used entries itself, until the device side returned them (what a
 * live device side does at once) or the device is given up for dead.
 */
#include <linux/bitmap.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/ktime.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "front.h"

/* How long a kick with interrupts off waits for its buffers to return. */
#define SPIN_LIMIT_NS	(2 * NSEC_PER_SEC)

static u16 pub16(const __virtio16 *p)
{
	return le16_to_cpu((__force __le16)READ_ONCE(*p));
}

static void put16(__virtio16 *p, u16 v)
{
	WRITE_ONCE(*p, (__force __virtio16)cpu_to_le16(v));
}

/* The device side holds the chain at @head, @wlen writable bytes. */
static void hold(struct hvl_front_vq *sq, u16 head, u32 wlen)
{
	lockdep_assert_held(&sq->lock);

	__set_bit(head, sq->busy);
	sq->wlen[head] = wlen;
	sq->busy_out += !wlen;
	sq->out_seen |= !wlen;
	sq->in_seen |= !!wlen;
}

/* The chain at @head, held, goes back to the driver as used, @len bytes. */
static void give_back(struct hvl_front_vq *sq, u16 head, u32 len)
{
	lockdep_assert_held(&sq->lock);

	__clear_bit(head, sq->busy);
	sq->busy_out -= !sq->wlen[head];
	sq->priv.used->ring[sq->priv_used++ % sq->num] =
		(struct vring_used_elem){
			.id = (__force __virtio32)cpu_to_le32(head),
			.len = (__force __virtio32)cpu_to_le32(len),
		};
}

/* Announce the entries given back since @start; true if there were any. */
static bool used_done(struct hvl_front_vq *sq, u16 start)
{
	lockdep_assert_held(&sq->lock);

	if (sq->priv_used == start)
		return false;
	/* Pairs with virtio_ring's read barrier after used->idx. */
	smp_store_release(&sq->priv.used->idx,
			  (__force __virtio16)cpu_to_le16(sq->priv_used));
	return true;
}

/* Hand the driver its device-readable-only chains back, as if sent. */
static void complete_out(struct hvl_front_vq *sq)
{
	unsigned int head;
	u16 start = sq->priv_used;

	lockdep_assert_held(&sq->lock);

	for_each_set_bit(head, sq->busy, sq->num)
		if (!sq->wlen[head])
			give_back(sq, head, 0);
	used_done(sq, start);
}

/*
 * Stop trusting the device side with this queue: its used ring is read no
 * more, and every device-readable-only chain, held or made available
 * later, is handed back at once: the data goes nowhere, as on a UART
 * without a cable.  A queue that carried only chains the device answers
 * (9P requests, receive buffers) is broken at once, so that the driver's
 * next virtqueue_add() fails rather than waiting for an answer.  One that
 * carried device-readable-only chains is not: virtio_console's hvc write
 * spins until its buffer is used or the queue broken, and on a break it
 * frees the buffer it left in the queue, which virtcons_remove() then
 * frees again; a break between its virtqueue_add_outbuf() and its kick
 * would do that.  Nor is a queue that carried nothing yet: the next kick
 * of a chain the device would answer breaks it (notify()).
 */
static void quarantine(struct hvl_front_vq *sq)
{
	lockdep_assert_held(&sq->lock);

	sq->quarantined = true;
	complete_out(sq);
	if (sq->in_seen && !sq->out_seen)
		__virtqueue_break(sq->vq);
}

/* Count, say why (once: the queue is given up after it) and give up. */
static __printf(2, 3) void refuse(struct hvl_front_vq *sq, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	lockdep_assert_held(&sq->lock);

	sq->refused++;
	if (!sq->quarantined) {
		va_start(args, fmt);
		vaf.fmt = fmt;
		vaf.va = &args;
		dev_err_ratelimited(&sq->vd->vdev.dev, "queue %u: %pV",
				    sq->vq->index, &vaf);
		va_end(args);
	}
	quarantine(sq);
}

/*
 * The device-writable bytes of an indirect table.  virtio_ring keeps its
 * own table private; what the device side reads is the DMA API's bounce
 * copy in the restricted pool, made when the chain was added, which the
 * device side could rewrite before it is read here: for indirect chains
 * the length bound is only as good as the copy (trust.rst).  A table
 * that is not in the pool, or not a whole number of descriptors, bounds
 * nothing: 0, so that any used length is refused.
 */
static u64 indirect_in(struct hvl_front_vq *sq, u64 addr, u32 len)
{
	phys_addr_t phys = dma_to_phys(sq->vd->front->dev, addr);
	const struct hvl_front *f = sq->vd->front;
	const struct vring_desc *t;
	u64 in = 0;
	u32 i;

	if (!len || len % sizeof(*t) || phys < f->pool_base ||
	    phys - f->pool_base >= f->pool_size ||
	    len > f->pool_size - (phys - f->pool_base))
		return 0;
	t = phys_to_virt(phys);
	for (i = 0; i < len / sizeof(*t); i++)
		if (le16_to_cpu((__force __le16)READ_ONCE(t[i].flags)) &
		    VRING_DESC_F_WRITE)
			in += le32_to_cpu((__force __le32)READ_ONCE(t[i].len));
	return in;
}

/*
 * Copy the chain at @head into the public descriptor table and return its
 * device-writable bytes.  The private table is virtio_ring's, so a bad
 * link is a driver bug; still, it is bounded and refused, not followed.
 */
static int walk_chain(struct hvl_front_vq *sq, u16 head, u32 *wlen, bool copy)
{
	u64 in = 0;
	u16 i = head, n;

	for (n = 0; n < sq->num; n++) {
		const struct vring_desc *d = &sq->priv.desc[i];
		u16 flags = le16_to_cpu((__force __le16)d->flags);
		u16 next = le16_to_cpu((__force __le16)d->next);

		if (flags & VRING_DESC_F_INDIRECT) {
			if (n || (flags & VRING_DESC_F_NEXT))
				return -EINVAL;
			in = indirect_in(sq, le64_to_cpu((__force __le64)d->addr),
					 le32_to_cpu((__force __le32)d->len));
		} else if (flags & VRING_DESC_F_WRITE) {
			in += le32_to_cpu((__force __le32)d->len);
		}
		if (copy) {
			WRITE_ONCE(sq->pub.desc[i].addr, d->addr);
			WRITE_ONCE(sq->pub.desc[i].len, d->len);
			WRITE_ONCE(sq->pub.desc[i].flags, d->flags);
			WRITE_ONCE(sq->pub.desc[i].next, d->next);
		}
		if (!(flags & VRING_DESC_F_NEXT)) {
			*wlen = min_t(u64, in, U32_MAX);
			return 0;
		}
		if (next >= sq->num)
			return -EINVAL;
		i = next;
	}
	return -ELOOP;
}

/* The head of the driver's next available chain, not yet looked at. */
static u16 priv_avail_head(struct hvl_front_vq *sq)
{
	return le16_to_cpu((__force __le16)
			   sq->priv.avail->ring[sq->priv_avail % sq->num]);
}

/* What the driver made available up to now. */
static u16 priv_avail_idx(struct hvl_front_vq *sq)
{
	__virtio16 vidx;

	/* Pairs with virtio_ring's write barrier before avail->idx. */
	vidx = smp_load_acquire(&sq->priv.avail->idx);
	return le16_to_cpu((__force __le16)vidx);
}

/*
 * A given-up queue or a dead device: hand device-readable-only chains
 * back at once, keep the others (the driver gets them back from
 * virtqueue_detach_unused_buf()).  Return false if there were others.
 */
static bool drop(struct hvl_front_vq *sq)
{
	u16 avail = priv_avail_idx(sq), head;
	bool kept = false;
	u32 wlen;

	lockdep_assert_held(&sq->lock);

	for (; sq->priv_avail != avail; sq->priv_avail++) {
		head = priv_avail_head(sq);
		if (head >= sq->num || test_bit(head, sq->busy) ||
		    walk_chain(sq, head, &wlen, false))
			continue;
		hold(sq, head, wlen);
		kept |= wlen;
	}
	complete_out(sq);
	return !kept;
}

/* Publish what the driver made available; return true to ring. */
static bool publish(struct hvl_front_vq *sq)
{
	u16 old = sq->pub_avail, avail = priv_avail_idx(sq), head, event;
	u32 wlen;
	int ret;

	lockdep_assert_held(&sq->lock);

	for (; sq->priv_avail != avail; sq->priv_avail++) {
		head = priv_avail_head(sq);
		if (head >= sq->num || test_bit(head, sq->busy)) {
			refuse(sq, "driver made buffer %u available twice (ring of %u)\n",
			       head, sq->num);
			return false;
		}
		ret = walk_chain(sq, head, &wlen, true);
		if (ret) {
			refuse(sq, "driver's chain at %u is malformed (%d)\n",
			       head, ret);
			return false;
		}
		hold(sq, head, wlen);
		put16(&sq->pub.avail->ring[sq->pub_avail % sq->num], head);
		sq->pub_avail++;
		sq->published++;
	}
	if (sq->pub_avail == old)
		return false;

	/* Descriptors and entries before the index; not dma_wmb(): WC. */
	wmb();
	put16(&sq->pub.avail->idx, sq->pub_avail);
	/* The index out before the device side's wish is read. */
	mb();
	if (!sq->event_idx)
		return !(pub16(&sq->pub.used->flags) & VRING_USED_F_NO_NOTIFY);
	event = pub16(&vring_avail_event(&sq->pub));
	return vring_need_event(event, sq->pub_avail, old);
}

/**
 * hvl_front_vq_take_used() - bring validated used entries to the driver
 * @sq: the queue
 * @out_only: leave the entries of a queue that carried device-writable
 *	      chains where they are (a console on hold, vdev.c)
 *
 * Any context.  A used entry must name a head the device side holds, with
 * a length within that chain's device-writable bytes, and the used index
 * must not run ahead of what was made available; the first entry that is
 * not is refused and breaks the queue.
 *
 * Return: true if the driver has new used buffers.
 */
bool hvl_front_vq_take_used(struct hvl_front_vq *sq, bool out_only)
{
	unsigned long flags;
	u16 used, ahead, start;
	u32 id, len;
	bool more;

	spin_lock_irqsave(&sq->lock, flags);
	start = sq->priv_used;
	if (sq->quarantined || (out_only && sq->in_seen))
		goto out;
	do {
		used = pub16(&sq->pub.used->idx);
		/* The entries after the index that covers them. */
		rmb();
		ahead = used - sq->pub_used;
		if (ahead > sq->num) {
			refuse(sq, "used index %u runs %u entries ahead\n",
			       used, ahead);
			goto out;
		}
		for (; sq->pub_used != used; sq->pub_used++) {
			struct vring_used_elem *e =
				&sq->pub.used->ring[sq->pub_used % sq->num];

			id = le32_to_cpu((__force __le32)READ_ONCE(e->id));
			len = le32_to_cpu((__force __le32)READ_ONCE(e->len));
			if (id >= sq->num || !test_bit(id, sq->busy)) {
				refuse(sq, "used id %u is not a buffer the device holds (of %u)\n",
				       id, sq->num);
				goto out;
			}
			if (len > sq->wlen[id]) {
				refuse(sq, "used length %u exceeds the %u writable bytes\n",
				       len, sq->wlen[id]);
				goto out;
			}
			give_back(sq, id, len);
			sq->taken++;
		}
		if (!sq->event_idx)
			break;
		/*
		 * Interrupt me for the next entry, then look again: an entry
		 * written before the device side saw the new event index
		 * would ring no doorbell.
		 */
		put16(&vring_used_event(&sq->pub), sq->pub_used);
		/* The store before the reload. */
		mb();
	} while (pub16(&sq->pub.used->idx) != sq->pub_used);
out:
	more = used_done(sq, start);
	spin_unlock_irqrestore(&sq->lock, flags);
	return more;
}

/*
 * A kick whose caller cannot sleep and made device-readable-only chains
 * available: it may spin until they are used (virtio_console's hvc
 * write, interrupts off; its control messages, under a spinlock), and a
 * doorbell handled on its own CPU could not bring them back, so take the
 * used entries here, for at most SPIN_LIMIT_NS.  Not in softirq context:
 * network transmit paths do not spin, and must not wait.
 */
static bool caller_may_spin(void)
{
	return irqs_disabled() ||
	       ((preempt_count() & PREEMPT_MASK) && !softirq_count());
}

/*
 * Before the device is given up: how far we published, how far the
 * device side used, where it last asked to be rung (avail_event: its
 * index when it went idle) and our doorbells, so that the log tells a
 * device side that never ran again from one that was never rung.
 */
static void say_stuck(struct hvl_front_vq *sq)
{
	struct hvl_doorbell *db = &sq->vd->front->db;
	unsigned long flags;

	spin_lock_irqsave(&sq->lock, flags);
	dev_err(&sq->vd->vdev.dev,
		"queue %u: %u written buffer(s) held for %u ms (%s spinning on CPU %d): avail %u published, used %u by the device side, its avail_event %u%s; doorbells rung %lld (coalesced %lld), received %lld\n",
		sq->vq->index, sq->busy_out,
		(unsigned int)(SPIN_LIMIT_NS / NSEC_PER_MSEC), current->comm,
		smp_processor_id(), sq->pub_avail,
		pub16(&sq->pub.used->idx), pub16(&vring_avail_event(&sq->pub)),
		sq->event_idx ? "" : " (no EVENT_IDX)",
		atomic64_read(&db->rung), atomic64_read(&db->coalesced),
		atomic64_read(&db->received));
	spin_unlock_irqrestore(&sq->lock, flags);
}

static void wait_out(struct hvl_front_vq *sq)
{
	u64 end = ktime_get_mono_fast_ns() + SPIN_LIMIT_NS;

	while (READ_ONCE(sq->busy_out) && !READ_ONCE(sq->vd->held)) {
		/* Our doorbell may wait for this CPU, which does not return. */
		hvl_doorbell_spin(&sq->vd->front->db);
		hvl_front_vq_take_used(sq, false);
		if (ktime_get_mono_fast_ns() > end) {
			if (!READ_ONCE(sq->vd->dead))
				say_stuck(sq);
			hvl_front_vdev_kill(sq->vd, "device side holds written buffers");
		}
		if (READ_ONCE(sq->vd->dead)) {
			/* Hands the chains back: the caller's spin ends. */
			hvl_front_vq_give_up(sq);
			return;
		}
		cpu_relax();
	}
}

static bool notify(struct virtqueue *vq)
{
	struct hvl_front_vq *sq = vq->priv;
	struct hvl_front_vdev *vd = sq->vd;
	unsigned long flags;
	bool ring, ok;

	spin_lock_irqsave(&sq->lock, flags);
	if (READ_ONCE(vd->dead) && !sq->quarantined)
		quarantine(sq);
	if (sq->quarantined) {
		/* Chains the device would answer break the queue: see above. */
		ok = drop(sq);
		spin_unlock_irqrestore(&sq->lock, flags);
		return ok;
	}
	/* inject.c's "hold": the public ring is the injector's until reset. */
	ring = !READ_ONCE(vd->held) && publish(sq);
	spin_unlock_irqrestore(&sq->lock, flags);
	if (ring) {
		atomic64_inc(&vd->kicks);
		hvl_doorbell_ring(&vd->front->db);
	}
	if (READ_ONCE(sq->busy_out) && !READ_ONCE(vd->held) && caller_may_spin())
		wait_out(sq);
	return !virtqueue_is_broken(vq);
}

/**
 * hvl_front_vq_give_up() - the device side is dead: stop using the queue
 * @sq: the queue
 *
 * Any context.  See quarantine().
 */
void hvl_front_vq_give_up(struct hvl_front_vq *sq)
{
	unsigned long flags;

	spin_lock_irqsave(&sq->lock, flags);
	quarantine(sq);
	spin_unlock_irqrestore(&sq->lock, flags);
}

/**
 * hvl_front_vq_create() - a virtqueue on a private ring, and its public copy
 * @vd: the device
 * @index: queue index
 * @num: ring size, a power of two
 * @event_idx: VIRTIO_RING_F_EVENT_IDX is negotiated with the device side
 * @info: the driver's callback, name and context flag
 *
 * Return: the queue, or an ERR_PTR.
 */
struct hvl_front_vq *hvl_front_vq_create(struct hvl_front_vdev *vd,
					 unsigned int index, u16 num,
					 bool event_idx,
					 const struct virtqueue_info *info)
{
	struct device *dma_dev = vd->front->dev;
	struct hvl_front_vq *sq;
	size_t size = vring_size(num, SMP_CACHE_BYTES);

	sq = kzalloc(sizeof(*sq), GFP_KERNEL);
	if (!sq)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&sq->lock);
	sq->vd = vd;
	sq->num = num;
	sq->event_idx = event_idx;
	sq->busy = bitmap_zalloc(num, GFP_KERNEL);
	sq->wlen = kvcalloc(num, sizeof(*sq->wlen), GFP_KERNEL);
	sq->priv_mem = kvzalloc(size, GFP_KERNEL);
	if (!sq->busy || !sq->wlen || !sq->priv_mem)
		goto err_free;
	vring_init(&sq->priv, num, sq->priv_mem, SMP_CACHE_BYTES);

	sq->pub_size = size;
	sq->pub_mem = dma_alloc_coherent(dma_dev, size, &sq->pub_dma,
					 GFP_KERNEL);
	if (!sq->pub_mem)
		goto err_free;
	vring_init(&sq->pub, num, sq->pub_mem, SMP_CACHE_BYTES);

	/* Private memory, one CPU's view: weak barriers are right. */
	sq->vq = vring_new_virtqueue(index, num, SMP_CACHE_BYTES, &vd->vdev,
				     true, info->ctx, sq->priv_mem, notify,
				     info->callback, info->name);
	if (!sq->vq)
		goto err_pub;
	sq->vq->priv = sq;
	sq->vq->num_max = num;
	return sq;

err_pub:
	dma_free_coherent(dma_dev, size, sq->pub_mem, sq->pub_dma);
err_free:
	kvfree(sq->priv_mem);
	kvfree(sq->wlen);
	bitmap_free(sq->busy);
	kfree(sq);
	return ERR_PTR(-ENOMEM);
}

/**
 * hvl_front_vq_destroy() - free a queue and both its rings
 * @sq: the queue, no longer in hvl_front_vdev.vqs[], its device reset or dead
 */
void hvl_front_vq_destroy(struct hvl_front_vq *sq)
{
	/*
	 * vring_del_virtqueue() does not unmap the buffers a driver left in
	 * the queue: through the restricted DMA pool each keeps its slots for
	 * good.  virtio_vsock leaves its eight event buffers at every removal
	 * (the peer's 16 MiB pool was full after some 920 peer restarts);
	 * they live in its struct virtio_vsock until after del_vqs(), and its
	 * work items no longer touch the queue, so detach them, which unmaps.
	 * Only for vsock: unmapping a device-writable buffer copies its
	 * bounce slot, which the device side wrote, into the buffer, and
	 * other drivers leave buffers they already freed (9P the reply of a
	 * request never answered, or the unpinned user pages of a killed
	 * zero-copy read; virtio_net the reply of a control command whose
	 * queue broke).  Their slots stay mapped: a leak, not a write into
	 * freed memory.
	 */
	if (sq->vd->vdev.id.device == VIRTIO_ID_VSOCK)
		while (virtqueue_detach_unused_buf(sq->vq))
			;
	vring_del_virtqueue(sq->vq);
	dma_free_coherent(sq->vd->front->dev, sq->pub_size, sq->pub_mem,
			  sq->pub_dma);
	kvfree(sq->priv_mem);
	kvfree(sq->wlen);
	bitmap_free(sq->busy);
	kfree(sq);
}

/* The public ring's parts as bus addresses, for QueueDesc/Avail/Used. */
dma_addr_t hvl_front_vq_addr(const struct hvl_front_vq *sq, const void *part)
{
	return sq->pub_dma + (part - sq->pub_mem);
}

/**
 * hvl_front_vq_show() - the queue's counters, for debugfs
 * @sq: the queue
 * @s: the seq_file
 */
void hvl_front_vq_show(struct hvl_front_vq *sq, struct seq_file *s)
{
	unsigned long flags;

	spin_lock_irqsave(&sq->lock, flags);
	seq_printf(s, "  vq %u: num %u published %llu taken %llu held %u refused %llu%s%s\n",
		   sq->vq->index, sq->num, sq->published, sq->taken,
		   (u16)(sq->pub_avail - sq->pub_used), sq->refused,
		   sq->quarantined ? " given-up" : "",
		   virtqueue_is_broken(sq->vq) ? " broken" : "");
	/*
	 * The public ring as the window has it, for a queue that stalled:
	 * who waits for whose doorbell.  The device side's fields are
	 * whatever it wrote; they are only printed.
	 */
	seq_printf(s, "    avail %u used %u, window: used %u avail_event %u used_event %u\n",
		   sq->pub_avail, sq->pub_used, pub16(&sq->pub.used->idx),
		   pub16(&vring_avail_event(&sq->pub)),
		   pub16(&vring_used_event(&sq->pub)));
	spin_unlock_irqrestore(&sq->lock, flags);
}
