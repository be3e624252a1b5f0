/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The API other kernel modules use to offer chunnel implementations to
 * bertha.ko (the paper's registration of implementations, §3.1).
 */
#ifndef _BERTHA_CHUNNEL_H
#define _BERTHA_CHUNNEL_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/types.h>

#include <linux/bertha.h>

struct module;
struct net;
struct sk_buff;

/**
 * struct bertha_chunnel_conn - one bound chunnel of one connection
 * @priv: the implementation's per-connection state; set it in init
 * @initiator: true at the end that called connect(2)
 * @index: the node's position in the connection's binding
 *
 * bertha.ko allocates one per chunnel that runs at this end and hands it
 * to every op of the connection.
 */
struct bertha_chunnel_conn {
	void *priv;
	bool initiator;
	unsigned int index;
};

/**
 * struct bertha_chunnel_ops - what an implementation does per connection
 * @init: the connection has bound this implementation (the paper's
 *	initialisation function). Process context. A non-zero return fails
 *	the connection (REJECT with reason NO_IMPLEMENTATION).
 * @teardown: the connection is closing. Process context.
 * @send: transform an outgoing message in place; @skb->data is the
 *	message. Process context. A non-zero return fails the send with that
 *	error.
 * @recv: undo @send on an incoming message. Softirq context: must not
 *	sleep. A non-zero return drops the message (counted as rx_dropped).
 *
 * Every op is optional. Messages pass through the bound implementations in
 * DAG order on send and in reverse order on receive.
 */
struct bertha_chunnel_ops {
	int (*init)(struct bertha_chunnel_conn *cc);
	void (*teardown)(struct bertha_chunnel_conn *cc);
	int (*send)(struct bertha_chunnel_conn *cc, struct sk_buff *skb);
	int (*recv)(struct bertha_chunnel_conn *cc, struct sk_buff *skb);
};

/**
 * struct bertha_chunnel_impl - one implementation of a chunnel type
 * @type: the chunnel type it implements, as DAGs name it ("reliable")
 * @name: the implementation's name, unique within @type ("kernel");
 *	peers treat two implementations of a both-endpoint chunnel as
 *	compatible when their names match
 * @priority: higher is preferred when negotiation has a choice
 * @scope: where it runs (&enum bertha_scope)
 * @endpoints: whether one or both peers must run it
 * @capacity: how many connections it can serve at once; 0 for unlimited
 * @ops: per-connection operations, or NULL for a pass-through
 * @net: the only network namespace that sees it, or NULL for all; the
 *	registrant keeps a reference to it while registered
 * @owner: the module providing it (THIS_MODULE)
 * @list: private to bertha.ko
 * @users: private to bertha.ko: connections bound to it
 * @release: private to bertha.ko: frees a retired registration from
 *	userspace once its last connection goes
 * @retired: private to bertha.ko: withdrawn, waiting for @users to drain
 *
 * Names are 1 to %BERTHA_NAME_MAX - 1 characters of [a-z0-9_-]. The
 * structure must stay valid until bertha_chunnel_unregister() returns.
 * A connection bound to an implementation holds a reference to @owner, so
 * the module cannot be unloaded while the connection lives.
 */
struct bertha_chunnel_impl {
	const char *type;
	const char *name;
	u32 priority;
	enum bertha_scope scope;
	enum bertha_endpoints endpoints;
	u32 capacity;
	const struct bertha_chunnel_ops *ops;
	struct net *net;
	struct module *owner;
	struct list_head list;
	atomic_t users;
	void (*release)(struct bertha_chunnel_impl *impl);
	bool retired;
};

int bertha_chunnel_register(struct bertha_chunnel_impl *impl);
void bertha_chunnel_unregister(struct bertha_chunnel_impl *impl);

#endif /* _BERTHA_CHUNNEL_H */
