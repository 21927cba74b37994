// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: hvl_net's frame checks (devices/net/frame.c).  They decide what
 * a peer may hand to the network stack, so every header field a hostile
 * peer controls gets a case: through hvl_net_check_hdr() alone (what was
 * negotiated, the MTU), and through hvl_net_skb_from_chain(), where
 * virtio_net_hdr_to_skb() checks the checksum and GSO fields against the
 * frame itself.  The header of frames for the peer is checked last.
 *
 * Suite hvl_net_rx: frames for the peer on the receive ring of a fake
 * device (fake_dev.h), through the device's poll: a frame spread over
 * several buffers says how many in its first (num_buffers) and they are
 * used at once; a frame for which the peer has posted too little waits,
 * its buffers untouched; without MRG_RXBUF one that does not fit one
 * buffer is dropped.
 */
#include <kunit/test.h>
#include <linux/ethtool.h>
#include <linux/etherdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/virtio_config.h>

#include "../devices/net/hvl_net.h"
#include "fake_dev.h"

#define MTU		1500u
#define HDR		HVL_NET_HDR_LEN
#define TCP4_CSUM_START	(ETH_HLEN + sizeof(struct iphdr))
#define TCP6_CSUM_START	(ETH_HLEN + sizeof(struct ipv6hdr))
#define TCP_CSUM_OFF	offsetof(struct tcphdr, check)

static const struct hvl_net_rx_limits all = {
	.mtu = MTU, .csum = true, .tso4 = true, .tso6 = true,
};

static const struct hvl_net_rx_limits csum_only = { .mtu = MTU, .csum = true };

static const struct hvl_net_rx_limits nothing = { .mtu = MTU };

/* Short names for the case tables. */
#define NC	VIRTIO_NET_HDR_F_NEEDS_CSUM
#define TSO4	VIRTIO_NET_HDR_GSO_TCPV4
#define TSO6	VIRTIO_NET_HDR_GSO_TCPV6
#define GECN	VIRTIO_NET_HDR_GSO_ECN	/* not ECN: arm64's <asm/kvm_arm.h> has ECN() */
#define C4	TCP4_CSUM_START
#define C6	TCP6_CSUM_START
#define CO	TCP_CSUM_OFF
#define VLAN	VLAN_ETH_HLEN
#define OK	HVL_NET_OK
#define RUNT	HVL_NET_RUNT
#define BIG	HVL_NET_OVERSIZE
#define FLAGS	HVL_NET_BAD_FLAGS
#define NEG	HVL_NET_NOT_NEGOTIATED
#define GSO	HVL_NET_BAD_GSO
#define BADH	HVL_NET_BAD_HDR

struct hdr_case {
	const char *name;
	u8 flags, gso_type;
	u16 gso_size, csum_start, csum_offset;
	size_t len;
	const struct hvl_net_rx_limits *l;
	enum hvl_net_verdict want;
};

static const struct hdr_case hdr_cases[] = {
	{ "plain", 0, 0, 0, 0, 0, 60, &nothing, OK },
	{ "plain, the MTU", 0, 0, 0, 0, 0, MTU + ETH_HLEN, &nothing, OK },
	{ "plain, MTU and VLAN tag", 0, 0, 0, 0, 0, MTU + VLAN, &nothing, OK },
	{ "plain, a byte beyond", 0, 0, 0, 0, 0, MTU + VLAN + 1, &all, BIG },
	{ "plain, 64 KiB", 0, 0, 0, 0, 0, 65536, &all, BIG },
	{ "runt, 13 bytes", 0, 0, 0, 0, 0, ETH_HLEN - 1, &all, RUNT },
	{ "empty", 0, 0, 0, 0, 0, 0, &all, RUNT },
	{ "csum", NC, 0, 0, 34, 16, 100, &csum_only, OK },
	{ "csum not negotiated", NC, 0, 0, 34, 16, 100, &nothing, NEG },
	{ "DATA_VALID from the driver", VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0, 60, &all, FLAGS },
	{ "RSC_INFO from the driver", VIRTIO_NET_HDR_F_RSC_INFO, 0, 0, 0, 0, 60, &all, FLAGS },
	{ "flags 0xff", 0xff, 0, 0, 0, 0, 60, &all, FLAGS },
	{ "tso4", NC, TSO4, 1448, 34, 16, 30000, &all, OK },
	{ "tso6", NC, TSO6, 1428, 54, 16, 30000, &all, OK },
	{ "tso4, 64 KiB and headers", NC, TSO4, 1448, 34, 16, HVL_NET_FRAME_MAX, &all, OK },
	{ "tso4, a byte beyond", NC, TSO4, 1448, 34, 16, HVL_NET_FRAME_MAX + 1, &all, BIG },
	{ "tso4 not negotiated", NC, TSO4, 1448, 34, 16, 30000, &csum_only, NEG },
	{ "tso6 not negotiated", NC, TSO6, 1428, 54, 16, 30000, &csum_only, NEG },
	{ "tso4 with ECN", NC, TSO4 | GECN, 1448, 34, 16, 30000, &all, NEG },
	{ "ufo", NC, VIRTIO_NET_HDR_GSO_UDP, 1472, 34, 6, 30000, &all, NEG },
	{ "uso", NC, VIRTIO_NET_HDR_GSO_UDP_L4, 1472, 34, 6, 30000, &all, NEG },
	{ "gso_type 2", NC, 2, 1448, 34, 16, 30000, &all, GSO },
	{ "gso_type 0x7f", NC, 0x7f, 1448, 34, 16, 30000, &all, GSO },
	{ "gso_type ECN alone", NC, GECN, 1448, 34, 16, 30000, &all, GSO },
	{ "gso_size 0", NC, TSO4, 0, 34, 16, 30000, &all, GSO },
	{ "gso_size beyond the MTU", NC, TSO4, MTU + 1, 34, 16, 30000, &all, GSO },
	{ "gso_size 0xffff", NC, TSO4, 0xffff, 34, 16, 30000, &all, GSO },
	{ "gso without NEEDS_CSUM", 0, TSO4, 1448, 0, 0, 30000, &all, GSO },
};

