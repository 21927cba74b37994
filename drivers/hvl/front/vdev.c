// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvl virtio transport, driver side: one virtio device per entry of an hvl
 * window's device table, so that unmodified virtio drivers (virtio_console,
 * vsock, 9p, ...) use the backends of the peer's device side.
 *
 * The devices are instantiated by hvl_front's platform driver (main.c)
 * from a Device Tree node, eg.:
 *
 *		virtio-frontend {
 *			compatible = "hvl,virtio-frontend";
 *			memory-region = <&hvl_regs>, <&hvl_pool>;
 *			mboxes = <&hvl_mbox 1>;
 *		};
 *
 * One device is registered for every table entry with a non-zero device_id
 * once the device side is READY.  Its parent is the platform device, whose
 * DMA goes through the restricted DMA pool in the window, so with
 * VIRTIO_F_ACCESS_PLATFORM (required) every ring and buffer lives where
 * the device side can reach it.
 *
 * The register page is the virtio-mmio register image: reads are plain
 * loads, writes are transactions acknowledged by the device (see
 * Documentation/hvl/protocol.rst).  Transactions sleep, as virtio_ccw's
 * channel programs do.  A transaction that is not acknowledged within
 * TXN_TIMEOUT, or that finds the device side gone, makes the device dead:
 * its queues are broken and every later transaction fails at once, so
 * removing a device whose backend vanished never hangs.
 */
#include <linux/device.h>
#include <linux/jiffies.h>
#include <linux/kstrtox.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/rculist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <uapi/linux/virtio_mmio.h>

#include "front.h"

#define TXN_TIMEOUT	(2 * HZ)

/* How long a new device waits for the reaper's removals (wait_gone()). */
#define LEAVE_WAIT	(5 * HZ)

/*
 * Consecutive reads of ConfigGeneration that may each see a new value.
 * __virtio_cread_many() retries until two reads agree; past this the
 * device is dead and the value stops changing.
 */
#define CFG_GEN_CHANGES	64

static unsigned int setup_budget_ms = 10000;
module_param(setup_budget_ms, uint, 0644);
MODULE_PARM_DESC(setup_budget_ms,
		 "most time the transactions of a device may take from its reset to DRIVER_OK, in ms (0: no limit)");

/*
 * Tests only: one kernel plays both sides of the window, and a peer's
 * tty opened cooked echoes what it has waiting from a kworker on any
 * CPU, Linux's included; that hvc write spins with interrupts off until
 * our backend returns the buffer, while another Linux CPU may wait for
 * the spinning one (an IPI: rcu_barrier() in an umount did).  A console
 * that reaches DRIVER_OK while this is set is on hold until it is
 * cleared: no callback, and its queues that carry device-writable
 * buffers keep their used entries (virtio_console's hvc reads its
 * receive queue when the tty opens, without a callback), while those of
 * its writes and control messages come back as ever (serve_vqs()).  The
 * test opens the tty, makes it raw, then lets the bytes in
 * (testing.rst).  A multiport console on hold lists no port, as that
 * comes on a receive queue.  A real peer has its own CPUs.
 */
static bool hold_consoles;
static int hold_consoles_set(const char *val, const struct kernel_param *kp);
static const struct kernel_param_ops hold_consoles_ops = {
	.set = hold_consoles_set,
	.get = param_get_bool,
};
module_param_cb(hold_consoles, &hold_consoles_ops, &hold_consoles, 0644);
MODULE_PARM_DESC(hold_consoles,
		 "tests: a console that starts while this is set receives nothing until it is cleared (default off)");

static const int txn_errno[] = {
	[HVL_TXN_OK]		= 0,
	[HVL_TXN_EINVAL]	= -EINVAL,
	[HVL_TXN_EFAULT]	= -EFAULT,
	[HVL_TXN_ESTATE]	= -EBUSY,
};

static struct hvl_front_vdev *to_vd(struct virtio_device *vdev)
{
	return container_of(vdev, struct hvl_front_vdev, vdev);
}

static u32 reg_get(struct hvl_front_vdev *vd, unsigned int offset)
{
	return front_get(vd->regs + offset);
}

static struct hvl_txn *txn_block(struct hvl_front_vdev *vd)
{
	return vd->regs + HVL_TXN_OFFSET;
}

static bool acked(struct hvl_front_vdev *vd, u32 seq)
{
	return front_get(&txn_block(vd)->ack_seq) == seq;
}

/**
 * hvl_front_vdev_kill() - give a device up: transactions fail, queues stop
 * @vd: the device
 * @why: for the message
 *
 * Any context, any lock held: a driver may read its configuration or kick
 * from a callback, under vq_lock.  The queues are given up from a work
 * item (serve_work()), or by the next kick of each.
 */
void hvl_front_vdev_kill(struct hvl_front_vdev *vd, const char *why)
{
	if (!READ_ONCE(vd->dead)) {
		WRITE_ONCE(vd->dead, true);
		dev_err_ratelimited(&vd->vdev.dev, "%s: device is dead\n", why);
	}
	/* A transaction waiting for its acknowledgment gives up now. */
	wake_up(&vd->txn_wq);
	queue_work(system_unbound_wq, &vd->serve_work);
}

/* Wait until the device acknowledged @seq. */
static int txn_wait(struct hvl_front_vdev *vd, u32 seq)
{
	unsigned long end = jiffies + TXN_TIMEOUT;

	while (!acked(vd, seq)) {
		if (READ_ONCE(vd->dead) || !front_vdev_live(vd))
			return -ENODEV;
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		/* Doorbells wake us; the short slices cover a polling device. */
		wait_event_timeout(vd->txn_wq, acked(vd, seq) ||
				   READ_ONCE(vd->dead) ||
				   !front_vdev_live(vd), 1);
	}
	/* ack_status and the refreshed image were written before ack_seq. */
	rmb();
	return 0;
}

