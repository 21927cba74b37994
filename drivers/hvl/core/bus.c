// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hvl bus: one struct hvl_device per backend device of a window,
 * matched to device modules by virtio device ID, and the per-device work
 * item that serves it.
 *
 * The work item is the only context that touches a device's transaction
 * block and rings, and it takes hvl_core_dev.lock, which bind and unbind
 * take as well: a driver's callbacks therefore never run concurrently with
 * each other nor after its remove() has started.  The doorbell only queues
 * work; everything else happens here, under a budget so one busy device
 * cannot starve the others on the workqueue.
 */
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "core.h"

static int match(struct device *dev, const struct device_driver *drv)
{
	return to_hvl_device(dev)->device_id == to_hvl_driver(drv)->device_id;
}

static int uevent(const struct device *dev, struct kobj_uevent_env *env)
{
	return add_uevent_var(env, "MODALIAS=hvl:d%08X",
			      to_hvl_device(dev)->device_id);
}

/*
 * What the peer did on this device: transactions, and chains it made
 * available (avail->idx as we last read it).  It moves whenever the peer
 * does something for the device, doorbell or not (polling, or a ring we
 * never stopped reading): a sign of life for the watch on the peer
 * (liveness.c).  Not the chains we pop: a peer that died with buffers
 * posted would look alive for as long as Linux had something to put in
 * them.  Under the device's lock.
 */
VISIBLE_IF_KUNIT unsigned long hvl_bus_peer_activity(struct hvl_core_dev *cd)
{
	unsigned long n = cd->last_seq;
	unsigned int i;

	lockdep_assert_held(&cd->lock);

	for (i = 0; i < cd->hdev.num_queues; i++)
		n += cd->hdev.vqs[i].avail_seen;
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_bus_peer_activity);

/**
 * hvl_bus_activity() - what the peer did on every device of a window
 * @win: the window
 *
 * Any context.  Only its changes mean anything.
 */
unsigned long hvl_bus_activity(struct hvl_window *win)
{
	/* Pairs with the release in add_children(): devs[i] is set up. */
	unsigned int i, n = smp_load_acquire(&win->nr_devs);
	unsigned long sum = 0;

	for (i = 0; i < n; i++)
		sum += READ_ONCE(win->devs[i]->activity);
	return sum;
}

/*
 * The device module's part of a run: its queues, or while the device
 * needs a reset only what a driver spins on.  Returns true if it stopped
 * on the budget.
 */
static bool serve(struct hvl_core_dev *cd)
{
	struct hvl_driver *drv = cd->drv;

	if (!cd->active || !drv)
		return false;
	if (!(cd->hdev.status & VIRTIO_CONFIG_S_NEEDS_RESET))
		return drv->poll && drv->poll(&cd->hdev, HVL_BUDGET);
	return drv->poll_failed && drv->poll_failed(&cd->hdev, HVL_BUDGET);
}

static void work_fn(struct work_struct *work)
{
	struct hvl_core_dev *cd = container_of(work, struct hvl_core_dev, work);
	struct hvl_device *hdev = &cd->hdev;
	bool more = false, ring;
	u64 t0;

	/* A frozen window (a test knob) serves nothing; unfreezing kicks. */
	if (READ_ONCE(hdev->win->frozen))
		return;
	mutex_lock(&cd->lock);
	/* How busy the device is: where a benchmark's time goes. */
	t0 = ktime_get_ns();
	if (hvl_txn_run(cd))
		cd->irq = true;
	more = serve(cd);
	hvl_coal_run(cd);
	ring = cd->irq;
	if (ring) {
		cd->irq = false;
		hdev->stats.irqs_out++;
	}
	WRITE_ONCE(cd->activity, hvl_bus_peer_activity(cd));
	hdev->stats.runs++;
	hdev->stats.busy_ns += ktime_get_ns() - t0;
	mutex_unlock(&cd->lock);

	/*
	 * The doorbell once the device is free again: what the peer does
	 * when it rings, at once on the CPU that rang with the loopback
	 * mailbox (its receive path, and its next kick of us), then does
	 * not hold the device, whose next run may start on another CPU.
	 * The interrupt status it announces was written under the lock.
	 */
	if (ring)
		hvl_window_ring(hdev->win);
	if (more)
		queue_work(hdev->win->wq, &cd->work);
}

/**
 * hvl_device_kick() - have the device's work item run soon
 * @hdev: the device
 *
 * Any context.  Device modules call it when they have something for the
 * peer (data written to a tty, a socket, ...).
 */
void hvl_device_kick(struct hvl_device *hdev)
{
	queue_work(hdev->win->wq, &to_core_dev(hdev)->work);
}
EXPORT_SYMBOL_GPL(hvl_device_kick);

