// SPDX-License-Identifier: GPL-2.0
/*
 * The binding of a connection: the implementation negotiation chose for
 * each chunnel, the per-connection state of those that run at this end,
 * and the message path through their ops (DAG order on send, reverse on
 * receive).
 */
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "bertha.h"

/**
 * bertha_binding_install() - run the init op of every chunnel bound here
 * @b: a binding whose local implementations are held
 * @net: the connection's namespace (for the record)
 * @initiator: whether this end connected
 *
 * Return: 0, or the first init error (what already ran is torn down).
 */
int bertha_binding_install(struct bertha_binding_set *b, const struct net *net,
			   bool initiator)
{
	unsigned int i;
	int err;

	for (i = 0; i < b->count; i++) {
		struct bertha_bound *n = &b->node[i];

		if (!n->impl)
			continue;
		n->cc.initiator = initiator;
		n->cc.index = i;
		if (n->impl->ops && n->impl->ops->init) {
			err = n->impl->ops->init(&n->cc);
			if (err)
				return err;
		}
		n->ready = true;
		/* Softirq calls this, never reading the implementation. */
		n->recv = n->impl->ops ? n->impl->ops->recv : NULL;
		b->has_recv |= !!n->recv;
		b->has_send |= n->impl->ops && n->impl->ops->send;
	}
	return 0;
}

static void bertha_binding_teardown(struct bertha_binding_set *b)
{
	unsigned int i;

	for (i = b->count; i--; ) {
		struct bertha_bound *n = &b->node[i];

		if (!n->impl)
			continue;
		if (n->ready && n->impl->ops && n->impl->ops->teardown)
			n->impl->ops->teardown(&n->cc);
		bertha_setup_teardown(n);
		bertha_chunnel_put(n->impl);
		n->impl = NULL;
	}
}

/**
 * bertha_binding_free() - tear down and free a binding softirq never saw
 * @b: the binding, or NULL
 *
 * Context: process context.
 */
void bertha_binding_free(struct bertha_binding_set *b)
{
	if (!b)
		return;
	bertha_binding_teardown(b);
	kfree(b);
}

/**
 * bertha_binding_retire() - tear down and free the binding of a connection
 *	whose id was just withdrawn
 * @b: the binding, or NULL
 *
 * Softirq may still be delivering to the connection. Only when a receive
 * op could be running does this wait for it (an RCU grace period); the
 * memory itself goes after one, so closing is otherwise immediate.
 *
 * Context: process context.
 */
void bertha_binding_retire(struct bertha_binding_set *b)
{
	if (!b)
		return;
	if (b->has_recv)
		synchronize_rcu();
	bertha_binding_teardown(b);
	kfree_rcu(b, rcu);
}

/**
 * bertha_binding_send() - pass an outgoing message through the chunnels
 * @b: the binding
 * @skb: the message, linear
 *
 * Return: 0 or the first error an op returned.
 */
int bertha_binding_send(struct bertha_binding_set *b, struct sk_buff *skb)
{
	unsigned int i;
	int err;

	for (i = 0; i < b->count; i++) {
		struct bertha_bound *n = &b->node[i];

		if (n->impl && n->impl->ops && n->impl->ops->send) {
			err = n->impl->ops->send(&n->cc, skb);
			if (err)
				return err;
		}
	}
	return 0;
}

/**
 * bertha_binding_recv() - pass an incoming message back through them
 * @b: the binding
 * @skb: the message
 *
 * Context: softirq.
 * Return: 0 or the first error an op returned.
 */
int bertha_binding_recv(struct bertha_binding_set *b, struct sk_buff *skb)
{
	unsigned int i;
	int err;

	for (i = b->count; i--; ) {
		struct bertha_bound *n = &b->node[i];

		if (n->recv) {
			err = n->recv(&n->cc, skb);
			if (err)
				return err;
		}
	}
	return 0;
}

/**
 * bertha_binding_to_user() - getsockopt(BERTHA_BINDING)
 * @b: the binding
 * @path: &enum bertha_path of its connection
 * @optval: user buffer
 * @optlen: user length; set to the size written, or needed on -ERANGE
 * @len: the caller's buffer size
 *
 * Return: 0, -ERANGE, -EFAULT or -ENOMEM.
 */
int bertha_binding_to_user(const struct bertha_binding_set *b, u32 path,
			   char __user *optval, int __user *optlen, int len)
{
	struct bertha_binding *out;
	size_t size = struct_size(out, node, b->count);
	unsigned int i;
	int err = 0;

	if (len < size)
		return put_user(size, optlen) ? -EFAULT : -ERANGE;
	out = kzalloc(size, GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	out->count = b->count;
	out->path = path;
	for (i = 0; i < b->count; i++)
		out->node[i] = b->node[i].info;
	if (copy_to_user(optval, out, size) || put_user(size, optlen))
		err = -EFAULT;
	kfree(out);
	return err;
}