/* One transaction; see txn(). */
static int txn_send(struct hvl_front_vdev *vd, u32 offset, u32 width,
		    u32 value)
{
	struct hvl_txn *t = txn_block(vd);
	u32 seq, status;
	int ret;

	lockdep_assert_held(&vd->txn_lock);
	if (READ_ONCE(vd->dead))
		return -ENODEV;

	atomic64_inc(&vd->txns);
	seq = front_get(&t->seq);
	ret = front_vdev_live(vd) ? txn_wait(vd, seq) : -ENODEV;
	if (ret)
		goto err_dead;

	front_put(&t->offset, offset);
	front_put(&t->width, width);
	front_put(&t->value, value);
	/* Not dma_wmb(): the window may be mapped write-combining. */
	wmb();
	front_put(&t->seq, ++seq);
	hvl_doorbell_ring(&vd->front->db);

	ret = txn_wait(vd, seq);
	if (ret)
		goto err_dead;

	status = front_get(&t->ack_status);
	if (status == HVL_TXN_OK)
		return 0;
	atomic64_inc(&vd->errors);
	dev_dbg(&vd->vdev.dev, "write %#x to %#x/%u refused: status %u\n",
		value, offset, width, status);
	return status < ARRAY_SIZE(txn_errno) ? txn_errno[status] : -EIO;

err_dead:
	if (ret == -ETIMEDOUT) {
		atomic64_inc(&vd->timeouts);
		hvl_front_vdev_kill(vd, "transaction not acknowledged");
	} else {
		hvl_front_vdev_kill(vd, "device side offline or restarted");
	}
	return -ENODEV;
}

/*
 * Write @value (@width bytes) at @offset of the register page.
 *
 * Probing runs under hvl_front.lock, and a device side that takes its
 * time over every acknowledgment (each just inside TXN_TIMEOUT) would
 * hold it for a minute or more per device: the transactions from a reset
 * to DRIVER_OK may take setup_budget_ms in all, then the device is dead.
 *
 * Return: 0, a negative errno for a refused write, or -ENODEV.
 */
static int txn(struct hvl_front_vdev *vd, u32 offset, u32 width, u32 value)
{
	bool setup = !(READ_ONCE(vd->status) & VIRTIO_CONFIG_S_DRIVER_OK);
	unsigned int ms, budget = READ_ONCE(setup_budget_ms);
	unsigned long t0 = jiffies;
	int ret;

	ret = txn_send(vd, offset, width, value);
	if (ret == -ENODEV || !setup || !budget)
		goto out;
	vd->setup_time += jiffies - t0;
	ms = jiffies_to_msecs(vd->setup_time);
	if (ms > budget) {
		dev_err_ratelimited(&vd->vdev.dev,
				    "set-up transactions took %u ms since the reset, more than setup_budget_ms (%u)\n",
				    ms, budget);
		hvl_front_vdev_kill(vd, "set-up over its time budget");
		return -ENODEV;
	}
out:
	/* An acknowledged reset starts a new set-up, with a new budget. */
	if (!ret && offset == VIRTIO_MMIO_STATUS && !value)
		vd->setup_time = 0;
	return ret;
}

static int reg_put(struct hvl_front_vdev *vd, u32 offset, u32 value)
{
	int ret;

	mutex_lock(&vd->txn_lock);
	ret = txn(vd, offset, 4, value);
	mutex_unlock(&vd->txn_lock);
	return ret;
}

/*
 * The driver never sees EVENT_IDX: its rings are private and the
 * front-end runs the public ring's event index itself (shadow.c).
 */
#define HIDDEN_FEATURES	BIT_ULL(VIRTIO_RING_F_EVENT_IDX)

