// SPDX-License-Identifier: GPL-2.0-only
/*
 * Software mailbox controller that connects channels in pairs, so that both
 * sides of an hvl window (hvl_core, the device side, and hvl_front, the
 * driver side) can run in one kernel for tests without mailbox hardware.
 *
 * Device tree:
 *
 *	mbox: mailbox {
 *		compatible = "hvl,mailbox-loopback";
 *		#mbox-cells = <1>;
 *		hvl,channels = <8>;		(optional: even, 2..64)
 *	};
 *
 * A message sent on channel 2k is received on channel 2k+1 and vice versa;
 * each side's client uses one channel as a bidirectional doorbell.
 *
 * Delivery context: a hard interrupt, as from a real mailbox, never the
 * sender's own call: an irq_work on the sender's CPU, which runs as soon
 * as the sender has its interrupts back, mostly when send_data() returns.
 * No other CPU is woken: under QEMU TCG a cross-CPU wake-up is most of a
 * doorbell's latency, and waking every CPU for each doorbell was a tenth
 * of a vsock or net benchmark's samples and halved 9P's random reads.
 *
 * A real mailbox interrupts the peer's own CPU; here the peer is this
 * kernel, and a sender that spins with interrupts off until the peer has
 * acted (hvl_front's wait for the buffers of virtio_console's hvc write,
 * holding the hvc lock, which a second CPU may then spin on with
 * interrupts off) would wait for a delivery its own CPU cannot make.
 * Such a sender says so by polling the channel while it spins
 * (mbox_client_peek_data(), through hvl_doorbell_spin()): its sends not
 * yet delivered then go by IPI to every other online CPU
 * (smp_call_function_single_async); whichever runs first delivers, the
 * others find nothing to do.  No single other CPU can be relied upon
 * either: it may be the second one above.
 *
 * The handler calls the peer's rx callback, then reports tx-done
 * (txdone_irq).  Sends that pile up before a delivery are merged into one
 * (doorbells carry no information), but every send gets its tx-done.
 */
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/mailbox_controller.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>

#define LB_DEFAULT_CHANS	8
#define LB_MAX_CHANS		64

/* Off: every send wakes every CPU, as before (benchmarks compare both). */
static bool direct = true;
module_param(direct, bool, 0644);
MODULE_PARM_DESC(direct, "a send is delivered by its own CPU, waking no other unless the sender spins (default on)");

struct lb;
struct lb_cpu;

struct lb_chan {
	struct lb *lb;
	struct mbox_chan *chan;
	struct lb_chan *peer;
	spinlock_t lock;	/* one delivery from this channel at a time */
	raw_spinlock_t ipi_lock; /* one sender of IPIs (the csds) at a time */
	bool active;		/* between startup and shutdown */
	atomic_t pending;	/* sends not yet delivered */
	atomic_t spinning;	/* IPIs queued for a spinning sender */
	void *msg;		/* payload of the latest send */
	struct lb_cpu *cpus;	/* nr_cpu_ids ways to deliver */
	atomic_long_t sent;	/* messages accepted by send_data() */
	atomic_long_t direct;	/* of which queued on the sender's CPU only */
	atomic_long_t spun;	/* IPIs sent for a spinning sender */
	atomic_long_t delivered; /* deliveries to the peer's client */
	atomic_long_t dropped;	/* deliveries with no client on the peer */
};

/*
 * A CPU's means of delivering one channel's sends: an IPI from elsewhere,
 * an irq_work from itself.  Per channel, not per CPU only: an async csd
 * must not be queued twice at once, and the channel's ipi_lock
 * serialises those who queue its csds.
 */
struct lb_cpu {
	struct lb_chan *lc;
	call_single_data_t csd;
	struct irq_work self;
};

struct lb {
	struct mbox_controller mbox;
	struct lb_chan *chans;
	atomic_t busy;		/* delivery handlers queued or running */
	struct dentry *dir;
};

static struct dentry *lb_root;

static void deliver(struct lb_chan *lc)
{
	struct lb_chan *peer = lc->peer;
	unsigned long flags;
	int n;

	spin_lock_irqsave(&lc->lock, flags);
	n = atomic_xchg(&lc->pending, 0);
	/* What a spinning sender waits for is done: it may ask again. */
	atomic_set(&lc->spinning, 0);
	if (n) {
		/* Pairs with lb_startup(): chan->cl is set. */
		if (smp_load_acquire(&peer->active)) {
			mbox_chan_received_data(peer->chan, READ_ONCE(lc->msg));
			atomic_long_inc(&lc->delivered);
		} else {
			atomic_long_inc(&lc->dropped);
		}
		/* As above, for our own client. */
		while (smp_load_acquire(&lc->active) && n--)
			mbox_chan_txdone(lc->chan, 0);
	}
	spin_unlock_irqrestore(&lc->lock, flags);
}