static void hdr_desc(const struct hdr_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hdr, hdr_cases, hdr_desc);

static struct virtio_net_hdr make_hdr(u8 flags, u8 gso_type, u16 gso_size,
				      u16 csum_start, u16 csum_offset)
{
	return (struct virtio_net_hdr){
		.flags = flags,
		.gso_type = gso_type,
		.gso_size = __cpu_to_virtio16(true, gso_size),
		.csum_start = __cpu_to_virtio16(true, csum_start),
		.csum_offset = __cpu_to_virtio16(true, csum_offset),
	};
}

static void check_hdr(struct kunit *test)
{
	const struct hdr_case *c = test->param_value;
	struct virtio_net_hdr h = make_hdr(c->flags, c->gso_type, c->gso_size,
					   c->csum_start, c->csum_offset);

	KUNIT_EXPECT_STREQ(test,
			   hvl_net_verdict_name(hvl_net_check_hdr(&h, c->len, c->l)),
			   hvl_net_verdict_name(c->want));
}

/*
 * A TCP frame of @len bytes (IPv4, or IPv6 with @v6) behind its virtio
 * header, in @buf: Ethernet, IP, TCP headers, then a pattern.
 */
static void make_frame(u8 *buf, size_t len, bool v6,
		       const struct virtio_net_hdr *vh)
{
	struct virtio_net_hdr_mrg_rxbuf *h = (void *)buf;
	struct ethhdr *eth = (void *)(buf + HDR);
	size_t i, l3 = HDR + ETH_HLEN;

	memset(h, 0, sizeof(*h));
	h->hdr = *vh;
	/* num_buffers is the device's: a lie here changes nothing. */
	h->num_buffers = __cpu_to_virtio16(true, 0xbeef);
	eth_broadcast_addr(eth->h_dest);
	eth_zero_addr(eth->h_source);
	eth->h_source[0] = 2;
	eth->h_proto = htons(v6 ? ETH_P_IPV6 : ETH_P_IP);
	for (i = l3; i < HDR + len; i++)
		buf[i] = i * 7;
	if (v6) {
		struct ipv6hdr *ip = (void *)(buf + l3);

		memset(ip, 0, sizeof(*ip));
		ip->version = 6;
		ip->payload_len = htons(len - ETH_HLEN - sizeof(*ip));
		ip->nexthdr = IPPROTO_TCP;
		ip->hop_limit = 64;
		l3 += sizeof(*ip);
	} else {
		struct iphdr *ip = (void *)(buf + l3);

		memset(ip, 0, sizeof(*ip));
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons(len - ETH_HLEN);
		ip->ttl = 64;
		ip->protocol = IPPROTO_TCP;
		l3 += sizeof(*ip);
	}
	memset(buf + l3, 0, sizeof(struct tcphdr));
	((struct tcphdr *)(buf + l3))->doff = 5;
}

/* @buf, @len bytes, as a chain of readable segments of @seg bytes. */
static struct hvl_chain *make_chain(struct kunit *test, u8 *buf, size_t len,
				    size_t seg)
{
	unsigned int nr = DIV_ROUND_UP(len, seg), i;
	struct hvl_chain *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->iov = kunit_kcalloc(test, nr ?: 1, sizeof(*c->iov), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->iov);
	for (i = 0; i < nr; i++) {
		c->iov[i].iov_base = buf + i * seg;
		c->iov[i].iov_len = min(seg, len - i * seg);
	}
	c->max = nr;
	c->nr_out = nr;
	c->out_len = len;
	return c;
}

struct skb_case {
	const char *name;
	u8 flags, gso_type;
	u16 gso_size, csum_start, csum_offset;
	size_t len, seg;
	bool v6;
	enum hvl_net_verdict want;
};

