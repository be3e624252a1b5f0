// SPDX-License-Identifier: GPL-2.0
/*
 * berthactl: daemon and offload add, the discovery helper
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "shard_offload.h"

#include "ctl.h"

#define DAEMON_MAX	256
#define DAEMON_QUEUE	256

enum daemon_answer { ANSWER_OK, ANSWER_ERROR, ANSWER_NEVER };

/* The shard XDP offload the daemon runs (config "offload shard xdp ..."). */
#define OFFLOAD_TYPE	"shard"
#define OFFLOAD_NAME	"xdp"
#define OFFLOAD_PRIO	30

/* The daemon's state: its port id, setup answers to send, the offload. */
struct daemon {
	uint32_t portid;
	enum daemon_answer answer;
	unsigned int nqueue;
	struct {
		uint32_t id;
		uint32_t status;
	} queue[DAEMON_QUEUE];
	struct shard_offload *offload;
};

/* Set up the shard offload for request @r: 0 or a positive errno. */
static uint32_t daemon_offload_setup(struct daemon *d, const struct setup_req *r)
{
	char why[256] = "";
	int err;

	if (!r->local.present || !r->dag_len) {
		errmsg("daemon: setup %" PRIu32 ": no listener address or DAG", r->id);
		return EINVAL;
	}
	err = shard_offload_setup(d->offload, r->id, r->dag, r->dag_len,
				  r->local.family == AF_INET6 ? AF_INET6 : AF_INET,
				  r->local.raw, r->local.port, why, sizeof(why));
	if (err) {
		errmsg("daemon: setup %" PRIu32 ": %s", r->id, why[0] ? why : strerror(-err));
		return (uint32_t)-err;
	}
	return 0;
}

/* Requests for the daemon's registrations: print, and queue the answer. */
static int daemon_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct daemon *d = arg;
	struct setup_req r;
	bool offload;

	if (!genlmsg_valid_hdr(nlh, 0) ||
	    (gh->cmd != BERTHA_CMD_SETUP_REQ_NTF && gh->cmd != BERTHA_CMD_TEARDOWN_REQ_NTF))
		return NL_SKIP;
	if (setup_parse(nlh, &r)) {
		errmsg("daemon: malformed request (command %u)", gh->cmd);
		return NL_SKIP;
	}
	if (r.owner != d->portid)
		return NL_SKIP;
	setup_print(&r, gh->cmd == BERTHA_CMD_SETUP_REQ_NTF);
	offload = d->offload && !strcmp(r.type, OFFLOAD_TYPE) && !strcmp(r.impl, OFFLOAD_NAME);
	if (gh->cmd != BERTHA_CMD_SETUP_REQ_NTF) {
		if (offload)
			shard_offload_teardown(d->offload, r.id);
		return NL_OK;
	}
	if (d->answer == ANSWER_NEVER)
		return NL_OK;
	if (d->nqueue == DAEMON_QUEUE) {
		/* The kernel times the request out and falls back. */
		errmsg("daemon: too many requests at once; not answering id %" PRIu32, r.id);
		return NL_OK;
	}
	d->queue[d->nqueue].id = r.id;
	if (d->answer == ANSWER_ERROR)
		d->queue[d->nqueue].status = EOPNOTSUPP;
	else
		d->queue[d->nqueue].status = offload ? daemon_offload_setup(d, &r) : 0;
	d->nqueue++;
	return NL_OK;
}

/* Answer what daemon_valid() queued; acks and errors come to the loop. */
static void daemon_answer(struct ctl *c, void *arg)
{
	struct daemon *d = arg;
	unsigned int i;

	for (i = 0; i < d->nqueue; i++) {
		struct nl_msg *msg = ctl_msg(c, BERTHA_CMD_SETUP_DONE, 0);
		int err;

		if (!msg)
			break;
		if (nla_put_u32(msg, BERTHA_SETUP_A_ID, d->queue[i].id) < 0 ||
		    nla_put_u32(msg, BERTHA_SETUP_A_STATUS, d->queue[i].status) < 0) {
			errmsg("daemon: cannot build the answer");
			nlmsg_free(msg);
			break;
		}
		err = nl_send_auto(c->sk, msg);
		nlmsg_free(msg);
		if (err < 0)
			errmsg("daemon: cannot answer request %" PRIu32 ": %s", d->queue[i].id,
			       nl_geterror(err));
	}
	d->nqueue = 0;
}

/* The daemon's configuration: implementations, and at most one offload. */
struct daemon_cfg {
	struct impl impls[DAEMON_MAX];
	int n;
	bool offload;
	int ndevs;
	int ifindex[SHARD_XDP_IFACES_MAX];
	char ifname[SHARD_XDP_IFACES_MAX][IF_NAMESIZE];
	enum shard_xdp_mode mode;
	struct impl offload_impl;
};

/*
 * "offload shard xdp dev IFACE [dev IFACE]... [prio N] [mode auto|native|
 * generic]" into @cfg; 0, or an error text in @why. The implementation is
 * registered on the first device.
 */
