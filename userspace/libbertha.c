// SPDX-License-Identifier: GPL-2.0
/* libbertha: address family discovery. */
#include <errno.h>
#include <stdio.h>

#include <linux/bertha.h>

#include "libbertha.h"

int bertha_family(void)
{
	FILE *f = fopen(BERTHA_AF_SYSFS_PATH, "r");
	int family;

	if (!f)
		return errno == ENOENT ? BERTHA_AF_DEFAULT : -1;
	if (fscanf(f, "%d", &family) != 1) {
		family = -1;
		errno = EIO;
	}
	fclose(f);
	return family;
}
