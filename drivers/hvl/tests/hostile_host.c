// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvl_hostile_host: a hostile device side, for tests only.
 *
 * It plays the device side of a window of its own, the memory-region 0 of
 * the node "hvl,test-hostile-frontend" (tests/qemu/hostile.dtso), for the
 * front-end bound to that node: it writes the header, the device table and
 * the register pages (include/linux/hvl_abi.h) and acknowledges register
 * transactions from a kthread that polls every transaction block about
 * every millisecond.  It serves no ring.  It misbehaves as the scenario
 * written to debugfs (hvl_hostile_host/scenario) says; each scenario
 * re-initialises the window (host_gen + 1), so the front-end drops its
 * devices and scans the new table:
 *
 *   sticky    net (left without a driver: 46-hostile-backend turns the
 *             virtio bus's drivers_autoprobe off); the Status register
 *             shows 0xf whatever the driver writes, also after a reset
 *   sticky-console  the same with a console
 *   gen-spin  net (without a driver, as above); write to "spin" and
 *             the net device's generation() is read as
 *             __virtio_cread_many() reads it, with ConfigGeneration
 *             incremented before every read; "spin" then tells how many
 *             reads it took to settle
 *   types     block (not in the front-end's default allow-list) and net
 *   flip      two net devices; entry 1's offset becomes entry 0's once
 *             the first transaction reaches entry 0, i.e. after the
 *             front-end checked the table and while it registers from it
 *   slow      console; every acknowledgment comes slow_ms late
 *   mute-mp   console with MULTIPORT (one port) whose control queue is
 *             never served: virtio_console's probe spins on its first
 *             control message
 *   two-net   two net devices, for the writes to "table" below
 *   v1, v3    net, in a window of protocol version 1 (which the
 *             front-end takes), or 3 (which it refuses)
 *   off       host_state OFFLINE, no devices
 *
 * "txns" counts the transactions served on each register page.  Writes
 * to "table" change the device table within the scenario's host_gen,
 * then move table_gen: "replug N" moves entry N's gen, as an unbind and
 * bind of its backend would; "move N" moves entry N to a register page
 * no entry uses (a valid one, past the last scenario's), which the
 * protocol does not allow without a new host_gen.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/hvl_abi.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_platform.h>
#include <linux/of_reserved_mem.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <uapi/linux/virtio_console.h>
#include <uapi/linux/virtio_ids.h>
#include <uapi/linux/virtio_mmio.h>

#define COMPAT		"hvl,test-hostile-frontend"
#define NDEV		4
#define NQ		4
#define QMAX		64
#define SPIN_READS	10000

static unsigned int slow_ms = 1200;
module_param(slow_ms, uint, 0644);
MODULE_PARM_DESC(slow_ms, "delay of every acknowledgment in the slow scenario, in ms");

struct scenario {
	const char *name;
	u32 ids[NDEV];
	unsigned int n;
	bool ready;
	bool sticky;
	bool flip;
	bool slow;
	bool mp;		/* console: MULTIPORT, one port */
	u16 version;		/* of the window, if not HVL_WIN_VERSION */
};

static const struct scenario scenarios[] = {
	{ "sticky", { VIRTIO_ID_NET }, 1, true, .sticky = true },
	{ "sticky-console", { VIRTIO_ID_CONSOLE }, 1, true, .sticky = true },
	{ "gen-spin", { VIRTIO_ID_NET }, 1, true },
	{ "types", { VIRTIO_ID_BLOCK, VIRTIO_ID_NET }, 2, true },
	{ "flip", { VIRTIO_ID_NET, VIRTIO_ID_NET }, 2, true, .flip = true },
	{ "slow", { VIRTIO_ID_CONSOLE }, 1, true, .slow = true },
	{ "mute-mp", { VIRTIO_ID_CONSOLE }, 1, true, .mp = true },
	{ "two-net", { VIRTIO_ID_NET, VIRTIO_ID_NET }, 2, true },
	{ "v1", { VIRTIO_ID_NET }, 1, true, .version = 1 },
	{ "v3", { VIRTIO_ID_NET }, 1, true, .version = 3 },
	{ "off", { }, 0, false },
};

struct hdev {
	u32 qsel;
	u32 qready[NQ];
	u32 qnum[NQ];
	bool pending;		/* a transaction seen, not acknowledged */
	unsigned long seen;	/* when */
	unsigned long txns;
};

static struct {
	struct mutex lock;	/* everything below and the window */
	void *base;
	u64 size;
	u32 host_gen;
	const struct scenario *sc;
	struct hdev dev[NDEV];
	bool flipped;
	char spin[128];
	struct task_struct *thread;
	struct dentry *dbg;
} hh;

static u32 get(const void *p)
{
	return le32_to_cpu(READ_ONCE(*(const __le32 *)p));
}

static void put(void *p, u32 v)
{
	WRITE_ONCE(*(__le32 *)p, cpu_to_le32(v));
}

static void *page(unsigned int i)
{
	return hh.base + (i + 1) * HVL_PAGE_SIZE;
}

static struct hvl_win_hdr *hdr(void)
{
	return hh.base;
}

static struct hvl_dev_entry *entry(unsigned int i)
{
	return hh.base + HVL_HDR_SIZE + i * sizeof(struct hvl_dev_entry);
}

static void queue_image(unsigned int i)
{
	struct hdev *d = &hh.dev[i];
	void *p = page(i);
	bool q = d->qsel < NQ;

	put(p + VIRTIO_MMIO_QUEUE_NUM_MAX, q ? QMAX : 0);
	put(p + VIRTIO_MMIO_QUEUE_NUM, q ? d->qnum[d->qsel] : 0);
	put(p + VIRTIO_MMIO_QUEUE_READY, q ? d->qready[d->qsel] : 0);
}

static void dev_reset(unsigned int i)
{
	struct hdev *d = &hh.dev[i];

	d->qsel = 0;
	memset(d->qready, 0, sizeof(d->qready));
	memset(d->qnum, 0, sizeof(d->qnum));
	put(page(i) + VIRTIO_MMIO_INTERRUPT_STATUS, 0);
	queue_image(i);
}

/* Apply one register write; return its ack_status. */
static u32 apply(unsigned int i, u32 off, u32 width, u32 v)
{
	const u64 features = BIT_ULL(VIRTIO_F_VERSION_1) |
			     BIT_ULL(VIRTIO_F_ACCESS_PLATFORM) |
			     (hh.sc->mp ? BIT_ULL(VIRTIO_CONSOLE_F_MULTIPORT) : 0);
	struct hdev *d = &hh.dev[i];
	void *p = page(i);

	if (off >= HVL_CONFIG_OFFSET && off < HVL_TXN_OFFSET)
		return HVL_TXN_OK;
	if (width != 4)
		return HVL_TXN_EINVAL;
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		put(p + VIRTIO_MMIO_DEVICE_FEATURES,
		    v == 0 ? lower_32_bits(features) :
		    v == 1 ? upper_32_bits(features) : 0);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		put(p + off, v);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		d->qsel = v;
		queue_image(i);
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (d->qsel < NQ)
			d->qnum[d->qsel] = v;
		queue_image(i);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (d->qsel < NQ)
			d->qready[d->qsel] = v & 1;
		queue_image(i);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		put(p + VIRTIO_MMIO_INTERRUPT_STATUS,
		    get(p + VIRTIO_MMIO_INTERRUPT_STATUS) & ~v);
		break;
	case VIRTIO_MMIO_STATUS:
		if (!v)
			dev_reset(i);
		/* Acknowledged, but a sticky device keeps showing 0xf. */
		put(p + VIRTIO_MMIO_STATUS, hh.sc->sticky ? 0xf : v);
		break;
	default:
		return HVL_TXN_EINVAL;
	}
	return HVL_TXN_OK;
}

static void serve(unsigned int i)
{
	struct hvl_txn *t = page(i) + HVL_TXN_OFFSET;
	struct hdev *d = &hh.dev[i];
	u32 seq = get(&t->seq), status;

	if (seq == get(&t->ack_seq)) {
		d->pending = false;
		return;
	}
	if (!d->pending) {
		d->pending = true;
		d->seen = jiffies;
		/* The front-end has checked the table: move entry 1. */
		if (hh.sc->flip && i == 0 && !hh.flipped) {
			entry(1)->offset = entry(0)->offset;
			hh.flipped = true;
		}
	}
	if (hh.sc->slow &&
	    time_before(jiffies, d->seen + msecs_to_jiffies(slow_ms)))
		return;
	/* The payload was written before seq. */
	rmb();
	status = apply(i, get(&t->offset), get(&t->width), get(&t->value));
	put(&t->ack_status, status);
	/* Image and ack_status before ack_seq. */
	wmb();
	put(&t->ack_seq, seq);
	d->pending = false;
	d->txns++;
}

static int serve_thread(void *unused)
{
	unsigned int i;

	while (!kthread_should_stop()) {
		mutex_lock(&hh.lock);
		for (i = 0; hh.sc && i < hh.sc->n; i++)
			serve(i);
		mutex_unlock(&hh.lock);
		usleep_range(1000, 2000);
	}
	return 0;
}

/* (Re)initialise the window as @sc says, as a device side restart does. */
static void window_init(const struct scenario *sc)
{
	struct hvl_win_hdr *h = hdr();
	unsigned int i;
	void *p;
	u32 seq;

	lockdep_assert_held(&hh.lock);
	put(&h->host_state, HVL_STATE_INIT);
	/* INIT before the header and table change. */
	wmb();
	hh.sc = sc;
	hh.flipped = false;
	memset(hh.dev, 0, sizeof(hh.dev));
	for (i = 0; i < NDEV; i++) {
		p = page(i);
		seq = get(p + HVL_TXN_OFFSET);
		memset(p, 0, HVL_TXN_OFFSET);
		put(p + HVL_TXN_OFFSET + offsetof(struct hvl_txn, ack_seq), seq);
		memset(entry(i), 0, sizeof(struct hvl_dev_entry));
		if (i >= sc->n)
			continue;
		put(p + VIRTIO_MMIO_MAGIC_VALUE, 0x74726976);
		put(p + VIRTIO_MMIO_VERSION, 2);
		put(p + VIRTIO_MMIO_DEVICE_ID, sc->ids[i]);
		put(p + VIRTIO_MMIO_VENDOR_ID, HVL_VENDOR_ID);
		dev_reset(i);
		if (sc->mp)
			put(p + HVL_CONFIG_OFFSET +
			    offsetof(struct virtio_console_config, max_nr_ports), 1);
		put(&entry(i)->device_id, sc->ids[i]);
		entry(i)->offset = cpu_to_le64((i + 1) * HVL_PAGE_SIZE);
		entry(i)->size = cpu_to_le64(HVL_PAGE_SIZE);
	}
	put(&h->magic, HVL_WIN_MAGIC);
	h->version = cpu_to_le16(sc->version ?: HVL_WIN_VERSION);
	h->hdr_size = cpu_to_le16(HVL_HDR_SIZE);
	put(&h->num_devices, sc->n);
	/* Version 1 has no table_gen: the field is reserved, zero. */
	if (sc->version == 1)
		put(&h->table_gen, 0);
	/* Table before host_gen, everything before READY. */
	wmb();
	put(&h->host_gen, ++hh.host_gen);
	/* host_gen before READY. */
	wmb();
	put(&h->host_state, sc->ready ? HVL_STATE_READY : HVL_STATE_OFFLINE);
}

static ssize_t scenario_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	char buf[32];
	unsigned int i;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		if (strcmp(strim(buf), scenarios[i].name))
			continue;
		mutex_lock(&hh.lock);
		window_init(&scenarios[i]);
		mutex_unlock(&hh.lock);
		pr_info("hvl_hostile_host: scenario %s, host_gen %u\n",
			scenarios[i].name, hh.host_gen);
		return len;
	}
	return -EINVAL;
}

