// SPDX-License-Identifier: GPL-2.0-only
/*
 * ksmd for 'ksm N' (run only while the statement lasts) and memory
 * pressure for 'shrink'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actor.h"
#include "daemons.h"
#include "host/guard.h"
#include "host/internal.h"

#define KSM_FULL_SCANS	KX_KSM_DIR "/full_scans"
#define KSM_TIMEOUT_MS	300000
#define KSM_POLL_US	1000

static int ksm_full_scans(unsigned long *v, char *err, size_t len)
{
	char buf[32];

	if (kx_read_file(KSM_FULL_SCANS, buf, sizeof(buf)) <= 0) {
		snprintf(err, len, "cannot read %s", KSM_FULL_SCANS);
		return -1;
	}
	*v = strtoul(buf, NULL, 10);
	return 0;
}

int kx_ksm_run(struct kx_guard *g, long n, char *err, size_t len)
{
	uint64_t deadline = kx_now_ms() + KSM_TIMEOUT_MS;
	unsigned long start, now;
	int ret = 0;

	if (n < 1)
		n = 1;
	if (ksm_full_scans(&start, err, len) ||
	    kx_set(g, "ksm/run", "1", err, len))
		return -1;
	do {
		kx_sleep_us(KSM_POLL_US);
		if (ksm_full_scans(&now, err, len)) {
			ret = -1;
			break;
		}
		if (kx_now_ms() > deadline) {
			snprintf(err, len, "ksm %ld: ksmd did not complete the "
				 "scans in %d s", n, KSM_TIMEOUT_MS / 1000);
			ret = -1;
			break;
		}
	} while (now - start < (unsigned long)n);
	if (kx_set(g, "ksm/run", "0", err, len))
		ret = -1;
	return ret;
}

bool kx_ksm_mergeable(pid_t pid)
{
	char path[64], buf[512];

	snprintf(path, sizeof(path), "/proc/%d/ksm_stat", (int)pid);
	return kx_read_file(path, buf, sizeof(buf)) > 0 &&
	       strstr(buf, "ksm_mergeable: yes");
}

int kx_shrink(char *err, size_t len)
{
	int ret = kx_write_file("/proc/sys/vm/drop_caches", "2");

	if (ret)
		snprintf(err, len, "cannot write /proc/sys/vm/drop_caches: %s",
			 strerror(-ret));
	return ret ? -1 : 0;
}
