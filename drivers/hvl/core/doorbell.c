// SPDX-License-Identifier: GPL-2.0-only
/*
 * Doorbells between the two sides of a window, as a mailbox-framework
 * client, so any SoC mailbox works: imx-mu, zynqmp-ipi, stm32-ipcc, omap,
 * or hvl's own loopback controller in tests.
 *
 * Device tree: "mboxes" with "mbox-names" = "tx" [, "rx"].  Without an
 * "rx" channel the "tx" channel is taken to be bidirectional.  Without
 * "mboxes", "hvl,poll-interval-us" selects polling: the peer is then never
 * interrupted by us either, it is expected to poll as well.  Anything the
 * binding's oneOf forbids is refused, not resolved by a guess: both at
 * once would drop the polling the node asked for, and two channels with
 * no names would leave the one the peer rings unrequested.
 *
 * A doorbell carries no information, so sending one while another is in
 * flight adds nothing; the IN_FLIGHT/AGAIN pair below folds such rings into
 * one follow-up message after the tx-done, which also keeps the
 * framework's 20-entry queue from ever overflowing.
 */
#include <linux/hvl.h>
#include <linux/delay.h>
#include <linux/export.h>
#include <linux/mailbox_client.h>
#include <linux/mailbox_controller.h>
#include <linux/of.h>

enum {
	DB_IN_FLIGHT,
	DB_AGAIN,
};

/*
 * Below this, the timer's interrupts alone would take much of a CPU, and
 * serving a window is slower than that anyway.
 */
#define POLL_MIN_US	10

/* Doorbell controllers ignore the payload; others get a harmless word. */
static u32 token = 1;

static void send(struct hvl_doorbell *db)
{
	int ret;

retry:
	if (test_and_set_bit(DB_IN_FLIGHT, &db->flags)) {
		set_bit(DB_AGAIN, &db->flags);
		atomic64_inc(&db->coalesced);
		/* Pairs with the barrier in tx_done(): it may have missed AGAIN. */
		smp_mb__after_atomic();
		if (!test_bit(DB_IN_FLIGHT, &db->flags) &&
		    test_and_clear_bit(DB_AGAIN, &db->flags))
			goto retry;
		return;
	}

	ret = mbox_send_message(db->tx, &token);
	if (ret < 0) {
		clear_bit(DB_IN_FLIGHT, &db->flags);
		atomic64_inc(&db->errors);
		dev_err_ratelimited(db->cl_tx.dev, "cannot ring the peer: %d\n",
				    ret);
		return;
	}
	atomic64_inc(&db->rung);
}

static void tx_done(struct mbox_client *cl, void *msg, int r)
{
	struct hvl_doorbell *db = container_of(cl, struct hvl_doorbell, cl_tx);

	clear_bit(DB_IN_FLIGHT, &db->flags);
	/* Pairs with the barrier in send(): one of us sees the other's bit. */
	smp_mb__after_atomic();
	if (test_and_clear_bit(DB_AGAIN, &db->flags))
		send(db);
}

static void rx(struct hvl_doorbell *db)
{
	atomic64_inc(&db->received);
	db->notify(db);
}

static void rx_tx_chan(struct mbox_client *cl, void *msg)
{
	rx(container_of(cl, struct hvl_doorbell, cl_tx));
}

static void rx_rx_chan(struct mbox_client *cl, void *msg)
{
	rx(container_of(cl, struct hvl_doorbell, cl_rx));
}

static enum hrtimer_restart poll_fn(struct hrtimer *t)
{
	struct hvl_doorbell *db = container_of(t, struct hvl_doorbell, poll);

	rx(db);
	hrtimer_forward_now(t, db->poll_period);
	return HRTIMER_RESTART;
}

/**
 * hvl_doorbell_ring() - notify the peer
 * @db: the doorbell
 *
 * Any context.  Never blocks; in polling mode it does nothing.
 */
void hvl_doorbell_ring(struct hvl_doorbell *db)
{
	if (db->tx)
		send(db);
}
EXPORT_SYMBOL_GPL(hvl_doorbell_ring);

/**
 * hvl_doorbell_spin() - the caller spins until the peer acts on its rings
 * @db: the doorbell
 *
 * For a caller that waits with interrupts off for what its doorbell
 * should bring about, calling this in its loop: a controller that
 * delivers through the ringing CPU (hvl's loopback, where the peer is
 * this kernel) then delivers through other CPUs.  A hardware mailbox
 * interrupts the peer's own CPU and has nothing to do; one that polls
 * for received data through the same callback (peek_data) may deliver
 * the peer's doorbells to us, as if they had interrupted us.  Any context.
 */
void hvl_doorbell_spin(struct hvl_doorbell *db)
{
	if (db->tx)
		mbox_client_peek_data(db->tx);
}
EXPORT_SYMBOL_GPL(hvl_doorbell_spin);

/**
 * hvl_doorbell_init() - set up the doorbells described by @dev's node
 * @db: zeroed doorbell
 * @dev: device whose of_node has "mboxes" or "hvl,poll-interval-us"
 * @notify: called (atomic context) whenever the peer may have done something
 *
 * Return: 0, or a negative errno after a dev_err() naming the property.
 */
