// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel implementation of the "reliable" chunnel: exactly-once,
 * in-order delivery of a connection's messages over the UDP path.
 *
 * Every message carries a sequence number. The receiver delivers in order,
 * buffers up to BERTHA_REL_WINDOW messages that arrive early, drops
 * duplicates, and answers every DATA with an ACK: the next sequence number
 * it expects (cumulative) and a bitmap of the 64 after it that it holds
 * (selective). The sender keeps each message, charged to its socket's
 * send buffer, until it is acknowledged, and retransmits:
 *
 * - on a timeout (RFC 6298 RTO from RTT samples of messages sent once,
 *   40 ms to 2 s, doubled per timeout): everything not selectively
 *   acknowledged, with the window back to one message;
 * - when three duplicate ACKs, or three selective acknowledgments above
 *   a hole, show a loss: the holes, once per recovery, with the window
 *   halved.
 *
 * The window is AIMD in messages: slow start from 4 up to ssthresh, then
 * one more per window acknowledged, halved on a loss, at most
 * BERTHA_REL_WINDOW. BERTHA_REL_RETRIES timeouts in a row without any ACK
 * fail the connection with ETIMEDOUT.
 *
 * On the local fast path the chunnel is elided: the shortcut is reliable.
 *
 * It is a client of the chunnel layer (<bertha/chunnel.h>) like any other
 * module's: its sequence number travels in front of the message with the
 * DATA flags it owns (SEQ, FIN), its ACK is its own control message
 * (sub-type 0), and what it resends goes through the nodes after it again
 * (bertha_chunnel_xmit_next()), to the port the nodes before it chose.
 */
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <net/netlink.h>
#include <net/sock.h>

#include <bertha/chunnel.h>
#include <bertha/reliable.h>

#include "builtin.h"

#define BERTHA_REL_TYPE		"reliable"
#define BERTHA_REL_SEQ_LEN	sizeof(__be32)
#define BERTHA_REL_WINDOW	64	/* = the bits of the selective ack */
#define BERTHA_REL_CWND_INIT	4
#define BERTHA_REL_RTO_MIN_US	(40 * USEC_PER_MSEC)
#define BERTHA_REL_RTO_INIT_US	(200 * USEC_PER_MSEC)
#define BERTHA_REL_RTO_MAX_US	(2000 * USEC_PER_MSEC)
#define BERTHA_REL_RETRIES	8

/**
 * struct bertha_rel_cb - per-message state, in skb->cb
 * @seq: sequence number
 * @sent: when it was last sent
 * @epoch: the recovery in which it was last retransmitted
 * @sacked: the receiver holds it
 * @lost: to be retransmitted
 * @retransmitted: sent more than once (no RTT sample)
 * @fin: the sender's end of stream, not a message
 * @port: sent: the destination port the nodes before this one chose (0:
 *	the peer's); received: the UDP port it arrived on
 * @flags: the DATA flags of the other nodes (sent: set by the nodes
 *	before this one; received: as they arrived)
 */
struct bertha_rel_cb {
	u32 seq;
	ktime_t sent;
	u32 epoch;
	bool sacked;
	bool lost;
	bool retransmitted;
	bool fin;
	__be16 port;
	u16 flags;
};

static struct bertha_rel_cb *bertha_rel_cb(const struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct bertha_rel_cb) > sizeof(skb->cb));
	return (struct bertha_rel_cb *)skb->cb;
}

/**
 * struct bertha_rel - the reliable state of one connection
 * @cc: the connection's node
 * @lock: guards everything below
 * @dead: the connection is closing or failed; nothing is sent any more
 * @failed: no ACK for %BERTHA_REL_RETRIES timeouts
 * @snd_una: the oldest unacknowledged sequence number
 * @snd_nxt: the next sequence number to assign
 * @rtx: sent and not acknowledged, in order
 * @unsent: waiting for the window, in order
 * @cwnd: the congestion window, in messages
 * @ssthresh: slow start threshold
 * @cwnd_acked: messages acknowledged since the window last grew (AIMD)
 * @dupacks: ACKs in a row that acknowledged nothing new
 * @in_recovery: holes are being retransmitted
 * @recover: leave recovery when everything below it is acknowledged
 * @epoch: recovery counter
 * @srtt_us: smoothed RTT
 * @rttvar_us: RTT variation
 * @rto_us: retransmission timeout
 * @timeouts: timeouts in a row without an ACK
 * @acked: an ACK came since the last timeout
 * @timer: the retransmission timer
 * @drained: woken when @rtx and @unsent become empty, or on failure
 * @rcv_nxt: the next sequence number to deliver
 * @ooo: received early, in order
 */