static const struct skb_case skb_cases[] = {
	{ "plain", 0, 0, 0, 0, 0, 100, 4096, false, OK },
	{ "csum", NC, 0, 0, C4, CO, 100, 4096, false, OK },
	{ "csum, odd segments", NC, 0, 0, C4, CO, 1400, 7, false, OK },
	{ "csum_start beyond the frame", NC, 0, 0, 200, 0, 100, 4096, false, BADH },
	{ "csum_start 0xffff", NC, 0, 0, 0xffff, 0, 100, 4096, false, BADH },
	{ "csum_offset beyond the frame", NC, 0, 0, C4, 80, 100, 4096, false, BADH },
	{ "csum_offset 0xffff", NC, 0, 0, C4, 0xffff, 100, 4096, false, BADH },
	{ "csum field's last byte beyond", NC, 0, 0, 90, 9, 100, 4096, false, BADH },
	{ "csum_start in the IP header", NC, 0, 0, ETH_HLEN + 4, CO, 100, 4096, false, BADH },
	{ "tso4", NC, TSO4, 1448, C4, CO, 30000, 4096, false, OK },
	{ "tso4, segments of 1 KiB + 1", NC, TSO4, 1448, C4, CO, 65000, 1025, false, OK },
	{ "tso6", NC, TSO6, 1428, C6, CO, 30000, 4096, true, OK },
	{ "tso4, csum_offset not TCP's", NC, TSO4, 1448, C4, 6, 30000, 4096, false, BADH },
	/*
	 * Closer than an IPv4 header to the link header: refused.  (Past
	 * 20 bytes, inside a longer IP header, it is taken: the frame is
	 * DODGY GSO, checked again when it is segmented.)
	 */
	{ "tso4, csum_start 4 bytes into IP", NC, TSO4, 1448, ETH_HLEN + 4,
	  CO, 30000, 4096, false, BADH },
	{ "tso4, frame ends in the TCP header", NC, TSO4, 1448, C4,
	  CO, C4 + 18, 4096, false, BADH },
	{ "runt", 0, 0, 0, 0, 0, 10, 4096, false, RUNT },
	{ "oversize, refused before allocation", 0, 0, 0, 0, 0, 70000, 4096, false, BIG },
};

static void skb_desc(const struct skb_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(skb, skb_cases, skb_desc);

static void skb_from_chain(struct kunit *test)
{
	const struct skb_case *c = test->param_value;
	struct virtio_net_hdr vh = make_hdr(c->flags, c->gso_type, c->gso_size,
					    c->csum_start, c->csum_offset);
	size_t total = HDR + c->len;
	enum hvl_net_verdict v;
	struct hvl_chain *ch;
	struct sk_buff *skb;
	u8 *buf, *copy;

	buf = kunit_kzalloc(test, max_t(size_t, total, 128), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	if (c->len >= ETH_HLEN + 60)
		make_frame(buf, c->len, c->v6, &vh);
	else
		*(struct virtio_net_hdr *)buf = vh;
	ch = make_chain(test, buf, total, c->seg);

	skb = hvl_net_skb_from_chain(ch, &all, &v);
	KUNIT_EXPECT_STREQ(test, hvl_net_verdict_name(v),
			   hvl_net_verdict_name(c->want));
	if (c->want != HVL_NET_OK) {
		KUNIT_EXPECT_NULL(test, skb);
		kfree_skb(skb);
		return;
	}
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, skb->len, c->len);
	copy = kunit_kmalloc(test, c->len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, copy, c->len), 0);
	KUNIT_EXPECT_MEMEQ(test, copy, buf + HDR, c->len);
	if (c->flags & NC) {
		KUNIT_EXPECT_EQ(test, (int)skb->ip_summed, CHECKSUM_PARTIAL);
		KUNIT_EXPECT_EQ(test, skb_checksum_start_offset(skb), c->csum_start);
		KUNIT_EXPECT_EQ(test, skb->csum_offset, c->csum_offset);
	} else {
		KUNIT_EXPECT_EQ(test, (int)skb->ip_summed, CHECKSUM_NONE);
	}
	if (c->gso_type) {
		KUNIT_EXPECT_EQ(test, skb_shinfo(skb)->gso_size, c->gso_size);
		KUNIT_EXPECT_TRUE(test, skb_shinfo(skb)->gso_type & SKB_GSO_DODGY);
		KUNIT_EXPECT_TRUE(test, skb_shinfo(skb)->gso_type &
				  (c->v6 ? SKB_GSO_TCPV6 : SKB_GSO_TCPV4));
	} else {
		KUNIT_EXPECT_FALSE(test, skb_is_gso(skb));
	}
	kfree_skb(skb);
}

/*
 * A jumbo frame without NEEDS_CSUM, csum_start and csum_offset 0xffff in
 * its header: they mean nothing without the flag (a driver may leave
 * them uninitialised), and the frame is laid out as with them clear,
 * its headers linear and the rest in pages.  With the flag, a checksum
 * field at the usual place: the same.
 */
static void skb_jumbo_layout(struct kunit *test)
{
	static const struct hvl_net_rx_limits jumbo = {
		.mtu = 9000, .csum = true,
	};
	static const u16 fields[][3] = {
		{ 0, 0xffff, 0xffff }, { NC, C4, CO },
	};
	const size_t len = 8000;
	u8 *buf = kunit_kzalloc(test, HDR + len, GFP_KERNEL);
	enum hvl_net_verdict v;
	struct sk_buff *skb;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		struct virtio_net_hdr vh = make_hdr(fields[i][0], 0, 0,
						    fields[i][1], fields[i][2]);

		make_frame(buf, len, false, &vh);
		skb = hvl_net_skb_from_chain(make_chain(test, buf, HDR + len,
							4096), &jumbo, &v);
		KUNIT_ASSERT_NOT_NULL_MSG(test, skb, "%s",
					  hvl_net_verdict_name(v));
		KUNIT_EXPECT_EQ(test, skb->len, len);
		KUNIT_EXPECT_LE_MSG(test, skb_headlen(skb), 256,
				    "flags %u csum %u+%u", fields[i][0],
				    fields[i][1], fields[i][2]);
		kfree_skb(skb);
	}
}

