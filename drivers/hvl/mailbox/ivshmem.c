// SPDX-License-Identifier: GPL-2.0-only
/*
 * Mailbox controller for QEMU's ivshmem-doorbell PCI device (1af4:1110),
 * so that two QEMU machines that share a window can ring each other as
 * two SoC cores do through their mailbox unit (make check-2m, irq mode).
 *
 * The device (QEMU's docs/specs/ivshmem-spec.rst), BAR0:
 *
 *	8  IVPosition	our ID, fixed by the server (tools/hvl-ivshmem-server)
 *	12 Doorbell	write (peer ID << 16) | vector to ring that peer
 *
 * and a ring arrives as MSI-X vector 0.  MSI-X, not INTx: the spec's
 * IntrStatus/IntrMask pair raises INTx only on a device without the MSI
 * feature, which ivshmem-doorbell always has (QEMU 2.6 on); without MSI-X
 * enabled its rings are dropped.  One vector: the interrupt says that
 * someone rang, not who, and every active channel hears every ring.  A
 * doorbell carries no information anyway, and a ring nobody meant for us
 * costs the client one look at its window.  BAR2, ivshmem's own shared
 * memory, is not used: the window is memory at an address the device
 * tree gives.
 *
 * Device tree: on x86 the PCI bus is enumerated, not described, but
 * pcibios_get_phb_of_node() (arch/x86/kernel/devicetree.c) gives root bus
 * N the node with device_type = "pci" and bus-range = <N ...>, and
 * pci_set_of_node() gives a device the child of that node whose "reg"
 * names its devfn, as on any device-tree platform.  That node carries
 * "#mbox-cells", so that a window's "mboxes" reaches this controller the
 * way it reaches an SoC's:
 *
 *	pci {
 *		device_type = "pci";
 *		bus-range = <0 0>;
 *		#address-cells = <3>;
 *		#size-cells = <2>;
 *
 *		ivshmem: mailbox@4 {
 *			compatible = "pci1af4,1110";
 *			reg = <0x2000 0 0 0 0>;		(device 4, function 0)
 *			#mbox-cells = <1>;
 *		};
 *	};
 *
 *	mboxes = <&ivshmem 1>;		(ring the machine whose ID is 1)
 *
 * On a board whose PCI host bridge is in its device tree (arm64's virt,
 * pci-host-ecam-generic) the same child goes under that bridge's node;
 * MSI-X then goes where the bridge's "msi-map" says (a GICv2m frame, an
 * ITS).  tests/2m/ivshmem-x86_64.dtso and ivshmem-arm64.dtso are both.
 *
 * The cell is the other side's ID, checked against 0..65535 and against
 * our own.  A device the tree does not describe is left to other drivers
 * (a user-space one through uio, say).
 *
 * Tx-done: the write to Doorbell is the whole transaction, but the
 * framework calls send_data() with its channel lock held, and
 * mbox_chan_txdone() takes that lock: the tx-done is reported from an
 * irq_work right after.  A client that spins with interrupts off polls
 * the channel (peek_data) instead: see ivs_peek_data().
 */
#include <linux/atomic.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irq_work.h>
#include <linux/mailbox_controller.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/pci.h>
#include <linux/rcupdate.h>

#define IVS_IV_POSITION		0x08
#define IVS_DOORBELL		0x0c
#define IVS_REGS_LEN		0x10

#define IVS_MAX_ID		0xffff
/* Channels: one per other machine rung (each a distinct ID). */
#define IVS_NR_CHANS		4

struct ivs;

struct ivs_chan {
	struct ivs *ivs;
	struct mbox_chan *chan;
	u32 peer;		/* the ID this channel rings */
	bool assigned;		/* ->peer is set: of_xlate() gave it out */
	bool active;		/* between startup and shutdown */
	struct irq_work txdone;
};

struct ivs {
	struct mbox_controller mbox;
	struct pci_dev *pdev;
	void __iomem *regs;
	int irq;		/* MSI-X vector 0 */
	u32 self;		/* IVPosition */
	struct mbox_chan chans[IVS_NR_CHANS];
	struct ivs_chan ic[IVS_NR_CHANS];
};

