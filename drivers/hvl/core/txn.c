// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtio-mmio register file of one device, as a state machine driven
 * by register-write transactions (Documentation/hvl/protocol.rst).
 *
 * Nobody traps the peer's accesses, so the register page is an image that
 * only we write, and the peer's writes arrive as (offset, width, value)
 * messages in struct hvl_txn.  Each message is read exactly once, applied
 * here, the image is refreshed, and only then acknowledged: a driver that
 * sees its ack can read every select-dependent register.  All of this runs
 * in the device's work item under hvl_core_dev.lock.
 */
#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "core.h"

/* Transport features every hvl device offers. */
#define TRANSPORT_FEATURES (BIT_ULL(VIRTIO_F_VERSION_1) |		\
			    BIT_ULL(VIRTIO_F_ACCESS_PLATFORM) |	\
			    BIT_ULL(VIRTIO_RING_F_EVENT_IDX) |		\
			    BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC))

static void put32(struct hvl_core_dev *cd, unsigned int off, u32 v)
{
	WRITE_ONCE(*(__le32 *)(cd->page + off), cpu_to_le32(v));
}

static void put64(struct hvl_core_dev *cd, unsigned int off, u64 v)
{
	put32(cd, off, lower_32_bits(v));
	put32(cd, off + 4, upper_32_bits(v));
}

static struct hvl_vq *selected(struct hvl_core_dev *cd)
{
	if (cd->qsel >= cd->hdev.num_queues)
		return NULL;
	return &cd->hdev.vqs[cd->qsel];
}

/**
 * hvl_txn_publish() - rewrite the register image from our state
 * @cd: the device
 *
 * Called after every transaction and every device-side change (interrupt,
 * config change, needs-reset).  Rewriting the whole image is ~25 stores
 * and keeps every select-dependent register consistent by construction.
 */