struct bertha_rel {
	struct bertha_chunnel_conn *cc;
	spinlock_t lock;	/* all of the state */
	bool dead;
	bool failed;
	u32 snd_una;
	u32 snd_nxt;
	struct sk_buff_head rtx;
	struct sk_buff_head unsent;
	u32 cwnd;
	u32 ssthresh;
	u32 cwnd_acked;
	u32 dupacks;
	bool in_recovery;
	u32 recover;
	u32 epoch;
	u32 srtt_us;
	u32 rttvar_us;
	u32 rto_us;
	unsigned int timeouts;
	bool acked;
	struct bertha_chunnel_timer timer;
	wait_queue_head_t drained;
	u32 rcv_nxt;
	struct sk_buff_head ooo;
};

/* The chunnel's own control messages. */
enum {
	BERTHA_REL_ACK,
};

/* ACK payload: the next expected sequence number and a bitmap of the 64
 * after it (bit i: rcv_nxt + 1 + i is held), network byte order.
 */
struct bertha_wire_ack {
	__be32 cum;
	__be32 sack_hi;
	__be32 sack_lo;
};

static bool seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

/* The type's counters, reported by name (and, being older than that, in
 * &struct bertha_stats and the namespace's stats attributes too).
 */
enum {
	BERTHA_REL_RETRANSMITS,
	BERTHA_REL_DUPLICATES,
	BERTHA_REL_OUT_OF_ORDER,
	BERTHA_REL_TIMEOUTS,
};

static const struct bertha_chunnel_counter bertha_rel_counters[] = {
	[BERTHA_REL_RETRANSMITS] = {
		.name = "retransmits",
		.sock_legacy = offsetof(struct bertha_stats, rel_retransmits) + 1,
		.net_legacy = BERTHA_STATS_A_REL_RETRANSMITS,
	},
	[BERTHA_REL_DUPLICATES] = {
		.name = "duplicates",
		.sock_legacy = offsetof(struct bertha_stats, rel_duplicates) + 1,
		.net_legacy = BERTHA_STATS_A_REL_DUPLICATES,
	},
	[BERTHA_REL_OUT_OF_ORDER] = {
		.name = "out-of-order",
		.sock_legacy = offsetof(struct bertha_stats, rel_out_of_order) + 1,
		.net_legacy = BERTHA_STATS_A_REL_OUT_OF_ORDER,
	},
	[BERTHA_REL_TIMEOUTS] = {
		.name = "timeouts",
		.sock_legacy = offsetof(struct bertha_stats, rel_timeouts) + 1,
		.net_legacy = BERTHA_STATS_A_REL_TIMEOUTS,
	},
};

static void bertha_rel_count(struct bertha_rel *rel, unsigned int counter)
{
	bertha_chunnel_count(rel->cc, counter, 1);
}

static void bertha_rel_timer(struct bertha_chunnel_conn *cc);

static int bertha_rel_init(struct bertha_chunnel_conn *cc)
{
	struct bertha_rel *rel;

	rel = kzalloc(sizeof(*rel), GFP_KERNEL);
	if (!rel)
		return -ENOMEM;
	rel->cc = cc;
	spin_lock_init(&rel->lock);
	skb_queue_head_init(&rel->rtx);
	skb_queue_head_init(&rel->unsent);
	skb_queue_head_init(&rel->ooo);
	init_waitqueue_head(&rel->drained);
	rel->cwnd = BERTHA_REL_CWND_INIT;
	rel->ssthresh = BERTHA_REL_WINDOW;
	rel->rto_us = BERTHA_REL_RTO_INIT_US;
	bertha_chunnel_timer_setup(cc, &rel->timer, bertha_rel_timer);
	cc->priv = rel;
	return 0;
}

/* The connection is gone: no op, timer or softirq uses @rel any more.
 * What was not acknowledged is freed, giving its send buffer space back.
 */