static u64 get_features(struct virtio_device *vdev)
{
	struct hvl_front_vdev *vd = to_vd(vdev);
	u64 features = 0;

	mutex_lock(&vd->txn_lock);
	if (!txn(vd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 4, 1)) {
		features = (u64)reg_get(vd, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
		if (!txn(vd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 4, 0))
			features |= reg_get(vd, VIRTIO_MMIO_DEVICE_FEATURES);
		else
			features = 0;
	}
	mutex_unlock(&vd->txn_lock);
	vd->host_features = features;
	return features & ~HIDDEN_FEATURES;
}

static int finalize_features(struct virtio_device *vdev)
{
	struct hvl_front_vdev *vd = to_vd(vdev);
	u64 features;
	int ret;

	if (READ_ONCE(vd->dead))
		return -ENODEV;
	vring_transport_features(vdev);
	/* Split rings only; doorbells carry no notification data. */
	__virtio_clear_bit(vdev, VIRTIO_F_RING_PACKED);
	__virtio_clear_bit(vdev, VIRTIO_F_NOTIFICATION_DATA);

	if (!__virtio_test_bit(vdev, VIRTIO_F_VERSION_1)) {
		dev_err(&vdev->dev, "device lacks VIRTIO_F_VERSION_1\n");
		return -EINVAL;
	}
	/* Without it, rings and buffers would not be in the window. */
	if (!__virtio_test_bit(vdev, VIRTIO_F_ACCESS_PLATFORM)) {
		dev_err(&vdev->dev, "device lacks VIRTIO_F_ACCESS_PLATFORM\n");
		return -EINVAL;
	}

	/* The public ring's event index is the front-end's business. */
	vd->event_idx = vd->host_features & BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	features = vdev->features;
	if (vd->event_idx)
		features |= BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	mutex_lock(&vd->txn_lock);
	ret = txn(vd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 1) ?:
	      txn(vd, VIRTIO_MMIO_DRIVER_FEATURES, 4, features >> 32) ?:
	      txn(vd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 0) ?:
	      txn(vd, VIRTIO_MMIO_DRIVER_FEATURES, 4, (u32)features);
	mutex_unlock(&vd->txn_lock);
	return ret;
}

static bool config_range_ok(struct virtio_device *vdev, unsigned int offset,
			    unsigned int len)
{
	if (offset <= HVL_CONFIG_SIZE && len <= HVL_CONFIG_SIZE - offset)
		return true;
	dev_err_ratelimited(&vdev->dev, "config access %u+%u out of range\n",
			    offset, len);
	return false;
}

/* Largest naturally aligned access of at most @len bytes at @offset. */
static unsigned int chunk(unsigned int offset, unsigned int len)
{
	if (len >= 4 && IS_ALIGNED(offset, 4))
		return 4;
	if (len >= 2 && IS_ALIGNED(offset, 2))
		return 2;
	return 1;
}

static void get(struct virtio_device *vdev, unsigned int offset, void *buf,
		unsigned int len)
{
	const void *cfg = to_vd(vdev)->regs + HVL_CONFIG_OFFSET;
	u8 *dst = buf;
	__le32 l;
	__le16 w;
	u8 b;

	if (!config_range_ok(vdev, offset, len)) {
		memset(buf, 0, len);
		return;
	}
	while (len) {
		unsigned int n = chunk(offset, len);

		if (n == 4) {
			l = READ_ONCE(*(const __le32 *)(cfg + offset));
			memcpy(dst, &l, n);
		} else if (n == 2) {
			w = READ_ONCE(*(const __le16 *)(cfg + offset));
			memcpy(dst, &w, n);
		} else {
			b = READ_ONCE(*(const u8 *)(cfg + offset));
			*dst = b;
		}
		dst += n;
		offset += n;
		len -= n;
	}
}

static void set(struct virtio_device *vdev, unsigned int offset,
		const void *buf, unsigned int len)
{
	struct hvl_front_vdev *vd = to_vd(vdev);
	const u8 *src = buf;
	int ret = 0;

	if (!config_range_ok(vdev, offset, len))
		return;
	mutex_lock(&vd->txn_lock);
	while (len && !ret) {
		unsigned int n = chunk(offset, len);
		u32 v = n == 4 ? get_unaligned_le32(src) :
			n == 2 ? get_unaligned_le16(src) : *src;

		ret = txn(vd, HVL_CONFIG_OFFSET + offset, n, v);
		src += n;
		offset += n;
		len -= n;
	}
	mutex_unlock(&vd->txn_lock);
	if (ret)
		dev_err_ratelimited(&vdev->dev, "config write failed: %d\n",
				    ret);
}

/*
 * __virtio_cread_many() reads the configuration until ConfigGeneration
 * reads the same before and after, with no bound: a device whose
 * generation changes on every read would keep a driver's probe (under
 * hvl_front.lock) spinning for ever.  Past CFG_GEN_CHANGES consecutive
 * changes the device is dead and the generation stands still.
 */
static u32 generation(struct virtio_device *vdev)
{
	struct hvl_front_vdev *vd = to_vd(vdev);
	u32 gen = reg_get(vd, VIRTIO_MMIO_CONFIG_GENERATION);
	unsigned long flags;
	bool spinning = false;

	spin_lock_irqsave(&vd->cfg_lock, flags);
	if (READ_ONCE(vd->dead)) {
		gen = vd->cfg_gen;
	} else if (gen == vd->cfg_gen) {
		vd->cfg_changes = 0;
	} else if (++vd->cfg_changes > CFG_GEN_CHANGES) {
		gen = vd->cfg_gen;
		spinning = true;
	} else {
		vd->cfg_gen = gen;
	}
	spin_unlock_irqrestore(&vd->cfg_lock, flags);

	if (spinning) {
		dev_err_ratelimited(&vdev->dev,
				    "ConfigGeneration changed on %u consecutive reads\n",
				    CFG_GEN_CHANGES + 1);
		hvl_front_vdev_kill(vd, "configuration never stable");
	}
	return gen;
}

/*
 * The status as the driver set it, less what the device does not keep
 * (FEATURES_OK refused), plus DEVICE_NEEDS_RESET.  Once a reset is
 * acknowledged it is complete, and the device's Status register is not
 * asked: one that kept showing its old status would make every orderly
 * unbind trip the WARN_ON in virtio_dev_remove().
 */
static u8 get_status(struct virtio_device *vdev)
{
	struct hvl_front_vdev *vd = to_vd(vdev);
	u8 status = READ_ONCE(vd->status);

	/* A dead device is as good as reset (virtio_dev_remove checks). */
	if (READ_ONCE(vd->dead) || !status)
		return 0;
	return reg_get(vd, VIRTIO_MMIO_STATUS) &
	       (status | VIRTIO_CONFIG_S_NEEDS_RESET);
}

/*
 * Callbacks run only between DRIVER_OK and reset, decided under vq_lock:
 * the virtio core synchronizes callbacks before a reset, not after, and
 * a doorbell for any device of the window runs every vq's callback, so a
 * check of the device's Status outside the lock could let vring_interrupt()
 * race with the driver detaching buffers after the reset.
 */
static void set_cbs(struct hvl_front_vdev *vd, bool on, bool take,
		    bool on_hold)
{
	spin_lock_irq(&vd->vq_lock);
	vd->cbs = on;
	vd->take = take;
	vd->on_hold = on_hold;
	vd->held = false;
	spin_unlock_irq(&vd->vq_lock);
}

/*
 * Bring the used entries of every queue to the driver and run its
 * callbacks.  Atomic context.  Not before DRIVER_OK: the device serves
 * no queue before it, and callbacks would race with the driver's probe.
 * A console still probing gets its used entries without the callbacks
 * (bound()): virtio_console's probe spins for its control messages with
 * a spinlock held, which on a kernel without CONFIG_PREEMPT_COUNT
 * caller_may_spin() (shadow.c) cannot see, so only the doorbell brings
 * their buffers back.  So does one on hold (hold_consoles), but for its
 * receive queues.
 */
static void serve_vqs(struct hvl_front_vdev *vd)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&vd->vq_lock, flags);
	for (i = 0; vd->take && !vd->held && i < HVL_MAX_QUEUES; i++)
		if (vd->vqs[i]) {
			/* A kick may have taken some: look anyway. */
			hvl_front_vq_take_used(vd->vqs[i], vd->on_hold);
			if (vd->cbs)
				vring_interrupt(0, vd->vqs[i]->vq);
		}
	spin_unlock_irqrestore(&vd->vq_lock, flags);
}

