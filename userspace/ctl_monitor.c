// SPDX-License-Identifier: GPL-2.0
/*
 * berthactl: monitor, the events of the registry and of connections
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static int monitor_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	static struct impl im;
	const char *ev;

	(void)arg;
	if (!genlmsg_valid_hdr(nlh, 0))
		return NL_SKIP;
	if (gh->cmd == BERTHA_CMD_CONN_ESTABLISHED_NTF ||
	    gh->cmd == BERTHA_CMD_CONN_CLOSED_NTF) {
		bool up = gh->cmd == BERTHA_CMD_CONN_ESTABLISHED_NTF;

		/* one line per event: the chunnels' lines only in JSON */
		if (json ? conn_show(nlh, "", up ? "conn-established" : "conn-closed", false) :
		    conn_show(nlh, up ? "conn established " : "conn closed ", NULL, false)) {
			errmsg("monitor: malformed event (command %u)", gh->cmd);
			return NL_SKIP;
		}
		if (json)
			putchar('\n');
		fflush(stdout);
		return NL_OK;
	}
	if (gh->cmd == BERTHA_CMD_SETUP_REQ_NTF ||
	    gh->cmd == BERTHA_CMD_TEARDOWN_REQ_NTF) {
		struct setup_req r;

		if (setup_parse(nlh, &r)) {
			errmsg("monitor: malformed event (command %u)", gh->cmd);
			return NL_SKIP;
		}
		setup_print(&r, gh->cmd == BERTHA_CMD_SETUP_REQ_NTF);
		return NL_OK;
	}
	if (gh->cmd == BERTHA_CMD_IMPL_ADD_NTF)
		ev = "add";
	else if (gh->cmd == BERTHA_CMD_IMPL_DEL_NTF)
		ev = "del";
	else
		return NL_SKIP;
	if (impl_parse(nlh, &im) < 0) {
		errmsg("monitor: malformed event (command %u)", gh->cmd);
		return NL_SKIP;
	}
	if (json) {
		impl_print(&im, "", !strcmp(ev, "add") ? "impl-add" : "impl-del");
		putchar('\n');
	} else {
		impl_print(&im, !strcmp(ev, "add") ? "impl add " : "impl del ", NULL);
	}
	fflush(stdout);
	return NL_OK;
}

int cmd_monitor(struct ctl *c, int argc, char **argv)
{
	sigset_t waitmask;

	if (argc)
		return usage_error("monitor: unexpected argument '%s'", argv[0]);
	if (events_join(c, "monitor"))
		return 1;
	stop_signals(&waitmask);
	return events_loop(c, "monitor", monitor_valid, NULL, NULL, &waitmask);
}