/* The peer's buffers, not their header, are what a chain must hold. */
static void bad_chains(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 256, GFP_KERNEL);
	struct virtio_net_hdr vh = make_hdr(0, 0, 0, 0, 0);
	enum hvl_net_verdict v;
	struct hvl_chain *c;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	make_frame(buf, 100, false, &vh);

	/* Shorter than the header. */
	c = make_chain(test, buf, HDR - 1, 4096);
	KUNIT_EXPECT_NULL(test, hvl_net_skb_from_chain(c, &all, &v));
	KUNIT_EXPECT_EQ(test, v, HVL_NET_BAD_BUFFER);

	/* The header and nothing else: a runt. */
	c = make_chain(test, buf, HDR, 4096);
	KUNIT_EXPECT_NULL(test, hvl_net_skb_from_chain(c, &all, &v));
	KUNIT_EXPECT_EQ(test, v, HVL_NET_RUNT);

	/* A transmit chain with a device-writable segment. */
	c = make_chain(test, buf, HDR + 100, 64);
	c->nr_out = 1;
	c->nr_in = 1;
	c->out_len = 64;
	c->in_len = HDR + 100 - 64;
	KUNIT_EXPECT_NULL(test, hvl_net_skb_from_chain(c, &all, &v));
	KUNIT_EXPECT_EQ(test, v, HVL_NET_BAD_BUFFER);
}

