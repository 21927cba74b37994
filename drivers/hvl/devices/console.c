// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvl_console: a virtio-console device (ID 3) for the peer, seen on Linux
 * as /dev/ttyHVL<n>.  The peer runs the stock virtio_console driver
 * (/dev/hvc0 on Linux) or its RTOS equivalent.
 *
 * One port, no multiport: queue 0 (receiveq) carries Linux -> peer bytes,
 * queue 1 (transmitq) peer -> Linux.  VIRTIO_CONSOLE_F_EMERG_WRITE is
 * offered so a peer can print through config space before its queues are
 * up.
 *
 * Flow control:
 *  - Linux -> peer: tty writes land in a fixed kfifo; write_room() is its
 *    free space, so writers block in the tty layer while the peer posts no
 *    receive buffers.
 *  - peer -> Linux: a UART, not a pipe.  Every transmit chain is consumed
 *    and returned in the run that pops it, whatever the reader does: the
 *    stock virtio_console busy-waits with interrupts off until its buffer
 *    comes back, so a chain kept while our tty is full would freeze the
 *    peer's CPUs.  Bytes the tty cannot take yet wait in a held buffer of
 *    tx_buffer_kib; what does not fit there is dropped and counted
 *    (dropped in debugfs), as a UART overruns.  The held bytes reach the
 *    tty as it drains (we retry on a timer, 10 ms backing off to 1 s while
 *    nothing moves, since the tty layer has no "room available" callback).
 *    With the tty closed, bytes are dropped.
 */
#include <kunit/visibility.h>
#include <linux/hvl.h>
#include <linux/idr.h>
#include <linux/kfifo.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/tty.h>
#include <linux/tty_flip.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>

#include "console.h"

#define MAX_PORTS	16
#define FIFO_SIZE	(64 * 1024)
#define HELD_MIN_KIB	4
#define HELD_MAX_KIB	16384
#define RETRY_MIN_MS	10
#define RETRY_MAX_MS	1000

static unsigned int tx_buffer_kib = 256;
module_param(tx_buffer_kib, uint, 0444);
MODULE_PARM_DESC(tx_buffer_kib,
		 "KiB of peer output held per console while the tty is full, a power of two (4-16384, default 256); more is dropped");
#define RX_Q		0
#define TX_Q		1

struct hvl_console {
	struct tty_port port;
	struct hvl_device *hdev;	/* NULL once removed; under lock */
	spinlock_t lock;
	DECLARE_KFIFO(fifo, u8, FIFO_SIZE);
	struct delayed_work retry;
	unsigned int minor;
	void *bounce;			/* PAGE_SIZE, kfifo -> chain */
	struct kvec rx_iov[HVL_CHAIN_MAX];
	struct kvec tx_iov[HVL_CHAIN_MAX];
	struct kfifo held;		/* peer output the tty had no room for */
	void *held_buf;
	unsigned int retry_ms;		/* next retry of the held bytes */
	u64 rx_bytes, tx_bytes, dropped;
};

static struct tty_driver *driver;

/*
 * Minor -> console.  An id stays allocated until the port is destroyed
 * (an open tty keeps the minor), but its entry is NULL except between
 * probe and remove: con_install() finds a console and takes its port
 * reference under ports_lock, and remove() clears the entry under it
 * before dropping its own reference.  (The tty core's driver->ports[] is
 * never cleared: a tty opened after remove, through a device node of its
 * own or one looked up before the device went, would find a freed port
 * there.)
 */
static DEFINE_IDR(ports);
static DEFINE_MUTEX(ports_lock);

static struct hvl_console *port_to_con(struct tty_port *port)
{
	return container_of(port, struct hvl_console, port);
}

