// SPDX-License-Identifier: GPL-2.0
/*
 * bertha_test_chunnel: a module that provides a chunnel through bertha.ko's
 * exported chunnel layer (<bertha/chunnel.h>), for the selftests, and the
 * worked example of Documentation/bertha.rst, "Writing a chunnel".
 *   type=, name=   what to register (default "test-echo"/"kernel")
 *   mode=ok        register once
 *   mode=dup       register the same type/name twice; the load fails with
 *                  the second registration's error
 *   mode=badscope  register with an out-of-range scope; the load fails
 *   priority=, endpoints=one|both, scope=any|application|host|network
 *   xform=none     only init and release, which count
 *   xform=xor      xmit XORs every byte with 0x5a and rcv undoes it, so
 *                  data only arrives intact when both ends bound this
 *                  implementation; "sent" and "received" count the
 *                  messages the ops saw, "live" the connections between
 *                  init and release
 *   xform=full     xor, plus every hook of the interface: a chunnel type
 *                  (load it with type=test-full, the type the module alias
 *                  names) whose node arguments are test-full(hold=N,
 *                  note=N, tick=MS), a header of its own, a held message
 *                  released by the next one or by a timer, a control
 *                  message, negotiation attributes, counters and get_info
 *                  (see "Full mode" below)
 *   elide_local=1  BERTHA_CHUNNEL_F_ELIDE_LOCAL: not run on the local path
 *   this_netns=1   visible only in the network namespace insmod ran in
 */
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/sock.h>

#include <bertha/chunnel.h>

static char *type = "test-echo";
module_param(type, charp, 0444);
MODULE_PARM_DESC(type, "chunnel type to implement");

static char *name = "kernel";
module_param(name, charp, 0444);
MODULE_PARM_DESC(name, "implementation name");

static char *mode = "ok";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "ok, dup or badscope");

static uint priority = 10;
module_param(priority, uint, 0444);
MODULE_PARM_DESC(priority, "implementation priority");

static char *endpoints = "both";
module_param(endpoints, charp, 0444);
MODULE_PARM_DESC(endpoints, "one or both");

static char *scope = "host";
module_param(scope, charp, 0444);
MODULE_PARM_DESC(scope, "any, application, host or network");

static char *xform = "none";
module_param(xform, charp, 0444);
MODULE_PARM_DESC(xform, "none, xor or full");

static bool elide_local;
module_param(elide_local, bool, 0444);
MODULE_PARM_DESC(elide_local, "not run on the local fast path");

static bool this_netns;
module_param(this_netns, bool, 0444);
MODULE_PARM_DESC(this_netns, "visible only in the loading netns");

/*
 * Module-wide counters, read-only in /sys/module/bertha_test_chunnel/
 * parameters/. Both ends of a connection between two namespaces of one
 * host run this one module, so each counts what the two ends did.
 */
static atomic_long_t sent, received, live;
static atomic_long_t held, released_next, released_timer, timer_fired;
static atomic_long_t notes_sent, notes_received, ctrl_bad, bad_header;
static atomic_long_t peer_seen, peer_mismatch, info_calls;

static int test_counter_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(kp->arg));
}

static const struct kernel_param_ops test_counter_ops = {
	.get = test_counter_get,
};