/**
 * hvl_device_interrupt() - signal used buffers on @vq to the peer
 * @hdev: the device
 * @vq: the queue the device pushed to
 *
 * Work item context.  One call per packet: the driver may have asked for
 * its interrupts to be held (hvl_device_set_coalescing()).  Honours
 * EVENT_IDX / NO_INTERRUPT; the doorbell is rung once at the end of the
 * work item, however many queues asked.
 */
void hvl_device_interrupt(struct hvl_device *hdev, struct hvl_vq *vq)
{
	struct hvl_core_dev *cd = to_core_dev(hdev);

	lockdep_assert_held(&cd->lock);

	if (!hvl_coal_hold(cd, vq))
		hvl_bus_signal_used(cd, vq);
}
EXPORT_SYMBOL_GPL(hvl_device_interrupt);

/* Raise the queue interrupt for @vq's used buffers, if the driver wants it. */
void hvl_bus_signal_used(struct hvl_core_dev *cd, struct hvl_vq *vq)
{
	lockdep_assert_held(&cd->lock);

	if (!hvl_vq_should_notify(vq))
		return;
	spin_lock_irq(&cd->isr_lock);
	cd->isr |= VIRTIO_MMIO_INT_VRING;
	WRITE_ONCE(*(__le32 *)(cd->page + VIRTIO_MMIO_INTERRUPT_STATUS),
		   cpu_to_le32(cd->isr));
	spin_unlock_irq(&cd->isr_lock);
	cd->irq = true;
}

static void raise_config(struct hvl_core_dev *cd, u32 status_bits)
{
	unsigned long flags;

	/*
	 * Whatever the device module changed in the config space must be
	 * visible before the generation that announces it: the driver
	 * rereads the config until the generation stands still.
	 */
	hvl_map_wmb(&cd->hdev.win->xlate);
	spin_lock_irqsave(&cd->isr_lock, flags);
	cd->hdev.status |= status_bits;
	cd->config_gen++;
	cd->isr |= VIRTIO_MMIO_INT_CONFIG;
	WRITE_ONCE(*(__le32 *)(cd->page + VIRTIO_MMIO_STATUS),
		   cpu_to_le32(cd->hdev.status));
	WRITE_ONCE(*(__le32 *)(cd->page + VIRTIO_MMIO_CONFIG_GENERATION),
		   cpu_to_le32(cd->config_gen));
	WRITE_ONCE(*(__le32 *)(cd->page + VIRTIO_MMIO_INTERRUPT_STATUS),
		   cpu_to_le32(cd->isr));
	spin_unlock_irqrestore(&cd->isr_lock, flags);
}

/**
 * hvl_device_config_changed() - the device changed its config space
 * @hdev: the device
 *
 * Any context.  Bumps ConfigGeneration and raises the config interrupt.
 */
void hvl_device_config_changed(struct hvl_device *hdev)
{
	struct hvl_core_dev *cd = to_core_dev(hdev);

	raise_config(cd, 0);
	hvl_window_ring(hdev->win);
}
EXPORT_SYMBOL_GPL(hvl_device_config_changed);

/**
 * hvl_device_needs_reset() - stop serving a misbehaving peer
 * @hdev: the device
 * @why: what went wrong, for the log
 *
 * Work item context.  Sets DEVICE_NEEDS_RESET and the config interrupt;
 * the core stops polling the device until the peer resets it.
 */