void hvl_txn_publish(struct hvl_core_dev *cd)
{
	struct hvl_device *hdev = &cd->hdev;
	struct hvl_vq *vq = selected(cd);
	struct hvl_qregs *q = vq ? &cd->qregs[cd->qsel] : NULL;
	u32 features = 0;
	unsigned long flags;

	if (cd->dfsel < 2)
		features = cd->dfsel ? upper_32_bits(hdev->host_features) :
				       lower_32_bits(hdev->host_features);

	put32(cd, VIRTIO_MMIO_MAGIC_VALUE, ('v' | 'i' << 8 | 'r' << 16 | 't' << 24));
	put32(cd, VIRTIO_MMIO_VERSION, 2);
	put32(cd, VIRTIO_MMIO_DEVICE_ID, cd->drv ? hdev->device_id : 0);
	put32(cd, VIRTIO_MMIO_VENDOR_ID, HVL_VENDOR_ID);
	put32(cd, VIRTIO_MMIO_DEVICE_FEATURES, features);
	put32(cd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, cd->dfsel);
	put32(cd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, cd->gfsel);
	put32(cd, VIRTIO_MMIO_DRIVER_FEATURES, cd->gfsel < 2 ?
	      (u32)(hdev->guest_features >> (32 * cd->gfsel)) : 0);
	put32(cd, VIRTIO_MMIO_QUEUE_SEL, cd->qsel);
	put32(cd, VIRTIO_MMIO_QUEUE_NUM_MAX, vq ? vq->num_max : 0);
	put32(cd, VIRTIO_MMIO_QUEUE_NUM, q ? q->num : 0);
	put32(cd, VIRTIO_MMIO_QUEUE_READY, vq ? vq->ready : 0);
	put64(cd, VIRTIO_MMIO_QUEUE_DESC_LOW, q ? q->desc : 0);
	put64(cd, VIRTIO_MMIO_QUEUE_AVAIL_LOW, q ? q->avail : 0);
	put64(cd, VIRTIO_MMIO_QUEUE_USED_LOW, q ? q->used : 0);
	put32(cd, VIRTIO_MMIO_SHM_SEL, cd->shmsel);
	/* No shared memory regions: length all-ones means "absent". */
	put64(cd, VIRTIO_MMIO_SHM_LEN_LOW, ~0ULL);
	put64(cd, VIRTIO_MMIO_SHM_BASE_LOW, ~0ULL);

	spin_lock_irqsave(&cd->isr_lock, flags);
	put32(cd, VIRTIO_MMIO_INTERRUPT_STATUS, cd->isr);
	put32(cd, VIRTIO_MMIO_STATUS, hdev->status);
	put32(cd, VIRTIO_MMIO_CONFIG_GENERATION, cd->config_gen);
	spin_unlock_irqrestore(&cd->isr_lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(hvl_txn_publish);

/**
 * hvl_txn_reset() - virtio device reset
 * @cd: the device
 *
 * Stops the backend first (it must not touch the rings afterwards), then
 * forgets negotiation and queue state.  The interrupt status is cleared;
 * the config generation keeps counting so a driver never sees it repeat.
 *
 * hvl_device_ready() turns false before the backend's ->reset() runs:
 * backends take work from any context after checking it (vsock's
 * send_pkt()), and what they queue after ->reset() has purged would
 * outlive the reset.  ->reset() waits for such callers (RCU) if needed,
 * or purges under a lock under which they look (vsock).
 */
void hvl_txn_reset(struct hvl_core_dev *cd)
{
	struct hvl_device *hdev = &cd->hdev;
	bool was_active = cd->active;
	unsigned int i;

	lockdep_assert_held(&cd->lock);

	WRITE_ONCE(cd->active, false);
	if (was_active && cd->drv && cd->drv->reset)
		cd->drv->reset(hdev);
	for (i = 0; i < hdev->num_queues; i++) {
		hvl_vq_reset(&hdev->vqs[i]);
		cd->qregs[i] = (struct hvl_qregs){};
	}
	hdev->guest_features = 0;
	cd->dfsel = 0;
	cd->gfsel = 0;
	cd->qsel = 0;
	cd->shmsel = 0;
	spin_lock_irq(&cd->isr_lock);
	hdev->status = 0;
	cd->isr = 0;
	spin_unlock_irq(&cd->isr_lock);
	hdev->stats.resets++;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_txn_reset);

/**
 * hvl_device_feature() - was a feature negotiated?
 * @hdev: the device
 * @bit: the feature bit
 *
 * The bits the peer writes to DriverFeatures mean nothing until it sets
 * FEATURES_OK and we accept it: before that, or with FEATURES_OK refused,
 * guest_features holds whatever the peer wrote, offered or not.  Device
 * modules test their features with this, never guest_features itself.
 * Called from the device's work item (->activate(), ->config_write(),
 * ->poll()), where the negotiation cannot change under it.
 *
 * Return: true if FEATURES_OK is set and @bit was both offered and
 * accepted.
 */
bool hvl_device_feature(const struct hvl_device *hdev, unsigned int bit)
{
	u64 f;

	if (bit >= 64)
		return false;
	f = BIT_ULL(bit);
	return (READ_ONCE(hdev->status) & VIRTIO_CONFIG_S_FEATURES_OK) &&
	       (hdev->host_features & f) && (hdev->guest_features & f);
}
EXPORT_SYMBOL_GPL(hvl_device_feature);

static enum hvl_txn_status set_status(struct hvl_core_dev *cd, u32 val)
{
	struct hvl_device *hdev = &cd->hdev;
	u32 old = hdev->status, added;
	u64 want = hdev->guest_features;
	unsigned int i;
	int ret;

	if (!val) {
		hvl_txn_reset(cd);
		return HVL_TXN_OK;
	}
	if (val > 0xff)
		return HVL_TXN_EINVAL;
	/* Bits only accumulate until a reset; NEEDS_RESET is ours to set. */
	if ((old & ~VIRTIO_CONFIG_S_NEEDS_RESET) & ~val)
		return HVL_TXN_EINVAL;
	added = val & ~old & ~VIRTIO_CONFIG_S_NEEDS_RESET;

	if (added & VIRTIO_CONFIG_S_FEATURES_OK) {
		if ((want & ~hdev->host_features) ||
		    !(want & BIT_ULL(VIRTIO_F_VERSION_1)))
			added &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	if ((added & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !((old | added) & VIRTIO_CONFIG_S_FEATURES_OK))
		return HVL_TXN_ESTATE;

	spin_lock_irq(&cd->isr_lock);
	hdev->status = old | added;
	spin_unlock_irq(&cd->isr_lock);

	if ((added & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(old & VIRTIO_CONFIG_S_NEEDS_RESET)) {
		/*
		 * Ring memory may be reused from an earlier session: do not
		 * inherit its NO_NOTIFY flag or a stale avail_event.
		 */
		for (i = 0; i < hdev->num_queues; i++)
			if (hdev->vqs[i].ready)
				hvl_vq_enable_notify(&hdev->vqs[i]);
		ret = cd->drv->activate ? cd->drv->activate(hdev) : 0;
		if (ret)
			hvl_device_needs_reset(hdev, "backend failed to start");
		else
			WRITE_ONCE(cd->active, true);
	}
	return HVL_TXN_OK;
}

static enum hvl_txn_status set_queue_ready(struct hvl_core_dev *cd, u32 val)
{
	struct hvl_device *hdev = &cd->hdev;
	struct hvl_vq *vq = selected(cd);
	struct hvl_qregs *q;
	int ret;

	if (!vq || val > 1)
		return HVL_TXN_EINVAL;
	if (!val) {
		if (hdev->status & VIRTIO_CONFIG_S_DRIVER_OK)
			return HVL_TXN_ESTATE;
		hvl_vq_reset(vq);
		return HVL_TXN_OK;
	}
	if (vq->ready)
		return HVL_TXN_OK;
	/*
	 * Nor does one start after DRIVER_OK: ->activate() ran without it,
	 * and without VIRTIO_F_RING_RESET (never offered) no driver may.
	 */
	if (hdev->status & VIRTIO_CONFIG_S_DRIVER_OK)
		return HVL_TXN_ESTATE;
	if (!(hdev->status & VIRTIO_CONFIG_S_FEATURES_OK))
		return HVL_TXN_ESTATE;

	q = &cd->qregs[cd->qsel];
	ret = hvl_vq_init(vq, &hdev->win->xlate, cd->qsel, q->num, q->desc,
			  q->avail, q->used,
			  hdev->guest_features & BIT_ULL(VIRTIO_RING_F_EVENT_IDX),
			  hdev->guest_features & BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC));
	if (ret == -EFAULT) {
		dev_err_ratelimited(&hdev->dev,
				    "queue %u: rings outside the window (desc %#llx avail %#llx used %#llx num %u)\n",
				    cd->qsel, q->desc, q->avail, q->used, q->num);
		return HVL_TXN_EFAULT;
	}
	return ret ? HVL_TXN_EINVAL : HVL_TXN_OK;
}

/* Queue registers: only for an existing queue that is not live yet. */
static enum hvl_txn_status set_queue_reg(struct hvl_core_dev *cd, u32 off,
					 u32 val)
{
	struct hvl_vq *vq = selected(cd);
	struct hvl_qregs *q;
	u64 *addr;

	if (!vq)
		return HVL_TXN_EINVAL;
	if (vq->ready || (cd->hdev.status & VIRTIO_CONFIG_S_DRIVER_OK))
		return HVL_TXN_ESTATE;
	q = &cd->qregs[cd->qsel];

	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		if (!val || val > vq->num_max || !is_power_of_2(val))
			return HVL_TXN_EINVAL;
		q->num = val;
		return HVL_TXN_OK;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		addr = &q->desc;
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		addr = &q->avail;
		break;
	default:
		addr = &q->used;
		break;
	}
	if (off & 4)
		*addr = (*addr & 0xffffffffULL) | (u64)val << 32;
	else
		*addr = (*addr & ~0xffffffffULL) | val;
	return HVL_TXN_OK;
}

static enum hvl_txn_status set_config(struct hvl_core_dev *cd, u32 off,
				      u32 width, u32 val)
{
	struct hvl_device *hdev = &cd->hdev;
	u8 *cfg = hdev->config;

	off -= HVL_CONFIG_OFFSET;
	if (off >= hdev->config_size || width > hdev->config_size - off ||
	    !IS_ALIGNED(off, width))
		return HVL_TXN_EINVAL;
	if (!cd->drv->config_write ||
	    cd->drv->config_write(hdev, off, width, val))
		return HVL_TXN_EINVAL;

	switch (width) {
	case 1:
		WRITE_ONCE(cfg[off], val);
		break;
	case 2:
		WRITE_ONCE(*(__le16 *)(cfg + off), cpu_to_le16(val));
		break;
	default:
		WRITE_ONCE(*(__le32 *)(cfg + off), cpu_to_le32(val));
		break;
	}
	return HVL_TXN_OK;
}

/**
 * hvl_txn_write() - apply one register write from the peer
 * @cd: the device
 * @offset: register offset, or config offset >= HVL_CONFIG_OFFSET
 * @width: 1, 2 or 4 (registers: 4 only)
 * @value: the value
 *
 * Return: the status to acknowledge with.  The image is not refreshed
 * here; hvl_txn_serve() does that once per transaction.
 */
enum hvl_txn_status hvl_txn_write(struct hvl_core_dev *cd, u32 offset,
				  u32 width, u32 value)
{
	struct hvl_device *hdev = &cd->hdev;

	lockdep_assert_held(&cd->lock);

	if (width != 1 && width != 2 && width != 4)
		return HVL_TXN_EINVAL;
	/* Without a backend the device is a placeholder (DeviceID 0). */
	if (!cd->drv && !(offset == VIRTIO_MMIO_STATUS && !value))
		return HVL_TXN_ESTATE;
	/*
	 * After a fatal error only a reset is accepted (and the ACK of the
	 * interrupt that said so): not a configuration write either, which
	 * would reach the backend's config_write() of a broken device.
	 */
	if ((hdev->status & VIRTIO_CONFIG_S_NEEDS_RESET) &&
	    !(offset == VIRTIO_MMIO_STATUS && !value) &&
	    offset != VIRTIO_MMIO_INTERRUPT_ACK)
		return HVL_TXN_ESTATE;
	if (offset >= HVL_CONFIG_OFFSET && offset < HVL_TXN_OFFSET)
		return set_config(cd, offset, width, value);
	if (width != 4)
		return HVL_TXN_EINVAL;

	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		cd->dfsel = value;
		return HVL_TXN_OK;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		cd->gfsel = value;
		return HVL_TXN_OK;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (hdev->status & VIRTIO_CONFIG_S_FEATURES_OK)
			return HVL_TXN_ESTATE;
		if (cd->gfsel >= 2)
			return value ? HVL_TXN_EINVAL : HVL_TXN_OK;
		if (cd->gfsel)
			hdev->guest_features = (u32)hdev->guest_features |
					       (u64)value << 32;
		else
			hdev->guest_features = (hdev->guest_features &
						~0xffffffffULL) | value;
		return HVL_TXN_OK;
	case VIRTIO_MMIO_QUEUE_SEL:
		cd->qsel = value;
		return HVL_TXN_OK;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		return set_queue_reg(cd, offset, value);
	case VIRTIO_MMIO_QUEUE_READY:
		return set_queue_ready(cd, value);
	case VIRTIO_MMIO_INTERRUPT_ACK:
		spin_lock_irq(&cd->isr_lock);
		cd->isr &= ~value;
		spin_unlock_irq(&cd->isr_lock);
		return HVL_TXN_OK;
	case VIRTIO_MMIO_STATUS:
		return set_status(cd, value);
	case VIRTIO_MMIO_SHM_SEL:
		cd->shmsel = value;
		return HVL_TXN_OK;
	default:
		return HVL_TXN_EINVAL;
	}
}
EXPORT_SYMBOL_IF_KUNIT(hvl_txn_write);

/*
 * Serve transaction @seq, if it is new.  @stale: the peer restarted since
 * we last looked, so the transaction may be its predecessor's (see
 * hvl_txn_serve()): only a reset is applied, anything else is
 * acknowledged as refused.  The caller read @seq before a read barrier.
 */
static bool serve(struct hvl_core_dev *cd, u32 seq, bool stale)
{
	struct hvl_txn *t = cd->txn;
	enum hvl_txn_status st;
	u32 off, width, val;

	lockdep_assert_held(&cd->lock);

	if (seq == cd->last_seq)
		return false;
	off = le32_to_cpu(READ_ONCE(t->offset));
	width = le32_to_cpu(READ_ONCE(t->width));
	val = le32_to_cpu(READ_ONCE(t->value));

	if (stale && !(off == VIRTIO_MMIO_STATUS && width == 4 && !val))
		st = HVL_TXN_ESTATE;
	else
		st = hvl_txn_write(cd, off, width, val);
	cd->hdev.stats.txns++;
	if (st != HVL_TXN_OK) {
		cd->hdev.stats.txn_errors++;
		dev_dbg_ratelimited(&cd->hdev.dev,
				    "refused %swrite %#x (width %u) = %#x: %d\n",
				    stale ? "stale " : "", off, width, val, st);
	}
	hvl_txn_publish(cd);

	WRITE_ONCE(t->ack_status, cpu_to_le32(st));
	/* The image and status must be visible before the ack. */
	hvl_map_wmb(&cd->hdev.win->xlate);
	WRITE_ONCE(t->ack_seq, cpu_to_le32(seq));
	WRITE_ONCE(cd->last_seq, seq);	/* see hvl_bus_peer_news() */
	return true;
}

/**
 * hvl_txn_serve() - act on what the peer posted: a restart, a transaction
 * @cd: the device
 * @seq: the transaction sequence number read from the register page
 * @gen: peer_gen read from the window header *after* @seq
 *
 * A new @gen voids whatever the old driver side negotiated: the device
 * is reset (Documentation/hvl/protocol.rst).  Transaction @seq, if
 * unanswered, may then be the old driver's, sent before it died, which
 * must not be applied to the new session, or the new driver's first,
 * which the protocol requires to be a reset (Status=0).  We cannot tell
 * which, so a reset is applied (it changes nothing that the restart did
 * not) and anything else is acknowledged as refused.
 *
 * It can only be the new driver's first: the driver stores peer_gen
 * before its first seq, and @gen was read after @seq, so a transaction
 * of the new driver's is never served under the old generation.  Read
 * the other way round, its first could be (its peer_gen not yet seen),
 * and its second then be refused as stale once we saw peer_gen.
 *
 * Return: true if the peer must be interrupted (the image changed or a
 * transaction was acknowledged).
 */
VISIBLE_IF_KUNIT bool hvl_txn_serve(struct hvl_core_dev *cd, u32 seq, u32 gen)
{
	bool changed = false;

	lockdep_assert_held(&cd->lock);

	if (gen == cd->peer_gen)
		return serve(cd, seq, false);
	WRITE_ONCE(cd->peer_gen, gen);
	if (cd->hdev.status) {
		hvl_txn_reset(cd);
		hvl_txn_publish(cd);
		changed = true;
	}
	return serve(cd, seq, true) || changed;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_txn_serve);

/*
 * The driver side's peer_gen.  One function so that a KUnit stub can play
 * a peer that restarts right after we read it.
 */
VISIBLE_IF_KUNIT u32 hvl_txn_peer_gen(struct hvl_core_dev *cd)
{
	KUNIT_STATIC_STUB_REDIRECT(hvl_txn_peer_gen, cd);
	return le32_to_cpu(READ_ONCE(cd->hdev.win->hdr->peer_gen));
}
EXPORT_SYMBOL_IF_KUNIT(hvl_txn_peer_gen);

/**
 * hvl_txn_run() - serve the peer's restart and pending transaction, if any
 * @cd: the device
 *
 * Return: true if the peer must be interrupted.
 */
bool hvl_txn_run(struct hvl_core_dev *cd)
{
	u32 seq, gen;

	seq = le32_to_cpu(READ_ONCE(cd->txn->seq));
	/*
	 * Pairs with the driver's barrier before it stores seq: the
	 * payload, and peer_gen (see hvl_txn_serve()), are read after it.
	 */
	hvl_map_rmb(&cd->hdev.win->xlate);
	gen = hvl_txn_peer_gen(cd);
	return hvl_txn_serve(cd, seq, gen);
}
EXPORT_SYMBOL_IF_KUNIT(hvl_txn_run);

/**
 * hvl_txn_bind() - attach or detach the backend driver
 * @cd: the device
 * @drv: the driver, or NULL on unbind
 *
 * Resets the device either way: a driver must never inherit a negotiation
 * made with another backend, and the feature set changes with @drv.
 */
void hvl_txn_bind(struct hvl_core_dev *cd, struct hvl_driver *drv)
{
	u64 f = drv ? drv->features & cd->dt_features : 0;

	lockdep_assert_held(&cd->lock);

	hvl_txn_reset(cd);
	cd->drv = drv;
	if (drv && drv->offer)
		f &= drv->offer(&cd->hdev, f);
	cd->hdev.host_features = TRANSPORT_FEATURES | f;
	hvl_txn_publish(cd);
}
EXPORT_SYMBOL_IF_KUNIT(hvl_txn_bind);

/**
 * hvl_txn_init() - set up the register state of a device
 * @cd: the device, with hdev.vqs allocated
 * @page: its register page in the window
 * @nq: number of queues
 *
 * Adopts the transaction sequence found in the page so that a stale,
 * already acknowledged request is not replayed, and acknowledges an
 * unanswered one as refused (the peer that sent it is from before us).
 * Then the peer generation, read after seq as hvl_txn_run() does: read
 * before, a driver restarting in between would have its first
 * transaction refused here and its second as stale.
 */
void hvl_txn_init(struct hvl_core_dev *cd, void *page, unsigned int nq)
{
	unsigned int i;

	cd->page = page;
	cd->txn = page + HVL_TXN_OFFSET;
	cd->hdev.config = page + HVL_CONFIG_OFFSET;
	cd->hdev.num_queues = nq;
	for (i = 0; i < nq; i++) {
		cd->hdev.vqs[i].num_max = cd->queue_max[i];
		cd->hdev.vqs[i].index = i;
	}
	cd->hdev.host_features = TRANSPORT_FEATURES;
	WRITE_ONCE(cd->last_seq, le32_to_cpu(READ_ONCE(cd->txn->seq)));
	hvl_map_rmb(&cd->hdev.win->xlate);
	WRITE_ONCE(cd->peer_gen, hvl_txn_peer_gen(cd));
	WRITE_ONCE(cd->txn->ack_status, cpu_to_le32(HVL_TXN_ESTATE));
	hvl_map_wmb(&cd->hdev.win->xlate);
	WRITE_ONCE(cd->txn->ack_seq, cpu_to_le32(cd->last_seq));
	memset(cd->page + HVL_CONFIG_OFFSET, 0, HVL_CONFIG_SIZE);
	hvl_txn_publish(cd);
}
EXPORT_SYMBOL_IF_KUNIT(hvl_txn_init);