/* Frames for the peer: the header the stock driver expects. */
static void hdr_for_peer(struct kunit *test)
{
	struct virtio_net_hdr_mrg_rxbuf h;
	struct sk_buff *skb = alloc_skb(256, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put(skb, 200);

	/* Nothing to say. */
	KUNIT_EXPECT_EQ(test, hvl_net_hdr_from_skb(skb, &h, true), 0);
	KUNIT_EXPECT_EQ(test, h.hdr.flags, 0);
	KUNIT_EXPECT_EQ(test, h.hdr.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	KUNIT_EXPECT_EQ(test, __virtio16_to_cpu(true, h.num_buffers), 1);

	/* A checksum Linux checked: DATA_VALID, if the peer takes it. */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	KUNIT_EXPECT_EQ(test, hvl_net_hdr_from_skb(skb, &h, true), 0);
	KUNIT_EXPECT_EQ(test, h.hdr.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	KUNIT_EXPECT_EQ(test, hvl_net_hdr_from_skb(skb, &h, false), 0);
	KUNIT_EXPECT_EQ(test, h.hdr.flags, 0);

	/* A checksum left to the peer. */
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_headroom(skb) + TCP4_CSUM_START;
	skb->csum_offset = TCP_CSUM_OFF;
	KUNIT_EXPECT_EQ(test, hvl_net_hdr_from_skb(skb, &h, true), 0);
	KUNIT_EXPECT_EQ(test, h.hdr.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	KUNIT_EXPECT_EQ(test, __virtio16_to_cpu(true, h.hdr.csum_start),
			TCP4_CSUM_START);
	KUNIT_EXPECT_EQ(test, __virtio16_to_cpu(true, h.hdr.csum_offset),
			TCP_CSUM_OFF);

	/* TSO6. */
	skb_shinfo(skb)->gso_size = 1000;
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV6;
	KUNIT_EXPECT_EQ(test, hvl_net_hdr_from_skb(skb, &h, true), 0);
	KUNIT_EXPECT_EQ(test, h.hdr.gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
	KUNIT_EXPECT_EQ(test, __virtio16_to_cpu(true, h.hdr.gso_size), 1000);

	/* UFO has no header: refused, never sent as something else. */
	skb_shinfo(skb)->gso_type = SKB_GSO_UDP;
	KUNIT_EXPECT_EQ(test, hvl_net_hdr_from_skb(skb, &h, true), -EINVAL);
	skb_shinfo(skb)->gso_size = 0;
	skb_shinfo(skb)->gso_type = 0;
	kfree_skb(skb);
}

/*
 * The counters' names, which debugfs and "ethtool -S" share: each fits
 * an ethtool string with its NUL (ethtool_puts() would cut it short
 * silently), none is empty or the "?" of an unknown verdict, and no two
 * are the same (the tests look counters up by name).
 */
static void stat_names(struct kunit *test)
{
	unsigned int i, j;
	const char *a;

	for (i = 0; i < HVL_NET_NR_STATS; i++) {
		a = hvl_net_stat_name(i);
		KUNIT_ASSERT_NOT_NULL(test, a);
		KUNIT_EXPECT_GT_MSG(test, strlen(a), 1, "counter %u", i);
		KUNIT_EXPECT_LT_MSG(test, strlen(a), ETH_GSTRING_LEN,
				    "counter %u: %s", i, a);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_STRNEQ_MSG(test, a, hvl_net_stat_name(j),
						"counters %u and %u", j, i);
	}
	/* The last is the last verdict: none is left out. */
	KUNIT_EXPECT_STREQ(test, hvl_net_stat_name(HVL_NET_NR_STATS - 1),
			   hvl_net_verdict_name(HVL_NET_NR_VERDICTS - 1));
	KUNIT_EXPECT_STREQ(test, hvl_net_stat_name(HVL_NET_NR_TRAFFIC),
			   "to_peer_dropped_peer_down");
}

/*
 * hvl,ifname: what register_netdev() takes, and nothing it refuses (a
 * name of IFNAMSIZ characters would even trip alloc_netdev()'s BUG_ON).
 */
static void ifnames(struct kunit *test)
{
	static const char *const good[] = {
		"peer0", "hvlnet%d", "p%d-x", "a", "123456789012345",
		"x.y", "-", "%d",
	};
	static const char *const bad[] = {
		"", ".", "..", "a/b", "a:1", "a b", "a\tb", "a\n",
		"1234567890123456", "12345678901234567890", "p%s", "p%d%d",
		"p%", "%x%d", "%%d",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		KUNIT_EXPECT_TRUE_MSG(test, hvl_net_ifname_valid(good[i]),
				      "\"%s\"", good[i]);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_FALSE_MSG(test, hvl_net_ifname_valid(bad[i]),
				       "\"%s\"", bad[i]);
}

/* NAPI stays disabled here: frames from the peer wait in from_peer. */
static int rx_napi_poll(struct napi_struct *napi, int budget)
{
	return 0;
}

/* The fake device's rings, the net device on them, and its netdev. */
static struct hvl_net *rx_setup(struct kunit *test, bool mrg)
{
	static const u16 num[2] = { 16, 16 };
	struct fake_dev *fd = fake_dev_new(test, 2, num, true);
	struct net_device *ndev = alloc_etherdev(0);
	struct hvl_net *n = kunit_kzalloc(test, sizeof(*n), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ndev);
	KUNIT_ASSERT_NOT_NULL(test, n);
	fd->priv = ndev;
	n->hdev = &fd->cd.hdev;
	n->ndev = ndev;
	n->mrg_rxbuf = mrg;
	n->peer_up = true;
	skb_queue_head_init(&n->to_peer);
	skb_queue_head_init(&n->from_peer);
	spin_lock_init(&n->bql_lock);
	netif_napi_add(ndev, &n->napi, rx_napi_poll);
	fd->cd.hdev.priv = n;
	return n;
}

/* Bytes counted sent to BQL and not yet completed. */
static unsigned int inflight(struct hvl_net *n)
{
#ifdef CONFIG_BQL
	struct dql *dql = &netdev_get_tx_queue(n->ndev, 0)->dql;

	return READ_ONCE(dql->num_queued) - READ_ONCE(dql->num_completed);
#else
	return 0;
#endif
}

static void rx_exit(struct kunit *test)
{
	struct fake_dev *fd = test->priv;
	struct hvl_net *n;

	if (!fd)
		return;
	n = fd->cd.hdev.priv;
	skb_queue_purge(&n->to_peer);
	fake_dev_free(fd);
	free_netdev(fd->priv);
}

/* A frame of @len bytes for the peer, a pattern after its link header. */
static void rx_queue(struct kunit *test, struct hvl_net *n, size_t len)
{
	struct sk_buff *skb = alloc_skb(len, GFP_KERNEL);
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	for (i = 0; i < len; i++)
		skb_put_u8(skb, i * 13 + (i >> 8));
	/*
	 * Sent for BQL, as start_xmit() counts it; as one of a batch
	 * (xmit_more), so that BQL never stops the queue: this netdev is
	 * not registered and has no qdisc to wake.
	 */
	__netdev_tx_sent_queue(netdev_get_tx_queue(n->ndev, 0), len, true);
	skb_queue_tail(&n->to_peer, skb);
}

static u32 used_len(struct fake_dev *fd, u16 i)
{
	return __virtio32_to_cpu(true, fake_used(fd, RX_Q)->ring[i % 16].len);
}

/* 12 + 2500 bytes into buffers of 1000: three, used at once, in order. */
static void rx_mergeable(struct kunit *test)
{
	struct hvl_net *n = rx_setup(test, true);
	struct fake_dev *fd = test->priv;
	struct virtio_net_hdr_mrg_rxbuf *h = fake_buf(fd, 0);
	u8 *frame;
	size_t i;

	for (i = 0; i < 4; i++)
		fake_post(fd, RX_Q, i * 1000, 1000, true);
	rx_queue(test, n, 2500);
	fake_poll(fd, hvl_net_poll, HVL_BUDGET);

	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 3);
	KUNIT_EXPECT_EQ(test, used_len(fd, 0), 1000);
	KUNIT_EXPECT_EQ(test, used_len(fd, 1), 1000);
	KUNIT_EXPECT_EQ(test, used_len(fd, 2), HDR + 2500 - 2000);
	KUNIT_EXPECT_EQ(test, __virtio16_to_cpu(true, h->num_buffers), 3);
	KUNIT_EXPECT_EQ(test, h->hdr.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	/* The buffers are adjacent here: the frame reads straight on. */
	frame = fake_buf(fd, HDR);
	for (i = 0; i < 2500; i++)
		if (frame[i] != (u8)(i * 13 + (i >> 8)))
			break;
	KUNIT_EXPECT_EQ(test, i, 2500);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&n->to_peer), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&n->tx_packets), 1);
	KUNIT_EXPECT_EQ(test, inflight(n), 0);
}

/*
 * A frame needs three buffers, the peer has posted one: none is used,
 * the frame waits, and goes once the peer posts more.
 */
static void rx_waits_for_buffers(struct kunit *test)
{
	struct hvl_net *n = rx_setup(test, true);
	struct fake_dev *fd = test->priv;
	struct virtio_net_hdr_mrg_rxbuf *h = fake_buf(fd, 0);

	fake_post(fd, RX_Q, 0, 1000, true);
	rx_queue(test, n, 2500);
	fake_poll(fd, hvl_net_poll, HVL_BUDGET);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 0);
	KUNIT_EXPECT_EQ(test, fd->vqs[RX_Q].last_avail, 0);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&n->to_peer), 1);
	/* Still in flight for BQL: it left nothing. */
	KUNIT_EXPECT_EQ(test, inflight(n), IS_ENABLED(CONFIG_BQL) ? 2500 : 0);
	/* The peer is asked to ring when it posts the next one. */
	KUNIT_EXPECT_TRUE(test, fake_would_ring(fd, RX_Q));

	fake_post(fd, RX_Q, 1000, 1000, true);
	fake_post(fd, RX_Q, 2000, 1000, true);
	fake_poll(fd, hvl_net_poll, HVL_BUDGET);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 3);
	KUNIT_EXPECT_EQ(test, __virtio16_to_cpu(true, h->num_buffers), 3);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&n->to_peer), 0);
	KUNIT_EXPECT_EQ(test, fd->vqs[RX_Q].stats.errors, 0);
	KUNIT_EXPECT_EQ(test, inflight(n), 0);
}

