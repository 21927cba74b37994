// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvl_net: a virtio-net device (ID 1) for the peer, seen on Linux as the
 * network interface hvlnet<n>.  Frames the peer transmits are received
 * on the interface; frames Linux sends on it go into the peer's receive
 * buffers.  Linux then routes, bridges or NATs for the peer as for any
 * other interface.
 *
 * Queues, from the peer driver's point of view: 0 receiveq (frames for
 * the peer), 1 transmitq (its frames for us), and 2 controlq if the
 * device tree gives a third queue.  The control queue serves notification
 * coalescing only (ctrl.c): nothing else here needs one (no filtering,
 * the MAC address is the peer's to use as it likes).  Without it the
 * features that need it are not offered.
 *
 * Link state, both ways: our carrier is up while the peer's driver is
 * (between DRIVER_OK and the next reset); the peer's is VIRTIO_NET_S_LINK_UP
 * in config space, set while our interface is administratively up ("ip
 * link set hvlnet0 up"), with a config-change interrupt on each change.
 *
 * Memory, so that neither side can make the other queue without limit:
 *
 * - Linux -> peer: ndo_start_xmit() queues at most TO_PEER_MAX frames and
 *   stops the interface's queue there; the work item copies them into the
 *   peer's receive buffers and wakes the queue once half of them left.  A
 *   peer that posts no buffers stalls our queue, and the qdisc's own limit
 *   (txqueuelen) holds the rest, as on a NIC whose link partner pauses it.
 * - peer -> Linux: the work item copies at most FROM_PEER_MAX frames ahead
 *   of NAPI and then stops reading the peer's transmit queue; NAPI kicks
 *   it once half of them were received.  The peer's queue fills and its
 *   driver stops, as it does with any device that is slow.
 *
 * Concurrency: everything that touches the rings runs in the device's
 * work item (->poll(), ->activate(), ->reset()); ndo_start_xmit() and
 * NAPI only queue frames and kick it.  peer_up, set by ->activate() and
 * cleared by ->reset(), is what the transmit path looks at; ->reset()
 * waits for a transmit that saw it set (the netdev's tx lock) before it
 * purges, so that no frame outlives it.
 */
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/hvl.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/of_net.h>
#include <linux/seq_file.h>
#include <linux/virtio_ids.h>
#include <kunit/visibility.h>

#include "hvl_net.h"

#define DEFAULT_MTU	ETH_DATA_LEN

static const char *const drop_names[NR_DROPS] = {
	[DROP_PEER_DOWN] = "to_peer_dropped_peer_down",
	[DROP_TOO_BIG] = "to_peer_dropped_too_big",
	[DROP_BAD_SKB] = "to_peer_dropped_bad_skb",
	[DROP_PURGED] = "to_peer_dropped_purged",
	[DROP_LINK_DOWN] = "from_peer_dropped_link_down",
	[DROP_NO_MEMORY] = "to_peer_dropped_no_memory",
};

/*
 * Every counter, as debugfs and "ethtool -S" both name and order them:
 * traffic[], then drop_names[], then the refusal verdicts.  One list
 * read through stat_name() and stat_value() by both, so that the two
 * cannot disagree.  ethtool takes ETH_GSTRING_LEN bytes a name: the
 * KUnit suite hvl_net_frame checks each fits.
 */
static const struct {
	const char *name;
	size_t offset;		/* of an atomic64_t in struct hvl_net */
} traffic[] = {
	{ "to_peer_frames", offsetof(struct hvl_net, tx_packets) },
	{ "to_peer_bytes", offsetof(struct hvl_net, tx_bytes) },
	{ "from_peer_frames", offsetof(struct hvl_net, rx_packets) },
	{ "from_peer_bytes", offsetof(struct hvl_net, rx_bytes) },
	{ "peer_resets", offsetof(struct hvl_net, resets) },
	{ "ctrl_commands", offsetof(struct hvl_net, ctrl_done) },
	{ "ctrl_refused", offsetof(struct hvl_net, ctrl_refused) },
};

static_assert(ARRAY_SIZE(traffic) == HVL_NET_NR_TRAFFIC);

const char *hvl_net_stat_name(unsigned int i)
{
	if (i < HVL_NET_NR_TRAFFIC)
		return traffic[i].name;
	i -= HVL_NET_NR_TRAFFIC;
	if (i < NR_DROPS)
		return drop_names[i];
	return hvl_net_verdict_name(HVL_NET_OK + 1 + i - NR_DROPS);
}
EXPORT_SYMBOL_IF_KUNIT(hvl_net_stat_name);

static u64 stat_value(struct hvl_net *n, unsigned int i)
{
	if (i < HVL_NET_NR_TRAFFIC)
		return atomic64_read((atomic64_t *)((char *)n +
						    traffic[i].offset));
	i -= HVL_NET_NR_TRAFFIC;
	if (i < NR_DROPS)
		return atomic64_read(&n->drops[i]);
	return atomic64_read(&n->bad[HVL_NET_OK + 1 + i - NR_DROPS]);
}

/*
 * Our interface's administrative state, as the peer's link state.  The
 * config image is ours alone: the peer reads it, and writes nothing
 * (there is no ->config_write()).
 */
static void set_peer_link(struct hvl_net *n, bool up)
{
	struct virtio_net_config *cfg = n->hdev->config;

	WRITE_ONCE(cfg->status,
		   __cpu_to_virtio16(true, up ? VIRTIO_NET_S_LINK_UP : 0));
	hvl_device_config_changed(n->hdev);
}

static void purge(struct hvl_net *n, struct sk_buff_head *q,
		  enum hvl_net_drop d)
{
	struct sk_buff *skb;

	while ((skb = skb_dequeue(q))) {
		hvl_net_count_drop(n, d);
		kfree_skb(skb);
	}
}

/*
 * Drop what waits for the peer, and tell BQL: each frame was counted
 * sent, and a frame counted sent and never completed holds the queue
 * stopped for good once BQL's limit is reached.
 *
 * @restart (->reset(), remove()): nothing else can hold a frame counted
 * sent, so BQL starts over, its limit too, for the next peer.  The work
 * item does not run (the core calls ->reset() under the device's lock,
 * remove() after the work is cancelled) and start_xmit() no longer
 * counts (peer_up is clear, and a transmit that saw it set has left).
 *
 * Else (net_stop()): the work item may be filling a frame it took out
 * and will complete it itself; resetting BQL now would make that a
 * completion of more than was sent, which dql_completed() BUG()s on.
 * The frames dropped here are completed instead.
 */
static void purge_to_peer(struct hvl_net *n, bool restart)
{
	struct netdev_queue *txq = netdev_get_tx_queue(n->ndev, 0);
	unsigned int pkts = 0, bytes = 0;
	struct sk_buff *skb;

	spin_lock_bh(&n->bql_lock);
	while ((skb = skb_dequeue(&n->to_peer))) {
		pkts++;
		bytes += skb->len;
		hvl_net_count_drop(n, DROP_PURGED);
		kfree_skb(skb);
	}
	if (restart)
		netdev_tx_reset_queue(txq);
	else
		netdev_tx_completed_queue(txq, pkts, bytes);
	spin_unlock_bh(&n->bql_lock);
}

static netdev_tx_t start_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct netdev_queue *txq = netdev_get_tx_queue(ndev, 0);
	struct hvl_net *n = netdev_priv(ndev);
	bool kick;

	if (!READ_ONCE(n->peer_up)) {
		hvl_net_count_drop(n, DROP_PEER_DOWN);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	/*
	 * A zerocopy sender's pages are copied now: the peer decides when
	 * the frame leaves, and may never take it.
	 */
	if (unlikely(skb_orphan_frags_rx(skb, GFP_ATOMIC))) {
		hvl_net_count_drop(n, DROP_NO_MEMORY);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	skb_tx_timestamp(skb);
	/*
	 * Orphaned, as tun does, for the same reason: the socket is not
	 * held by a frame the peer may keep for as long as it likes, and
	 * TCP Small Queues does not wait for the work item to copy each
	 * one out.  BQL, TO_PEER_MAX and the stopped queue bound what waits.
	 */
	skb_orphan(skb);
	/*
	 * Sent for BQL before it is queued: the work item may take it and
	 * complete it at once, and a completion of more than was sent is a
	 * BUG() in dql_completed().  skb->len does not change on the way:
	 * serve_rx() completes the same length.
	 */
	kick = __netdev_tx_sent_queue(txq, skb->len, netdev_xmit_more());
	skb_queue_tail(&n->to_peer, skb);
	if (skb_queue_len_lockless(&n->to_peer) >= TO_PEER_MAX) {
		netif_stop_queue(ndev);
		/* The flag before the length; pairs with serve_rx(). */
		smp_mb();
		if (skb_queue_len_lockless(&n->to_peer) < TO_PEER_MAX / 2)
			netif_start_queue(ndev);
	}
	if (kick || netif_queue_stopped(ndev))
		hvl_device_kick(n->hdev);
	return NETDEV_TX_OK;
}

/* Offloads the peer did not negotiate are done in software before us. */
static netdev_features_t features_check(struct sk_buff *skb,
					struct net_device *ndev,
					netdev_features_t features)
{
	struct hvl_net *n = netdev_priv(ndev);

	return features & (READ_ONCE(n->tx_offloads) |
			   ~(NETIF_F_CSUM_MASK | NETIF_F_GSO_MASK));
}

static int net_open(struct net_device *ndev)
{
	struct hvl_net *n = netdev_priv(ndev);

	napi_enable(&n->napi);
	netif_start_queue(ndev);
	set_peer_link(n, true);
	/* Frames from the peer may wait, or the work item for room. */
	local_bh_disable();
	napi_schedule(&n->napi);
	local_bh_enable();
	hvl_net_kick(n);
	return 0;
}

static int net_stop(struct net_device *ndev)
{
	struct hvl_net *n = netdev_priv(ndev);

	set_peer_link(n, false);
	netif_stop_queue(ndev);
	napi_disable(&n->napi);
	purge(n, &n->from_peer, DROP_LINK_DOWN);
	purge_to_peer(n, false);
	/*
	 * A work item that stopped reading the peer's transmitq for a full
	 * from_peer waits for NAPI's kick, which will not come while the
	 * link is down: kick it, so that the peer's frames are taken and
	 * dropped (take_frame()) instead of left in its ring.
	 */
	WRITE_ONCE(n->from_peer_full, false);
	hvl_net_kick(n);
	return 0;
}

static void get_stats64(struct net_device *ndev,
			struct rtnl_link_stats64 *st)
{
	struct hvl_net *n = netdev_priv(ndev);
	u64 refused = 0, len_err;
	int i;

	for (i = HVL_NET_OK + 1; i < HVL_NET_NR_VERDICTS; i++)
		refused += atomic64_read(&n->bad[i]);
	len_err = atomic64_read(&n->bad[HVL_NET_RUNT]) +
		  atomic64_read(&n->bad[HVL_NET_OVERSIZE]);

	st->rx_packets = atomic64_read(&n->rx_packets);
	st->rx_bytes = atomic64_read(&n->rx_bytes);
	st->tx_packets = atomic64_read(&n->tx_packets);
	st->tx_bytes = atomic64_read(&n->tx_bytes);
	st->rx_errors = refused - atomic64_read(&n->bad[HVL_NET_NO_MEMORY]);
	st->rx_length_errors = len_err;
	st->rx_frame_errors = st->rx_errors - len_err;
	st->rx_dropped = refused + atomic64_read(&n->drops[DROP_LINK_DOWN]);
	st->tx_errors = atomic64_read(&n->drops[DROP_BAD_SKB]);
	for (i = 0; i < NR_DROPS; i++)
		if (i != DROP_LINK_DOWN)
			st->tx_dropped += atomic64_read(&n->drops[i]);
}

static const struct net_device_ops netdev_ops = {
	.ndo_open = net_open,
	.ndo_stop = net_stop,
	.ndo_start_xmit = start_xmit,
	.ndo_features_check = features_check,
	.ndo_get_stats64 = get_stats64,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

static void get_drvinfo(struct net_device *ndev, struct ethtool_drvinfo *info)
{
	struct hvl_net *n = netdev_priv(ndev);

	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->bus_info, dev_name(&n->hdev->dev), sizeof(info->bus_info));
}

static int get_sset_count(struct net_device *ndev, int sset)
{
	return sset == ETH_SS_STATS ? HVL_NET_NR_STATS : -EOPNOTSUPP;
}

static void get_strings(struct net_device *ndev, u32 sset, u8 *data)
{
	unsigned int i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < HVL_NET_NR_STATS; i++)
		ethtool_puts(&data, hvl_net_stat_name(i));
}

static void get_ethtool_stats(struct net_device *ndev,
			      struct ethtool_stats *stats, u64 *data)
{
	struct hvl_net *n = netdev_priv(ndev);
	unsigned int i;

	for (i = 0; i < HVL_NET_NR_STATS; i++)
		data[i] = stat_value(n, i);
}

static const struct ethtool_ops ethtool_ops = {
	.get_drvinfo = get_drvinfo,
	.get_link = ethtool_op_get_link,
	.get_sset_count = get_sset_count,
	.get_strings = get_strings,
	.get_ethtool_stats = get_ethtool_stats,
};

/* DRIVER_OK: take the session's negotiation, and the carrier up. */
static int activate(struct hvl_device *hdev)
{
	struct hvl_net *n = hdev->priv;
	netdev_features_t off = 0;
	bool csum = hvl_device_feature(hdev, VIRTIO_NET_F_CSUM);

	n->limits = (struct hvl_net_rx_limits){
		.mtu = n->mtu_max,
		.csum = csum,
		.tso4 = csum && hvl_device_feature(hdev, VIRTIO_NET_F_HOST_TSO4),
		.tso6 = csum && hvl_device_feature(hdev, VIRTIO_NET_F_HOST_TSO6),
	};
	n->mrg_rxbuf = hvl_device_feature(hdev, VIRTIO_NET_F_MRG_RXBUF);
	n->guest_csum = hvl_device_feature(hdev, VIRTIO_NET_F_GUEST_CSUM);
	n->guest_tso4 = n->guest_csum &&
			hvl_device_feature(hdev, VIRTIO_NET_F_GUEST_TSO4);
	n->guest_tso6 = n->guest_csum &&
			hvl_device_feature(hdev, VIRTIO_NET_F_GUEST_TSO6);
	if (n->guest_csum)
		off |= NETIF_F_HW_CSUM;
	if (n->guest_tso4)
		off |= NETIF_F_TSO;
	if (n->guest_tso6)
		off |= NETIF_F_TSO6;
	WRITE_ONCE(n->tx_offloads, off);
	n->from_peer_full = false;
	WRITE_ONCE(n->peer_up, true);
	netif_carrier_on(n->ndev);
	hvl_device_kick(hdev);
	return 0;
}

/*
 * The peer reset the device or is gone: carrier off, and what was queued
 * for it dropped.  A transmit that saw peer_up set holds the tx lock
 * until it queued: wait for it, or its frame would outlive the purge.
 */
static void reset(struct hvl_device *hdev)
{
	struct hvl_net *n = hdev->priv;

	WRITE_ONCE(n->peer_up, false);
	netif_carrier_off(n->ndev);
	netif_tx_lock_bh(n->ndev);
	netif_tx_unlock_bh(n->ndev);
	purge_to_peer(n, true);
	/*
	 * The queue may have stopped on frames that are gone now, on our
	 * bound (netif_wake_queue() reschedules it) or BQL's (the reset
	 * cleared that one, and nothing would reschedule it).
	 */
	netif_wake_queue(n->ndev);
	netif_schedule_queue(netdev_get_tx_queue(n->ndev, 0));
	atomic64_inc(&n->resets);
}

static int read_mtu(struct hvl_device *hdev, unsigned int *mtu)
{
	u32 v;
	int ret = hvl_of_read_u32(hdev->of_node, "hvl,mtu", &v);

	if (ret == -ENOENT) {
		*mtu = DEFAULT_MTU;
		return 0;
	}
	if (ret || v < ETH_MIN_MTU || v > ETH_MAX_MTU) {
		dev_err(&hdev->dev, "%pOF: \"hvl,mtu\" must be one 32-bit cell from %u to %u\n",
			hdev->of_node, ETH_MIN_MTU, ETH_MAX_MTU);
		return -EINVAL;
	}
	*mtu = v;
	return 0;
}

/**
 * hvl_net_ifname_valid() - may hvl,ifname name the interface?
 * @name: the property's string
 *
 * What register_netdev() takes: dev_valid_name() (1 to IFNAMSIZ - 1
 * characters, not "." or "..", no '/', ':' or white space) and, for a
 * template, exactly one "%d" and no other '%' (__dev_alloc_name()).
 * Checked at probe, where the node can be named: register_netdev()
 * would refuse it with a bare -EINVAL.
 *
 * Return: true if it may.
 */
bool hvl_net_ifname_valid(const char *name)
{
	const char *p = strchr(name, '%');

	if (!dev_valid_name(name))
		return false;
	return !p || (p[1] == 'd' && !strchr(p + 2, '%'));
}
EXPORT_SYMBOL_IF_KUNIT(hvl_net_ifname_valid);

/*
 * hvl,ifname, else hvlnet<n>.  A bad value fails the probe: falling back
 * to hvlnet<n> would leave the configuration that names the interface
 * (addresses, firewall rules) silently unapplied.
 */
static int read_ifname(struct hvl_device *hdev, const char **name,
		       unsigned char *assign)
{
	const char *v;
	int len;

	if (!of_find_property(hdev->of_node, "hvl,ifname", &len)) {
		*name = "hvlnet%d";
		*assign = NET_NAME_ENUM;
		return 0;
	}
	/* One string: of_property_read_string() would take a list's first. */
	if (of_property_read_string(hdev->of_node, "hvl,ifname", &v) ||
	    strlen(v) + 1 != len) {
		dev_err(&hdev->dev, "%pOF: \"hvl,ifname\" must be one string\n",
			hdev->of_node);
		return -EINVAL;
	}
	if (!hvl_net_ifname_valid(v)) {
		dev_err(&hdev->dev, "%pOF: \"hvl,ifname\" \"%s\" is not an interface name: 1 to %u characters, not \".\" or \"..\", no '/', ':' or white space, at most one %%d\n",
			hdev->of_node, v, IFNAMSIZ - 1);
		return -EINVAL;
	}
	*name = v;
	/* As DSA's "label": a name the kernel was given, which udev keeps. */
	*assign = strchr(v, '%') ? NET_NAME_ENUM : NET_NAME_PREDICTABLE;
	return 0;
}

/* The config image: the peer's MAC address, its link down, the MTU. */
static void init_config(struct hvl_net *n)
{
	struct virtio_net_config *cfg = n->hdev->config;
	unsigned int i;

	for (i = 0; i < ETH_ALEN; i++)
		WRITE_ONCE(cfg->mac[i], n->peer_mac[i]);
	WRITE_ONCE(cfg->status, 0);
	WRITE_ONCE(cfg->max_virtqueue_pairs, __cpu_to_virtio16(true, 1));
	WRITE_ONCE(cfg->mtu, __cpu_to_virtio16(true, n->mtu_max));
}

static void setup_netdev(struct net_device *ndev, unsigned int mtu)
{
	ndev->netdev_ops = &netdev_ops;
	ndev->ethtool_ops = &ethtool_ops;
	ndev->min_mtu = ETH_MIN_MTU;
	ndev->max_mtu = mtu;
	ndev->mtu = mtu;
	/* Every offload either way: features_check() trims them per session. */
	ndev->hw_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO |
			    NETIF_F_TSO6 | NETIF_F_RXCSUM;
	ndev->features = ndev->hw_features | NETIF_F_HIGHDMA;
	ndev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
}

static int probe(struct hvl_device *hdev)
{
	unsigned char name_assign;
	struct net_device *ndev;
	const char *name;
	struct hvl_net *n;
	unsigned int mtu;
	int ret;

	if (hdev->num_queues != 2 && hdev->num_queues != 3) {
		dev_err(&hdev->dev, "net needs 2 queues (receiveq, transmitq) or 3 (and controlq), DT gives %u\n",
			hdev->num_queues);
		return -EINVAL;
	}
	ret = read_mtu(hdev, &mtu);
	if (ret)
		return ret;
	ret = read_ifname(hdev, &name, &name_assign);
	if (ret)
		return ret;
	ndev = alloc_netdev(sizeof(*n), name, name_assign, ether_setup);
	if (!ndev)
		return -ENOMEM;
	n = netdev_priv(ndev);
	n->hdev = hdev;
	n->ndev = ndev;
	n->mtu_max = mtu;
	skb_queue_head_init(&n->to_peer);
	skb_queue_head_init(&n->from_peer);
	spin_lock_init(&n->bql_lock);
	SET_NETDEV_DEV(ndev, &hdev->dev);
	setup_netdev(ndev, mtu);
	if (of_get_ethdev_address(hdev->of_node, ndev))
		eth_hw_addr_random(ndev);
	do {
		eth_random_addr(n->peer_mac);
	} while (ether_addr_equal(n->peer_mac, ndev->dev_addr));
	netif_napi_add(ndev, &n->napi, hvl_net_napi_poll);
	netif_carrier_off(ndev);
	hdev->priv = n;
	init_config(n);

	ret = register_netdev(ndev);
	if (ret) {
		dev_err(&hdev->dev, "register_netdev(\"%s\"): %d%s\n", name, ret,
			ret == -EEXIST ? ", an interface of that name exists" :
			ret == -ENFILE ? ", every name of the template is taken" : "");
		goto err_free;
	}
	dev_info(&hdev->dev, "net: %s, MAC %pM, the peer's %pM, MTU %u\n",
		 ndev->name, ndev->dev_addr, n->peer_mac, mtu);
	return 0;

err_free:
	hdev->priv = NULL;
	free_netdev(ndev);
	return ret;
}

/* The core reset the device (and so called reset()) and stopped its work. */
static void remove(struct hvl_device *hdev)
{
	struct hvl_net *n = hdev->priv;
	struct net_device *ndev = n->ndev;

	unregister_netdev(ndev);
	purge(n, &n->from_peer, DROP_LINK_DOWN);
	purge_to_peer(n, true);
	free_netdev(ndev);
}

static void show(struct hvl_device *hdev, struct seq_file *s)
{
	struct hvl_net *n = hdev->priv;
	unsigned int i;

	seq_printf(s, "netdev: %s\nmac: %pM\npeer_mac: %pM\nmtu_max: %u\npeer_up: %d\nmrg_rxbuf: %d\nguest_csum: %d\nguest_tso: %d%d\nhost_csum: %d\nhost_tso: %d%d\n",
		   n->ndev->name, n->ndev->dev_addr, n->peer_mac, n->mtu_max,
		   READ_ONCE(n->peer_up), n->mrg_rxbuf, n->guest_csum,
		   n->guest_tso4, n->guest_tso6, n->limits.csum,
		   n->limits.tso4, n->limits.tso6);
	seq_printf(s, "queued_to_peer: %u\nqueued_from_peer: %u\n",
		   skb_queue_len(&n->to_peer), skb_queue_len(&n->from_peer));
	for (i = 0; i < HVL_NET_NR_STATS; i++)
		seq_printf(s, "%s: %llu\n", hvl_net_stat_name(i),
			   stat_value(n, i));
}

/**
 * hvl_net_offer() - the features this device offers, of those it may
 * @hdev: the device
 * @features: what we implement and the device tree allows
 *
 * The control queue's features need one in the device tree, and the
 * coalescing ones need CTRL_VQ: the stock virtio_net refuses a device
 * that offers them without it (virtnet_validate_features()), so a node
 * whose "hvl,device-features" leaves CTRL_VQ out must not offer them.
 *
 * Return: @features, without what this device cannot offer.
 */
u64 hvl_net_offer(const struct hvl_device *hdev, u64 features)
{
	if (hdev->num_queues <= CTRL_Q ||
	    !(features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ)))
		features &= ~CTRL_FEATURES;
	return features;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_net_offer);

static const char * const of_properties[] = { "hvl,mtu", "hvl,ifname", NULL };

static struct hvl_driver net_driver = {
	.driver.name = "hvl_net",
	.device_id = VIRTIO_ID_NET,
	.of_properties = of_properties,
	.features = BIT_ULL(VIRTIO_NET_F_CSUM) |
		    BIT_ULL(VIRTIO_NET_F_GUEST_CSUM) |
		    BIT_ULL(VIRTIO_NET_F_MTU) |
		    BIT_ULL(VIRTIO_NET_F_MAC) |
		    BIT_ULL(VIRTIO_NET_F_GUEST_TSO4) |
		    BIT_ULL(VIRTIO_NET_F_GUEST_TSO6) |
		    BIT_ULL(VIRTIO_NET_F_HOST_TSO4) |
		    BIT_ULL(VIRTIO_NET_F_HOST_TSO6) |
		    BIT_ULL(VIRTIO_NET_F_MRG_RXBUF) |
		    BIT_ULL(VIRTIO_NET_F_STATUS) | CTRL_FEATURES,
	.offer = hvl_net_offer,
	.config_size = sizeof(struct virtio_net_config),
	.probe = probe,
	.remove = remove,
	.activate = activate,
	.reset = reset,
	.poll = hvl_net_poll,
	.poll_failed = hvl_net_poll_failed,
	.show = show,
};

module_hvl_driver(net_driver);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hvl virtio-net backend: a network interface to the peer");
MODULE_ALIAS("hvl:d00000001");