module_param_cb(sent, &test_counter_ops, &sent, 0444);
MODULE_PARM_DESC(sent, "messages the xmit op transformed");
module_param_cb(received, &test_counter_ops, &received, 0444);
MODULE_PARM_DESC(received, "messages the rcv op transformed");
module_param_cb(live, &test_counter_ops, &live, 0444);
MODULE_PARM_DESC(live, "connections initialised and not released");
module_param_cb(held, &test_counter_ops, &held, 0444);
MODULE_PARM_DESC(held, "full: messages rcv stole to hold");
module_param_cb(released_next, &test_counter_ops, &released_next, 0444);
MODULE_PARM_DESC(released_next, "full: held messages the next message released");
module_param_cb(released_timer, &test_counter_ops, &released_timer, 0444);
MODULE_PARM_DESC(released_timer, "full: held messages the timer released");
module_param_cb(timer_fired, &test_counter_ops, &timer_fired, 0444);
MODULE_PARM_DESC(timer_fired, "full: timer expiries");
module_param_cb(notes_sent, &test_counter_ops, &notes_sent, 0444);
MODULE_PARM_DESC(notes_sent, "full: note control messages sent");
module_param_cb(notes_received, &test_counter_ops, &notes_received, 0444);
MODULE_PARM_DESC(notes_received, "full: note control messages received");
module_param_cb(ctrl_bad, &test_counter_ops, &ctrl_bad, 0444);
MODULE_PARM_DESC(ctrl_bad, "full: control messages of a bad sub-type or size");
module_param_cb(bad_header, &test_counter_ops, &bad_header, 0444);
MODULE_PARM_DESC(bad_header, "full: messages without the test header");
module_param_cb(peer_seen, &test_counter_ops, &peer_seen, 0444);
MODULE_PARM_DESC(peer_seen, "full: connections whose peer attributes checked out");
module_param_cb(peer_mismatch, &test_counter_ops, &peer_mismatch, 0444);
MODULE_PARM_DESC(peer_mismatch, "full: connections whose peer attributes did not");
module_param_cb(info_calls, &test_counter_ops, &info_calls, 0444);
MODULE_PARM_DESC(info_calls, "full: get_info calls");

static void test_xor(struct sk_buff *skb)
{
	unsigned int i;

	for (i = 0; i < skb->len; i++)
		skb->data[i] ^= 0x5a;
}

static int test_init(struct bertha_chunnel_conn *cc)
{
	atomic_long_inc(&live);
	return 0;
}

static void test_release(struct bertha_chunnel_conn *cc)
{
	atomic_long_dec(&live);
}

static int test_xmit(struct bertha_chunnel_conn *cc, struct sk_buff *skb,
		     struct bertha_xmit *x)
{
	test_xor(skb);
	atomic_long_inc(&sent);
	return BERTHA_CHUNNEL_PASS;
}

/* Reassembled datagrams may be fragmented or shared: own the bytes. */
static int test_own(struct sk_buff *skb)
{
	if (skb_linearize(skb) || skb_ensure_writable(skb, skb->len))
		return -ENOMEM;
	return 0;
}

static int test_rcv(struct bertha_chunnel_conn *cc, struct sk_buff *skb,
		    struct bertha_rcv *rx)
{
	if (test_own(skb))
		return -ENOMEM;
	test_xor(skb);
	atomic_long_inc(&received);
	return BERTHA_CHUNNEL_PASS;
}

static const struct bertha_chunnel_ops test_counting_ops = {
	.init		= test_init,
	.release	= test_release,
};

static const struct bertha_chunnel_ops test_xor_ops = {
	.init		= test_init,
	.release	= test_release,
	.xmit		= test_xmit,
	.rcv		= test_rcv,
};

/*
 * Full mode.
 *
 * DAG arguments, validated by the type's check_args when a DAG is set and
 * parsed again by init: hold=N (every Nth message rcv sees is held until
 * the next one or the timer releases it; 0: never), note=N (every Nth
 * message rcv sees makes it send a "note" control message to the peer;
 * 0: never), tick=MS (how long a message is held at most).
 *
 * On the wire each message is XORed and led by a 4-byte header of the
 * chunnel's own (TEST_FULL_MAGIC), pushed by xmit and pulled by rcv.
 */
#define TEST_FULL_MAGIC		0x7e57f011
#define TEST_FULL_HOLD		3
#define TEST_FULL_NOTE		2
#define TEST_FULL_TICK		50

/* The chunnel's control sub-types. */
#define TEST_FULL_CTRL_NOTE	1

/**
 * struct test_full_note - the payload of a note control message
 * @magic: %TEST_FULL_MAGIC
 * @seq: how many messages the sender's rcv had seen
 */
struct test_full_note {
	__be32 magic;
	__be32 seq;
};