/* Linux -> peer: fill the peer's receive buffers from the fifo. */
static bool serve_rx(struct hvl_device *hdev, struct hvl_console *con,
		     int *budget)
{
	struct hvl_vq *vq = &hdev->vqs[RX_Q];
	struct hvl_chain c = { .iov = con->rx_iov, .max = HVL_CHAIN_MAX };
	struct iov_iter it;
	bool sent = false;
	size_t n;
	int ret;

	/*
	 * A peer may set DRIVER_OK without a receiveq (one that only
	 * writes, a logger): it takes nothing, as one that posts no
	 * buffers, and writers wait.  Not a broken ring.
	 */
	if (!vq->ready)
		return false;
	while (*budget > 0 && !kfifo_is_empty(&con->fifo)) {
		/* On an empty ring: a kick when buffers come. */
		ret = hvl_vq_next(vq, &c, budget);
		if (ret == -EAGAIN || ret == -EBUSY)
			break;
		if (ret) {
			hvl_device_needs_reset(hdev, "bad receiveq chain");
			return sent;
		}
		hvl_chain_in_iter(&c, &it);
		n = kfifo_out(&con->fifo, con->bounce,
			      min_t(size_t, c.in_len, PAGE_SIZE));
		n = copy_to_iter(con->bounce, n, &it);
		hvl_vq_push(vq, &c, n);
		con->rx_bytes += n;
		hvl_device_interrupt(hdev, vq);
		sent = true;
		(*budget)--;
	}
	/* Nothing to send: the buffers wait for con_write()'s kick. */
	if (kfifo_is_empty(&con->fifo))
		hvl_vq_defer(vq);
	if (sent)
		tty_port_tty_wakeup(&con->port);
	return sent;
}

/*
 * Move held bytes into the tty as far as it has room.  With nobody
 * holding the tty open, what is held is dropped: a closed tty must not
 * keep the peer's output.
 */
static void flush_held(struct hvl_console *con, struct tty_struct *tty)
{
	unsigned int n;
	size_t room;
	u8 *p;

	if (!tty) {
		con->dropped += kfifo_len(&con->held);
		kfifo_reset_out(&con->held);
		return;
	}
	while (!kfifo_is_empty(&con->held)) {
		room = tty_prepare_flip_string(&con->port, &p,
					       min_t(size_t, PAGE_SIZE,
						     kfifo_len(&con->held)));
		if (!room)
			break;
		n = kfifo_out(&con->held, p, room);
		con->tx_bytes += n;
	}
}

/*
 * Consume one transmit chain: into the tty while it has room and nothing
 * older is held, then into the held buffer, the rest dropped.
 */
static void consume_tx(struct hvl_console *con, struct tty_struct *tty,
		       struct hvl_chain *c)
{
	size_t left = c->out_len, n, room;
	struct iov_iter it;
	u8 *p;

	hvl_chain_out_iter(c, &it);
	while (tty && left && kfifo_is_empty(&con->held)) {
		/*
		 * A page at a time: the tty layer allocates what it is asked
		 * for (GFP_ATOMIC, twice the size) before checking its limit,
		 * and the peer chooses the chain's length.
		 */
		room = tty_prepare_flip_string(&con->port, &p,
					       min_t(size_t, left, PAGE_SIZE));
		if (!room)
			break;
		n = copy_from_iter(p, room, &it);
		con->tx_bytes += n;
		left -= n;
	}
	while (tty && left && kfifo_avail(&con->held)) {
		n = copy_from_iter(con->bounce,
				   min3(left, (size_t)PAGE_SIZE,
					(size_t)kfifo_avail(&con->held)), &it);
		kfifo_in(&con->held, con->bounce, n);
		left -= n;
	}
	con->dropped += left;
}

/* Peer -> Linux.  Returns true if bytes are held for the tty. */
static bool serve_tx(struct hvl_device *hdev, struct hvl_console *con,
		     int *budget)
{
	struct tty_struct *tty = tty_port_tty_get(&con->port);
	struct hvl_vq *vq = &hdev->vqs[TX_Q];
	struct hvl_chain c = { .iov = con->tx_iov, .max = HVL_CHAIN_MAX };
	bool held;
	int ret;

	flush_held(con, tty);
	/* Nor is a peer without a transmitq broken: it writes nothing. */
	while (*budget > 0 && vq->ready) {
		ret = hvl_vq_next(vq, &c, budget);
		if (ret == -EAGAIN || ret == -EBUSY)
			break;
		if (ret) {
			hvl_device_needs_reset(hdev, "bad transmitq chain");
			break;
		}
		hvl_vq_disable_notify(vq);
		consume_tx(con, tty, &c);
		hvl_vq_push(vq, &c, 0);
		hvl_device_interrupt(hdev, vq);
		(*budget)--;
	}
	held = !kfifo_is_empty(&con->held);
	if (tty) {
		tty_flip_buffer_push(&con->port);
		tty_kref_put(tty);
	}
	return held;
}