static irqreturn_t ivs_irq(int irq, void *data)
{
	struct ivs *ivs = data;
	int i;

	for (i = 0; i < IVS_NR_CHANS; i++) {
		struct ivs_chan *ic = &ivs->ic[i];

		/* Pairs with ivs_startup(): chan->cl is set. */
		if (smp_load_acquire(&ic->active))
			mbox_chan_received_data(ic->chan, NULL);
	}
	return IRQ_HANDLED;
}

static void ivs_txdone(struct irq_work *w)
{
	struct ivs_chan *ic = container_of(w, struct ivs_chan, txdone);

	/* As in ivs_irq(): our client is still there. */
	if (smp_load_acquire(&ic->active))
		mbox_chan_txdone(ic->chan, 0);
}

/* Under the framework's channel lock, interrupts off. */
static int ivs_send_data(struct mbox_chan *chan, void *data)
{
	struct ivs_chan *ic = chan->con_priv;

	writel(ic->peer << 16, ic->ivs->regs + IVS_DOORBELL);
	irq_work_queue(&ic->txdone);
	return 0;
}

/*
 * A client spinning with interrupts off until the other machine acts
 * (hvl_front's wait for virtio_console's buffers, through
 * hvl_doorbell_spin()): the tx-done of its last send may be the irq_work
 * on its own CPU, which cannot run until the spin ends, and the doorbell
 * client rings again only after a tx-done, so a ring it makes in the
 * meantime (the next hvc write of the same printk) would never reach the
 * other machine.  Report it now: the write was the whole transaction.
 * When the irq_work runs later, it reports the message sent since, whose
 * write is done as well, or none (tx_tick() ignores that).  Never data.
 */
static bool ivs_peek_data(struct mbox_chan *chan)
{
	struct ivs_chan *ic = chan->con_priv;

	rcu_read_lock();
	/*
	 * As in ivs_txdone(), and an RCU reader, which ivs_shutdown()
	 * waits for: a peek that saw the channel active must end before
	 * the framework clears chan->cl.
	 */
	if (irq_work_is_pending(&ic->txdone) && smp_load_acquire(&ic->active))
		mbox_chan_txdone(chan, 0);
	rcu_read_unlock();
	return false;
}

static int ivs_startup(struct mbox_chan *chan)
{
	struct ivs_chan *ic = chan->con_priv;

	/* The framework set chan->cl before calling us; publish it. */
	smp_store_release(&ic->active, true);
	return 0;
}

/*
 * mbox_free_channel() clears chan->cl when this returns: no rx or tx-done
 * callback may run after.  Handlers that saw the channel active have
 * finished once the interrupt, a peek (a client still spinning on another
 * CPU while it frees the channel) and the irq_work are synchronised.
 */
static void ivs_shutdown(struct mbox_chan *chan)
{
	struct ivs_chan *ic = chan->con_priv;

	WRITE_ONCE(ic->active, false);
	synchronize_irq(ic->ivs->irq);
	synchronize_rcu();	/* ivs_peek_data() */
	irq_work_sync(&ic->txdone);
}

static const struct mbox_chan_ops ivs_ops = {
	.send_data	= ivs_send_data,
	.peek_data	= ivs_peek_data,
	.startup	= ivs_startup,
	.shutdown	= ivs_shutdown,
};

/*
 * "mboxes = <&ctrl ID>": the channel that rings ID, the same one every
 * time a client asks for it (the framework refuses a channel in use).
 * The framework's lock serialises the calls.
 */