void hvl_device_needs_reset(struct hvl_device *hdev, const char *why)
{
	struct hvl_core_dev *cd = to_core_dev(hdev);

	lockdep_assert_held(&cd->lock);

	if (hdev->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	hdev->stats.needs_reset++;
	dev_err_ratelimited(&hdev->dev, "device needs reset: %s\n", why);
	raise_config(cd, VIRTIO_CONFIG_S_NEEDS_RESET);
	cd->irq = true;
}
EXPORT_SYMBOL_GPL(hvl_device_needs_reset);

/**
 * hvl_device_ready() - may the device use its queues?
 * @hdev: the device
 *
 * Return: true between DRIVER_OK and the next reset or fatal error.
 */
bool hvl_device_ready(const struct hvl_device *hdev)
{
	return READ_ONCE(to_core_dev((struct hvl_device *)hdev)->active) &&
	       !(hdev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}
EXPORT_SYMBOL_GPL(hvl_device_ready);

/* The child properties the core reads itself (window.c). */
static const char * const core_properties[] = {
	"hvl,device-id", "hvl,queue-sizes", "hvl,device-features", NULL
};

static bool listed(const char * const *list, const char *name)
{
	for (; list && *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

/**
 * hvl_of_check_properties() - refuse a node with an "hvl," property no one reads
 * @dev: the device being probed, for messages (they name its driver)
 * @np: its node
 * @known: the "hvl," properties read for @np, NULL-terminated
 * @more: a second such list (a device module's), or NULL
 *
 * Windows, front-ends and the children of windows all go through this.
 * Refused rather than warned about: a misspelt property is simply not
 * read, and some of them are all that confines the peer (a 9P export with
 * "hvl,readonly" for "hvl,read-only" was served writable; a window with
 * "hvl,bus-adresses" took the peer's addresses for physical ones).  A
 * warning in a boot log is easy to miss; a device that is not there is
 * not.  Other properties are the DT core's and the bindings'.
 *
 * Return: 0, or -EINVAL after a dev_err naming the node and the property.
 */
int hvl_of_check_properties(struct device *dev, const struct device_node *np,
			    const char * const *known, const char * const *more)
{
	struct property *pp;

	for_each_property_of_node(np, pp) {
		if (strncmp(pp->name, "hvl,", 4) || listed(known, pp->name) ||
		    listed(more, pp->name))
			continue;
		dev_err(dev, "%pOF: unknown property \"%s\" for %s: not bound, since a misspelt property would be ignored\n",
			np, pp->name, dev_driver_string(dev));
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(hvl_of_check_properties);

static int probe(struct device *dev)
{
	struct hvl_device *hdev = to_hvl_device(dev);
	struct hvl_core_dev *cd = to_core_dev(hdev);
	struct hvl_driver *drv = to_hvl_driver(dev->driver);
	int ret;

	if (drv->config_size > HVL_CONFIG_SIZE)
		return -EINVAL;
	ret = hvl_of_check_properties(dev, hdev->of_node, core_properties,
				      drv->of_properties);
	if (ret)
		return ret;
	hdev->config_size = drv->config_size;
	ret = drv->probe ? drv->probe(hdev) : 0;
	if (ret)
		return ret;

	mutex_lock(&cd->lock);
	hvl_txn_bind(cd, drv);
	mutex_unlock(&cd->lock);
	hvl_window_table_update(cd, hdev->device_id);
	return 0;
}

static void remove(struct device *dev)
{
	struct hvl_device *hdev = to_hvl_device(dev);
	struct hvl_core_dev *cd = to_core_dev(hdev);
	struct hvl_driver *drv = cd->drv;

	/*
	 * Stop serving the rings before the entry's gen tells the peer to
	 * let go: a peer may free them as soon as it sees it.
	 */
	mutex_lock(&cd->lock);
	hvl_txn_bind(cd, NULL);
	mutex_unlock(&cd->lock);
	hvl_coal_stop(cd);
	cancel_work_sync(&cd->work);
	hvl_window_table_update(cd, 0);

	if (drv->remove)
		drv->remove(hdev);
	hdev->priv = NULL;
}

const struct bus_type hvl_bus = {
	.name = "hvl",
	.match = match,
	.uevent = uevent,
	.probe = probe,
	.remove = remove,
};

static void release(struct device *dev)
{
	struct hvl_core_dev *cd = to_core_dev(to_hvl_device(dev));

	kfree(cd->qregs);
	kfree(cd->hdev.vqs);
	kfree(cd->queue_max);
	of_node_put(cd->hdev.of_node);
	kfree(cd);
}

/**
 * hvl_bus_alloc() - allocate a device of @win
 * @win: its window
 * @np: its device-tree node
 * @index: its device-table slot
 * @device_id: virtio device ID
 * @queue_max: QueueNumMax per queue
 * @nq: number of queues
 *
 * The device is initialised but not added; put_device() frees it.
 *
 * Return: the device or NULL.
 */
struct hvl_core_dev *hvl_bus_alloc(struct hvl_window *win,
				   struct device_node *np, unsigned int index,
				   u32 device_id, const u16 *queue_max,
				   unsigned int nq)
{
	struct hvl_core_dev *cd = kzalloc(sizeof(*cd), GFP_KERNEL);
	struct hvl_device *hdev;

	if (!cd)
		return NULL;
	hdev = &cd->hdev;
	mutex_init(&cd->lock);
	spin_lock_init(&cd->isr_lock);
	INIT_WORK(&cd->work, work_fn);
	hvl_coal_init(cd);
	hdev->win = win;
	hdev->index = index;
	hdev->device_id = device_id;
	hdev->num_queues = nq;
	hdev->of_node = of_node_get(np);
	hdev->dev.bus = &hvl_bus;
	hdev->dev.parent = win->dev;
	hdev->dev.release = release;
	hdev->dev.of_node = np;
	device_initialize(&hdev->dev);

	cd->queue_max = kmemdup(queue_max, nq * sizeof(*queue_max), GFP_KERNEL);
	hdev->vqs = kcalloc(nq, sizeof(*hdev->vqs), GFP_KERNEL);
	cd->qregs = kcalloc(nq, sizeof(*cd->qregs), GFP_KERNEL);
	if (!cd->queue_max || !hdev->vqs || !cd->qregs ||
	    dev_set_name(&hdev->dev, "%s.%u", dev_name(win->dev), index)) {
		put_device(&hdev->dev);
		return NULL;
	}
	return cd;
}

/**
 * hvl_bus_add() - register a device allocated by hvl_bus_alloc()
 * @cd: the device
 *
 * Return: 0 or a negative errno; the caller's reference stays either way.
 */
int hvl_bus_add(struct hvl_core_dev *cd)
{
	return device_add(&cd->hdev.dev);
}

/* Unregister; the caller drops its reference afterwards. */
void hvl_bus_del(struct hvl_core_dev *cd)
{
	device_del(&cd->hdev.dev);
	hvl_coal_stop(cd);
	cancel_work_sync(&cd->work);
}

/**
 * hvl_bus_peer_news() - has the peer done anything for @cd since it looked?
 * @cd: the device
 *
 * A doorbell names no device: it asks for a look at the transaction block,
 * the generation and the avail index of every ready queue of every device
 * in the window (protocol.rst, Notifications).  Looking here, in the
 * doorbell's context, spares a work item run, two context switches and
 * often a cross-CPU wake-up per device that has nothing new: before, every
 * doorbell ran all four devices of the test board, and a 9P request cost
 * three runs more than it needed.
 *
 * Any context, without @cd->lock: each field is read once.  What the work
 * item last read (``last_seq``, ``peer_gen``, ``avail_seen``) it has acted
 * on, so a value equal to it is old news; one it is about to read is news,
 * and at worst runs the work item for nothing.  Receive buffers the work
 * item saw and left for later are old news too: it uses them when Linux
 * has something, and kicks itself then.  A queue becomes ready in the work
 * item before the transaction that asked for it is acknowledged, and a
 * driver publishes on it only after that acknowledgment.
 *
 * Return: true if the device's work item must run.
 */
VISIBLE_IF_KUNIT bool hvl_bus_peer_news(struct hvl_core_dev *cd)
{
	struct hvl_device *hdev = &cd->hdev;
	unsigned int i;

	/*
	 * peer_gen read here, not through hvl_txn_peer_gen(): that one is a
	 * KUnit static stub, which follows current->kunit_test, and this
	 * runs in an interrupt on top of any task, a test's too.
	 */
	if (le32_to_cpu(READ_ONCE(cd->txn->seq)) != READ_ONCE(cd->last_seq) ||
	    hvl_hdr_get(&hdev->win->hdr->peer_gen) != READ_ONCE(cd->peer_gen))
		return true;
	for (i = 0; i < hdev->num_queues; i++)
		if (hvl_vq_peer_news(&hdev->vqs[i]))
			return true;
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_bus_peer_news);

/*
 * Doorbell from the peer, or a poll of a window without one (atomic
 * context): run the devices the peer did something for.
 */
void hvl_bus_kick_all(struct hvl_window *win)
{
	/* Pairs with the release in add_children(): devs[i] is set up. */
	unsigned int i, n = smp_load_acquire(&win->nr_devs);

	/* What the peer published before it rang. */
	hvl_map_rmb(&win->xlate);
	for (i = 0; i < n; i++) {
		struct hvl_core_dev *cd = win->devs[i];

		if (hvl_bus_peer_news(cd)) {
			atomic_long_inc(&cd->kicks);
			queue_work(win->wq, &cd->work);
		} else {
			atomic_long_inc(&cd->kicks_idle);
		}
	}
}

/*
 * Run every device of @win, news or not: for what the devices' own kicks
 * asked for while their work items could not act on it (a frozen window).
 */
void hvl_bus_run_all(struct hvl_window *win)
{
	/* Pairs with the release in add_children(): devs[i] is set up. */
	unsigned int i, n = smp_load_acquire(&win->nr_devs);

	for (i = 0; i < n; i++)
		queue_work(win->wq, &win->devs[i]->work);
}

int __hvl_driver_register(struct hvl_driver *drv, struct module *owner)
{
	drv->driver.bus = &hvl_bus;
	drv->driver.owner = owner;
	return driver_register(&drv->driver);
}
EXPORT_SYMBOL_GPL(__hvl_driver_register);

void hvl_driver_unregister(struct hvl_driver *drv)
{
	driver_unregister(&drv->driver);
}
EXPORT_SYMBOL_GPL(hvl_driver_unregister);