/*
 * After hvl_front_vdev_kill(): not virtio_break_device(), but each queue
 * given up (shadow.c), which hands device-readable chains back so that a
 * driver spinning on one (virtio_console) ends cleanly; then the
 * callbacks, for the drivers that reclaim buffers there.
 */
static void serve_work(struct work_struct *work)
{
	struct hvl_front_vdev *vd =
		container_of(work, struct hvl_front_vdev, serve_work);
	unsigned int i;

	spin_lock_irq(&vd->vq_lock);
	for (i = 0; READ_ONCE(vd->dead) && i < HVL_MAX_QUEUES; i++)
		if (vd->vqs[i])
			hvl_front_vq_give_up(vd->vqs[i]);
	spin_unlock_irq(&vd->vq_lock);
	serve_vqs(vd);
}

static void set_status(struct virtio_device *vdev, u8 status)
{
	struct hvl_front_vdev *vd = to_vd(vdev);

	WRITE_ONCE(vd->status, status);
	reg_put(vd, VIRTIO_MMIO_STATUS, status);
	if (status & VIRTIO_CONFIG_S_DRIVER_OK) {
		/* Under the device lock, as bound() is. */
		bool hold = vd->wait_bound && READ_ONCE(hold_consoles);

		set_cbs(vd, !vd->wait_bound ||
			(device_is_bound(&vdev->dev) && !hold), true, hold);
		/* The device may have used buffers before callbacks ran. */
		serve_vqs(vd);
	}
}

/* Once Status=0 is acknowledged the reset is complete. */
static void reset(struct virtio_device *vdev)
{
	struct hvl_front_vdev *vd = to_vd(vdev);

	set_cbs(vd, false, false, false);
	/* The device side never refuses a reset (protocol.rst). */
	if (reg_put(vd, VIRTIO_MMIO_STATUS, 0) && !READ_ONCE(vd->dead))
		hvl_front_vdev_kill(vd, "Status=0 refused");
	WRITE_ONCE(vd->status, 0);
}

static int queue_addr(struct hvl_front_vdev *vd, u32 low, u64 addr)
{
	return txn(vd, low, 4, lower_32_bits(addr)) ?:
	       txn(vd, low + 4, 4, upper_32_bits(addr));
}

static void del_vq(struct hvl_front_vdev *vd, struct virtqueue *vq)
{
	struct hvl_front_vq *sq = vq->priv;
	unsigned int index = vq->index;

	/* Normally already stopped by the reset; still, be explicit. */
	mutex_lock(&vd->txn_lock);
	if (!txn(vd, VIRTIO_MMIO_QUEUE_SEL, 4, index) &&
	    reg_get(vd, VIRTIO_MMIO_QUEUE_READY))
		txn(vd, VIRTIO_MMIO_QUEUE_READY, 4, 0);
	mutex_unlock(&vd->txn_lock);

	spin_lock_irq(&vd->vq_lock);
	vd->vqs[index] = NULL;
	spin_unlock_irq(&vd->vq_lock);
	hvl_front_vq_destroy(sq);
}

static void del_vqs(struct virtio_device *vdev)
{
	struct virtqueue *vq, *n;

	list_for_each_entry_safe(vq, n, &vdev->vqs, list)
		del_vq(to_vd(vdev), vq);
}