static void bertha_rel_release(struct bertha_chunnel_conn *cc)
{
	struct bertha_rel *rel = cc->priv;

	skb_queue_purge(&rel->rtx);
	skb_queue_purge(&rel->unsent);
	skb_queue_purge(&rel->ooo);
	kfree(rel);
}

/* Queue copies of what the window allows on @out; the caller sends them
 * after dropping the lock.
 */
static void bertha_rel_push(struct bertha_rel *rel, struct sk_buff_head *out)
{
	struct bertha_rel_cb *cb;
	struct sk_buff *skb, *copy;
	u32 inflight = 0;

	if (rel->dead)
		return;
	skb_queue_walk(&rel->rtx, skb) {
		cb = bertha_rel_cb(skb);
		inflight += !cb->sacked && !cb->lost;
	}
	while (inflight < rel->cwnd) {
		skb = NULL;
		skb_queue_walk(&rel->rtx, copy) {
			if (bertha_rel_cb(copy)->lost) {
				skb = copy;
				break;
			}
		}
		if (skb) {
			cb = bertha_rel_cb(skb);
			cb->lost = false;
			cb->retransmitted = true;
			cb->epoch = rel->epoch;
			bertha_rel_count(rel, BERTHA_REL_RETRANSMITS);
		} else {
			skb = skb_peek(&rel->unsent);
			if (!skb || rel->snd_nxt - rel->snd_una >= BERTHA_REL_WINDOW)
				break;
			__skb_unlink(skb, &rel->unsent);
			cb = bertha_rel_cb(skb);
			cb->seq = rel->snd_nxt++;
			*(__be32 *)skb->data = htonl(cb->seq);
			__skb_queue_tail(&rel->rtx, skb);
		}
		cb->sent = ktime_get();
		/* IP writes headers in front of what it sends: a copy each
		 * time, the original stays charged to the socket.
		 */
		copy = skb_copy(skb, GFP_ATOMIC);
		if (copy)
			__skb_queue_tail(out, copy);
		inflight++;
	}
	if (!skb_queue_empty(&rel->rtx) &&
	    !bertha_chunnel_timer_pending(&rel->timer))
		bertha_chunnel_timer_arm(&rel->timer,
					 jiffies + usecs_to_jiffies(rel->rto_us));
}

/* Send what bertha_rel_push() queued, through the nodes after this one. */
static void bertha_rel_send_out(struct bertha_rel *rel,
				struct sk_buff_head *out)
{
	struct bertha_rel_cb *cb;
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(out))) {
		/* skb_copy() copied the control block too */
		struct bertha_xmit x = {};

		cb = bertha_rel_cb(skb);
		x.dport = cb->port;
		x.flags = cb->flags | BERTHA_REL_F_SEQ |
			  (cb->fin ? BERTHA_REL_F_FIN : 0);
		bertha_chunnel_xmit_next(rel->cc, skb, &x);
	}
}

/* Queue one message (or the end of stream) to send reliably. */
static int bertha_rel_queue(struct bertha_rel *rel, struct sk_buff *skb,
			    const struct bertha_xmit *x, bool fin)
{
	struct bertha_rel_cb *cb = bertha_rel_cb(skb);
	struct sk_buff_head out;
	int err = 0;

	__skb_queue_head_init(&out);
	memset(cb, 0, sizeof(*cb));
	cb->fin = fin;
	cb->port = x->dport;
	cb->flags = x->flags;
	skb_push(skb, BERTHA_REL_SEQ_LEN);	/* the sequence number */
	spin_lock_bh(&rel->lock);
	if (rel->dead) {
		err = rel->failed ? -ETIMEDOUT : -EPIPE;
	} else {
		__skb_queue_tail(&rel->unsent, skb);
		bertha_rel_push(rel, &out);
	}
	spin_unlock_bh(&rel->lock);
	bertha_rel_send_out(rel, &out);
	return err;
}

/* xmit: the message goes out now if the window allows, later otherwise;
 * the socket's send buffer bounds how many wait. -ETIMEDOUT once the peer
 * stopped answering.
 */
static int bertha_rel_xmit(struct bertha_chunnel_conn *cc, struct sk_buff *skb,
			   struct bertha_xmit *x)
{
	int err = bertha_rel_queue(cc->priv, skb, x, false);

	return err ?: BERTHA_CHUNNEL_STOLEN;
}

