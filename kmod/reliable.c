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
 */
#include <linux/ktime.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/wait.h>

#include "bertha.h"
#include "wire.h"

#define BERTHA_REL_TYPE		"reliable"
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
 * @port: the UDP port a received message arrived on (a shard port of a
 *	group, or the connection's own)
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
};

static struct bertha_rel_cb *bertha_rel_cb(const struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct bertha_rel_cb) > sizeof(skb->cb));
	return (struct bertha_rel_cb *)skb->cb;
}

/**
 * struct bertha_rel - the reliable state of one connection
 * @conn: the connection
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
	struct bertha_conn *conn;
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
	struct timer_list timer;
	wait_queue_head_t drained;
	u32 rcv_nxt;
	struct sk_buff_head ooo;
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

static void bertha_rel_count(struct bertha_rel *rel, unsigned int stat,
			     atomic64_t *sock_counter)
{
	atomic64_inc(sock_counter);
	bertha_net_count(sock_net(&rel->conn->bs->sk), stat, 1);
}

static bool bertha_rel_is_kernel(const struct bertha_bound *n)
{
	return n->impl && n->impl->owner == THIS_MODULE &&
	       !strcmp(n->impl->type, BERTHA_REL_TYPE);
}

static void bertha_rel_timer(struct timer_list *t);

/**
 * bertha_rel_attach() - start reliable delivery if the binding has it
 * @conn: a negotiated SOCK_SEQPACKET connection whose path is decided, or
 *	a negotiated SOCK_DGRAM peer (always on the network path)
 *
 * On the local fast path the chunnel is marked elided instead.
 *
 * Return: 0 or -ENOMEM.
 */
int bertha_rel_attach(struct bertha_conn *conn)
{
	struct bertha_binding_set *b = conn->binding;
	struct bertha_rel *rel;
	unsigned int i;
	bool found = false;

	for (i = 0; i < b->count; i++) {
		if (!bertha_rel_is_kernel(&b->node[i]))
			continue;
		found = true;
		if (conn->path == BERTHA_PATH_LOCAL)
			b->node[i].info.where = BERTHA_WHERE_ELIDED;
	}
	if (!found || conn->path == BERTHA_PATH_LOCAL)
		return 0;

	rel = kzalloc(sizeof(*rel), GFP_KERNEL);
	if (!rel)
		return -ENOMEM;
	rel->conn = conn;
	spin_lock_init(&rel->lock);
	skb_queue_head_init(&rel->rtx);
	skb_queue_head_init(&rel->unsent);
	skb_queue_head_init(&rel->ooo);
	init_waitqueue_head(&rel->drained);
	rel->cwnd = BERTHA_REL_CWND_INIT;
	rel->ssthresh = BERTHA_REL_WINDOW;
	rel->rto_us = BERTHA_REL_RTO_INIT_US;
	timer_setup(&rel->timer, bertha_rel_timer, 0);
	/* softirq may use it as soon as it sees it */
	smp_store_release(&conn->rel, rel);
	return 0;
}

/**
 * bertha_rel_detach() - stop reliable delivery of a closing connection
 * @conn: the connection, its id already withdrawn
 *
 * What was not acknowledged is freed, giving its send buffer space back.
 *
 * Context: process context.
 */
void bertha_rel_detach(struct bertha_conn *conn)
{
	struct bertha_rel *rel = conn->rel;

	if (!rel)
		return;
	spin_lock_bh(&rel->lock);
	rel->dead = true;
	spin_unlock_bh(&rel->lock);
	del_timer_sync(&rel->timer);
	/* Receive paths that found the connection before its id went may
	 * still send an ACK through the port, which goes after us.
	 */
	synchronize_rcu();
	skb_queue_purge(&rel->rtx);
	skb_queue_purge(&rel->unsent);
	skb_queue_purge(&rel->ooo);
	conn->rel = NULL;
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
			bertha_rel_count(rel, BERTHA_STATS_A_REL_RETRANSMITS,
					 &rel->conn->bs->cnt.rel_retransmits);
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
	if (!skb_queue_empty(&rel->rtx) && !timer_pending(&rel->timer))
		mod_timer(&rel->timer, jiffies + usecs_to_jiffies(rel->rto_us));
}

static void bertha_rel_xmit(struct bertha_rel *rel, struct sk_buff_head *out)
{
	struct bertha_conn *conn = rel->conn;
	const struct sockaddr_bertha *to;
	struct sockaddr_bertha shard;
	struct sk_buff *skb;
	u16 flags;

	while ((skb = __skb_dequeue(out))) {
		/* skb_copy() copied the control block too */
		flags = BERTHA_DATA_F_SEQ;
		if (bertha_rel_cb(skb)->fin)
			flags |= BERTHA_DATA_F_FIN;
		/* client push: each message to its shard's port */
		to = bertha_shard_rel_dest(conn, skb, sizeof(__be32),
					   !bertha_rel_cb(skb)->retransmitted,
					   &shard);
		bertha_port_send(conn->bs->port, &conn->local, to,
				 BERTHA_WIRE_DATA, conn->peer_id, flags, skb);
	}
}

