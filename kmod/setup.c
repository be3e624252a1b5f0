// SPDX-License-Identifier: GPL-2.0
/*
 * Setup and teardown requests: the paper's init and teardown functions for
 * implementations registered from userspace. After negotiation chose such
 * an implementation, the listener asks its helper (an event on the
 * namespace's "events" group, addressed to the registering socket) to set
 * it up for the connection, and waits for the answer without the
 * listener's lock. A helper that answers with an error, does not answer in
 * time, is not listening or goes away costs the connection nothing but the
 * wait: negotiation runs again without that implementation, and the
 * namespace counts why. When the connection goes, the helper is told to
 * undo what it did.
 */
#include <linux/completion.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "bertha.h"
#include "binding.h"
#include "conn_table.h"
#include "genl.h"
#include "negotiate.h"
#include "netns.h"
#include "setup.h"
#include "transport.h"

/* Implementations one negotiation gives up before it refuses. */
#define BERTHA_EXCLUDE_MAX	8

/**
 * struct bertha_setup_req - a setup request waiting for its answer
 * @node: in bertha_setup_pending
 * @net: the namespace of the implementation (and the helper)
 * @id: the request's id
 * @owner: the helper's netlink port id
 * @sock: the listener that waits
 * @status: 1 while pending, then 0 or a negative errno
 * @done: completed with the answer
 */
struct bertha_setup_req {
	struct list_head node;
	const struct net *net;
	u32 id;
	u32 owner;
	const struct bertha_sock *sock;
	int status;
	struct completion done;
};

/**
 * struct bertha_exclusions - implementations a negotiation must not choose
 * @count: entries used
 * @impl: type and name of each
 */
struct bertha_exclusions {
	unsigned int count;
	struct {
		char type[BERTHA_NAME_MAX];
		char name[BERTHA_NAME_MAX];
	} impl[BERTHA_EXCLUDE_MAX];
};

static LIST_HEAD(bertha_setup_pending);
static DEFINE_SPINLOCK(bertha_setup_lock);
static u32 bertha_setup_last_id;

/**
 * bertha_excluded() - is an implementation excluded
 * @ex: the exclusions, or NULL
 * @type: chunnel type
 * @name: implementation name
 *
 * Return: true if negotiation must not choose it.
 */
bool bertha_excluded(const struct bertha_exclusions *ex, const char *type,
		     const char *name)
{
	unsigned int i;

	for (i = 0; ex && i < ex->count; i++)
		if (!strcmp(ex->impl[i].type, type) &&
		    !strcmp(ex->impl[i].name, name))
			return true;
	return false;
}

static int bertha_setup_msg(struct net *net, u8 cmd, u32 id,
			    const struct bertha_chunnel_impl *impl,
			    const struct bertha_helper *h,
			    const struct sockaddr_bertha *local,
			    const struct sockaddr_bertha *peer,
			    const struct bertha_dag *dag)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = bertha_genl_msg_put(skb, 0, 0, 0, cmd);
	if (!hdr ||
	    nla_put_u32(skb, BERTHA_SETUP_A_ID, id) ||
	    nla_put_u32(skb, BERTHA_SETUP_A_OWNER, h->portid) ||
	    nla_put_string(skb, BERTHA_SETUP_A_TYPE, impl->type) ||
	    nla_put_string(skb, BERTHA_SETUP_A_IMPL, impl->name) ||
	    nla_put_u32(skb, BERTHA_SETUP_A_IFINDEX, h->ifindex) ||
	    (h->config_len &&
	     nla_put(skb, BERTHA_SETUP_A_CONFIG, h->config_len, h->config)) ||
	    (local && bertha_addr_put(skb, BERTHA_SETUP_A_LOCAL, local)) ||
	    (peer && bertha_addr_put(skb, BERTHA_SETUP_A_PEER, peer)) ||
	    (dag && nla_put(skb, BERTHA_SETUP_A_DAG, dag->len, dag->blob))) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return bertha_genl_event(net, skb);
}

static void bertha_setup_finish(struct bertha_setup_req *req, int status)
{
	if (req->status != 1)
		return;
	req->status = status;
	complete(&req->done);
}

/* Send @req for @n; a request nobody can receive fails at once, and one of
 * a listener that is closing is not sent.
 */