/*
 * enum test_full_attrs - what hello_put and accept_put add for the peer,
 *	and what get_info reports: the implementation's own attribute space
 * @TEST_FULL_A_UNSPEC: unused
 * @TEST_FULL_A_MAGIC: u32, %TEST_FULL_MAGIC (HELLO, ACCEPT)
 * @TEST_FULL_A_NAME: string, the implementation's name (HELLO)
 * @TEST_FULL_A_INDEX: u32, the node's index in the binding (ACCEPT)
 * @TEST_FULL_A_HOLD: u32, the hold= the listener parsed (ACCEPT, info)
 * @TEST_FULL_A_SEEN: u64, messages rcv saw on the connection (info)
 * @TEST_FULL_A_HELD: u32, 1 while a message is held (info)
 * @TEST_FULL_A_PAD: padding
 */
enum test_full_attrs {
	TEST_FULL_A_UNSPEC,
	TEST_FULL_A_MAGIC,
	TEST_FULL_A_NAME,
	TEST_FULL_A_INDEX,
	TEST_FULL_A_HOLD,
	TEST_FULL_A_SEEN,
	TEST_FULL_A_HELD,
	TEST_FULL_A_PAD,
	__TEST_FULL_A_MAX,
};

#define TEST_FULL_A_MAX (__TEST_FULL_A_MAX - 1)

static const struct nla_policy test_full_peer_policy[TEST_FULL_A_MAX + 1] = {
	[TEST_FULL_A_MAGIC]	= { .type = NLA_U32 },
	[TEST_FULL_A_NAME]	= { .type = NLA_NUL_STRING,
				    .len = BERTHA_NAME_MAX - 1 },
	[TEST_FULL_A_INDEX]	= { .type = NLA_U32 },
	[TEST_FULL_A_HOLD]	= { .type = NLA_U32 },
};

/* The type's counters, by index: what bertha_chunnel_count() takes. */
enum {
	TEST_FULL_C_HELD,
	TEST_FULL_C_RELEASED_NEXT,
	TEST_FULL_C_RELEASED_TIMER,
	TEST_FULL_C_TIMER_FIRED,
	TEST_FULL_C_NOTES_SENT,
	TEST_FULL_C_NOTES_RECEIVED,
	TEST_FULL_C_NUM,
};

static const struct bertha_chunnel_counter test_full_counters[] = {
	[TEST_FULL_C_HELD]		= { .name = "held" },
	[TEST_FULL_C_RELEASED_NEXT]	= { .name = "released-next" },
	[TEST_FULL_C_RELEASED_TIMER]	= { .name = "released-timer" },
	[TEST_FULL_C_TIMER_FIRED]	= { .name = "timer-fired" },
	[TEST_FULL_C_NOTES_SENT]	= { .name = "notes-sent" },
	[TEST_FULL_C_NOTES_RECEIVED]	= { .name = "notes-received" },
};

/**
 * struct test_full_args - a test-full node's arguments
 * @hold: hold every @hold-th message; 0 never
 * @note: send a note every @note-th message; 0 never
 * @tick: hold a message at most @tick ms
 */
struct test_full_args {
	u32 hold;
	u32 note;
	u32 tick;
};

/**
 * struct test_full_conn - the per-connection state, &bertha_chunnel_conn.priv
 * @cc: the node it belongs to
 * @args: the node's arguments
 * @timer: releases a held message after @args.tick ms
 * @lock: guards @held, @held_rx and @seen; rcv and the timer (softirq)
 *	hold it across bertha_chunnel_rcv_next() so that a held message and
 *	the one after it reach the application in order
 * @held: the message held, or NULL
 * @held_rx: how @held arrived, handed back with it
 * @seen: messages rcv saw
 */
struct test_full_conn {
	struct bertha_chunnel_conn *cc;
	struct test_full_args args;
	struct bertha_chunnel_timer timer;
	spinlock_t lock;	/* @held, @held_rx, @seen */
	struct sk_buff *held;
	struct bertha_rcv held_rx;
	u64 seen;
};

static const struct nla_policy test_full_arg_policy[BERTHA_ARG_A_MAX + 1] = {
	[BERTHA_ARG_A_KEY]	= { .type = NLA_NUL_STRING,
				    .len = BERTHA_NAME_MAX - 1 },
	[BERTHA_ARG_A_VALUE]	= { .type = NLA_NUL_STRING, .len = 255 },
};