/**
 * bertha_rel_send() - send one message reliably
 * @conn: the connection, with reliable delivery attached
 * @skb: the message, charged to the socket, with headroom; consumed
 * @fin: @skb is the end of stream (shutdown of the sending side)
 *
 * The message goes out now if the window allows, later otherwise; the
 * socket's send buffer bounds how many wait.
 *
 * Return: 0; -ETIMEDOUT when the peer stopped answering; -EPIPE when the
 * connection is closing.
 */
int bertha_rel_send(struct bertha_conn *conn, struct sk_buff *skb, bool fin)
{
	struct bertha_rel *rel = conn->rel;
	struct sk_buff_head out;
	int err = 0;

	__skb_queue_head_init(&out);
	memset(skb->cb, 0, sizeof(skb->cb));
	bertha_rel_cb(skb)->fin = fin;
	skb_push(skb, sizeof(__be32));	/* the sequence number */
	spin_lock_bh(&rel->lock);
	if (rel->dead) {
		err = rel->failed ? -ETIMEDOUT : -EPIPE;
	} else {
		__skb_queue_tail(&rel->unsent, skb);
		bertha_rel_push(rel, &out);
	}
	spin_unlock_bh(&rel->lock);
	if (err)
		kfree_skb(skb);
	bertha_rel_xmit(rel, &out);
	return err;
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

/**
 * bertha_rel_flush() - wait until the peer has everything, at most @timeo
 * @conn: the connection, maybe with reliable delivery
 * @timeo: jiffies
 *
 * Context: process context, socket not locked.
 * Return: true if nothing is left unacknowledged.
 */
bool bertha_rel_flush(struct bertha_conn *conn, long timeo)
{
	struct bertha_rel *rel = conn->rel;

	if (!rel)
		return true;
	wait_event_interruptible_timeout(rel->drained, bertha_rel_idle(rel),
					 timeo);
	return bertha_rel_idle(rel);
}

/* The connection is dead: no ACK for BERTHA_REL_RETRIES timeouts. */
static void bertha_rel_fail(struct bertha_rel *rel)
{
	struct bertha_sock *bs = rel->conn->bs;
	struct sock *sk = &bs->sk;

	rel->dead = true;
	rel->failed = true;
	if (sk->sk_type == SOCK_DGRAM) {
		/* One peer of many: the socket carries on. The next sendto()
		 * to that peer reports ETIMEDOUT; the send buffer space goes
		 * back now, which wakes a sender waiting for it.
		 */
		__skb_queue_purge(&rel->rtx);
		__skb_queue_purge(&rel->unsent);
		__skb_queue_purge(&rel->ooo);
		wake_up_all(&rel->drained);
		return;
	}
	WRITE_ONCE(sk->sk_err, ETIMEDOUT);
	bertha_sock_shutdown(bs, SHUTDOWN_MASK);
	sk_error_report(sk);
	wake_up_all(&rel->drained);
}

static void bertha_rel_timer(struct timer_list *t)
{
	struct bertha_rel *rel = from_timer(rel, t, timer);
	struct sk_buff_head out;
	struct sk_buff *skb;

	__skb_queue_head_init(&out);
	spin_lock_bh(&rel->lock);
	if (rel->dead || skb_queue_empty(&rel->rtx))
		goto unlock;
	bertha_rel_count(rel, BERTHA_STATS_A_REL_TIMEOUTS,
			 &rel->conn->bs->cnt.rel_timeouts);
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
	mod_timer(&rel->timer, jiffies + usecs_to_jiffies(rel->rto_us));
unlock:
	spin_unlock_bh(&rel->lock);
	bertha_rel_xmit(rel, &out);
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
		del_timer(&rel->timer);
		if (skb_queue_empty(&rel->unsent))
			wake_up_all(&rel->drained);
	} else if (newly) {
		mod_timer(&rel->timer, jiffies + usecs_to_jiffies(rel->rto_us));
	}
	bertha_rel_push(rel, out);
}

/* Tell the peer what we have. */
static void bertha_rel_send_ack(struct bertha_rel *rel)
{
	struct bertha_conn *conn = rel->conn;
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

	skb = bertha_ctrl_alloc(sizeof(*ack), GFP_ATOMIC);
	if (!skb)
		return;
	ack = skb_put(skb, sizeof(*ack));
	ack->cum = htonl(cum);
	ack->sack_hi = htonl(sack >> 32);
	ack->sack_lo = htonl((u32)sack);
	bertha_port_send(conn->bs->port, &conn->local, &conn->peer,
			 BERTHA_WIRE_ACK, conn->peer_id, 0, skb);
}