/*
 * The device's ->poll().  Visible to the KUnit suite, which drives it on
 * rings of its own through hvl_console_kunit_add().
 */
VISIBLE_IF_KUNIT bool hvl_console_poll(struct hvl_device *hdev, int budget)
{
	struct hvl_console *con = hdev->priv;
	u64 delivered = con->tx_bytes;

	/*
	 * Held bytes wait for a reader: retry soon while the tty drains,
	 * backing off to once a second while nobody reads it.
	 */
	if (serve_tx(hdev, con, &budget)) {
		if (con->tx_bytes != delivered)
			con->retry_ms = RETRY_MIN_MS;
		else
			con->retry_ms = min(2 * con->retry_ms, RETRY_MAX_MS);
		schedule_delayed_work(&con->retry,
				      msecs_to_jiffies(con->retry_ms));
	} else {
		con->retry_ms = RETRY_MIN_MS;
	}
	serve_rx(hdev, con, &budget);
	return budget <= 0;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_console_poll);

static void retry(struct work_struct *work)
{
	struct hvl_console *con = container_of(to_delayed_work(work),
					       struct hvl_console, retry);
	unsigned long flags;

	spin_lock_irqsave(&con->lock, flags);
	if (con->hdev)
		hvl_device_kick(con->hdev);
	spin_unlock_irqrestore(&con->lock, flags);
}

static int activate(struct hvl_device *hdev)
{
	hvl_device_kick(hdev);
	return 0;
}

/*
 * An emergency write is one byte of the same output: after what is held,
 * dropped with the tty closed.  Serialized with poll() by the core.
 */
static void emerg_tx(struct hvl_console *con, u8 c)
{
	struct tty_struct *tty = tty_port_tty_get(&con->port);

	if (!tty) {
		con->dropped++;
		return;
	}
	if (!kfifo_is_empty(&con->held)) {
		if (!kfifo_put(&con->held, c))
			con->dropped++;
	} else if (tty_insert_flip_char(&con->port, c, TTY_NORMAL)) {
		tty_flip_buffer_push(&con->port);
		con->tx_bytes++;
	} else if (!kfifo_put(&con->held, c)) {
		con->dropped++;
	}
	tty_kref_put(tty);
	if (!kfifo_is_empty(&con->held))
		schedule_delayed_work(&con->retry, msecs_to_jiffies(RETRY_MIN_MS));
}

static int config_write(struct hvl_device *hdev, unsigned int offset,
			unsigned int width, u32 value)
{
	struct hvl_console *con = hdev->priv;

	if (offset != offsetof(struct virtio_console_config, emerg_wr) ||
	    width != 4 ||
	    !hvl_device_feature(hdev, VIRTIO_CONSOLE_F_EMERG_WRITE))
		return -EINVAL;
	emerg_tx(con, value);
	return 0;
}

static ssize_t con_write(struct tty_struct *tty, const u8 *buf, size_t count)
{
	struct hvl_console *con = tty->driver_data;
	unsigned long flags;
	size_t n;

	spin_lock_irqsave(&con->lock, flags);
	n = con->hdev ? kfifo_in(&con->fifo, buf, count) : 0;
	if (n)
		hvl_device_kick(con->hdev);
	spin_unlock_irqrestore(&con->lock, flags);
	return n;
}

static unsigned int con_write_room(struct tty_struct *tty)
{
	struct hvl_console *con = tty->driver_data;

	return kfifo_avail(&con->fifo);
}

