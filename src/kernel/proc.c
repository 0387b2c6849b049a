// SPDX-License-Identifier: GPL-2.0-only
/*
 * Small /proc and clock helpers of the kernel executor: a process's state
 * letter, its smaps, sleeping and a monotonic millisecond clock.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "actor.h"
#include "host/internal.h"

char kx_proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = kx_read_file(path, buf, sizeof(buf));
	if (n <= 0)
		return 0;
	/* "pid (comm) S ...": comm may hold spaces and parentheses */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	return p[2];
}

void kx_sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

uint64_t kx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

FILE *kx_smaps_open(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	return fopen(path, "re");
}

bool kx_smaps_vma(const char *line, uint64_t *start, uint64_t *end)
{
	unsigned long long a, b;

	/* field lines ("Rss:  4 kB") have no '-' before their first blank */
	if (sscanf(line, "%llx-%llx ", &a, &b) != 2 ||
	    !(strchr(line, '-') < strchr(line, ' ')))
		return false;
	*start = a;
	*end = b;
	return true;
}