static int offload_statement(struct daemon_cfg *cfg, int nw, char **words, char *why,
			     size_t whylen)
{
	struct impl *im = &cfg->offload_impl;
	int i;

	if (nw < 2 || strcmp(words[0], OFFLOAD_TYPE) || strcmp(words[1], OFFLOAD_NAME)) {
		snprintf(why, whylen, "offload: only 'shard xdp' exists");
		return -1;
	}
	if (cfg->offload) {
		snprintf(why, whylen, "offload: only one per daemon");
		return -1;
	}
	impl_defaults(im);
	strcpy(im->type, OFFLOAD_TYPE);
	strcpy(im->name, OFFLOAD_NAME);
	im->prio = OFFLOAD_PRIO;
	im->scope = BERTHA_SCOPE_HOST;
	im->setup = true;
	cfg->mode = SHARD_XDP_MODE_AUTO;
	for (i = 2; i < nw; i++) {
		const char *v = i + 1 < nw ? words[i + 1] : NULL;
		char *end;

		if (!v) {
			snprintf(why, whylen, "offload: '%s' needs a value", words[i]);
			return -1;
		}
		if (!strcmp(words[i], "dev")) {
			int ifindex = (int)if_nametoindex(v);

			if (!ifindex) {
				snprintf(why, whylen, "offload: no device '%.32s'", v);
				return -1;
			}
			if (cfg->ndevs == SHARD_XDP_IFACES_MAX) {
				snprintf(why, whylen, "offload: more than %d devices",
					 SHARD_XDP_IFACES_MAX);
				return -1;
			}
			cfg->ifindex[cfg->ndevs] = ifindex;
			snprintf(cfg->ifname[cfg->ndevs], sizeof(cfg->ifname[0]), "%s", v);
			if (!cfg->ndevs++)
				im->ifindex = (uint32_t)ifindex;
		} else if (!strcmp(words[i], "prio")) {
			errno = 0;
			im->prio = (uint32_t)strtoul(v, &end, 10);
			if (errno || *end || !*v) {
				snprintf(why, whylen, "offload: bad prio '%.32s'", v);
				return -1;
			}
		} else if (!strcmp(words[i], "mode")) {
			if (!strcmp(v, "auto"))
				cfg->mode = SHARD_XDP_MODE_AUTO;
			else if (!strcmp(v, "native"))
				cfg->mode = SHARD_XDP_MODE_NATIVE;
			else if (!strcmp(v, "generic"))
				cfg->mode = SHARD_XDP_MODE_GENERIC;
			else {
				snprintf(why, whylen, "offload: mode '%.32s': auto, native or generic", v);
				return -1;
			}
		} else {
			snprintf(why, whylen, "offload: unknown word '%.32s' (dev, prio, mode)", words[i]);
			return -1;
		}
		i++;
	}
	if (!cfg->ndevs) {
		snprintf(why, whylen, "offload: needs dev IFACE");
		return -1;
	}
	cfg->offload = true;
	return 0;
}

/* One line of a config file into @cfg; 0, or an error text in @why. */
static int daemon_statement(struct daemon_cfg *cfg, int nw, char **words, char *why,
			    size_t whylen)
{
	struct impl *im;

	if (!strcmp(words[0], "offload"))
		return offload_statement(cfg, nw - 1, words + 1, why, whylen);
	if (strcmp(words[0], "impl")) {
		snprintf(why, whylen,
			 "unknown statement '%.32s' (impl TYPE NAME [OPTIONS], offload shard xdp dev IFACE ...)",
			 words[0]);
		return -1;
	}
	if (nw < 3) {
		snprintf(why, whylen, "impl needs TYPE and NAME");
		return -1;
	}
	if (cfg->n == DAEMON_MAX) {
		snprintf(why, whylen, "more than %d implementations", DAEMON_MAX);
		return -1;
	}
	im = &cfg->impls[cfg->n];
	impl_defaults(im);
	if (strlen(words[1]) >= sizeof(im->type) || strlen(words[2]) >= sizeof(im->name)) {
		snprintf(why, whylen, "TYPE or NAME too long");
		return -1;
	}
	strcpy(im->type, words[1]);
	strcpy(im->name, words[2]);
	/* the daemon answers setup requests for what it registers */
	im->setup = true;
	if (impl_options(im, nw - 3, words + 3, NULL, why, whylen))
		return -1;
	cfg->n++;
	return 0;
}