/* shutdown: the end of stream, in order after every message; forcibly
 * charged, since shutdown() does not wait for send buffer space.
 */
static bool bertha_rel_shutdown(struct bertha_chunnel_conn *cc)
{
	struct bertha_xmit x = {};
	struct sk_buff *skb;

	skb = bertha_chunnel_msg_alloc(cc, 0);
	if (skb && bertha_rel_queue(cc->priv, skb, &x, true))
		kfree_skb(skb);
	return true;
}

static bool bertha_rel_idle(struct bertha_rel *rel)
{
	bool idle;

	spin_lock_bh(&rel->lock);
	idle = rel->dead || (skb_queue_empty(&rel->rtx) &&
			     skb_queue_empty(&rel->unsent));
	spin_unlock_bh(&rel->lock);
	return idle;
}

/* flush: wait until the peer has everything, at most @timeo. */
static void bertha_rel_flush(struct bertha_chunnel_conn *cc, long timeo)
{
	struct bertha_rel *rel = cc->priv;

	wait_event_interruptible_timeout(rel->drained, bertha_rel_idle(rel),
					 timeo);
}

/* The connection is dead: no ACK for BERTHA_REL_RETRIES timeouts. */
static void bertha_rel_fail(struct bertha_rel *rel)
{
	rel->dead = true;
	rel->failed = true;
	if (rel->cc->sk->sk_type == SOCK_DGRAM) {
		/* One peer of many: the socket carries on. The next sendto()
		 * to that peer reports ETIMEDOUT; the send buffer space goes
		 * back now, which wakes a sender waiting for it.
		 */
		__skb_queue_purge(&rel->rtx);
		__skb_queue_purge(&rel->unsent);
		__skb_queue_purge(&rel->ooo);
	}
	bertha_chunnel_fail(rel->cc, -ETIMEDOUT);
	wake_up_all(&rel->drained);
}

static void bertha_rel_timer(struct bertha_chunnel_conn *cc)
{
	struct bertha_rel *rel = cc->priv;
	struct sk_buff_head out;
	struct sk_buff *skb;

	__skb_queue_head_init(&out);
	spin_lock_bh(&rel->lock);
	if (rel->dead || skb_queue_empty(&rel->rtx))
		goto unlock;
	bertha_rel_count(rel, BERTHA_REL_TIMEOUTS);
	if (!rel->acked && ++rel->timeouts >= BERTHA_REL_RETRIES) {
		bertha_rel_fail(rel);
		goto unlock;
	}
	if (rel->acked)
		rel->timeouts = 0;
	rel->acked = false;
	rel->rto_us = min_t(u32, rel->rto_us * 2, BERTHA_REL_RTO_MAX_US);
	rel->ssthresh = max_t(u32, rel->cwnd / 2, 2);
	rel->cwnd = 1;
	rel->cwnd_acked = 0;
	rel->dupacks = 0;
	rel->in_recovery = true;
	rel->recover = rel->snd_nxt;
	rel->epoch++;
	/* The receiver may have let go of what it selectively acknowledged
	 * (its socket was full): after a timeout everything goes again.
	 */
	skb_queue_walk(&rel->rtx, skb) {
		bertha_rel_cb(skb)->lost = true;
		bertha_rel_cb(skb)->sacked = false;
	}
	bertha_rel_push(rel, &out);
	bertha_chunnel_timer_arm(&rel->timer,
				 jiffies + usecs_to_jiffies(rel->rto_us));
unlock:
	spin_unlock_bh(&rel->lock);
	bertha_rel_send_out(rel, &out);
}

static void bertha_rel_rtt(struct bertha_rel *rel, u32 r)
{
	u32 delta;

	if (!rel->srtt_us) {
		rel->srtt_us = r;
		rel->rttvar_us = r / 2;
	} else {
		delta = rel->srtt_us > r ? rel->srtt_us - r : r - rel->srtt_us;
		rel->rttvar_us = (3 * rel->rttvar_us + delta) / 4;
		rel->srtt_us = (7 * rel->srtt_us + r) / 8;
	}
	rel->rto_us = clamp_t(u32, rel->srtt_us + 4 * rel->rttvar_us,
			      BERTHA_REL_RTO_MIN_US, BERTHA_REL_RTO_MAX_US);
}