/*
 * A peer that started its driver without setting up the receiveq: a
 * frame for it is dropped as for a peer whose driver is down, not
 * counted too big (with MRG_RXBUF, no buffers at all were "not enough")
 * nor taken for a broken ring.
 */
static void no_receiveq(struct kunit *test, bool mrg)
{
	struct hvl_net *n = rx_setup(test, mrg);
	struct fake_dev *fd = test->priv;

	hvl_vq_reset(&fd->vqs[RX_Q]);
	rx_queue(test, n, 1000);
	KUNIT_EXPECT_FALSE(test, fake_poll(fd, hvl_net_poll, HVL_BUDGET));
	KUNIT_EXPECT_EQ(test, atomic64_read(&n->drops[DROP_PEER_DOWN]), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&n->drops[DROP_TOO_BIG]), 0);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&n->to_peer), 0);
	KUNIT_EXPECT_EQ(test, inflight(n), 0);
	KUNIT_EXPECT_FALSE(test, fd->cd.hdev.status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

/*
 * The other way: a peer that started its driver without setting up the
 * transmitq sends nothing, and takes frames.  Not a broken ring: the
 * device goes on serving its receiveq.
 */
static void no_transmitq(struct kunit *test, bool mrg)
{
	struct hvl_net *n = rx_setup(test, mrg);
	struct fake_dev *fd = test->priv;

	hvl_vq_reset(&fd->vqs[TX_Q]);
	fake_post(fd, RX_Q, 0, 2000, true);
	rx_queue(test, n, 1000);
	KUNIT_EXPECT_FALSE(test, fake_poll(fd, hvl_net_poll, HVL_BUDGET));
	KUNIT_EXPECT_FALSE(test, fd->cd.hdev.status & VIRTIO_CONFIG_S_NEEDS_RESET);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 1);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&n->to_peer), 0);
	KUNIT_EXPECT_EQ(test, inflight(n), 0);
}

static void rx_no_transmitq(struct kunit *test)
{
	no_transmitq(test, false);
}

static void rx_no_transmitq_mergeable(struct kunit *test)
{
	no_transmitq(test, true);
}

static void rx_no_receiveq(struct kunit *test)
{
	no_receiveq(test, false);
}

static void rx_no_receiveq_mergeable(struct kunit *test)
{
	no_receiveq(test, true);
}

/*
 * Without MRG_RXBUF a frame takes one buffer: one too small drops the
 * frame, counted, and stays for the next frame, which fits.
 */
static void rx_single_buffer(struct kunit *test)
{
	struct hvl_net *n = rx_setup(test, false);
	struct fake_dev *fd = test->priv;
	struct virtio_net_hdr_mrg_rxbuf *h = fake_buf(fd, 0);

	fake_post(fd, RX_Q, 0, 1000, true);
	rx_queue(test, n, 2500);
	rx_queue(test, n, 900);
	fake_poll(fd, hvl_net_poll, HVL_BUDGET);
	KUNIT_EXPECT_EQ(test, atomic64_read(&n->drops[DROP_TOO_BIG]), 1);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 1);
	KUNIT_EXPECT_EQ(test, used_len(fd, 0), HDR + 900);
	KUNIT_EXPECT_EQ(test, __virtio16_to_cpu(true, h->num_buffers), 1);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&n->to_peer), 0);
	/* The dropped frame completed as the used one did. */
	KUNIT_EXPECT_EQ(test, inflight(n), 0);
}