/* Hard interrupt context, on any CPU. */
static void deliver_irq(struct lb_chan *lc)
{
	struct lb *lb = lc->lb;

	deliver(lc);
	/* Last access to @lb: lb_remove() waits for this. */
	smp_mb__before_atomic();
	atomic_dec(&lb->busy);
}

static void deliver_ipi(void *info)
{
	deliver_irq(info);
}

static void deliver_self(struct irq_work *iw)
{
	deliver_irq(container_of(iw, struct lb_cpu, self)->lc);
}

/*
 * Queue a delivery of @lc's sends on every online CPU: an irq_work on
 * our own, an IPI on the others.  Interrupts off: the set of online CPUs
 * cannot change under us (hotplug needs stop_machine).
 */
static void deliver_everywhere(struct lb_chan *lc)
{
	struct lb *lb = lc->lb;
	int cpu, self = smp_processor_id();

	lockdep_assert_irqs_disabled();
	raw_spin_lock(&lc->ipi_lock);
	for_each_online_cpu(cpu) {
		struct lb_cpu *c = &lc->cpus[cpu];

		/*
		 * A handler already queued there runs after this and sees
		 * ->pending: nothing is lost when one cannot be queued.
		 */
		atomic_inc(&lb->busy);
		if (cpu == self ? !irq_work_queue(&c->self) :
		    smp_call_function_single_async(cpu, &c->csd))
			atomic_dec(&lb->busy);
	}
	raw_spin_unlock(&lc->ipi_lock);
}

/* Called by the framework under chan->lock, interrupts disabled. */
static int lb_send_data(struct mbox_chan *chan, void *data)
{
	struct lb_chan *lc = chan->con_priv;
	struct lb *lb = lc->lb;

	WRITE_ONCE(lc->msg, data);
	atomic_long_inc(&lc->sent);
	atomic_inc(&lc->pending);

	if (!READ_ONCE(direct)) {
		deliver_everywhere(lc);
		return 0;
	}
	atomic_long_inc(&lc->direct);
	atomic_inc(&lb->busy);
	if (!irq_work_queue(&lc->cpus[smp_processor_id()].self))
		atomic_dec(&lb->busy);
	return 0;
}

/*
 * A client spinning with interrupts off until the peer acts on what it
 * sent (see the top of the file): what its CPU has not delivered yet, the
 * others do.  Called in a loop: once until a delivery, which every CPU
 * got a handler for.  Any context, no lock held by the framework.
 * Nothing is ever received this way: always false.
 */
static bool lb_peek_data(struct mbox_chan *chan)
{
	struct lb_chan *lc = chan->con_priv;
	unsigned long flags;

	if (!atomic_read(&lc->pending) || atomic_xchg(&lc->spinning, 1))
		return false;
	local_irq_save(flags);
	atomic_long_inc(&lc->spun);
	deliver_everywhere(lc);
	local_irq_restore(flags);
	return false;
}

static int lb_startup(struct mbox_chan *chan)
{
	struct lb_chan *lc = chan->con_priv;

	/* The framework set chan->cl before calling us; publish it. */
	smp_store_release(&lc->active, true);
	return 0;
}

/*
 * mbox_free_channel() clears chan->cl right after this returns, so no
 * callback into our client (rx or tx-done) may run after that: deliveries
 * check ->active under the sending channel's lock, so passing through both
 * locks waits for any delivery that saw the channel active.  Messages still
 * queued from this channel are delivered to the peer, without tx-done.
 */
static void lb_shutdown(struct mbox_chan *chan)
{
	struct lb_chan *lc = chan->con_priv;

	WRITE_ONCE(lc->active, false);
	spin_lock_irq(&lc->lock);
	spin_unlock_irq(&lc->lock);
	spin_lock_irq(&lc->peer->lock);
	spin_unlock_irq(&lc->peer->lock);
}

static const struct mbox_chan_ops lb_ops = {
	.send_data	= lb_send_data,
	.peek_data	= lb_peek_data,
	.startup	= lb_startup,
	.shutdown	= lb_shutdown,
};