static int scenario_show(struct seq_file *s, void *unused)
{
	mutex_lock(&hh.lock);
	seq_printf(s, "%s host_gen %u\n", hh.sc ? hh.sc->name : "none",
		   hh.host_gen);
	mutex_unlock(&hh.lock);
	return 0;
}

static int scenario_open(struct inode *inode, struct file *file)
{
	return single_open(file, scenario_show, NULL);
}

static const struct file_operations scenario_fops = {
	.owner = THIS_MODULE,
	.open = scenario_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = scenario_write,
};

static int txns_show(struct seq_file *s, void *unused)
{
	unsigned int i;

	mutex_lock(&hh.lock);
	for (i = 0; hh.sc && i < hh.sc->n; i++)
		seq_printf(s, "entry %u: txns %lu\n", i, hh.dev[i].txns);
	mutex_unlock(&hh.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(txns);

static ssize_t table_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	struct hvl_win_hdr *h = hdr();
	char buf[32], op[8];
	unsigned int i;
	bool bad;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sscanf(buf, "%7s %u", op, &i) != 2)
		return -EINVAL;
	mutex_lock(&hh.lock);
	bad = strcmp(op, "replug") && (strcmp(op, "move") || !i);
	if (!hh.sc || i >= hh.sc->n || bad) {
		mutex_unlock(&hh.lock);
		return -EINVAL;
	}
	if (op[0] == 'r')
		put(&entry(i)->gen, get(&entry(i)->gen) + 1);
	else
		entry(i)->offset = cpu_to_le64(NDEV * HVL_PAGE_SIZE);
	/* The entry before table_gen. */
	wmb();
	put(&h->table_gen, get(&h->table_gen) + 1);
	mutex_unlock(&hh.lock);
	return len;
}