static unsigned int con_chars_in_buffer(struct tty_struct *tty)
{
	struct hvl_console *con = tty->driver_data;

	return kfifo_len(&con->fifo);
}

static int con_install(struct tty_driver *drv, struct tty_struct *tty)
{
	struct hvl_console *con;
	struct tty_port *port = NULL;

	mutex_lock(&ports_lock);
	con = idr_find(&ports, tty->index);
	if (con)
		port = tty_port_get(&con->port);
	mutex_unlock(&ports_lock);
	if (!port)
		return -ENODEV;
	tty->driver_data = con;
	return tty_port_install(port, drv, tty);
}

static void con_cleanup(struct tty_struct *tty)
{
	struct hvl_console *con = tty->driver_data;

	tty_port_put(&con->port);
}

static int con_open(struct tty_struct *tty, struct file *filp)
{
	return tty_port_open(tty->port, tty, filp);
}

static void con_close(struct tty_struct *tty, struct file *filp)
{
	tty_port_close(tty->port, tty, filp);
}

static void con_hangup(struct tty_struct *tty)
{
	tty_port_hangup(tty->port);
}

static const struct tty_operations tty_ops = {
	.install = con_install,
	.cleanup = con_cleanup,
	.open = con_open,
	.close = con_close,
	.hangup = con_hangup,
	.write = con_write,
	.write_room = con_write_room,
	.chars_in_buffer = con_chars_in_buffer,
};

/* Publish @con as its minor's console, or with NULL withdraw it. */
static void set_port(unsigned int minor, struct hvl_console *con)
{
	mutex_lock(&ports_lock);
	idr_replace(&ports, con, minor);
	mutex_unlock(&ports_lock);
}

static void free_minor(unsigned int minor)
{
	mutex_lock(&ports_lock);
	idr_remove(&ports, minor);
	mutex_unlock(&ports_lock);
}

static void port_destruct(struct tty_port *port)
{
	struct hvl_console *con = port_to_con(port);

	free_minor(con->minor);
	kvfree(con->held_buf);
	kfree(con->bounce);
	kvfree(con);
}

/*
 * Every open that finds the port not initialised: the first, and any
 * after a hangup.  An open that took the port in con_install() just
 * before remove() gets here after remove() looked for port->tty to hang
 * up (and so does an open already past the device node when it went
 * that reopens a hung-up tty still held, without con_install()): the
 * tty would never be hung up, and its writes would wait for ever.
 * Under port->mutex, with port->tty set: remove() clears con->hdev
 * before it looks for port->tty, so either this sees NULL or that
 * hangup finds this tty.
 */
static int port_activate(struct tty_port *port, struct tty_struct *tty)
{
	struct hvl_console *con = port_to_con(port);
	int ret = 0;

	spin_lock_irq(&con->lock);
	if (!con->hdev)
		ret = -ENODEV;
	spin_unlock_irq(&con->lock);
	return ret;
}

static const struct tty_port_operations port_ops = {
	.activate = port_activate,
	.destruct = port_destruct,
};

/*
 * A console on @hdev without its tty device; tty_port_put() frees it.
 * Returns an ERR_PTR on failure.
 */
static struct hvl_console *alloc_console(struct hvl_device *hdev)
{
	struct hvl_console *con;
	int minor;

	mutex_lock(&ports_lock);
	minor = idr_alloc(&ports, NULL, 0, MAX_PORTS, GFP_KERNEL);
	mutex_unlock(&ports_lock);
	if (minor == -ENOSPC)
		dev_err(&hdev->dev, "no free /dev/ttyHVL minor: at most %u consoles\n",
			MAX_PORTS);
	if (minor < 0)
		return ERR_PTR(minor);
	con = kvzalloc(sizeof(*con), GFP_KERNEL);
	if (!con) {
		free_minor(minor);
		return ERR_PTR(-ENOMEM);
	}
	con->bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	con->held_buf = kvmalloc(tx_buffer_kib * 1024, GFP_KERNEL);
	if (!con->bounce || !con->held_buf) {
		kvfree(con->held_buf);
		kfree(con->bounce);
		kvfree(con);
		free_minor(minor);
		return ERR_PTR(-ENOMEM);
	}
	kfifo_init(&con->held, con->held_buf, tx_buffer_kib * 1024);
	con->minor = minor;
	con->hdev = hdev;
	con->retry_ms = RETRY_MIN_MS;
	spin_lock_init(&con->lock);
	INIT_KFIFO(con->fifo);
	INIT_DELAYED_WORK(&con->retry, retry);
	tty_port_init(&con->port);
	con->port.ops = &port_ops;
	hdev->priv = con;
	return con;
}

