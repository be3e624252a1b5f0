// SPDX-License-Identifier: GPL-2.0
/*
 * berthactl: stats, the counters of the namespace: the core's, then each
 * chunnel type's by name
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

/*
 * The core's counters and, for older tools, the copies of some chunnel
 * counters the family had before chunnels reported theirs by name: the
 * chunnels' part is frozen (BERTHA_STATS_A_CHUNNEL carries every chunnel's counters,
 * printed after these by ctl_chunnel.c).
 */
static const char *const stats_names[] = {
	[BERTHA_STATS_A_HELLO_SENT] = "hello-sent",
	[BERTHA_STATS_A_HELLO_RECEIVED] = "hello-received",
	[BERTHA_STATS_A_ACCEPTED] = "accepted",
	[BERTHA_STATS_A_REJECTED] = "rejected",
	[BERTHA_STATS_A_REJECTED_NOT_LISTENING] = "rejected-not-listening",
	[BERTHA_STATS_A_REJECTED_MALFORMED] = "rejected-malformed",
	[BERTHA_STATS_A_REJECTED_DAG_MISMATCH] = "rejected-dag-mismatch",
	[BERTHA_STATS_A_REJECTED_NO_IMPLEMENTATION] = "rejected-no-implementation",
	[BERTHA_STATS_A_FALLBACKS] = "fallbacks",
	[BERTHA_STATS_A_LOCAL_PATH] = "local-path",
	[BERTHA_STATS_A_REL_RETRANSMITS] = "rel-retransmits",
	[BERTHA_STATS_A_REL_DUPLICATES] = "rel-duplicates",
	[BERTHA_STATS_A_REL_OUT_OF_ORDER] = "rel-out-of-order",
	[BERTHA_STATS_A_REL_TIMEOUTS] = "rel-timeouts",
	[BERTHA_STATS_A_SETUP_REQUESTS] = "setup-requests",
	[BERTHA_STATS_A_FALLBACK_SETUP_TIMEOUT] = "fallback-setup-timeout",
	[BERTHA_STATS_A_FALLBACK_SETUP_FAILED] = "fallback-setup-failed",
	[BERTHA_STATS_A_SHARD_FORWARDED] = "shard-forwarded",
	[BERTHA_STATS_A_SHARD_PUSHED] = "shard-pushed",
	[BERTHA_STATS_A_SHARD_DROPPED] = "shard-dropped",
	[BERTHA_STATS_A_ICMP_ERRORS] = "icmp-errors",
	[BERTHA_STATS_A_REJECTED_VERSION] = "rejected-version",
	[BERTHA_STATS_A_RX_SPOOFED] = "rx-spoofed",
	[BERTHA_STATS_A_RX_BAD_VERSION] = "rx-bad-version",
	[BERTHA_STATS_A_RETRY_SENT] = "retry-sent",
	[BERTHA_STATS_A_CLOSE_RETRANSMITS] = "close-retransmits",
	[BERTHA_STATS_A_CLOSE_UNACKED] = "close-unacked",
	[BERTHA_STATS_A_ABORTS] = "aborts",
};

static int stats_handler(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[BERTHA_STATS_A_MAX + 1];
	struct nla_policy pol[BERTHA_STATS_A_MAX + 1];
	bool first = true;

	(void)arg;
	memset(pol, 0, sizeof(pol));
	for (size_t i = 0; i < ARRAY_SIZE(stats_names); i++)
		if (stats_names[i])
			pol[i].type = NLA_U64;
	pol[BERTHA_STATS_A_CHUNNEL].type = NLA_NESTED;
	if (parse_genl(nlh, tb, BERTHA_STATS_A_MAX, pol) < 0 ||
	    chunnel_stats_check(nlh, BERTHA_STATS_A_CHUNNEL))
		return -1;
	if (json)
		putchar('{');
	for (size_t i = 0; i < ARRAY_SIZE(stats_names); i++) {
		uint64_t v;

		if (!stats_names[i] || !tb[i])
			continue;
		v = nla_get_u64(tb[i]);
		if (json)
			json_kv_u64(&first, stats_names[i], v);
		else
			printf("%s %" PRIu64 "\n", stats_names[i], v);
	}
	/* then each chunnel's: "TYPE.COUNTER VALUE", or "chunnels": {...} */
	chunnel_stats_print(nlh, BERTHA_STATS_A_CHUNNEL, &first, NULL);
	if (json)
		puts("}");
	return 0;
}

int cmd_stats(struct ctl *c, int argc, char **argv)
{
	struct nl_msg *msg;

	if (argc)
		return usage_error("stats: unexpected argument '%s'", argv[0]);
	msg = ctl_msg(c, BERTHA_CMD_STATS_GET, 0);
	if (!msg)
		return 1;
	return ctl_request(c, msg, "stats", stats_handler, NULL) ? 1 : 0;
}
