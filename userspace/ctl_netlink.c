// SPDX-License-Identifier: GPL-2.0
/*
 * berthactl: requests to the generic netlink family "bertha" and dumps
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

/* What one request collected: done, the kernel's errno and message. */
struct req {
	bool done;
	int error;		/* positive errno from the kernel, or 0 */
	char extack[512];
	int (*handler)(struct nlmsghdr *nlh, void *arg);
	void *arg;
	int handler_err;
};

/* The string NLMSGERR_ATTR_MSG of the ack TLVs after @err in @nlh, if any. */
void ack_extack(struct nlmsghdr *nlh, struct nlmsgerr *err, char *out,
		       size_t outlen)
{
	size_t off = sizeof(*err);
	struct nlattr *tlvs, *a;
	int len, rem;

	out[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len > NLMSG_HDRLEN ?
		       NLMSG_ALIGN(err->msg.nlmsg_len - NLMSG_HDRLEN) : 0;
	len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)off;
	if (len <= 0)
		return;
	tlvs = (struct nlattr *)((char *)err + off);
	nla_for_each_attr(a, tlvs, len, rem) {
		if (nla_type(a) == NLMSGERR_ATTR_MSG && nla_len(a) > 0) {
			const char *s = nla_data(a);
			size_t n = strnlen(s, (size_t)nla_len(a));

			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, s, n);
			out[n] = '\0';
			/* The kernel's messages have no trailing newline, but be sure. */
			while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
				out[--n] = '\0';
			return;
		}
	}
}

static int cb_err(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	struct req *r = arg;

	(void)nla;
	r->error = err->error < 0 ? -err->error : err->error;
	ack_extack(nlh, err, r->extack, sizeof(r->extack));
	r->done = true;
	return NL_STOP;
}

static int cb_ack(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct req *r = arg;
	char warn[512];

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(struct nlmsgerr)) {
		ack_extack(nlh, nlmsg_data(nlh), warn, sizeof(warn));
		if (warn[0])
			errmsg("warning: %s", warn);
	}
	r->done = true;
	return NL_STOP;
}

static int cb_finish(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

static int cb_valid(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	if (r->handler && r->handler(nlmsg_hdr(msg), r->arg) < 0)
		r->handler_err = 1;
	return NL_OK;
}

/* An event (sequence number 0, from the kernel) on a socket that joined
 * the group (the daemon's) is not a reply: skip it before the sequence
 * check would fail the request.
 */
static int cb_skip_events(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	(void)arg;
	return !nlh->nlmsg_seq && !nlh->nlmsg_pid ? NL_SKIP : NL_OK;
}

static struct nl_sock *ctl_socket(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, fd;

	if (!sk) {
		errmsg("out of memory");
		return NULL;
	}
	if (genl_connect(sk) < 0) {
		errmsg("cannot open a generic netlink socket: %s", strerror(errno));
		nl_socket_free(sk);
		return NULL;
	}
	fd = nl_socket_get_fd(sk);
	/* Error messages from the kernel, without the echoed request. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return sk;
}

/* Open a socket and find the family; 0, or the exit status. */
int ctl_open(struct ctl *c)
{
	c->sk = ctl_socket();
	if (!c->sk)
		return 1;
	c->family = genl_ctrl_resolve(c->sk, BERTHA_GENL_NAME);
	if (c->family < 0) {
		if (c->family == -NLE_OBJ_NOTFOUND)
			errmsg("bertha.ko is not loaded (no generic netlink family '%s')",
			       BERTHA_GENL_NAME);
		else
			errmsg("cannot resolve the generic netlink family '%s': %s",
			       BERTHA_GENL_NAME, nl_geterror(c->family));
		nl_socket_free(c->sk);
		c->sk = NULL;
		return 1;
	}
	return 0;
}

void ctl_close(struct ctl *c)
{
	if (c->sk)
		nl_socket_free(c->sk);
	c->sk = NULL;
}

/* A request of @cmd; opens the socket on first use (after the words are
 * checked, so that a usage error is one even without bertha.ko).
 */
struct nl_msg *ctl_msg(struct ctl *c, uint8_t cmd, int flags)
{
	struct nl_msg *msg;

	if (!c->sk && ctl_open(c))
		return NULL;
	msg = nlmsg_alloc();
	if (!msg) {
		errmsg("out of memory");
		return NULL;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0, flags,
			 cmd, BERTHA_GENL_VERSION)) {
		errmsg("cannot build the request");
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * Send @msg (consumed) and receive until its ack, error or dump end, each
 * reply to @handler. 0 on success; else prints "berthactl: WHAT: ..." and
 * returns the positive errno (or -1 for a local failure).
 */
int ctl_request(struct ctl *c, struct nl_msg *msg, const char *what,
		       int (*handler)(struct nlmsghdr *, void *), void *arg)
{
	struct req r = { .handler = handler, .arg = arg };
	struct nl_cb *cb;
	int err;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		errmsg("out of memory");
		return -1;
	}
	nl_cb_set(cb, NL_CB_MSG_IN, NL_CB_CUSTOM, cb_skip_events, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, cb_valid, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, cb_ack, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, cb_finish, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, cb_err, &r);

	err = nl_send_auto(c->sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		nl_cb_put(cb);
		errmsg("%s: cannot send the request: %s", what, nl_geterror(err));
		return -1;
	}
	while (!r.done) {
		err = nl_recvmsgs(c->sk, cb);
		if (err < 0 && !r.error) {
			nl_cb_put(cb);
			errmsg("%s: %s", what, nl_geterror(err));
			return -1;
		}
	}
	nl_cb_put(cb);
	if (r.error) {
		if (r.extack[0])
			errmsg("%s: %s (%s)", what, r.extack, strerror(r.error));
		else
			errmsg("%s: %s", what, strerror(r.error));
		return r.error;
	}
	if (r.handler_err) {
		errmsg("%s: malformed reply from the kernel", what);
		return -1;
	}
	return 0;
}

int parse_genl(struct nlmsghdr *nlh, struct nlattr **tb, int max,
		      struct nla_policy *pol)
{
	return genlmsg_parse(nlh, 0, tb, max, pol);
}


/* Before an entry: the JSON separator. */
void list_next(struct list_state *st)
{
	if (json && st->count)
		putchar(',');
	st->count++;
}

static int list_handler(struct nlmsghdr *nlh, void *arg)
{
	struct list_state *st = arg;

	return st->one(nlh, st);
}

/* Dump @cmd, each reply to @one; @header (text only) first. */
int dump_list(struct ctl *c, uint8_t cmd, const char *what,
		     int (*one)(struct nlmsghdr *, struct list_state *),
		     const char *header)
{
	struct list_state st = { .one = one };
	struct nl_msg *msg;
	int err;

	msg = ctl_msg(c, cmd, NLM_F_DUMP);
	if (!msg)
		return 1;
	if (json)
		putchar('[');
	else if (header)
		fputs(header, stdout);
	err = ctl_request(c, msg, what, list_handler, &st);
	if (json)
		puts("]");
	return err ? 1 : 0;
}