/*
 * A frame needs more buffers than the peer has posted (15 of 100 bytes
 * for 12 + 1400, it posted 12), and taking them all costs more than
 * the run's budget.  The run ends with the peer asked to ring, and says
 * it is done: run again without a new buffer, it would find the same
 * 12, and a peer that never posts the 13th would keep the work item
 * running for good.
 */
static void rx_waits_without_spinning(struct kunit *test)
{
	struct hvl_net *n = rx_setup(test, true);
	struct fake_dev *fd = test->priv;
	struct virtio_net_hdr_mrg_rxbuf *h = fake_buf(fd, 0);
	unsigned int i;

	for (i = 0; i < 12; i++)
		fake_post(fd, RX_Q, i * 100, 100, true);
	rx_queue(test, n, 1400);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_FALSE_MSG(test, fake_poll(fd, hvl_net_poll, 8),
				       "run %u", i);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 0);
	KUNIT_EXPECT_EQ(test, fd->vqs[RX_Q].last_avail, 0);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&n->to_peer), 1);
	KUNIT_EXPECT_TRUE(test, fake_would_ring(fd, RX_Q));

	/* The peer posts the rest: the frame goes, over the budget. */
	for (i = 12; i < 16; i++)
		fake_post(fd, RX_Q, i * 100, 100, true);
	fake_poll(fd, hvl_net_poll, 8);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 15);
	KUNIT_EXPECT_EQ(test, __virtio16_to_cpu(true, h->num_buffers), 15);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&n->to_peer), 0);
	KUNIT_EXPECT_EQ(test, inflight(n), 0);
	KUNIT_EXPECT_EQ(test, fd->vqs[RX_Q].stats.errors, 0);
}

/*
 * A TSO frame with its checksum left to the peer, validated while the
 * peer took both, meets a session whose peer takes neither: it
 * restarted with fewer features while the frame waited, requeued by the
 * qdisc or in to_peer.  It is dropped and counted; skb_checksum_help()
 * must not see it, as it WARNs on a GSO frame (a panic with
 * panic_on_warn).
 */
static void rx_gso_after_restart(struct kunit *test)
{
	struct hvl_net *n = rx_setup(test, true);
	struct fake_dev *fd = test->priv;
	bool warned = test_taint(TAINT_WARN);
	struct sk_buff *skb = alloc_skb(2000, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put_zero(skb, 1500);
	skb->protocol = htons(ETH_P_IP);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_headroom(skb) + TCP4_CSUM_START;
	skb->csum_offset = TCP_CSUM_OFF;
	skb_shinfo(skb)->gso_size = 1000;
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	__netdev_tx_sent_queue(netdev_get_tx_queue(n->ndev, 0), skb->len, true);
	skb_queue_tail(&n->to_peer, skb);
	/* n->guest_csum and n->guest_tso4 are clear: not negotiated. */
	fake_post(fd, RX_Q, 0, 4000, true);
	fake_poll(fd, hvl_net_poll, HVL_BUDGET);

	KUNIT_EXPECT_EQ(test, atomic64_read(&n->drops[DROP_BAD_SKB]), 1);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 0);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&n->to_peer), 0);
	KUNIT_EXPECT_EQ(test, inflight(n), 0);
	if (!warned)
		KUNIT_EXPECT_FALSE(test, test_taint(TAINT_WARN));
}

/*
 * A peer that keeps its transmitq full, here 8 frames at each run of a
 * budget of 8, does not keep frames from reaching it: the run takes
 * what its budget allows from the transmitq, and the frame for the peer
 * goes in the same run.
 */
static void rx_not_starved_by_tx(struct kunit *test)
{
	struct hvl_net *n = rx_setup(test, true);
	struct fake_dev *fd = test->priv;
	unsigned int run;

	fake_post(fd, RX_Q, 0, 1000, true);
	rx_queue(test, n, 100);
	for (run = 0; run < 4 && !fake_used_idx(fd, RX_Q); run++) {
		while ((u16)(fd->avail_idx[TX_Q] - fake_used_idx(fd, TX_Q)) < 8)
			fake_post(fd, TX_Q, 2000, HDR + 60, false);
		KUNIT_EXPECT_TRUE(test, fake_poll(fd, hvl_net_poll, 8));
	}
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 1);
	KUNIT_EXPECT_EQ(test, run, 1);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&n->to_peer), 0);
	KUNIT_EXPECT_EQ(test, inflight(n), 0);
	/* The transmitq was served too. */
	KUNIT_EXPECT_GT(test, fake_used_idx(fd, TX_Q), 0);
}