/* probe(), the tty device under @parent; its number in *@devt if asked. */
static int add(struct hvl_device *hdev, struct device *parent, dev_t *devt)
{
	struct virtio_console_config *cfg = hdev->config;
	struct hvl_console *con;
	struct device *tdev;

	if (tx_buffer_kib < HELD_MIN_KIB || tx_buffer_kib > HELD_MAX_KIB ||
	    !is_power_of_2(tx_buffer_kib)) {
		dev_err(&hdev->dev, "tx_buffer_kib=%u: must be a power of two from %u to %u\n",
			tx_buffer_kib, HELD_MIN_KIB, HELD_MAX_KIB);
		return -EINVAL;
	}
	if (hdev->num_queues != 2) {
		dev_err(&hdev->dev, "console needs exactly 2 queues, DT gives %u\n",
			hdev->num_queues);
		return -EINVAL;
	}
	con = alloc_console(hdev);
	if (IS_ERR(con))
		return PTR_ERR(con);

	/* The config image is ours: the peer only writes through transactions. */
	WRITE_ONCE(cfg->cols, 0);
	WRITE_ONCE(cfg->rows, 0);
	WRITE_ONCE(cfg->max_nr_ports, 0);
	WRITE_ONCE(cfg->emerg_wr, 0);

	set_port(con->minor, con);
	tdev = tty_port_register_device(&con->port, driver, con->minor,
					parent);
	if (IS_ERR(tdev)) {
		set_port(con->minor, NULL);
		hdev->priv = NULL;
		tty_port_put(&con->port);
		return PTR_ERR(tdev);
	}
	if (devt)
		*devt = tdev->devt;
	dev_info(&hdev->dev, "console on %s%d\n", driver->name, con->minor);
	return 0;
}

static int probe(struct hvl_device *hdev)
{
	return add(hdev, &hdev->dev, NULL);
}

static void remove(struct hvl_device *hdev)
{
	struct hvl_console *con = hdev->priv;

	/* No new tty on this port: the one open keeps it, see ports. */
	set_port(con->minor, NULL);
	spin_lock_irq(&con->lock);
	con->hdev = NULL;
	spin_unlock_irq(&con->lock);
	cancel_delayed_work_sync(&con->retry);
	/*
	 * Synchronously, as rpmsg_tty does: tty_hangup() only queues the
	 * hangup, and a last close racing with it frees the tty with that
	 * work still queued (ODEBUG in queue_release_one_tty(), seen in
	 * 22-console-unbind).
	 */
	tty_port_tty_vhangup(&con->port);
	tty_unregister_device(driver, con->minor);
	tty_port_put(&con->port);
}

#if IS_ENABLED(CONFIG_KUNIT)
static struct hvl_driver console_driver;

/*
 * The KUnit suite's way in: a console on @hdev, whose queues the test
 * set up as a peer would, with no tty device (nobody has it open), for
 * hvl_console_poll() to serve as the core's work item would.
 */
int hvl_console_kunit_add(struct hvl_device *hdev)
{
	return PTR_ERR_OR_ZERO(alloc_console(hdev));
}
EXPORT_SYMBOL_IF_KUNIT(hvl_console_kunit_add);

/* Bytes for the peer, as a tty write puts them; returns how many fit. */
size_t hvl_console_kunit_input(struct hvl_device *hdev, const u8 *buf,
			       size_t len)
{
	struct hvl_console *con = hdev->priv;
	unsigned long flags;
	size_t n;

	spin_lock_irqsave(&con->lock, flags);
	n = kfifo_in(&con->fifo, buf, len);
	spin_unlock_irqrestore(&con->lock, flags);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_console_kunit_input);