static const struct file_operations table_fops = {
	.owner = THIS_MODULE,
	.write = table_write,
};

static int match_net(struct device *dev, void *unused)
{
	return dev->bus && !strcmp(dev->bus->name, "virtio") &&
	       dev_to_virtio(dev)->id.device == VIRTIO_ID_NET;
}

/*
 * Read the net device's ConfigGeneration the way __virtio_cread_many()
 * does, the device changing it before every read.
 */
static int spin_gen(void)
{
	struct platform_device *pdev;
	struct device_node *np;
	struct virtio_device *vdev;
	struct device *dev;
	unsigned int reads;
	u32 gen, old;
	void *reg;

	np = of_find_compatible_node(NULL, NULL, COMPAT);
	pdev = np ? of_find_device_by_node(np) : NULL;
	of_node_put(np);
	if (!pdev)
		return -ENODEV;
	dev = device_find_child(&pdev->dev, NULL, match_net);
	put_device(&pdev->dev);
	if (!dev)
		return -ENODEV;
	vdev = dev_to_virtio(dev);
	reg = page(0) + VIRTIO_MMIO_CONFIG_GENERATION;

	gen = vdev->config->generation(vdev);
	for (reads = 1; reads < SPIN_READS; reads++) {
		old = gen;
		put(reg, get(reg) + 1);
		gen = vdev->config->generation(vdev);
		if (gen == old)
			break;
	}
	put_device(dev);
	mutex_lock(&hh.lock);
	if (reads < SPIN_READS)
		snprintf(hh.spin, sizeof(hh.spin), "settled after %u reads\n",
			 reads);
	else
		snprintf(hh.spin, sizeof(hh.spin),
			 "never settled: %u reads, each saw a new generation\n",
			 reads);
	mutex_unlock(&hh.lock);
	return 0;
}