static struct virtqueue *setup_vq(struct hvl_front_vdev *vd,
				  unsigned int index,
				  const struct virtqueue_info *info)
{
	struct hvl_front_vq *sq;
	u32 num;
	int ret;

	if (index >= HVL_MAX_QUEUES)
		return ERR_PTR(-ENOENT);

	mutex_lock(&vd->txn_lock);
	ret = txn(vd, VIRTIO_MMIO_QUEUE_SEL, 4, index);
	if (ret)
		goto err_unlock;
	/* The queue must not be set up yet, and must exist. */
	num = reg_get(vd, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (reg_get(vd, VIRTIO_MMIO_QUEUE_READY) || !num) {
		ret = -ENOENT;
		goto err_unlock;
	}
	num = rounddown_pow_of_two(min(num, HVL_QUEUE_MAX));

	/* Smaller if the pool has no room, as vring_create_virtqueue() does. */
	for (;;) {
		sq = hvl_front_vq_create(vd, index, num, vd->event_idx, info);
		if (PTR_ERR_OR_ZERO(sq) != -ENOMEM || num <= 2)
			break;
		num /= 2;
	}
	if (IS_ERR(sq)) {
		ret = PTR_ERR(sq);
		goto err_unlock;
	}

	ret = txn(vd, VIRTIO_MMIO_QUEUE_NUM, 4, num) ?:
	      queue_addr(vd, VIRTIO_MMIO_QUEUE_DESC_LOW,
			 hvl_front_vq_addr(sq, sq->pub.desc)) ?:
	      queue_addr(vd, VIRTIO_MMIO_QUEUE_AVAIL_LOW,
			 hvl_front_vq_addr(sq, sq->pub.avail)) ?:
	      queue_addr(vd, VIRTIO_MMIO_QUEUE_USED_LOW,
			 hvl_front_vq_addr(sq, sq->pub.used)) ?:
	      txn(vd, VIRTIO_MMIO_QUEUE_READY, 4, 1);
	if (ret)
		goto err_destroy;
	mutex_unlock(&vd->txn_lock);

	spin_lock_irq(&vd->vq_lock);
	vd->vqs[index] = sq;
	spin_unlock_irq(&vd->vq_lock);
	return sq->vq;

err_destroy:
	dev_err(&vd->vdev.dev, "cannot set up queue %u (%s): %d\n", index,
		info->name, ret);
	hvl_front_vq_destroy(sq);
err_unlock:
	mutex_unlock(&vd->txn_lock);
	return ERR_PTR(ret);
}

static int find_vqs(struct virtio_device *vdev, unsigned int nvqs,
		    struct virtqueue *vqs[], struct virtqueue_info vqs_info[],
		    struct irq_affinity *desc)
{
	unsigned int i, index = 0;

	for (i = 0; i < nvqs; i++) {
		if (!vqs_info[i].name) {
			vqs[i] = NULL;
			continue;
		}
		vqs[i] = setup_vq(to_vd(vdev), index++, &vqs_info[i]);
		if (IS_ERR(vqs[i])) {
			del_vqs(vdev);
			return PTR_ERR(vqs[i]);
		}
	}
	return 0;
}

/* The doorbell callback runs vring_interrupt() under vq_lock. */
static void synchronize_cbs(struct virtio_device *vdev)
{
	struct hvl_front_vdev *vd = to_vd(vdev);

	spin_lock_irq(&vd->vq_lock);
	spin_unlock_irq(&vd->vq_lock);
}

static const char *bus_name(struct virtio_device *vdev)
{
	return dev_name(to_vd(vdev)->front->dev);
}

static bool get_shm_region(struct virtio_device *vdev,
			   struct virtio_shm_region *region, u8 id)
{
	return false;
}

static const struct virtio_config_ops hvl_front_config_ops = {
	.get			= get,
	.set			= set,
	.generation		= generation,
	.get_status		= get_status,
	.set_status		= set_status,
	.reset			= reset,
	.find_vqs		= find_vqs,
	.del_vqs		= del_vqs,
	.synchronize_cbs	= synchronize_cbs,
	.get_features		= get_features,
	.finalize_features	= finalize_features,
	.bus_name		= bus_name,
	.get_shm_region		= get_shm_region,
};

/*
 * The callbacks of a console start once its driver's probe has returned.
 * virtio_console's add_port() fills the receive queue before it lists
 * the port, and in_intr() frees the used buffers of a queue whose port it
 * cannot find, without the port's lock: a buffer used in that window
 * loses its bytes, and the flush on one CPU with fill_queue() adding on
 * another corrupts the virtqueue (the same head made available twice,
 * then the BUG_ON in detach_unused_buf_split() at removal).  Our console
 * uses the first receive buffer at once when Linux wrote while no peer
 * ran, so every peer restart opened that window.  Until the driver is
 * bound no callback runs: the used entries go to the driver's ring (the
 * doorbell's serve_vqs() and wait_out()), for its probe, which spins for
 * its control messages and hvc writes and waits for no callback.  Nor
 * while it is on hold (hold_consoles), which is decided at DRIVER_OK and
 * ends here, once the parameter is clear.
 *
 * The virtio bus is not exported: its notifier is set up with the first
 * device, which bound() is called for by hand.  Under the device lock,
 * as the driver core's probe and remove are.
 */
static void bound(struct hvl_front_vdev *vd)
{
	bool on;

	device_lock_assert(&vd->vdev.dev);

	spin_lock_irq(&vd->vq_lock);
	if (vd->on_hold && !READ_ONCE(hold_consoles))
		vd->on_hold = false;
	on = !vd->cbs && !vd->on_hold &&
	     (READ_ONCE(vd->status) & VIRTIO_CONFIG_S_DRIVER_OK);
	if (on)
		vd->cbs = true;
	spin_unlock_irq(&vd->vq_lock);
	if (on)
		serve_vqs(vd);
}

static int bus_event(struct notifier_block *nb, unsigned long action,
		     void *data)
{
	struct virtio_device *vdev = dev_to_virtio(data);

	if (action == BUS_NOTIFY_BOUND_DRIVER &&
	    vdev->config == &hvl_front_config_ops && to_vd(vdev)->wait_bound)
		bound(to_vd(vdev));
	return NOTIFY_DONE;
}

static struct notifier_block bus_nb = { .notifier_call = bus_event };
static const struct bus_type *bus_watched;	/* under bus_lock */
static DEFINE_MUTEX(bus_lock);

static void watch_bus(struct hvl_front_vdev *vd)
{
	mutex_lock(&bus_lock);
	if (!bus_watched &&
	    !bus_register_notifier(vd->vdev.dev.bus, &bus_nb))
		bus_watched = vd->vdev.dev.bus;
	mutex_unlock(&bus_lock);
	/* Bound before the notifier was there, or probed in registration. */
	device_lock(&vd->vdev.dev);
	if (device_is_bound(&vd->vdev.dev))
		bound(vd);
	device_unlock(&vd->vdev.dev);
}

static int release_console(struct device *dev, void *unused)
{
	struct virtio_device *vdev = dev_to_virtio(dev);

	if (vdev->config != &hvl_front_config_ops || !to_vd(vdev)->wait_bound)
		return 0;
	device_lock(dev);
	if (device_is_bound(dev))
		bound(to_vd(vdev));
	device_unlock(dev);
	return 0;
}

/*
 * Cleared: every console on hold gets its receive buffers and callbacks.
 * One bound concurrently either saw the parameter cleared (at DRIVER_OK
 * or in bound()) or is bound by the time we take its lock, as the
 * notifier runs under it.
 */
static int hold_consoles_set(const char *val, const struct kernel_param *kp)
{
	const struct bus_type *bus;
	bool hold;
	int ret;

	ret = kstrtobool(val, &hold);
	if (ret)
		return ret;
	WRITE_ONCE(hold_consoles, hold);
	if (hold)
		return 0;
	mutex_lock(&bus_lock);
	bus = bus_watched;
	mutex_unlock(&bus_lock);
	return bus ? bus_for_each_dev(bus, NULL, NULL, release_console) : 0;
}

/**
 * hvl_front_vdev_exit() - at module exit, once every device is gone
 */
void hvl_front_vdev_exit(void)
{
	if (bus_watched)
		bus_unregister_notifier(bus_watched, &bus_nb);
}

/* Acknowledge a configuration change, then tell the driver. */
static void config_work(struct work_struct *work)
{
	struct hvl_front_vdev *vd =
		container_of(work, struct hvl_front_vdev, config_work);

	if (!(reg_get(vd, VIRTIO_MMIO_INTERRUPT_STATUS) &
	      VIRTIO_MMIO_INT_CONFIG))
		return;
	if (!reg_put(vd, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG))
		virtio_config_changed(&vd->vdev);
}

/**
 * hvl_front_vdev_notify_all() - the device side rang: look at every device
 * @f: the front end
 *
 * Atomic context (the doorbell callback).  Wakes transaction waiters and
 * inspects every used ring: the VRING bit of InterruptStatus is not needed.
 */
void hvl_front_vdev_notify_all(struct hvl_front *f)
{
	struct hvl_front_vdev *vd;

	rcu_read_lock();
	list_for_each_entry_rcu(vd, &f->vdevs, node) {
		wake_up(&vd->txn_wq);
		/* Pairs with the release in hvl_front_vdev_add(). */
		if (smp_load_acquire(&vd->registered) &&
		    (reg_get(vd, VIRTIO_MMIO_INTERRUPT_STATUS) &
		     VIRTIO_MMIO_INT_CONFIG))
			queue_work(system_unbound_wq, &vd->config_work);
		serve_vqs(vd);
	}
	rcu_read_unlock();
}

static void release(struct device *dev)
{
	kfree(container_of(dev, struct hvl_front_vdev, vdev.dev));
}

/*
 * The reaper removes a dead device's driver off hvl_front.lock: the stock
 * 9P transport's removal waits for as long as the peer keeps its mount,
 * and the rest of the front-end (the other devices' hot-plug, a restart
 * of the device side) must not wait with it.
 *
 * First the register page is let go: the device is off the list, so
 * after a grace period the doorbell callback no longer queues its
 * config_work, and once a transaction under way (txn_lock) has ended,
 * every later one fails at once (dead): nothing of ours writes the page
 * again, and a new device of the same entry may take it (@released).
 * Then the driver goes, however long that takes (@gone).
 */
static void leave_work(struct work_struct *work)
{
	struct hvl_front_vdev *vd =
		container_of(work, struct hvl_front_vdev, leave_work);
	struct hvl_front *f = vd->front;

	synchronize_rcu();
	cancel_work_sync(&vd->config_work);
	mutex_lock(&vd->txn_lock);
	mutex_unlock(&vd->txn_lock);
	complete_all(&vd->released);

	unregister_virtio_device(&vd->vdev);
	cancel_work_sync(&vd->serve_work);
	/* remove() drains the reaper before @f goes. */
	spin_lock(&f->gone_lock);
	list_del(&vd->gone_node);
	spin_unlock(&f->gone_lock);
	complete_all(&vd->gone);
	put_device(&vd->vdev.dev);
}

/*
 * The first device still being removed that a new device of entry @index
 * and type @id must wait for, with a reference: one on the same register
 * page until it let go of it, one of the same type until its driver is
 * gone (virtio_vsock's probe fails while another virtio vsock device is
 * registered), unless waited for in vain once already.
 */
static struct hvl_front_vdev *first_gone(struct hvl_front *f,
					 unsigned int index, u32 id,
					 struct completion **done)
{
	struct hvl_front_vdev *vd, *found = NULL;

	lockdep_assert_held(&f->lock);

	spin_lock(&f->gone_lock);
	list_for_each_entry(vd, &f->gone, gone_node) {
		if (vd->waited_out)
			continue;
		if (vd->index == index && !completion_done(&vd->released)) {
			*done = &vd->released;
		} else if (vd->vdev.id.device == id &&
			   !completion_done(&vd->gone)) {
			*done = &vd->gone;
		} else {
			continue;
		}
		found = vd;
		get_device(&vd->vdev.dev);
		break;
	}
	spin_unlock(&f->gone_lock);
	return found;
}

/*
 * Before a new device of entry @index and type @id is registered, wait
 * for the removals it depends on (first_gone()), LEAVE_WAIT at most in
 * all.  A driver still going then (a 9P device whose mount is in use
 * waits for its unmount) finishes on its own, and is not waited for
 * again.  (A register page is let go of within a transaction's time.)
 */
static void wait_gone(struct hvl_front *f, unsigned int index, u32 id)
{
	unsigned long t0 = jiffies, end = t0 + LEAVE_WAIT;
	struct hvl_front_vdev *vd;
	struct completion *done;
	bool ok;

	lockdep_assert_held(&f->lock);

	while ((vd = first_gone(f, index, id, &done))) {
		if (time_before(jiffies, end))
			ok = wait_for_completion_timeout(done, end - jiffies);
		else
			ok = try_wait_for_completion(done);
		if (!ok) {
			dev_warn(f->dev, "entry %u: the driver of %s (entry %u) still going after %u ms (a 9P mount in use?): registering the new device without waiting for it\n",
				 index, dev_name(&vd->vdev.dev), vd->index,
				 jiffies_to_msecs(jiffies - t0));
			vd->waited_out = true;
		}
		put_device(&vd->vdev.dev);
	}
}

/**
 * hvl_front_vdev_add() - register the virtio device of one table entry
 * @f: the front end, with @f->lock held and the device side READY
 * @index: device table entry
 * @e: its checked copy: device_id non-zero, offset a register page in
 *     region 0
 *
 * Return: 0, or a negative errno after a message naming the problem.
 */
int hvl_front_vdev_add(struct hvl_front *f, unsigned int index,
		       const struct hvl_front_entry *e)
{
	void *regs = f->base + e->offset;
	u32 magic, version, id, device_id = e->device_id;
	struct hvl_front_vdev *vd;
	int ret;

	lockdep_assert_held(&f->lock);

	wait_gone(f, index, device_id);
	magic = front_get(regs + VIRTIO_MMIO_MAGIC_VALUE);
	version = front_get(regs + VIRTIO_MMIO_VERSION);
	id = front_get(regs + VIRTIO_MMIO_DEVICE_ID);
	if (magic != 0x74726976 || version != 2 || id != device_id) {
		dev_err_ratelimited(f->dev,
				    "entry %u: register page has MagicValue %#x Version %u DeviceID %u, expected 0x74726976 2 %u\n",
				    index, magic, version, id, device_id);
		return -EINVAL;
	}

	vd = kzalloc(sizeof(*vd), GFP_KERNEL);
	if (!vd)
		return -ENOMEM;
	vd->front = f;
	vd->regs = regs;
	vd->index = index;
	vd->entry = f->base + HVL_HDR_SIZE + index * sizeof(*vd->entry);
	vd->gen = f->gen;
	vd->entry_gen = e->gen;
	vd->serial = ++f->serial;
	mutex_init(&vd->txn_lock);
	init_waitqueue_head(&vd->txn_wq);
	spin_lock_init(&vd->vq_lock);
	spin_lock_init(&vd->cfg_lock);
	INIT_WORK(&vd->config_work, config_work);
	INIT_WORK(&vd->serve_work, serve_work);
	INIT_WORK(&vd->leave_work, leave_work);
	init_completion(&vd->released);
	init_completion(&vd->gone);
	vd->vdev.dev.parent = f->dev;
	vd->vdev.dev.release = release;
	vd->vdev.config = &hvl_front_config_ops;
	vd->vdev.id.device = device_id;
	vd->vdev.id.vendor = front_get(regs + VIRTIO_MMIO_VENDOR_ID);
	vd->wait_bound = device_id == VIRTIO_ID_CONSOLE;

	/* Visible to the doorbell before the driver's first transaction. */
	list_add_tail_rcu(&vd->node, &f->vdevs);
	ret = register_virtio_device(&vd->vdev);
	if (ret)
		goto err_unlist;
	/* The virtio core's locks and lists are initialised now. */
	smp_store_release(&vd->registered, true);
	if (vd->wait_bound)
		watch_bus(vd);
	/* A config change raised while registering. */
	if (reg_get(vd, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG)
		queue_work(system_unbound_wq, &vd->config_work);
	return 0;

err_unlist:
	dev_err(f->dev, "entry %u: cannot register virtio device: %d\n", index,
		ret);
	list_del_rcu(&vd->node);
	synchronize_rcu();
	/* A transaction that failed in the driver's probe killed it. */
	cancel_work_sync(&vd->serve_work);
	put_device(&vd->vdev.dev);
	return ret;
}

/**
 * hvl_front_vdev_unregister_all() - detach every driver from its device
 * @f: the front end, with @f->lock held, being removed
 *
 * The drivers reset their devices on the way out, which takes the
 * doorbell, so the devices stay listed for the doorbell callback;
 * hvl_front_vdev_free_all() frees them.
 */
void hvl_front_vdev_unregister_all(struct hvl_front *f)
{
	struct hvl_front_vdev *vd;

	lockdep_assert_held(&f->lock);

	list_for_each_entry(vd, &f->vdevs, node) {
		get_device(&vd->vdev.dev);
		unregister_virtio_device(&vd->vdev);
	}
}

/**
 * hvl_front_vdev_free_all() - free what hvl_front_vdev_unregister_all() left
 * @f: the front end, with @f->lock held
 *
 * The doorbell callback and the watchdog's timer, the list's only RCU
 * readers and the only ones that queue a device's work items, are
 * stopped for good: no grace period is needed, and none is waited for
 * (an unbind of the front-end is a restart of the peer, and a grace
 * period was a tenth of its time in make soak's restarts).
 */
void hvl_front_vdev_free_all(struct hvl_front *f)
{
	struct hvl_front_vdev *vd, *n;

	lockdep_assert_held(&f->lock);

	list_for_each_entry_safe(vd, n, &f->vdevs, node) {
		list_del(&vd->node);
		cancel_work_sync(&vd->config_work);
		cancel_work_sync(&vd->serve_work);
		put_device(&vd->vdev.dev);
	}
}

/* Give @vd up, unlist it and hand it to the reaper. */
static void leave(struct hvl_front *f, struct hvl_front_vdev *vd,
		  const char *why)
{
	lockdep_assert_held(&f->lock);

	hvl_front_vdev_kill(vd, why);
	list_del_rcu(&vd->node);
	spin_lock(&f->gone_lock);
	list_add_tail(&vd->gone_node, &f->gone);
	spin_unlock(&f->gone_lock);
	/* leave_work()'s. */
	get_device(&vd->vdev.dev);
	queue_work(f->reaper, &vd->leave_work);
}

/**
 * hvl_front_vdev_leave() - remove the device of one table entry, if any
 * @f: the front end, with @f->lock held
 * @index: the entry, whose backend the device side unbound or replaced
 *
 * The device is dead at once (its transactions fail, its queues are given
 * up) and leaves the list; the reaper removes its driver, which a new
 * device of the same entry or type waits for (wait_gone()).
 *
 * Return: whether the entry had a device.
 */
bool hvl_front_vdev_leave(struct hvl_front *f, unsigned int index)
{
	struct hvl_front_vdev *vd;

	lockdep_assert_held(&f->lock);

	list_for_each_entry(vd, &f->vdevs, node)
		if (vd->index == index) {
			leave(f, vd, "device side unbound it");
			return true;
		}
	return false;
}

/**
 * hvl_front_vdev_leave_all() - the device side went: remove every device
 * @f: the front end, with @f->lock held
 *
 * As hvl_front_vdev_leave(), for each device.
 */
void hvl_front_vdev_leave_all(struct hvl_front *f)
{
	struct hvl_front_vdev *vd, *n;

	lockdep_assert_held(&f->lock);

	list_for_each_entry_safe(vd, n, &f->vdevs, node)
		leave(f, vd, "device side went away");
}

/**
 * hvl_front_vdev_leaving() - how many devices the reaper still removes
 * @f: the front end
 *
 * Return: the number, for debugfs.
 */
unsigned int hvl_front_vdev_leaving(struct hvl_front *f)
{
	struct hvl_front_vdev *vd;
	unsigned int n = 0;

	spin_lock(&f->gone_lock);
	list_for_each_entry(vd, &f->gone, gone_node)
		n++;
	spin_unlock(&f->gone_lock);
	return n;
}

/**
 * hvl_front_vdev_break_all() - the device side stopped serving: give up now
 * @f: the front end
 *
 * Any context (the watchdog's timer): every device is dead, so that its
 * transactions fail at once, and its queues are given up from a work item
 * (serve_work()): a driver busy-waiting for a used buffer
 * (virtio_console, interrupts off) gets it back, one adding a buffer that
 * the device side would have to answer finds the queue broken.
 * Unregistering follows in process context.
 */
void hvl_front_vdev_break_all(struct hvl_front *f)
{
	struct hvl_front_vdev *vd;

	rcu_read_lock();
	list_for_each_entry_rcu(vd, &f->vdevs, node) {
		WRITE_ONCE(vd->dead, true);
		queue_work(system_unbound_wq, &vd->serve_work);
	}
	rcu_read_unlock();
}

/**
 * hvl_front_vdev_show() - one debugfs line per device
 * @f: the front end, with @f->lock held
 * @s: the seq_file
 */
void hvl_front_vdev_show(struct hvl_front *f, struct seq_file *s)
{
	struct hvl_front_vdev *vd;
	unsigned int i, nvqs;

	lockdep_assert_held(&f->lock);

	list_for_each_entry(vd, &f->vdevs, node) {
		spin_lock_irq(&vd->vq_lock);
		for (i = 0, nvqs = 0; i < HVL_MAX_QUEUES; i++)
			nvqs += !!vd->vqs[i];
		spin_unlock_irq(&vd->vq_lock);
		seq_printf(s, "%s: entry %u serial %u id %u status %#x%s txns %lld timeouts %lld errors %lld vqs %u kicks %lld\n",
			   dev_name(&vd->vdev.dev), vd->index, vd->serial,
			   vd->vdev.id.device, get_status(&vd->vdev),
			   READ_ONCE(vd->dead) ? " dead" : "",
			   atomic64_read(&vd->txns),
			   atomic64_read(&vd->timeouts),
			   atomic64_read(&vd->errors), nvqs,
			   atomic64_read(&vd->kicks));
		/* Under vq_lock: the driver may be deleting its queues. */
		spin_lock_irq(&vd->vq_lock);
		for (i = 0; i < HVL_MAX_QUEUES; i++)
			if (vd->vqs[i])
				hvl_front_vq_show(vd->vqs[i], s);
		spin_unlock_irq(&vd->vq_lock);
	}
}