/* An ACK: free what it acknowledges, grow or shrink the window, find
 * holes, send what is allowed now.
 */
static void bertha_rel_ack(struct bertha_rel *rel, u32 cum, u64 sack,
			   struct sk_buff_head *out)
{
	struct bertha_rel_cb *cb;
	struct sk_buff *skb, *tmp;
	u32 newly = 0, above = 0;
	s64 sample = -1;

	if (rel->dead || seq_before(rel->snd_nxt, cum))
		return;	/* acknowledges what was never sent */
	rel->acked = true;
	skb_queue_walk_safe(&rel->rtx, skb, tmp) {
		cb = bertha_rel_cb(skb);
		if (!seq_before(cb->seq, cum))
			break;
		if (!cb->retransmitted)
			sample = ktime_us_delta(ktime_get(), cb->sent);
		__skb_unlink(skb, &rel->rtx);
		kfree_skb(skb);	/* gives the send buffer space back */
		newly++;
	}
	if (seq_before(rel->snd_una, cum))
		rel->snd_una = cum;
	if (sample >= 0)
		bertha_rel_rtt(rel, max_t(s64, sample, 1));

	/* selective acknowledgments, then holes with three above them */
	skb_queue_reverse_walk(&rel->rtx, skb) {
		cb = bertha_rel_cb(skb);
		if (cb->seq - cum - 1 < 64 && (sack >> (cb->seq - cum - 1) & 1)) {
			if (!cb->sacked)
				newly++;
			cb->sacked = true;
			cb->lost = false;
			above++;
		} else if (!cb->sacked && above >= 3 && rel->in_recovery &&
			   cb->epoch != rel->epoch) {
			cb->lost = true;
		}
	}

	if (newly) {
		rel->dupacks = 0;
		if (rel->in_recovery && !seq_before(rel->snd_una, rel->recover))
			rel->in_recovery = false;
		if (!rel->in_recovery) {
			if (rel->cwnd < rel->ssthresh) {
				rel->cwnd += newly;
			} else {
				rel->cwnd_acked += newly;
				if (rel->cwnd_acked >= rel->cwnd) {
					rel->cwnd_acked = 0;
					rel->cwnd++;
				}
			}
			rel->cwnd = min_t(u32, rel->cwnd, BERTHA_REL_WINDOW);
		}
	} else if (!skb_queue_empty(&rel->rtx)) {
		rel->dupacks++;
	}
	if (!rel->in_recovery && (rel->dupacks >= 3 || above >= 3) &&
	    !skb_queue_empty(&rel->rtx)) {
		/* a loss: halve the window, retransmit the holes */
		rel->in_recovery = true;
		rel->recover = rel->snd_nxt;
		rel->epoch++;
		rel->ssthresh = max_t(u32, rel->cwnd / 2, 2);
		rel->cwnd = rel->ssthresh;
		above = 0;
		skb_queue_reverse_walk(&rel->rtx, skb) {
			cb = bertha_rel_cb(skb);
			if (cb->sacked)
				above++;
			else if (above >= 3 || skb == skb_peek(&rel->rtx))
				cb->lost = true;
		}
	}
	if (skb_queue_empty(&rel->rtx)) {
		bertha_chunnel_timer_cancel(&rel->timer);
		if (skb_queue_empty(&rel->unsent))
			wake_up_all(&rel->drained);
	} else if (newly) {
		bertha_chunnel_timer_arm(&rel->timer,
					 jiffies + usecs_to_jiffies(rel->rto_us));
	}
	bertha_rel_push(rel, out);
}

/* Tell the peer what we have. */
static void bertha_rel_send_ack(struct bertha_rel *rel)
{
	struct bertha_wire_ack *ack;
	struct sk_buff *skb;
	u64 sack = 0;
	u32 cum, d;

	spin_lock(&rel->lock);
	cum = rel->rcv_nxt;
	skb_queue_walk(&rel->ooo, skb) {
		d = bertha_rel_cb(skb)->seq - cum - 1;
		if (d < 64)
			sack |= 1ULL << d;
	}
	spin_unlock(&rel->lock);

	skb = bertha_chunnel_ctrl_alloc(sizeof(*ack), GFP_ATOMIC);
	if (!skb)
		return;
	ack = skb_put(skb, sizeof(*ack));
	ack->cum = htonl(cum);
	ack->sack_hi = htonl(sack >> 32);
	ack->sack_lo = htonl((u32)sack);
	bertha_chunnel_ctrl_send(rel->cc, BERTHA_REL_ACK, skb);
}