static void bertha_setup_ask(struct bertha_setup_req *req,
			     const struct bertha_sock *listener, struct net *net,
			     struct bertha_bound *n, const struct bertha_helper *h,
			     const struct sockaddr_bertha *local,
			     const struct sockaddr_bertha *peer,
			     const struct bertha_dag *dag)
{
	bool aborted;
	int err;

	init_completion(&req->done);
	req->net = net;
	req->owner = h->portid;
	req->sock = listener;
	req->status = 1;
	spin_lock_bh(&bertha_setup_lock);
	req->id = ++bertha_setup_last_id ?: ++bertha_setup_last_id;
	list_add_tail(&req->node, &bertha_setup_pending);
	aborted = listener->setup_abort;
	if (aborted)
		bertha_setup_finish(req, -ECONNABORTED);
	spin_unlock_bh(&bertha_setup_lock);
	if (aborted)
		return;

	bertha_net_count(net, BERTHA_STATS_A_SETUP_REQUESTS, 1);
	err = bertha_setup_msg(net, BERTHA_CMD_SETUP_REQ_NTF, req->id, n->impl,
			       h, local, peer, dag);
	if (err) {
		spin_lock_bh(&bertha_setup_lock);
		bertha_setup_finish(req, err);
		spin_unlock_bh(&bertha_setup_lock);
	}
}

/* The answer to @req, waiting until @deadline; @req leaves the table. */
static int bertha_setup_wait(struct bertha_setup_req *req,
			     unsigned long deadline)
{
	long left = (long)(deadline - jiffies);
	int status;

	if (left > 0)
		wait_for_completion_timeout(&req->done, left);
	spin_lock_bh(&bertha_setup_lock);
	list_del(&req->node);
	status = req->status == 1 ? -ETIMEDOUT : req->status;
	spin_unlock_bh(&bertha_setup_lock);
	return status;
}

static bool bertha_needs_setup(const struct bertha_bound *n)
{
	return n->impl && bertha_impl_helper(n->impl, NULL);
}

/**
 * bertha_binding_setup() - have helpers set up what they registered
 * @b: a binding whose local implementations are held
 * @listener: the socket that asks
 * @net: the connection's namespace
 * @local: this end's address
 * @peer: the peer's address
 * @dag: the DAG in effect, or NULL
 * @failed: set to the index of the node whose setup failed
 *
 * Every request goes out first, then the answers are awaited until one
 * deadline (the namespace's setup timeout). Nodes set up successfully
 * keep their request id, so that freeing @b tears them down.
 *
 * Context: process context, no locks held; sleeps.
 * Return: 0, or the failure of node *@failed: -ETIMEDOUT without an
 * answer, -ESRCH when no helper listens, -ESHUTDOWN when the helper went,
 * -ECONNABORTED when @listener closed, or the helper's error.
 */
static int bertha_binding_setup(struct bertha_binding_set *b,
				const struct bertha_sock *listener,
				struct net *net,
				const struct sockaddr_bertha *local,
				const struct sockaddr_bertha *peer,
				const struct bertha_dag *dag,
				unsigned int *failed)
{
	unsigned long deadline = jiffies +
		msecs_to_jiffies(READ_ONCE(bertha_net(net)->setup_timeout_ms));
	struct bertha_setup_req *req;
	struct bertha_helper h;
	unsigned int i;
	int ret = 0, err;

	req = kcalloc(b->count, sizeof(*req), GFP_KERNEL);
	if (!req) {
		*failed = 0;
		return -ENOMEM;
	}
	for (i = 0; i < b->count; i++)
		if (b->node[i].impl && bertha_impl_helper(b->node[i].impl, &h))
			bertha_setup_ask(&req[i], listener, net, &b->node[i],
					 &h, local, peer, dag);
	for (i = 0; i < b->count; i++) {
		if (!req[i].id)
			continue;
		err = bertha_setup_wait(&req[i], deadline);
		if (!err) {
			b->node[i].setup_id = req[i].id;
		} else if (!ret) {
			ret = err;
			*failed = i;
		}
	}
	kfree(req);
	return ret;
}

/**
 * bertha_setup_teardown() - tell a helper that a connection it set up went
 * @n: the bound node, its implementation still held
 *
 * Context: process context.
 */
void bertha_setup_teardown(struct bertha_bound *n)
{
	struct bertha_helper h;

	if (!n->setup_id || !bertha_impl_helper(n->impl, &h))
		return;
	/* Nobody listening means the helper is gone: nothing to undo. */
	bertha_setup_msg(n->impl->net, BERTHA_CMD_TEARDOWN_REQ_NTF, n->setup_id,
			 n->impl, &h, NULL, NULL, NULL);
	n->setup_id = 0;
}

/**
 * bertha_setup_answer() - a helper's SETUP_DONE
 * @net: the helper's namespace
 * @portid: the helper's netlink port id
 * @id: the request's id
 * @status: 0 or a positive errno
 *
 * Return: 0; -ENOENT when no such request waits (answered already, or
 * given up); -EPERM when @portid is not the request's helper.
 */
int bertha_setup_answer(const struct net *net, u32 portid, u32 id, u32 status)
{
	struct bertha_setup_req *req;
	int ret = -ENOENT;

	spin_lock_bh(&bertha_setup_lock);
	list_for_each_entry(req, &bertha_setup_pending, node) {
		if (req->id != id || !net_eq(req->net, net))
			continue;
		if (req->owner != portid) {
			ret = -EPERM;
		} else if (req->status == 1) {
			bertha_setup_finish(req, -(int)status);
			ret = 0;
		}
		break;
	}
	spin_unlock_bh(&bertha_setup_lock);
	return ret;
}

