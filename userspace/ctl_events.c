// SPDX-License-Identifier: GPL-2.0
/*
 * berthactl: the events group: setup requests, SIGINT/SIGTERM, and the
 * loop of monitor and daemon
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ctl.h"

volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* SIGINT and SIGTERM set stop_signal; they stay blocked but in waits. */
void stop_signals(sigset_t *old)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, old);
	sigdelset(old, SIGINT);
	sigdelset(old, SIGTERM);
}

/* Sleep until SIGINT or SIGTERM; the registrations of the socket stay. */
void hold_until_signal(const sigset_t *waitmask)
{
	while (!stop_signal)
		sigsuspend(waitmask);
}

/* ---- setup requests ---------------------------------------------------- */

int setup_parse(struct nlmsghdr *nlh, struct setup_req *r)
{
	static struct nla_policy pol[BERTHA_SETUP_A_MAX + 1] = {
		[BERTHA_SETUP_A_ID] = { .type = NLA_U32 },
		[BERTHA_SETUP_A_OWNER] = { .type = NLA_U32 },
		[BERTHA_SETUP_A_TYPE] = { .type = NLA_STRING },
		[BERTHA_SETUP_A_IMPL] = { .type = NLA_STRING },
		[BERTHA_SETUP_A_IFINDEX] = { .type = NLA_U32 },
		[BERTHA_SETUP_A_LOCAL] = { .type = NLA_NESTED },
		[BERTHA_SETUP_A_PEER] = { .type = NLA_NESTED },
		[BERTHA_SETUP_A_DAG] = { .type = NLA_UNSPEC },
	};
	struct nlattr *tb[BERTHA_SETUP_A_MAX + 1];

	memset(r, 0, sizeof(*r));
	if (parse_genl(nlh, tb, BERTHA_SETUP_A_MAX, pol) < 0 || !tb[BERTHA_SETUP_A_ID] ||
	    !tb[BERTHA_SETUP_A_OWNER] || !tb[BERTHA_SETUP_A_TYPE] || !tb[BERTHA_SETUP_A_IMPL])
		return -1;
	r->id = nla_get_u32(tb[BERTHA_SETUP_A_ID]);
	r->owner = nla_get_u32(tb[BERTHA_SETUP_A_OWNER]);
	nla_strlcpy(r->type, tb[BERTHA_SETUP_A_TYPE], sizeof(r->type));
	nla_strlcpy(r->impl, tb[BERTHA_SETUP_A_IMPL], sizeof(r->impl));
	if (tb[BERTHA_SETUP_A_IFINDEX])
		r->ifindex = nla_get_u32(tb[BERTHA_SETUP_A_IFINDEX]);
	if (tb[BERTHA_SETUP_A_DAG]) {
		if ((size_t)nla_len(tb[BERTHA_SETUP_A_DAG]) > sizeof(r->dag))
			return -1;
		r->dag_len = (size_t)nla_len(tb[BERTHA_SETUP_A_DAG]);
		memcpy(r->dag, nla_data(tb[BERTHA_SETUP_A_DAG]), r->dag_len);
	}
	if (conn_addr_parse(tb[BERTHA_SETUP_A_LOCAL], &r->local) ||
	    conn_addr_parse(tb[BERTHA_SETUP_A_PEER], &r->peer))
		return -1;
	return 0;
}

/* "setup-req id 3 owner 1234 shard xdp local A peer B", or JSON. */
void setup_print(const struct setup_req *r, bool setup)
{
	const char *ev = setup ? "setup-req" : "teardown-req";
	char local[80], peer[80];

	if (json) {
		bool first = true;

		putchar('{');
		json_kv_str(&first, "event", ev);
		json_kv_u64(&first, "id", r->id);
		json_kv_u64(&first, "owner", r->owner);
		json_kv_str(&first, "type", r->type);
		json_kv_str(&first, "impl", r->impl);
		json_kv_u64(&first, "ifindex", r->ifindex);
		json_addr(&first, "local", &r->local);
		json_addr(&first, "peer", &r->peer);
		puts("}");
	} else {
		printf("%s id %" PRIu32 " owner %" PRIu32 " %s %s", ev, r->id, r->owner,
		       r->type, r->impl);
		if (r->local.present && r->peer.present) {
			conn_addr_text(&r->local, local, sizeof(local));
			conn_addr_text(&r->peer, peer, sizeof(peer));
			printf(" local %s peer %s", local, peer);
		}
		putchar('\n');
	}
	fflush(stdout);
}

/* ---- event loop (monitor, daemon) --------------------------------------- */

/* Events carry sequence number 0: no check. */
static int seq_any(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/* An error for something the loop sent (the daemon's answers). */
static int events_err(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	const char *what = arg;
	char text[512];

	(void)nla;
	ack_extack(nlh, err, text, sizeof(text));
	errmsg("%s: the kernel refused an answer: %s%s%s%s", what, strerror(-err->error),
	       text[0] ? " (" : "", text, text[0] ? ")" : "");
	return NL_SKIP;
}

/* Join the "events" group on the socket of @c; 0 or the exit status. */
int events_join(struct ctl *c, const char *what)
{
	int grp, err;

	if (!c->sk && ctl_open(c))
		return 1;
	grp = genl_ctrl_resolve_grp(c->sk, BERTHA_GENL_NAME, BERTHA_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		errmsg("%s: no multicast group '%s' in the family '%s': %s", what,
		       BERTHA_GENL_MCGRP_EVENTS, BERTHA_GENL_NAME, nl_geterror(grp));
		return 1;
	}
	err = nl_socket_add_membership(c->sk, grp);
	if (err < 0) {
		errmsg("%s: cannot join the group '%s': %s", what,
		       BERTHA_GENL_MCGRP_EVENTS, nl_geterror(err));
		return 1;
	}
	/* Do not lose events to a slow reader; the default 32 KiB is small. */
	nl_socket_set_buffer_size(c->sk, 1 << 20, 0);
	return 0;
}

/*
 * Hand every message to @valid until SIGINT/SIGTERM (stop_signals() done,
 * @waitmask from it); @after(@c, @arg) runs after each batch. 0 or 1.
 */
int events_loop(struct ctl *c, const char *what, nl_recvmsg_msg_cb_t valid,
		       void (*after)(struct ctl *c, void *arg), void *arg,
		       const sigset_t *waitmask)
{
	struct pollfd pfd;
	struct nl_cb *cb;
	int err, rc = 0;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		errmsg("out of memory");
		return 1;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid, arg);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, seq_any, NULL);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, seq_any, NULL);
	nl_cb_err(cb, NL_CB_CUSTOM, events_err, (void *)what);
	nl_socket_set_nonblocking(c->sk);

	pfd.fd = nl_socket_get_fd(c->sk);
	pfd.events = POLLIN;
	while (!stop_signal) {
		int n = ppoll(&pfd, 1, NULL, waitmask);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			errmsg("%s: poll: %s", what, strerror(errno));
			rc = 1;
			break;
		}
		err = nl_recvmsgs(c->sk, cb);
		if (err < 0 && err != -NLE_AGAIN) {
			if (err == -NLE_NOMEM) {
				/* ENOBUFS: the socket overran; say so and go on. */
				errmsg("%s: events were lost (receive buffer overrun)", what);
				continue;
			}
			errmsg("%s: %s", what, nl_geterror(err));
			rc = 1;
			break;
		}
		if (after)
			after(c, arg);
	}
	nl_cb_put(cb);
	return rc;
}
