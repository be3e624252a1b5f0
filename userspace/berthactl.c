// SPDX-License-Identifier: GPL-2.0
/*
 * berthactl: the operator's tool for bertha.ko's generic netlink family
 * "bertha" (Documentation/netlink/specs/bertha.yaml): the discovery registry
 * of chunnel implementations, the negotiation policy, the counters and the
 * connections of the caller's network namespace. See Documentation/berthactl.8.
 *
 * One table, commands[], drives the usage text and the dispatch; each
 * object's commands live in a file of their own (ctl.h lists them).
 *
 * Exit status: 0 on success, 1 when the kernel refused a request (its
 * extack message and the errno are printed) or bertha.ko is not loaded,
 * 2 on a usage error.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "ctl.h"

bool json;
static bool pretty;

static int cmd_help(struct ctl *c, int argc, char **argv);

/*
 * A command: its first word, what runs it and its lines of the usage text
 * (each "  WORDS", the description from column 36), in the order printed.
 */
static const struct command {
	const char *name;
	int (*fn)(struct ctl *c, int argc, char **argv);
	const char *help;
} commands[] = {
	{ "info", cmd_info,
"  info                              family number, genl version, host id\n" },
	{ "impl", cmd_impl,
"  impl list                         the chunnel implementations registered\n"
"  impl add TYPE NAME [OPTIONS] --hold\n"
"                                    register one and hold it until SIGINT or\n"
"                                    SIGTERM (a registration lasts as long as\n"
"                                    the process that made it)\n"
"      OPTIONS: prio N  scope any|application|host|network  endpoints one|both\n"
"               capacity N  dev IFNAME  config HEX\n"
"  impl del TYPE NAME                withdraw one\n"
"  impl disable|enable TYPE NAME     keep negotiation in this namespace from\n"
"                                    using one (kernel modules' too), or undo it\n" },
	{ "policy", cmd_policy,
"  policy show                       negotiation policy and local fast path\n"
"  policy set [prefer-client|prefer-server|prefer-priority] [local on|off]\n"
"             [setup-timeout MS]    MS: how long a helper may take to set up\n" },
	{ "local", cmd_local,
"  local on|off                      shorthand for policy set local on|off\n" },
	{ "stats", cmd_stats,
"  stats                             negotiation counters\n" },
	{ "conn", cmd_conn,
"  conn show                         the AF_BERTHA sockets and connections, like\n"
"                                    ss: type, state, addresses, netns, ids, path\n"
"                                    and binding (TYPE=IMPL@WHERE |> ...)\n" },
	{ "monitor", cmd_monitor,
"  monitor                           print registry and connection events until\n"
"                                    SIGINT/SIGTERM\n" },
	{ "daemon", cmd_daemon,
"  daemon -c FILE [--answer ok|error|never]\n"
"                                    the discovery helper: register the\n"
"                                    implementations of FILE (lines \"impl TYPE\n"
"                                    NAME [OPTIONS]\"), answer the kernel's setup\n"
"                                    requests for them (ok by default; error and\n"
"                                    never make connections fall back, for\n"
"                                    testing), print setup and teardown requests,\n"
"                                    until SIGINT/SIGTERM\n" },
	{ "offload", cmd_offload,
"  offload add shard xdp dev IFACE [dev IFACE]... [prio N]\n"
"                    [mode auto|native|generic]\n"
"                                    load and attach the shard XDP program,\n"
"                                    register shard/xdp (prio 30) and steer the\n"
"                                    listeners the kernel asks it to set up,\n"
"                                    until SIGINT/SIGTERM (also a daemon config\n"
"                                    line: offload shard xdp dev IFACE ...)\n" },
	{ "help", cmd_help,
"  help [COMMAND]                    this text, or COMMAND's part of it\n"
"                                    (also: berthactl COMMAND help)\n" },
};

static void usage(FILE *f)
{
	fputs("Usage: berthactl [-j [-p]] COMMAND\n"
	      "\n"
	      "Commands (the caller's network namespace):\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fputs(commands[i].help, f);
	fputs("\n"
	      "  -j, --json                        JSON output\n"
	      "  -p, --pretty                      JSON indented, one member a line\n"
	      "\n"
	      "Changes need CAP_NET_ADMIN. Exit status: 0 ok, 1 refused by the kernel or\n"
	      "bertha.ko not loaded, 2 usage error. See berthactl(8).\n", f);
}

static const struct command *command_find(const char *word)
{
	for (size_t k = 0; k < ARRAY_SIZE(commands); k++)
		if (!strcmp(word, commands[k].name))
			return &commands[k];
	return NULL;
}

/* "help", or "help COMMAND": that command's lines only, as ip(8)'s
 * "ip OBJECT help".
 */
static int cmd_help(struct ctl *c, int argc, char **argv)
{
	const struct command *cmd;

	(void)c;
	if (!argc) {
		usage(stdout);
		return 0;
	}
	cmd = command_find(argv[0]);
	if (!cmd)
		return usage_error("help: unknown command '%s'", argv[0]);
	printf("Usage: berthactl [-j [-p]] %s ...\n\n%s", cmd->name, cmd->help);
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	struct ctl c = { 0 };
	int i = 1, rc;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty")) {
			pretty = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			return usage_error("unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = command_find(argv[i]);
	if (!cmd)
		return usage_error("unknown command '%s'", argv[i]);
	i++;
	if (i < argc && (!strcmp(argv[i], "help") || !strcmp(argv[i], "-h") ||
			 !strcmp(argv[i], "--help")))
		return cmd_help(&c, 1, argv + i - 1);
	if (pretty && !json)
		return usage_error("-p indents JSON: it needs -j");
	if (pretty && json_pretty_stdout())
		return EXIT_FAILURE;
	rc = cmd->fn(&c, argc - i, argv + i);
	ctl_close(&c);
	fflush(stdout);
	return rc;
}