static int stats_show(struct seq_file *s, void *unused)
{
	struct lb *lb = s->private;
	int i;

	seq_puts(s, "chan peer client sent delivered dropped direct spun\n");
	for (i = 0; i < lb->mbox.num_chans; i++) {
		struct lb_chan *lc = &lb->chans[i];

		seq_printf(s, "%4d %4d %6d %4ld %9ld %7ld %6ld %4ld\n", i, i ^ 1,
			   READ_ONCE(lc->active),
			   atomic_long_read(&lc->sent),
			   atomic_long_read(&lc->delivered),
			   atomic_long_read(&lc->dropped),
			   atomic_long_read(&lc->direct),
			   atomic_long_read(&lc->spun));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int lb_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct mbox_chan *chans;
	u32 n = LB_DEFAULT_CHANS;
	struct lb *lb;
	int i, cpu, ret;

	if (of_property_present(dev->of_node, "hvl,channels") &&
	    (of_property_count_u32_elems(dev->of_node, "hvl,channels") != 1 ||
	     of_property_read_u32(dev->of_node, "hvl,channels", &n) ||
	     n < 2 || n > LB_MAX_CHANS || n % 2))
		return dev_err_probe(dev, -EINVAL,
				     "\"hvl,channels\" must be one cell, even, 2..%d\n",
				     LB_MAX_CHANS);

	lb = devm_kzalloc(dev, sizeof(*lb), GFP_KERNEL);
	chans = devm_kcalloc(dev, n, sizeof(*chans), GFP_KERNEL);
	if (!lb || !chans)
		return -ENOMEM;
	lb->chans = devm_kcalloc(dev, n, sizeof(*lb->chans), GFP_KERNEL);
	if (!lb->chans)
		return -ENOMEM;

	for (i = 0; i < n; i++) {
		struct lb_chan *lc = &lb->chans[i];

		lc->lb = lb;
		lc->chan = &chans[i];
		lc->peer = &lb->chans[i ^ 1];
		spin_lock_init(&lc->lock);
		raw_spin_lock_init(&lc->ipi_lock);
		chans[i].con_priv = lc;
		lc->cpus = devm_kcalloc(dev, nr_cpu_ids, sizeof(*lc->cpus),
					GFP_KERNEL);
		if (!lc->cpus)
			return -ENOMEM;
		for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
			struct lb_cpu *c = &lc->cpus[cpu];

			c->lc = lc;
			INIT_CSD(&c->csd, deliver_ipi, lc);
			c->self = IRQ_WORK_INIT_HARD(deliver_self);
		}
	}

	lb->mbox.dev = dev;
	lb->mbox.ops = &lb_ops;
	lb->mbox.chans = chans;
	lb->mbox.num_chans = n;
	lb->mbox.txdone_irq = true;
	ret = mbox_controller_register(&lb->mbox);
	if (ret)
		return dev_err_probe(dev, ret, "cannot register controller\n");

	lb->dir = debugfs_create_dir(dev_name(dev), lb_root);
	debugfs_create_file("stats", 0444, lb->dir, lb, &stats_fops);
	platform_set_drvdata(pdev, lb);
	dev_info(dev, "%u loopback channels\n", n);
	return 0;
}

static void lb_remove(struct platform_device *pdev)
{
	struct lb *lb = platform_get_drvdata(pdev);
	int i, cpu;

	debugfs_remove_recursive(lb->dir);
	/* Shuts down every channel that still has a client. */
	mbox_controller_unregister(&lb->mbox);
	/*
	 * No send can start now; handlers still queued deliver to nobody.
	 * Wait until the last has let go of @lb (they run with interrupts
	 * off, so this is short).
	 */
	while (atomic_read_acquire(&lb->busy))
		usleep_range(10, 20);
	/* The irq_work core still clears its flags after our handler. */
	for (i = 0; i < lb->mbox.num_chans; i++)
		for_each_possible_cpu(cpu)
			irq_work_sync(&lb->chans[i].cpus[cpu].self);
}

static const struct of_device_id lb_of_match[] = {
	{ .compatible = "hvl,mailbox-loopback" },
	{ }
};
MODULE_DEVICE_TABLE(of, lb_of_match);

static struct platform_driver lb_driver = {
	.probe = lb_probe,
	.remove = lb_remove,
	.driver = {
		.name = "hvl-mailbox-loopback",
		.of_match_table = lb_of_match,
	},
};

static int __init lb_init(void)
{
	int ret;

	lb_root = debugfs_create_dir("hvl_mbox_loopback", NULL);
	ret = platform_driver_register(&lb_driver);
	if (ret)
		debugfs_remove(lb_root);
	return ret;
}
module_init(lb_init);

static void __exit lb_exit(void)
{
	platform_driver_unregister(&lb_driver);
	debugfs_remove(lb_root);
}
module_exit(lb_exit);

MODULE_DESCRIPTION("hvl: loopback mailbox controller for tests");
MODULE_LICENSE("GPL");