static struct mbox_chan *ivs_xlate(struct mbox_controller *mbox,
				   const struct of_phandle_args *spec)
{
	struct ivs *ivs = container_of(mbox, struct ivs, mbox);
	struct device *dev = mbox->dev;
	struct ivs_chan *free = NULL;
	u32 id;
	int i;

	if (spec->args_count != 1) {
		dev_err(dev, "\"mboxes\" must give one cell, the other side's ID\n");
		return ERR_PTR(-EINVAL);
	}
	id = spec->args[0];
	if (id > IVS_MAX_ID || id == ivs->self) {
		dev_err(dev, "peer ID %u: must be 0..%u and not ours (%u)\n",
			id, IVS_MAX_ID, ivs->self);
		return ERR_PTR(-EINVAL);
	}
	for (i = 0; i < IVS_NR_CHANS; i++) {
		struct ivs_chan *ic = &ivs->ic[i];

		if (ic->assigned && ic->peer == id)
			return ic->chan;
		if (!ic->assigned && !free)
			free = ic;
	}
	if (!free) {
		dev_err(dev, "peer ID %u: all %d channels ring other IDs\n",
			id, IVS_NR_CHANS);
		return ERR_PTR(-EBUSY);
	}
	free->peer = id;
	free->assigned = true;
	return free->chan;
}

static int ivs_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct ivs *ivs;
	int i, ret;

	if (!dev->of_node ||
	    !of_property_present(dev->of_node, "#mbox-cells"))
		return -ENODEV;

	ivs = devm_kzalloc(dev, sizeof(*ivs), GFP_KERNEL);
	if (!ivs)
		return -ENOMEM;
	ivs->pdev = pdev;

	ret = pcim_enable_device(pdev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot enable the device\n");
	if (pci_resource_len(pdev, 0) < IVS_REGS_LEN)
		return dev_err_probe(dev, -ENODEV, "BAR0 is too small for the registers\n");
	ivs->regs = pcim_iomap_region(pdev, 0, KBUILD_MODNAME);
	if (IS_ERR(ivs->regs))
		return dev_err_probe(dev, PTR_ERR(ivs->regs), "cannot map BAR0\n");

	/*
	 * Zero is also what a device without a server reads: nothing tells
	 * the two apart, and such a device ignores our rings.
	 */
	ivs->self = readl(ivs->regs + IVS_IV_POSITION);
	if (ivs->self > IVS_MAX_ID)
		return dev_err_probe(dev, -ENODEV, "IVPosition %#x is not an ID\n", ivs->self);

	for (i = 0; i < IVS_NR_CHANS; i++) {
		struct ivs_chan *ic = &ivs->ic[i];

		ic->ivs = ivs;
		ic->chan = &ivs->chans[i];
		ic->txdone = IRQ_WORK_INIT_HARD(ivs_txdone);
		ivs->chans[i].con_priv = ic;
	}

	/*
	 * An MSI is a memory write by the device: without bus mastering
	 * every ring is dropped (QEMU's too), silently.
	 */
	pci_set_master(pdev);
	/* Managed: pcim_enable_device() frees the vectors on unbind. */
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSIX);
	if (ret < 0)
		return dev_err_probe(dev, ret, "no MSI-X vector (CONFIG_PCI_MSI?)\n");
	ivs->irq = pci_irq_vector(pdev, 0);
	ret = devm_request_irq(dev, ivs->irq, ivs_irq, 0, dev_name(dev), ivs);
	if (ret)
		return dev_err_probe(dev, ret, "cannot request IRQ %d\n", ivs->irq);

	ivs->mbox.dev = dev;
	ivs->mbox.ops = &ivs_ops;
	ivs->mbox.chans = ivs->chans;
	ivs->mbox.num_chans = IVS_NR_CHANS;
	ivs->mbox.of_xlate = ivs_xlate;
	ivs->mbox.txdone_irq = true;
	ret = devm_mbox_controller_register(dev, &ivs->mbox);
	if (ret)
		return dev_err_probe(dev, ret, "cannot register the controller\n");

	dev_info(dev, "ivshmem doorbell: our ID %u, IRQ %d\n", ivs->self, ivs->irq);
	return 0;
}

static const struct pci_device_id ivs_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1110) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ivs_ids);

static struct pci_driver ivs_driver = {
	.name		= "hvl-mbox-ivshmem",
	.id_table	= ivs_ids,
	.probe		= ivs_probe,
};
module_pci_driver(ivs_driver);

MODULE_DESCRIPTION("hvl: mailbox controller for QEMU's ivshmem-doorbell");
MODULE_LICENSE("GPL");