/* Each argument with its range. */
static const struct {
	const char *key;
	size_t off;
	u32 min, max;
} test_full_keys[] = {
	{ "hold", offsetof(struct test_full_args, hold), 0, 1000 },
	{ "note", offsetof(struct test_full_args, note), 0, 1000 },
	{ "tick", offsetof(struct test_full_args, tick), 1, 10000 },
};

static int test_full_parse(const struct nlattr *args, struct test_full_args *a,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[BERTHA_ARG_A_MAX + 1];
	const struct nlattr *arg;
	unsigned long seen = 0;
	const char *key;
	unsigned int i;
	int rem;
	u32 v;

	a->hold = TEST_FULL_HOLD;
	a->note = TEST_FULL_NOTE;
	a->tick = TEST_FULL_TICK;
	if (!args)
		return 0;
	nla_for_each_nested(arg, args, rem) {
		if (nla_type(arg) != BERTHA_ARG_A_ARG ||
		    nla_parse_nested(tb, BERTHA_ARG_A_MAX, arg,
				     test_full_arg_policy, NULL) ||
		    !tb[BERTHA_ARG_A_KEY] || !tb[BERTHA_ARG_A_VALUE]) {
			NL_SET_ERR_MSG_ATTR(extack, arg,
					    "test-full: malformed argument");
			return -EINVAL;
		}
		key = nla_data(tb[BERTHA_ARG_A_KEY]);
		for (i = 0; i < ARRAY_SIZE(test_full_keys); i++)
			if (!strcmp(key, test_full_keys[i].key))
				break;
		if (i == ARRAY_SIZE(test_full_keys)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[BERTHA_ARG_A_KEY],
					    "test-full: unknown argument (hold, note and tick exist)");
			return -EINVAL;
		}
		if (__test_and_set_bit(i, &seen)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[BERTHA_ARG_A_KEY],
					    "test-full: argument given twice");
			return -EINVAL;
		}
		if (kstrtou32(nla_data(tb[BERTHA_ARG_A_VALUE]), 10, &v) ||
		    v < test_full_keys[i].min || v > test_full_keys[i].max) {
			NL_SET_ERR_MSG_ATTR(extack, tb[BERTHA_ARG_A_VALUE],
					    "test-full: hold and note are 0 to 1000, tick 1 to 10000 (ms)");
			return -EINVAL;
		}
		*(u32 *)((char *)a + test_full_keys[i].off) = v;
	}
	return 0;
}

/* The type's check_args: a DAG naming test-full with bad arguments. */
static int test_full_check_args(const struct nlattr *args,
				struct netlink_ext_ack *extack)
{
	struct test_full_args a;

	return test_full_parse(args, &a, extack);
}

/* hello_put: at the client, for the implementation it offers. */
static int test_full_hello_put(const struct bertha_chunnel_impl *impl,
			       struct sk_buff *skb)
{
	/* on the wire: integers big-endian, as every peer reads them */
	if (nla_put_be32(skb, TEST_FULL_A_MAGIC, cpu_to_be32(TEST_FULL_MAGIC)) ||
	    nla_put_string(skb, TEST_FULL_A_NAME, impl->name))
		return -EMSGSIZE;
	return 0;
}

/* accept_put: at the listener, after init. */
static int test_full_accept_put(struct bertha_chunnel_conn *cc,
				struct sk_buff *skb)
{
	struct test_full_conn *tc = cc->priv;

	if (nla_put_be32(skb, TEST_FULL_A_MAGIC, cpu_to_be32(TEST_FULL_MAGIC)) ||
	    nla_put_be32(skb, TEST_FULL_A_INDEX, cpu_to_be32(cc->index)) ||
	    nla_put_be32(skb, TEST_FULL_A_HOLD, cpu_to_be32(tc->args.hold)))
		return -EMSGSIZE;
	return 0;
}

/*
 * What the peer put: at the listener the client's HELLO attributes (its
 * implementation's name must be the one bound here), at the client the
 * listener's ACCEPT attributes (the same node index, the same hold= parsed
 * from the same DAG).
 */