static int daemon_read(struct daemon_cfg *cfg, const char *file)
{
	char line[4096], why[256];
	int lineno = 0;
	FILE *f;

	f = fopen(file, "r");
	if (!f) {
		errmsg("daemon: %s: %s", file, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *words[64], *p, *save = NULL;
		int nw = 0;

		lineno++;
		p = strchr(line, '#');
		if (p)
			*p = '\0';
		for (p = strtok_r(line, " \t\r\n", &save); p;
		     p = strtok_r(NULL, " \t\r\n", &save)) {
			if (nw == (int)ARRAY_SIZE(words)) {
				errmsg("daemon: %s:%d: too many words", file, lineno);
				fclose(f);
				return 1;
			}
			words[nw++] = p;
		}
		if (nw && daemon_statement(cfg, nw, words, why, sizeof(why))) {
			errmsg("daemon: %s:%d: %s", file, lineno, why);
			fclose(f);
			return 1;
		}
	}
	if (ferror(f)) {
		errmsg("daemon: %s: read error", file);
		fclose(f);
		return 1;
	}
	fclose(f);
	return 0;
}

/* Load and attach the offload of @cfg into @d; 0 or the exit status. */
static int daemon_offload_start(struct daemon *d, const struct daemon_cfg *cfg)
{
	enum shard_xdp_mode got;
	int err, i;

	d->offload = shard_offload_open();
	if (!d->offload) {
		errmsg("daemon: cannot load the shard XDP program: %s", strerror(errno));
		return 1;
	}
	for (i = 0; i < cfg->ndevs; i++) {
		err = shard_offload_attach(d->offload, cfg->ifindex[i], cfg->mode, &got);
		if (err) {
			errmsg("daemon: cannot attach the shard XDP program to %s: %s",
			       cfg->ifname[i], strerror(-err));
			return 1;
		}
		printf("attached shard xdp to %s (%s)\n", cfg->ifname[i],
		       shard_xdp_mode_name(got));
	}
	return 0;
}

static void daemon_offload_stop(struct daemon *d)
{
	static struct shard_xdp_counters cnt;

	if (!d->offload)
		return;
	if (!shard_offload_counters(d->offload, &cnt))
		printf("shard xdp: steered %" PRIu64 " passed-control %" PRIu64
		       " passed-short %" PRIu64 " dropped-malformed %" PRIu64
		       " passed-other %" PRIu64 "\n", cnt.steered, cnt.passed_control,
		       cnt.passed_short, cnt.dropped_malformed, cnt.passed_other);
	shard_offload_close(d->offload);
	d->offload = NULL;
}

/* Register what @cfg lists, then answer requests until a signal. */
static int daemon_run(struct ctl *c, struct daemon_cfg *cfg, struct daemon *d)
{
	char what[160];
	sigset_t waitmask;
	int i, rc;

	stop_signals(&waitmask);
	if (cfg->offload && daemon_offload_start(d, cfg)) {
		daemon_offload_stop(d);
		return 1;
	}
	/* Listen first, so that no request for a registration is missed. */
	if (events_join(c, "daemon")) {
		daemon_offload_stop(d);
		return 1;
	}
	d->portid = nl_socket_get_local_port(c->sk);
	if (cfg->offload)
		cfg->impls[cfg->n++] = cfg->offload_impl;
	/* All on this one socket: they go when the daemon does. */
	for (i = 0; i < cfg->n; i++) {
		snprintf(what, sizeof(what), "daemon: impl %.63s %.63s", cfg->impls[i].type,
			 cfg->impls[i].name);
		if (impl_register(c, &cfg->impls[i], what)) {
			daemon_offload_stop(d);
			return 1;
		}
	}
	printf("registered %d implementation%s\n", cfg->n, cfg->n == 1 ? "" : "s");
	fflush(stdout);
	rc = events_loop(c, "daemon", daemon_valid, daemon_answer, d, &waitmask);
	daemon_offload_stop(d);
	return rc;
}

int cmd_daemon(struct ctl *c, int argc, char **argv)
{
	static struct daemon_cfg cfg;
	static struct daemon d;
	const char *file = NULL;
	int i;

	for (i = 0; i < argc; i++) {
		if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc) {
			file = argv[++i];
		} else if (!strcmp(argv[i], "--answer") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "ok"))
				d.answer = ANSWER_OK;
			else if (!strcmp(argv[i], "error"))
				d.answer = ANSWER_ERROR;
			else if (!strcmp(argv[i], "never"))
				d.answer = ANSWER_NEVER;
			else
				return usage_error("daemon: --answer '%s': ok, error or never",
						   argv[i]);
		} else {
			return usage_error("daemon: unexpected argument '%s' (daemon -c FILE [--answer ok|error|never])",
					   argv[i]);
		}
	}
	if (!file)
		return usage_error("daemon: needs -c FILE");
	if (daemon_read(&cfg, file))
		return 1;
	return daemon_run(c, &cfg, &d);
}

/* "offload add shard xdp dev IFACE ...": a daemon of that one statement. */
int cmd_offload(struct ctl *c, int argc, char **argv)
{
	static struct daemon_cfg cfg;
	static struct daemon d;
	char why[256];

	if (!argc || strcmp(argv[0], "add"))
		return usage_error("offload: add shard xdp dev IFACE [dev IFACE]... [prio N] [mode auto|native|generic]");
	if (offload_statement(&cfg, argc - 1, argv + 1, why, sizeof(why)))
		return usage_error("%s", why);
	return daemon_run(c, &cfg, &d);
}