void hvl_console_kunit_del(struct hvl_device *hdev)
{
	struct hvl_console *con = hdev->priv;

	cancel_delayed_work_sync(&con->retry);
	hdev->priv = NULL;
	tty_port_put(&con->port);
}
EXPORT_SYMBOL_IF_KUNIT(hvl_console_kunit_del);

/*
 * probe() and remove() for a suite whose fake device is no device of the
 * driver model: the tty device goes under @parent, its number in *@devt.
 * After remove, hdev->priv is NULL (the console is the tty's, if open).
 */
int hvl_console_kunit_probe(struct hvl_device *hdev, struct device *parent,
			    dev_t *devt)
{
	return add(hdev, parent, devt);
}
EXPORT_SYMBOL_IF_KUNIT(hvl_console_kunit_probe);

void hvl_console_kunit_remove(struct hvl_device *hdev)
{
	remove(hdev);
	hdev->priv = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_console_kunit_remove);

/* The driver, for a suite that binds it to its device through the core. */
struct hvl_driver *hvl_console_kunit_driver(void)
{
	return &console_driver;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_console_kunit_driver);

/*
 * Bytes of peer output the console took: into the tty, held or dropped
 * (with the tty closed, every byte it takes is dropped and counted).
 */
u64 hvl_console_kunit_taken(struct hvl_device *hdev)
{
	struct hvl_console *con = hdev->priv;

	return con->tx_bytes + kfifo_len(&con->held) + con->dropped;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_console_kunit_taken);
#endif

static void show(struct hvl_device *hdev, struct seq_file *s)
{
	struct hvl_console *con = hdev->priv;

	seq_printf(s, "tty: %s%u\nto_peer_bytes: %llu\nfrom_peer_bytes: %llu\ndropped: %llu\nfifo: %u\n",
		   driver->name, con->minor, con->rx_bytes, con->tx_bytes,
		   con->dropped, kfifo_len(&con->fifo));
	seq_printf(s, "held: %u of %u\n", kfifo_len(&con->held),
		   kfifo_size(&con->held));
}

static struct hvl_driver console_driver = {
	.driver.name = "hvl_console",
	.device_id = VIRTIO_ID_CONSOLE,
	.features = BIT_ULL(VIRTIO_CONSOLE_F_EMERG_WRITE),
	.config_size = sizeof(struct virtio_console_config),
	.probe = probe,
	.remove = remove,
	.activate = activate,
	.poll = hvl_console_poll,
	.config_write = config_write,
	.show = show,
};

static int __init console_init(void)
{
	int ret;

	driver = tty_alloc_driver(MAX_PORTS, TTY_DRIVER_REAL_RAW |
				  TTY_DRIVER_DYNAMIC_DEV);
	if (IS_ERR(driver))
		return PTR_ERR(driver);
	driver->driver_name = "hvl_console";
	driver->name = "ttyHVL";
	driver->type = TTY_DRIVER_TYPE_SYSTEM;
	driver->subtype = SYSTEM_TYPE_CONSOLE;
	driver->init_termios = tty_std_termios;
	tty_set_operations(driver, &tty_ops);
	ret = tty_register_driver(driver);
	if (ret)
		goto err_put;
	ret = hvl_driver_register(&console_driver);
	if (ret)
		goto err_unregister;
	return 0;

err_unregister:
	tty_unregister_driver(driver);
err_put:
	tty_driver_kref_put(driver);
	return ret;
}

static void __exit console_exit(void)
{
	hvl_driver_unregister(&console_driver);
	tty_unregister_driver(driver);
	tty_driver_kref_put(driver);
	idr_destroy(&ports);
}

module_init(console_init);
module_exit(console_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hvl virtio-console backend: /dev/ttyHVL<n> for the peer");
MODULE_ALIAS("hvl:d00000003");