/* Hand @skb on, in order; false if the socket could not take it now. */
static bool bertha_rel_deliver(struct bertha_rel *rel, struct sk_buff *skb)
{
	struct bertha_rcv rx = { .port = bertha_rel_cb(skb)->port };

	if (bertha_rel_cb(skb)->fin) {
		consume_skb(skb);
		bertha_chunnel_peer_eof(rel->cc);
		return true;
	}
	rx.flags = bertha_rel_cb(skb)->flags;
	return bertha_chunnel_rcv_next(rel->cc, skb, &rx) == 0;
}

/* rcv: a DATA datagram of the connection, headers pulled. It may have
 * arrived on a shard port of the group of the connection's socket: one
 * sequence space per connection, whichever port its messages reach.
 */
static int bertha_rel_rcv(struct bertha_chunnel_conn *cc, struct sk_buff *skb,
			  struct bertha_rcv *rx)
{
	struct bertha_rel *rel = cc->priv;
	struct bertha_rel_cb *cb;
	struct sk_buff *pos;
	u32 seq;

	/* unsequenced: not from our peer's reliable, or from before it */
	if (!(rx->flags & BERTHA_REL_F_SEQ))
		return -EBADMSG;
	if (!pskb_may_pull(skb, BERTHA_REL_SEQ_LEN))
		return -EPROTO;
	seq = ntohl(*(__be32 *)skb->data);
	__skb_pull(skb, BERTHA_REL_SEQ_LEN);
	cb = bertha_rel_cb(skb);
	memset(cb, 0, sizeof(*cb));
	cb->seq = seq;
	cb->fin = rx->flags & BERTHA_REL_F_FIN;
	cb->port = rx->port;
	cb->flags = rx->flags & ~(BERTHA_REL_F_SEQ | BERTHA_REL_F_FIN);

	spin_lock(&rel->lock);
	if (rel->dead) {
		spin_unlock(&rel->lock);
		kfree_skb(skb);
		return BERTHA_CHUNNEL_STOLEN;
	}
	if (seq_before(seq, rel->rcv_nxt) ||
	    seq - rel->rcv_nxt > BERTHA_REL_WINDOW) {
		/* already delivered (or far beyond the window): the ACK
		 * tells the sender again
		 */
		if (seq_before(seq, rel->rcv_nxt))
			bertha_rel_count(rel, BERTHA_REL_DUPLICATES);
		kfree_skb(skb);
	} else if (seq == rel->rcv_nxt) {
		if (bertha_rel_deliver(rel, skb)) {
			rel->rcv_nxt++;
			while ((pos = skb_peek(&rel->ooo)) &&
			       bertha_rel_cb(pos)->seq == rel->rcv_nxt) {
				__skb_unlink(pos, &rel->ooo);
				if (!bertha_rel_deliver(rel, pos)) {
					/* the socket is full: wait for the
					 * retransmission
					 */
					break;
				}
				rel->rcv_nxt++;
			}
		}
	} else {
		/* early: keep it in order, once */
		skb_queue_walk(&rel->ooo, pos) {
			if (bertha_rel_cb(pos)->seq == seq) {
				bertha_rel_count(rel, BERTHA_REL_DUPLICATES);
				kfree_skb(skb);
				skb = NULL;
				break;
			}
			if (seq_before(seq, bertha_rel_cb(pos)->seq))
				break;
		}
		if (skb) {
			if (pos == (struct sk_buff *)&rel->ooo)
				__skb_queue_tail(&rel->ooo, skb);
			else
				__skb_queue_before(&rel->ooo, pos, skb);
			bertha_rel_count(rel, BERTHA_REL_OUT_OF_ORDER);
		}
	}
	spin_unlock(&rel->lock);
	bertha_rel_send_ack(rel);
	return BERTHA_CHUNNEL_STOLEN;
}

/* ctrl_rcv: the peer's ACK. */
static int bertha_rel_ctrl_rcv(struct bertha_chunnel_conn *cc, u8 subtype,
			       struct sk_buff *skb)
{
	struct bertha_rel *rel = cc->priv;
	const struct bertha_wire_ack *ack;
	struct sk_buff_head out;
	u64 sack;