/**
 * bertha_setup_abort() - a socket closes: stop waiting for its helpers
 * @bs: the socket
 *
 * Its control work then finds it closed at once, and closing does not
 * wait for the setup timeout.
 */
void bertha_setup_abort(struct bertha_sock *bs)
{
	struct bertha_setup_req *req;

	spin_lock_bh(&bertha_setup_lock);
	bs->setup_abort = true;
	list_for_each_entry(req, &bertha_setup_pending, node)
		if (req->sock == bs)
			bertha_setup_finish(req, -ECONNABORTED);
	spin_unlock_bh(&bertha_setup_lock);
}

/**
 * bertha_setup_owner_gone() - a helper's socket closed: fail its requests
 * @net: its namespace
 * @portid: its netlink port id
 */
void bertha_setup_owner_gone(const struct net *net, u32 portid)
{
	struct bertha_setup_req *req;

	spin_lock_bh(&bertha_setup_lock);
	list_for_each_entry(req, &bertha_setup_pending, node)
		if (req->owner == portid && net_eq(req->net, net))
			bertha_setup_finish(req, -ESHUTDOWN);
	spin_unlock_bh(&bertha_setup_lock);
}

static bool bertha_binding_needs_setup(const struct bertha_binding_set *b)
{
	unsigned int i;

	for (i = 0; i < b->count; i++)
		if (bertha_needs_setup(&b->node[i]))
			return true;
	return false;
}

static bool bertha_exclude(struct bertha_exclusions **ex,
			   const struct bertha_binding_node *info)
{
	if (!*ex)
		*ex = kzalloc(sizeof(**ex), GFP_KERNEL);
	if (!*ex || (*ex)->count == BERTHA_EXCLUDE_MAX)
		return false;
	strscpy((*ex)->impl[(*ex)->count].type, info->type, BERTHA_NAME_MAX);
	strscpy((*ex)->impl[(*ex)->count].name, info->impl, BERTHA_NAME_MAX);
	(*ex)->count++;
	return true;
}

/**
 * bertha_negotiate_setup() - negotiate a HELLO, and have helpers set up
 *	the implementations they registered
 * @listener: the listening socket, locked
 * @hello: the HELLO
 * @attrs: its parsed attributes
 * @from: the client's address
 * @binding: as for bertha_negotiate()
 * @dag: as for bertha_negotiate()
 * @unlocked: set when @listener was unlocked meanwhile; the caller checks
 *	again what may have changed (whether it still listens)
 *
 * A setup that fails excludes its implementation, and negotiation runs
 * again; it refuses once nothing is left or after %BERTHA_EXCLUDE_MAX
 * failures.
 *
 * Context: process context; drops and retakes the lock of @listener while
 * helpers are asked.
 * Return: as bertha_negotiate().
 */
int bertha_negotiate_setup(struct bertha_sock *listener, struct sk_buff *hello,
			   const struct nlattr **attrs,
			   const struct sockaddr_bertha *from,
			   struct bertha_binding_set **binding,
			   struct bertha_dag **dag, bool *unlocked)
{
	struct net *net = sock_net(&listener->sk);
	struct bertha_exclusions *ex = NULL;
	struct sockaddr_bertha local;
	unsigned int failed;
	int ret, err;

	*unlocked = false;
	bertha_skb_dest(hello, &local);
	for (;;) {
		ret = bertha_negotiate(listener, hello, attrs, ex, binding, dag);
		if (ret || !bertha_binding_needs_setup(*binding))
			break;
		release_sock(&listener->sk);
		*unlocked = true;
		err = bertha_binding_setup(*binding, listener, net, &local,
					   from, *dag, &failed);
		lock_sock(&listener->sk);
		if (!err)
			break;
		if (err == -ECONNABORTED) {
			/* closing: the caller finds it no longer listens */
			bertha_binding_free(*binding);
			kfree(*dag);
			*binding = NULL;
			*dag = NULL;
			ret = BERTHA_REJECT_NOT_LISTENING;
			break;
		}
		bertha_net_count(net, err == -ETIMEDOUT ?
				 BERTHA_STATS_A_FALLBACK_SETUP_TIMEOUT :
				 BERTHA_STATS_A_FALLBACK_SETUP_FAILED, 1);
		ret = bertha_exclude(&ex, &(*binding)->node[failed].info) ?
		      0 : BERTHA_REJECT_NO_IMPLEMENTATION;
		bertha_binding_free(*binding);
		kfree(*dag);
		*binding = NULL;
		*dag = NULL;
		if (ret)
			break;
	}
	kfree(ex);
	return ret;
}
