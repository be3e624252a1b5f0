/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading and unloading the test chunnel module (selftests/modules/
 * bertha_test_chunnel.c) from the C selftests that drive it. Include after
 * conn.h and netns.h.
 */
#ifndef BERTHA_SELFTEST_TEST_CHUNNEL_H
#define BERTHA_SELFTEST_TEST_CHUNNEL_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MOD_SYS	"/sys/module/bertha_test_chunnel"

/* insmod the test chunnel with PARAMS from inside the namespace NSFD. */
static inline int chunnel_load(int nsfd, const char *params)
{
	const char *dir = getenv("BERTHA_TEST_MODULES");
	char cmd[512];

	if (!dir)
		return -1;
	if (netns_enter(nsfd))
		return -1;
	snprintf(cmd, sizeof(cmd), "insmod %s/bertha_test_chunnel.ko %s", dir, params);
	return netns_sh(cmd);
}

static inline int chunnel_loaded(void)
{
	return !access(MOD_SYS, F_OK);
}

/* rmmod, retried for up to MS: closed connections may let go a bit later. */
static inline int chunnel_unload(int ms)
{
	long long end = now_ms() + ms;

	while (chunnel_loaded()) {
		if (!netns_sh("rmmod bertha_test_chunnel 2>/dev/null"))
			return 0;
		if (now_ms() > end)
			return -1;
		usleep(50000);
	}
	return 0;
}

/*
 * At exit (netns_cleanup_at_exit()): no test may leave the test chunnel
 * loaded for the tests after this program in the guest; one that cannot be
 * unloaded (a connection still pins it) fails the program.
 */
static inline void chunnel_unload_at_exit(void)
{
	if (chunnel_unload(CONN_WAIT_MS)) {
		printf("# bertha_test_chunnel is still loaded after the last test\n");
		fflush(stdout);
		_exit(KSFT_FAIL);
	}
}

#endif