/* Deliver @skb (in order); false if the socket could not take it now. */
static bool bertha_rel_deliver(struct bertha_rel *rel, struct sk_buff *skb)
{
	struct bertha_conn *conn = rel->conn;
	struct bertha_sock *bs = conn->bs;

	if (bertha_rel_cb(skb)->fin) {
		consume_skb(skb);
		/* a SOCK_DGRAM peer never ends its stream */
		if (bs->sk.sk_type == SOCK_SEQPACKET)
			bertha_sock_shutdown(bs, RCV_SHUTDOWN);
		return true;
	}
	/* maybe a peer of a shard group: to the shard socket it is for */
	if (bs->sk.sk_type == SOCK_DGRAM)
		return bertha_shard_deliver(conn, skb, bertha_rel_cb(skb)->port);
	return bertha_conn_deliver(conn, skb) == 0;
}

/**
 * bertha_rel_rcv() - a sequenced DATA datagram
 * @conn: the connection
 * @skb: the datagram, bertha header pulled (its UDP header still known);
 *	consumed
 * @flags: its header's flags
 *
 * It may have arrived on a shard port of the group of @conn's socket:
 * one sequence space per connection, whichever port its messages reach.
 *
 * Context: softirq, under rcu_read_lock().
 */
void bertha_rel_rcv(struct bertha_conn *conn, struct sk_buff *skb, u16 flags)
{
	/* pairs with the release in bertha_rel_attach() */
	struct bertha_rel *rel = smp_load_acquire(&conn->rel);
	struct bertha_counters *cnt = &conn->bs->cnt;
	struct bertha_rel_cb *cb;
	struct sk_buff *pos;
	u32 seq;

	if (!rel || !pskb_may_pull(skb, sizeof(__be32))) {
		atomic64_inc(&conn->bs->port->rx_malformed);
		kfree_skb(skb);
		return;
	}
	seq = ntohl(*(__be32 *)skb->data);
	__skb_pull(skb, sizeof(__be32));
	cb = bertha_rel_cb(skb);
	memset(cb, 0, sizeof(*cb));
	cb->seq = seq;
	cb->fin = flags & BERTHA_DATA_F_FIN;
	cb->port = udp_hdr(skb)->dest;

	spin_lock(&rel->lock);
	if (rel->dead) {
		spin_unlock(&rel->lock);
		kfree_skb(skb);
		return;
	}
	if (seq_before(seq, rel->rcv_nxt) ||
	    seq - rel->rcv_nxt > BERTHA_REL_WINDOW) {
		/* already delivered (or far beyond the window): the ACK
		 * tells the sender again
		 */
		if (seq_before(seq, rel->rcv_nxt))
			bertha_rel_count(rel, BERTHA_STATS_A_REL_DUPLICATES,
					 &cnt->rel_duplicates);
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
				bertha_rel_count(rel,
						 BERTHA_STATS_A_REL_DUPLICATES,
						 &cnt->rel_duplicates);
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
			bertha_rel_count(rel, BERTHA_STATS_A_REL_OUT_OF_ORDER,
					 &cnt->rel_out_of_order);
		}
	}
	spin_unlock(&rel->lock);
	bertha_rel_send_ack(rel);
}

/**
 * bertha_rel_ack_rcv() - an ACK datagram
 * @conn: the connection
 * @skb: the datagram, bertha header pulled; consumed
 *
 * Context: softirq, under rcu_read_lock().
 */
void bertha_rel_ack_rcv(struct bertha_conn *conn, struct sk_buff *skb)
{
	/* pairs with the release in bertha_rel_attach() */
	struct bertha_rel *rel = smp_load_acquire(&conn->rel);
	const struct bertha_wire_ack *ack;
	struct sk_buff_head out;
	u64 sack;

	if (!rel || !pskb_may_pull(skb, sizeof(*ack))) {
		atomic64_inc(&conn->bs->port->rx_malformed);
		kfree_skb(skb);
		return;
	}
	ack = (const struct bertha_wire_ack *)skb->data;
	sack = (u64)ntohl(ack->sack_hi) << 32 | ntohl(ack->sack_lo);
	__skb_queue_head_init(&out);
	spin_lock(&rel->lock);
	bertha_rel_ack(rel, ntohl(ack->cum), sack, &out);
	spin_unlock(&rel->lock);
	consume_skb(skb);
	bertha_rel_xmit(rel, &out);
}