/* A receive buffer the device may only read: the device needs a reset. */
static void rx_readable_buffer(struct kunit *test)
{
	struct hvl_net *n = rx_setup(test, true);
	struct fake_dev *fd = test->priv;

	fake_post(fd, RX_Q, 0, 1000, false);
	rx_queue(test, n, 100);
	fake_poll(fd, hvl_net_poll, HVL_BUDGET);
	KUNIT_EXPECT_TRUE(test, fd->cd.hdev.status & VIRTIO_CONFIG_S_NEEDS_RESET);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 0);
	/* Kept for the reset's purge, which completes it. */
	KUNIT_EXPECT_EQ(test, skb_queue_len(&n->to_peer), 1);
	KUNIT_EXPECT_EQ(test, inflight(n), IS_ENABLED(CONFIG_BQL) ? 100 : 0);
}

/*
 * The watch on the peer (core/liveness.c) takes what the peer does on its
 * devices for a sign of life: chains it makes available, transactions.
 * A peer that died with receive buffers posted does nothing more, however
 * many of them Linux fills afterwards: else a frame for it every now and
 * then (a sender's heartbeat, TCP's retransmissions) keeps it alive until
 * its whole ring is used.  A buffer it posts is life again.
 */
static void rx_activity_is_the_peers(struct kunit *test)
{
	struct hvl_net *n = rx_setup(test, false);
	struct fake_dev *fd = test->priv;
	unsigned long before;
	int i;

	for (i = 0; i < 8; i++)
		fake_post(fd, RX_Q, i * 1000, 1000, true);
	/* The first look sees the buffers it posted. */
	rx_queue(test, n, 100);
	fake_poll(fd, hvl_net_poll, HVL_BUDGET);
	mutex_lock(&fd->cd.lock);
	before = hvl_bus_peer_activity(&fd->cd);
	mutex_unlock(&fd->cd.lock);

	/* It dies; Linux goes on sending, one frame per run. */
	for (i = 1; i < 8; i++) {
		rx_queue(test, n, 100);
		fake_poll(fd, hvl_net_poll, HVL_BUDGET);
		mutex_lock(&fd->cd.lock);
		KUNIT_EXPECT_EQ_MSG(test, hvl_bus_peer_activity(&fd->cd),
				    before, "after frame %d into its buffers",
				    i + 1);
		mutex_unlock(&fd->cd.lock);
	}
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 8);

	/* Alive after all: one buffer more. */
	fake_post(fd, RX_Q, 0, 1000, true);
	rx_queue(test, n, 100);
	fake_poll(fd, hvl_net_poll, HVL_BUDGET);
	mutex_lock(&fd->cd.lock);
	KUNIT_EXPECT_NE(test, hvl_bus_peer_activity(&fd->cd), before);
	mutex_unlock(&fd->cd.lock);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 9);
}

/*
 * Receive buffers and no frame for the peer: left for later, and no news
 * for a doorbell rung for another queue or device.
 */
static void rx_deferred(struct kunit *test)
{
	struct fake_dev *fd;
	int i;

	rx_setup(test, false);
	fd = test->priv;
	for (i = 0; i < 8; i++)
		fake_post(fd, RX_Q, i * 1000, 1000, true);
	KUNIT_EXPECT_TRUE(test, hvl_vq_peer_news(&fd->vqs[RX_Q]));
	KUNIT_EXPECT_FALSE(test, fake_poll(fd, hvl_net_poll, HVL_BUDGET));
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 0);
	KUNIT_EXPECT_FALSE(test, hvl_vq_peer_news(&fd->vqs[RX_Q]));
}

static struct kunit_case hvl_net_rx_cases[] = {
	KUNIT_CASE(rx_mergeable),
	KUNIT_CASE(rx_waits_for_buffers),
	KUNIT_CASE(rx_no_receiveq),
	KUNIT_CASE(rx_no_receiveq_mergeable),
	KUNIT_CASE(rx_no_transmitq),
	KUNIT_CASE(rx_no_transmitq_mergeable),
	KUNIT_CASE(rx_single_buffer),
	KUNIT_CASE(rx_readable_buffer),
	KUNIT_CASE(rx_waits_without_spinning),
	KUNIT_CASE(rx_gso_after_restart),
	KUNIT_CASE(rx_not_starved_by_tx),
	KUNIT_CASE(rx_activity_is_the_peers),
	KUNIT_CASE(rx_deferred),
	{}
};

static struct kunit_suite hvl_net_rx_suite = {
	.name = "hvl_net_rx",
	.exit = rx_exit,
	.test_cases = hvl_net_rx_cases,
};

static struct kunit_case hvl_net_frame_cases[] = {
	KUNIT_CASE_PARAM(check_hdr, hdr_gen_params),
	KUNIT_CASE_PARAM(skb_from_chain, skb_gen_params),
	KUNIT_CASE(skb_jumbo_layout),
	KUNIT_CASE(bad_chains),
	KUNIT_CASE(hdr_for_peer),
	KUNIT_CASE(stat_names),
	KUNIT_CASE(ifnames),
	{}
};

static struct kunit_suite hvl_net_frame_suite = {
	.name = "hvl_net_frame",
	.test_cases = hvl_net_frame_cases,
};

kunit_test_suites(&hvl_net_frame_suite, &hvl_net_rx_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests for hvl_net's frame checks");