static bool test_full_peer_ok(struct bertha_chunnel_conn *cc,
			      const struct test_full_args *a)
{
	struct nlattr *tb[TEST_FULL_A_MAX + 1];

	if (!cc->peer_attrs ||
	    nla_parse_nested(tb, TEST_FULL_A_MAX, cc->peer_attrs,
			     test_full_peer_policy, NULL) ||
	    !tb[TEST_FULL_A_MAGIC] ||
	    be32_to_cpu(nla_get_be32(tb[TEST_FULL_A_MAGIC])) != TEST_FULL_MAGIC)
		return false;
	if (!cc->initiator)
		return tb[TEST_FULL_A_NAME] &&
		       !strcmp(nla_data(tb[TEST_FULL_A_NAME]), cc->impl->name);
	return tb[TEST_FULL_A_INDEX] && tb[TEST_FULL_A_HOLD] &&
	       be32_to_cpu(nla_get_be32(tb[TEST_FULL_A_INDEX])) == cc->index &&
	       be32_to_cpu(nla_get_be32(tb[TEST_FULL_A_HOLD])) == a->hold;
}

/*
 * Hand the held message (if any) on; @how is the counter to add it to.
 * Called with @tc->lock held, so that nothing overtakes it.
 */
static void test_full_release_held(struct test_full_conn *tc, unsigned int how)
{
	struct sk_buff *skb = tc->held;
	struct bertha_rcv rx = tc->held_rx;

	if (!skb)
		return;
	tc->held = NULL;
	bertha_chunnel_rcv_next(tc->cc, skb, &rx);
	if (rx.to)
		sock_put(rx.to);
	bertha_chunnel_count(tc->cc, how, 1);
	atomic_long_inc(how == TEST_FULL_C_RELEASED_NEXT ? &released_next :
							  &released_timer);
}

/* The timer: a held message waited long enough. Softirq (timer). */
static void test_full_tick(struct bertha_chunnel_conn *cc)
{
	struct test_full_conn *tc = cc->priv;

	atomic_long_inc(&timer_fired);
	bertha_chunnel_count(cc, TEST_FULL_C_TIMER_FIRED, 1);
	spin_lock_bh(&tc->lock);
	rcu_read_lock();	/* what the nodes below expect of softirq */
	test_full_release_held(tc, TEST_FULL_C_RELEASED_TIMER);
	rcu_read_unlock();
	spin_unlock_bh(&tc->lock);
}

static int test_full_init(struct bertha_chunnel_conn *cc)
{
	struct test_full_conn *tc;
	int err;

	tc = kzalloc(sizeof(*tc), GFP_KERNEL);
	if (!tc)
		return -ENOMEM;
	err = test_full_parse(cc->args, &tc->args, NULL);
	if (err) {
		kfree(tc);
		return err;
	}
	tc->cc = cc;
	spin_lock_init(&tc->lock);
	bertha_chunnel_timer_setup(cc, &tc->timer, test_full_tick);
	atomic_long_inc(test_full_peer_ok(cc, &tc->args) ? &peer_seen :
							  &peer_mismatch);
	cc->priv = tc;
	atomic_long_inc(&live);
	return 0;
}

static void test_full_release(struct bertha_chunnel_conn *cc)
{
	struct test_full_conn *tc = cc->priv;

	if (!tc)
		return;
	/* No op runs any more and the timer is stopped: no lock needed. */
	if (tc->held) {
		if (tc->held_rx.to)
			sock_put(tc->held_rx.to);
		kfree_skb(tc->held);
	}
	kfree(tc);
	cc->priv = NULL;
	atomic_long_dec(&live);
}

static int test_full_xmit(struct bertha_chunnel_conn *cc, struct sk_buff *skb,
			  struct bertha_xmit *x)
{
	__be32 *hdr;

	test_xor(skb);
	/* The headroom is shared with the nodes after this one, and only
	 * the network path promises BERTHA_CHUNNEL_HEADROOM bytes of it.
	 */
	if (skb_cow_head(skb, sizeof(*hdr)))
		return -ENOMEM;
	hdr = skb_push(skb, sizeof(*hdr));
	*hdr = htonl(TEST_FULL_MAGIC);
	atomic_long_inc(&sent);
	return BERTHA_CHUNNEL_PASS;
}