static ssize_t spin_write(struct file *file, const char __user *ubuf,
			  size_t len, loff_t *ppos)
{
	int ret = spin_gen();

	return ret ? ret : len;
}

static int spin_show(struct seq_file *s, void *unused)
{
	mutex_lock(&hh.lock);
	seq_puts(s, hh.spin);
	mutex_unlock(&hh.lock);
	return 0;
}

static int spin_open(struct inode *inode, struct file *file)
{
	return single_open(file, spin_show, NULL);
}

static const struct file_operations spin_fops = {
	.owner = THIS_MODULE,
	.open = spin_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = spin_write,
};

static int __init hostile_init(void)
{
	struct device_node *np, *rnp;
	struct reserved_mem *rmem;

	np = of_find_compatible_node(NULL, NULL, COMPAT);
	rnp = np ? of_parse_phandle(np, "memory-region", 0) : NULL;
	of_node_put(np);
	rmem = rnp ? of_reserved_mem_lookup(rnp) : NULL;
	of_node_put(rnp);
	if (!rmem || rmem->size < (NDEV + 1) * HVL_PAGE_SIZE) {
		pr_err("hvl_hostile_host: no usable memory-region 0 of a \"%s\" node\n",
		       COMPAT);
		return -ENODEV;
	}
	hh.size = rmem->size;
	hh.base = memremap(rmem->base, rmem->size, MEMREMAP_WB);
	if (!hh.base)
		return -ENOMEM;
	mutex_init(&hh.lock);
	memset(hh.base, 0, hh.size);
	hh.thread = kthread_run(serve_thread, NULL, "hvl_hostile");
	if (IS_ERR(hh.thread)) {
		memunmap(hh.base);
		return PTR_ERR(hh.thread);
	}
	hh.dbg = debugfs_create_dir("hvl_hostile_host", NULL);
	debugfs_create_file("scenario", 0600, hh.dbg, NULL, &scenario_fops);
	debugfs_create_file("txns", 0400, hh.dbg, NULL, &txns_fops);
	debugfs_create_file("spin", 0600, hh.dbg, NULL, &spin_fops);
	debugfs_create_file("table", 0200, hh.dbg, NULL, &table_fops);
	return 0;
}
module_init(hostile_init);

static void __exit hostile_exit(void)
{
	debugfs_remove_recursive(hh.dbg);
	kthread_stop(hh.thread);
	/* As it was: magic 0, host_state OFFLINE. */
	memset(hh.base, 0, hh.size);
	memunmap(hh.base);
}
module_exit(hostile_exit);

MODULE_DESCRIPTION("hvl: a hostile device side for the front-end's tests");
MODULE_LICENSE("GPL");