int hvl_doorbell_init(struct hvl_doorbell *db, struct device *dev,
		      void (*notify)(struct hvl_doorbell *db))
{
	struct device_node *np = dev->of_node;
	bool mboxes;
	int ret, i;
	u32 us;

	db->notify = notify;

	mboxes = of_property_present(np, "mboxes");
	ret = hvl_of_read_u32(np, "hvl,poll-interval-us", &us);
	if (ret == -EINVAL)
		return dev_err_probe(dev, ret,
				     "\"hvl,poll-interval-us\" must be one 32-bit cell\n");
	if (mboxes && !ret)
		return dev_err_probe(dev, -EINVAL,
				     "\"mboxes\" and \"hvl,poll-interval-us\" together: doorbells or polling, not both\n");
	if (!mboxes && ret)
		return dev_err_probe(dev, -EINVAL,
				     "need \"mboxes\" or \"hvl,poll-interval-us\"\n");

	if (!mboxes) {
		if (us < POLL_MIN_US || us > USEC_PER_SEC)
			return dev_err_probe(dev, -EINVAL,
					     "\"hvl,poll-interval-us\" (%u) must be %u to %ld\n",
					     us, POLL_MIN_US, USEC_PER_SEC);
		db->poll_period = ns_to_ktime((u64)us * NSEC_PER_USEC);
		hrtimer_init(&db->poll, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
		db->poll.function = poll_fn;
		hrtimer_start(&db->poll, db->poll_period, HRTIMER_MODE_REL);
		return 0;
	}

	ret = of_count_phandle_with_args(np, "mboxes", "#mbox-cells");
	if (ret < 1 || ret > 2)
		return dev_err_probe(dev, -EINVAL,
				     "\"mboxes\" must list one or two channels\n");
	if (ret == 2 && of_property_match_string(np, "mbox-names", "rx") < 0)
		return dev_err_probe(dev, -EINVAL,
				     "two \"mboxes\" need \"mbox-names\" = \"tx\", \"rx\": without them the channel the peer rings is never requested\n");
	/*
	 * As the binding says: one name per channel, "tx" and, with two,
	 * "rx".  Anything else ("tx", "tx"; a misspelt "rx ") would leave a
	 * channel unrequested or requested twice.
	 */
	if (of_property_present(np, "mbox-names") &&
	    (of_property_count_strings(np, "mbox-names") != ret ||
	     of_property_match_string(np, "mbox-names", "tx") < 0 ||
	     (ret == 2 && of_property_match_string(np, "mbox-names", "rx") < 0)))
		return dev_err_probe(dev, -EINVAL,
				     "\"mbox-names\" must name each of the %d \"mboxes\": \"tx\"%s\n",
				     ret, ret == 2 ? ", \"rx\"" : "");

	db->cl_tx.dev = dev;
	db->cl_tx.tx_block = false;
	db->cl_tx.knows_txdone = false;
	db->cl_tx.tx_done = tx_done;
	db->cl_tx.rx_callback = rx_tx_chan;
	db->cl_rx = db->cl_tx;
	db->cl_rx.tx_done = NULL;
	db->cl_rx.rx_callback = rx_rx_chan;

	if (of_property_present(np, "mbox-names"))
		db->tx = mbox_request_channel_byname(&db->cl_tx, "tx");
	else
		db->tx = mbox_request_channel(&db->cl_tx, 0);
	if (IS_ERR(db->tx)) {
		ret = PTR_ERR(db->tx);
		db->tx = NULL;
		return dev_err_probe(dev, ret, "cannot get \"tx\" channel of \"mboxes\"\n");
	}

	if (of_property_match_string(np, "mbox-names", "rx") >= 0) {
		db->rx = mbox_request_channel_byname(&db->cl_rx, "rx");
		if (IS_ERR(db->rx)) {
			ret = PTR_ERR(db->rx);
			db->rx = NULL;
			mbox_free_channel(db->tx);
			db->tx = NULL;
			return dev_err_probe(dev, ret,
					     "cannot get \"rx\" channel of \"mboxes\"\n");
		}
	}
	/*
	 * Unbinding the controller (sysfs) frees our channels under us in
	 * mbox_controller_unregister(), and its devm memory with them: the
	 * next ring was a use-after-free.  A managed link unbinds us first;
	 * one per channel, as they may come from two controllers.
	 */
	for (i = 0; i < 2; i++) {
		struct mbox_chan *c = i ? db->rx : db->tx;

		if (c && !device_link_add(dev, c->mbox->dev,
					  DL_FLAG_AUTOREMOVE_CONSUMER)) {
			hvl_doorbell_fini(db);
			return dev_err_probe(dev, -EINVAL,
					     "cannot link to the mailbox controller %s\n",
					     dev_name(c->mbox->dev));
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(hvl_doorbell_init);

/**
 * hvl_doorbell_fini() - release channels or stop polling
 * @db: the doorbell
 *
 * A ring still folded into the message in flight is given up to 10 ms to
 * go out, so that a last state change (OFFLINE) reaches the peer.  After
 * this returns, @db->notify is not running and will not run again.
 */
void hvl_doorbell_fini(struct hvl_doorbell *db)
{
	int i;

	if (db->poll_period) {
		hrtimer_cancel(&db->poll);
		return;
	}
	for (i = 0; i < 100 && test_bit(DB_IN_FLIGHT, &db->flags); i++)
		usleep_range(100, 200);
	if (db->rx)
		mbox_free_channel(db->rx);
	if (db->tx)
		mbox_free_channel(db->tx);
	db->rx = NULL;
	db->tx = NULL;
}
EXPORT_SYMBOL_GPL(hvl_doorbell_fini);