/* Tell the peer how many messages rcv saw. Softirq. */
static void test_full_note(struct bertha_chunnel_conn *cc, u64 seen)
{
	struct test_full_note *note;
	struct sk_buff *skb;

	skb = bertha_chunnel_ctrl_alloc(sizeof(*note), GFP_ATOMIC);
	if (!skb)
		return;
	note = skb_put(skb, sizeof(*note));
	note->magic = htonl(TEST_FULL_MAGIC);
	note->seq = htonl(lower_32_bits(seen));
	if (bertha_chunnel_ctrl_send(cc, TEST_FULL_CTRL_NOTE, skb))
		return;
	bertha_chunnel_count(cc, TEST_FULL_C_NOTES_SENT, 1);
	atomic_long_inc(&notes_sent);
}

static int test_full_rcv(struct bertha_chunnel_conn *cc, struct sk_buff *skb,
			 struct bertha_rcv *rx)
{
	struct test_full_conn *tc = cc->priv;
	int verdict = BERTHA_CHUNNEL_PASS;
	__be32 magic = 0;
	bool note;
	u64 seen;

	if (test_own(skb))
		return -ENOMEM;
	if (skb->len >= sizeof(magic))
		memcpy(&magic, skb->data, sizeof(magic));
	if (skb->len < sizeof(magic) || magic != htonl(TEST_FULL_MAGIC)) {
		atomic_long_inc(&bad_header);
		return -EPROTO;		/* the core frees it: rx_malformed */
	}
	__skb_pull(skb, sizeof(magic));
	test_xor(skb);
	atomic_long_inc(&received);
	/* The local fast path runs rcv too, but no op may steal there. */
	if (cc->path == BERTHA_PATH_LOCAL)
		return BERTHA_CHUNNEL_PASS;

	spin_lock_bh(&tc->lock);
	seen = ++tc->seen;
	/* What was held goes first, then this one: the order stays. */
	test_full_release_held(tc, TEST_FULL_C_RELEASED_NEXT);
	if (tc->args.hold && !(seen % tc->args.hold)) {
		tc->held = skb;
		tc->held_rx = *rx;
		if (rx->to)
			sock_hold(rx->to);
		bertha_chunnel_timer_arm(&tc->timer, jiffies +
					 msecs_to_jiffies(tc->args.tick));
		bertha_chunnel_count(cc, TEST_FULL_C_HELD, 1);
		atomic_long_inc(&held);
		verdict = BERTHA_CHUNNEL_STOLEN;
	}
	note = tc->args.note && !(seen % tc->args.note);
	spin_unlock_bh(&tc->lock);

	if (note)
		test_full_note(cc, seen);
	return verdict;
}

/* A control message of the peer's test-full node. The core frees @skb. */
static int test_full_ctrl_rcv(struct bertha_chunnel_conn *cc, u8 subtype,
			      struct sk_buff *skb)
{
	struct test_full_note note;

	if (subtype != TEST_FULL_CTRL_NOTE ||
	    skb_copy_bits(skb, 0, &note, sizeof(note)) ||
	    note.magic != htonl(TEST_FULL_MAGIC)) {
		atomic_long_inc(&ctrl_bad);
		return -EPROTO;		/* counted in rx_malformed */
	}
	bertha_chunnel_count(cc, TEST_FULL_C_NOTES_RECEIVED, 1);
	atomic_long_inc(&notes_received);
	return 0;
}

/* get_info: a connection dump. Under rcu_read_lock(), must not sleep. */
static int test_full_get_info(struct bertha_chunnel_conn *cc,
			      struct sk_buff *skb)
{
	struct test_full_conn *tc = cc->priv;
	bool holding;
	u64 seen;

