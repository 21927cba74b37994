// SPDX-License-Identifier: GPL-2.0-only
/*
 * Used-buffer notification coalescing, as the virtio specification has it
 * for virtio-net (1.3, 5.1.6.5.6, "Notifications Coalescing", which a
 * driver sets with VIRTIO_NET_CTRL_NOTF_COAL): a queue with both a time
 * (coal_usecs) and a packet count (coal_packets) set holds its interrupt
 * from the first packet it used until it has used coal_packets of them or
 * coal_usecs have passed, whichever comes first.  With either of them 0,
 * a count of 1 or a time under HVL_COAL_MIN_USECS, every packet rings at
 * the end of the run that used it, as before.
 *
 * Why a device does this: every interrupt costs the peer its handler and
 * a round of its NAPI, and a stream of 64 KiB frames to the peer rang it
 * once every four frames (Documentation/hvl/net.rst).  Only the peer's
 * driver asks for it (hvl_device_set_coalescing()): we never hold an
 * interrupt a driver did not ask us to hold.
 *
 * EVENT_IDX still decides when the interrupt goes: hvl_vq_should_notify()
 * then covers every buffer used since the last notification, since
 * vring_need_event() tests a range of indices, not one.  A driver that
 * polled meanwhile, with its callbacks off, gets no interrupt for what it
 * has seen.
 *
 * One hrtimer per device, at the earliest deadline of its queues.  Its
 * expiry only queues the work item, which rings what is due at the end of
 * its run (hvl_coal_run()), with whatever else it rings then: the timer's
 * callback touches no queue state, all of which is the work item's,
 * under cd->lock.
 */
#include <linux/export.h>
#include <linux/hrtimer.h>
#include <linux/hvl.h>
#include <linux/ktime.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "core.h"

/*
 * Does @vq hold interrupts at all?  Not for less than HVL_COAL_MIN_USECS:
 * a run rings once at its end for all it used anyway, and a shorter hold
 * would only cost a second run for the ring (net_dim's first profile is
 * 1 us).
 */
static bool holds(const struct hvl_vq *vq)
{
	return vq->coal_usecs >= HVL_COAL_MIN_USECS && vq->coal_packets > 1;
}

static enum hrtimer_restart coal_fire(struct hrtimer *t)
{
	struct hvl_core_dev *cd = container_of(t, struct hvl_core_dev,
					       coal_timer);

	queue_work(cd->hdev.win->wq, &cd->work);
	return HRTIMER_NORESTART;
}

/* Have the work item run by @due, unless the timer is set before that. */
static void arm(struct hvl_core_dev *cd, ktime_t due)
{
	struct hrtimer *t = &cd->coal_timer;

	if (hrtimer_is_queued(t) && !ktime_after(hrtimer_get_expires(t), due))
		return;
	hrtimer_start(t, due, HRTIMER_MODE_ABS);
}

/**
 * hvl_coal_init() - set up a device's coalescing timer
 * @cd: the device, not yet serving
 */
void hvl_coal_init(struct hvl_core_dev *cd)
{
	hrtimer_init(&cd->coal_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	cd->coal_timer.function = coal_fire;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_coal_init);

/**
 * hvl_coal_stop() - stop the timer for good
 * @cd: the device, whose work item will be cancelled next
 *
 * Process context, without cd->lock.  The timer queues the work item:
 * stopped first, it cannot queue it again after cancel_work_sync().  The
 * device is reset before this (no driver bound), so nothing re-arms it.
 */
void hvl_coal_stop(struct hvl_core_dev *cd)
{
	hrtimer_cancel(&cd->coal_timer);
}

/**
 * hvl_coal_hold() - hold the interrupt for a packet @vq used?
 * @cd: the device
 * @vq: its queue that used the packet's buffers
 *
 * Work item context.  Each call is one packet.
 *
 * Return: true if held (the caller does not ring); false if it rings now.
 */
bool hvl_coal_hold(struct hvl_core_dev *cd, struct hvl_vq *vq)
{
	lockdep_assert_held(&cd->lock);

	if (!holds(vq))
		return false;
	if (++vq->coal_pending >= vq->coal_packets) {
		vq->coal_pending = 0;
		return false;
	}
	if (vq->coal_pending == 1) {
		vq->coal_due = ktime_add_us(ktime_get(), vq->coal_usecs);
		arm(cd, vq->coal_due);
	}
	vq->stats.coalesced++;
	return true;
}

/**
 * hvl_coal_run() - ring what is due, and set the timer for the rest
 * @cd: the device
 *
 * End of each work item run, before the doorbell.  A queue whose
 * parameters changed since it held its interrupt is released if they no
 * longer hold it (virtio 1.3, 5.1.6.5.6.4).
 */
void hvl_coal_run(struct hvl_core_dev *cd)
{
	struct hvl_device *hdev = &cd->hdev;
	ktime_t now = 0, next = KTIME_MAX;
	unsigned int i;

	lockdep_assert_held(&cd->lock);

	for (i = 0; i < hdev->num_queues; i++) {
		struct hvl_vq *vq = &hdev->vqs[i];

		if (!vq->coal_pending)
			continue;
		if (!now)
			now = ktime_get();
		if (holds(vq) && vq->coal_pending < vq->coal_packets) {
			if (ktime_before(now, vq->coal_due)) {
				next = min(next, vq->coal_due);
				continue;
			}
			vq->stats.coal_timeouts++;
		}
		vq->coal_pending = 0;
		hvl_bus_signal_used(cd, vq);
	}
	if (next != KTIME_MAX)
		arm(cd, next);
}
EXPORT_SYMBOL_IF_KUNIT(hvl_coal_run);

/**
 * hvl_device_set_coalescing() - hold a queue's interrupts, as its driver asks
 * @hdev: the device
 * @index: the queue
 * @usecs: longest an interrupt is held after the first packet, 0 for none
 * @packets: packets that ring at once, 0 or 1 for every packet
 *
 * Work item context (a device module's control queue).  The device's
 * reset sets both back to 0 (hvl_vq_reset()).  A shorter time applies to
 * an interrupt already held too.
 *
 * Return: 0, or -EINVAL for no such queue or more than HVL_COAL_MAX_USECS.
 */
int hvl_device_set_coalescing(struct hvl_device *hdev, unsigned int index,
			      u32 usecs, u32 packets)
{
	struct hvl_core_dev *cd = to_core_dev(hdev);
	struct hvl_vq *vq;

	lockdep_assert_held(&cd->lock);

	if (index >= hdev->num_queues || usecs > HVL_COAL_MAX_USECS)
		return -EINVAL;
	vq = &hdev->vqs[index];
	vq->coal_usecs = usecs;
	vq->coal_packets = packets;
	if (vq->coal_pending && holds(vq)) {
		ktime_t due = ktime_add_us(ktime_get(), usecs);

		if (ktime_before(due, vq->coal_due))
			vq->coal_due = due;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(hvl_device_set_coalescing);