	if (subtype != BERTHA_REL_ACK)
		return -EBADMSG;
	if (!pskb_may_pull(skb, sizeof(*ack)))
		return -EPROTO;
	ack = (const struct bertha_wire_ack *)skb->data;
	sack = (u64)ntohl(ack->sack_hi) << 32 | ntohl(ack->sack_lo);
	__skb_queue_head_init(&out);
	spin_lock(&rel->lock);
	bertha_rel_ack(rel, ntohl(ack->cum), sack, &out);
	spin_unlock(&rel->lock);
	bertha_rel_send_out(rel, &out);
	return 0;
}

/* get_info: the sender's window and timer, the receiver's position. */
static int bertha_rel_get_info(struct bertha_chunnel_conn *cc,
			       struct sk_buff *skb)
{
	struct bertha_rel *rel = cc->priv;
	u32 cwnd, srtt, rto, inflight, snd_nxt, rcv_nxt;

	spin_lock_bh(&rel->lock);
	cwnd = rel->cwnd;
	srtt = rel->srtt_us;
	rto = rel->rto_us;
	inflight = skb_queue_len(&rel->rtx);
	snd_nxt = rel->snd_nxt;
	rcv_nxt = rel->rcv_nxt;
	spin_unlock_bh(&rel->lock);
	if (nla_put_u32(skb, BERTHA_REL_INFO_A_CWND, cwnd) ||
	    nla_put_u32(skb, BERTHA_REL_INFO_A_SRTT_US, srtt) ||
	    nla_put_u32(skb, BERTHA_REL_INFO_A_RTO_US, rto) ||
	    nla_put_u32(skb, BERTHA_REL_INFO_A_INFLIGHT, inflight) ||
	    nla_put_u32(skb, BERTHA_REL_INFO_A_SND_NXT, snd_nxt) ||
	    nla_put_u32(skb, BERTHA_REL_INFO_A_RCV_NXT, rcv_nxt))
		return -EMSGSIZE;
	return 0;
}

static const struct bertha_chunnel_ops bertha_rel_ops = {
	.xmit		= bertha_rel_xmit,
	.rcv		= bertha_rel_rcv,
	.ctrl_rcv	= bertha_rel_ctrl_rcv,
	.init		= bertha_rel_init,
	.release	= bertha_rel_release,
	.shutdown	= bertha_rel_shutdown,
	.flush		= bertha_rel_flush,
	.get_info	= bertha_rel_get_info,
};

static struct bertha_chunnel_type bertha_rel_type = {
	.name		= BERTHA_REL_TYPE,
	.owner		= THIS_MODULE,
	/* its sequence number leads the message; it delivers from its lock,
	 * so a node above it must not send from its rcv op
	 */
	.flags		= BERTHA_CHUNNEL_T_HOLDS,
	.counters	= bertha_rel_counters,
	.ncounters	= ARRAY_SIZE(bertha_rel_counters),
};

static struct bertha_chunnel_impl bertha_rel_impl = {
	.type		= BERTHA_REL_TYPE,
	.name		= "kernel",
	.scope		= BERTHA_SCOPE_APPLICATION,
	.endpoints	= BERTHA_ENDPOINTS_BOTH,
	/* the local fast path loses nothing and keeps the order */
	.flags		= BERTHA_CHUNNEL_F_ELIDE_LOCAL,
	.ops		= &bertha_rel_ops,
	.owner		= THIS_MODULE,
};

/**
 * bertha_reliable_init() - register the ``reliable`` type and its kernel
 *	implementation
 *
 * Return: 0 or the registration's error.
 */
int bertha_reliable_init(void)
{
	int err;

	err = bertha_chunnel_type_register(&bertha_rel_type);
	if (err)
		return err;
	err = bertha_chunnel_register(&bertha_rel_impl);
	if (err)
		bertha_chunnel_type_unregister(&bertha_rel_type);
	return err;
}

/**
 * bertha_reliable_exit() - withdraw them
 */
void bertha_reliable_exit(void)
{
	bertha_chunnel_unregister(&bertha_rel_impl);
	bertha_chunnel_type_unregister(&bertha_rel_type);
}