	spin_lock_bh(&tc->lock);
	seen = tc->seen;
	holding = tc->held;
	spin_unlock_bh(&tc->lock);
	atomic_long_inc(&info_calls);
	if (nla_put_u32(skb, TEST_FULL_A_HOLD, tc->args.hold) ||
	    nla_put_u64_64bit(skb, TEST_FULL_A_SEEN, seen, TEST_FULL_A_PAD) ||
	    nla_put_u32(skb, TEST_FULL_A_HELD, holding))
		return -EMSGSIZE;
	return 0;
}

static const struct bertha_chunnel_ops test_full_ops = {
	.xmit		= test_full_xmit,
	.rcv		= test_full_rcv,
	.ctrl_rcv	= test_full_ctrl_rcv,
	.init		= test_full_init,
	.release	= test_full_release,
	.hello_put	= test_full_hello_put,
	.accept_put	= test_full_accept_put,
	.get_info	= test_full_get_info,
};

static struct bertha_chunnel_type test_full_type = {
	.owner		= THIS_MODULE,
	.check_args	= test_full_check_args,
	.counters	= test_full_counters,
	.ncounters	= ARRAY_SIZE(test_full_counters),
};

static struct bertha_chunnel_impl test_impl = {
	.owner		= THIS_MODULE,
};

static struct bertha_chunnel_impl test_dup;
static bool test_full;

static int test_parse_params(void)
{
	static const char *const scopes[] = {
		[BERTHA_SCOPE_ANY] = "any",
		[BERTHA_SCOPE_APPLICATION] = "application",
		[BERTHA_SCOPE_HOST] = "host",
		[BERTHA_SCOPE_NETWORK] = "network",
	};
	int i;

	test_impl.type = type;
	test_impl.name = name;
	test_impl.priority = priority;
	if (!strcmp(endpoints, "one"))
		test_impl.endpoints = BERTHA_ENDPOINTS_ONE;
	else if (!strcmp(endpoints, "both"))
		test_impl.endpoints = BERTHA_ENDPOINTS_BOTH;
	else
		return -EINVAL;
	i = match_string(scopes, ARRAY_SIZE(scopes), scope);
	if (i < 0)
		return i;
	test_impl.scope = i;
	if (!strcmp(mode, "badscope"))
		test_impl.scope = BERTHA_SCOPE_MAX + 1;
	if (elide_local)
		test_impl.flags |= BERTHA_CHUNNEL_F_ELIDE_LOCAL;
	if (!strcmp(xform, "full"))
		test_impl.ops = &test_full_ops;
	else if (!strcmp(xform, "xor"))
		test_impl.ops = &test_xor_ops;
	else if (!strcmp(xform, "none"))
		test_impl.ops = &test_counting_ops;
	else
		return -EINVAL;
	test_full = test_impl.ops == &test_full_ops;
	test_full_type.name = type;
	return 0;
}

static void test_unregister(void)
{
	bertha_chunnel_unregister(&test_impl);
	if (test_full)
		bertha_chunnel_type_unregister(&test_full_type);
	if (test_impl.net)
		put_net(test_impl.net);
}

static int __init test_chunnel_init(void)
{
	int err;

	BUILD_BUG_ON(ARRAY_SIZE(test_full_counters) != TEST_FULL_C_NUM);
	err = test_parse_params();
	if (err)
		return err;
	if (this_netns)
		test_impl.net = get_net(current->nsproxy->net_ns);
	if (test_full) {
		err = bertha_chunnel_type_register(&test_full_type);
		if (err)
			goto err_net;
	}
	err = bertha_chunnel_register(&test_impl);
	if (err)
		goto err_type;
	if (strcmp(mode, "dup"))
		return 0;

	test_dup = test_impl;
	err = bertha_chunnel_register(&test_dup);
	test_unregister();
	return err ? err : -EINVAL;

err_type:
	if (test_full)
		bertha_chunnel_type_unregister(&test_full_type);
err_net:
	if (test_impl.net)
		put_net(test_impl.net);
	return err;
}

static void __exit test_chunnel_exit(void)
{
	test_unregister();
}

module_init(test_chunnel_init);
module_exit(test_chunnel_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bertha selftest: a chunnel through the exported chunnel layer");
MODULE_ALIAS_BERTHA_CHUNNEL("test-full");
