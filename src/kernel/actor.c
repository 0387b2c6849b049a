// SPDX-License-Identifier: GPL-2.0-only
/*
 * The controller side of the actors: the shared command area, spawning,
 * sending a command and waiting for its answer (or for the actor's death),
 * fork and exit, and the final kill-and-reap.  Every pid is registered
 * with the guard, so a run that dies still takes its actors with it.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "actor.h"
#include "host/guard.h"

#define CALL_TIMEOUT_MS	 300000	/* one command (collapse GiBs) */
#define EXIT_TIMEOUT_MS	 60000	/* an exiting actor frees its mm */
#define REAP_TIMEOUT_MS	 10000
#define CALL_POLL_MS	 100

struct kx_actors {
	struct kx_guard *g;
	struct kx_area *area;
	size_t area_len;
	int nr;
	pid_t *pid;		/* per slot, 0: none */
	pid_t *known;		/* every pid started, for the final reap */
	int nr_known, cap_known;
};

static int remember(struct kx_actors *a, pid_t pid)
{
	if (a->nr_known == a->cap_known) {
		int cap = a->cap_known ? 2 * a->cap_known : 16;
		pid_t *k = realloc(a->known, (size_t)cap * sizeof(*k));

		if (!k)
			return -1;
		a->known = k;
		a->cap_known = cap;
	}
	a->known[a->nr_known++] = pid;
	return 0;
}

/* The lowest CPU the controller may run on (actors inherit its mask). */
static int first_cpu(void)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			return cpu;
	return 0;
}

static int area_init(struct kx_actors *a, int nr, char *err, size_t len)
{
	size_t sz = sizeof(*a->area) + (size_t)nr * sizeof(struct kx_slot);
	int i;

	a->area_len = (sz + 4095) & ~4095UL;
	a->area = mmap(NULL, a->area_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (a->area == MAP_FAILED) {
		a->area = NULL;
		snprintf(err, len, "cannot map the command area: %s",
			 strerror(errno));
		return -1;
	}
	a->area->ctrl = getpid();
	a->area->ctrl_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	a->area->cpu = first_cpu();
	a->area->nr_slots = nr;
	for (i = 0; i < nr; i++)
		if (sem_init(&a->area->slot[i].req, 1, 0) ||
		    sem_init(&a->area->slot[i].done, 1, 0)) {
			snprintf(err, len, "cannot create semaphores: %s",
				 strerror(errno));
			return -1;
		}
	return 0;
}

struct kx_actors *kx_actors_new(struct kx_guard *g, int nr_slots, char *err,
				size_t len)
{
	struct kx_actors *a = calloc(1, sizeof(*a));

	if (!a || !(a->pid = calloc((size_t)nr_slots + 1, sizeof(pid_t)))) {
		free(a);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	a->g = g;
	a->nr = nr_slots;
	if (area_init(a, nr_slots, err, len)) {
		kx_actors_free(a);
		return NULL;
	}
	return a;
}

/* A pid that is gone (or a zombie, reaped here if it is ours). */
static bool gone(pid_t pid)
{
	char st = kx_proc_state(pid);

	if (st == 'Z' || st == 'X')
		waitpid(pid, NULL, WNOHANG);
	return st == 0 || st == 'Z' || st == 'X';
}

static void reap_all(struct kx_actors *a)
{
	uint64_t deadline = kx_now_ms() + REAP_TIMEOUT_MS;
	int i, left;

	do {
		left = 0;
		for (i = 0; i < a->nr_known; i++) {
			if (!a->known[i])
				continue;
			if (kx_proc_state(a->known[i]) == 0) {
				kx_child_del(a->g, a->known[i]);
				a->known[i] = 0;
				continue;
			}
			gone(a->known[i]);
			left++;
		}
		if (left)
			kx_sleep_us(1000);
	} while (left && kx_now_ms() < deadline);
	if (left)
		fprintf(stderr, "foliosim: %d actor process(es) could not be "
			"reaped\n", left);
}

void kx_actors_free(struct kx_actors *a)
{
	int i;

	if (!a)
		return;
	for (i = 0; i < a->nr_known; i++)
		if (a->known[i] && !gone(a->known[i]))
			kill(a->known[i], SIGKILL);
	reap_all(a);
	if (a->area) {
		for (i = 0; i < a->nr; i++) {
			sem_destroy(&a->area->slot[i].req);
			sem_destroy(&a->area->slot[i].done);
		}
		if (a->area->ctrl_pidfd >= 0)
			close(a->area->ctrl_pidfd);
		munmap(a->area, a->area_len);
	}
	free(a->known);
	free(a->pid);
	free(a);
}

static int track(struct kx_actors *a, int slot, pid_t pid, char *err,
		 size_t len)
{
	if (remember(a, pid) || kx_child_add(a->g, pid)) {
		kill(pid, SIGKILL);
		snprintf(err, len, "too many actor processes");
		return -1;
	}
	a->pid[slot] = pid;
	return 0;
}

int kx_actor_spawn(struct kx_actors *a, int slot, char *err, size_t len)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, len, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		kx_child_after_fork(a->g);
		kx_actor_serve(a->area, slot);
	}
	return track(a, slot, pid, err, len);
}

static void deadline_ts(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Wait for the answer on @slot; -1 if the actor died or took too long. */
static int wait_done(struct kx_actors *a, int slot, char *err, size_t len)
{
	uint64_t deadline = kx_now_ms() + CALL_TIMEOUT_MS;
	struct timespec ts;

	for (;;) {
		deadline_ts(&ts, CALL_POLL_MS);
		if (!sem_timedwait(&a->area->slot[slot].done, &ts))
			return 0;
		if (errno != ETIMEDOUT && errno != EINTR)
			break;
		if (gone(a->pid[slot])) {
			snprintf(err, len, "the actor process (pid %d) died",
				 (int)a->pid[slot]);
			return -1;
		}
		if (kx_now_ms() > deadline) {
			snprintf(err, len, "the actor process (pid %d) did not "
				 "answer in %d s", (int)a->pid[slot],
				 CALL_TIMEOUT_MS / 1000);
			return -1;
		}
	}
	snprintf(err, len, "sem_timedwait: %s", strerror(errno));
	return -1;
}

int kx_actor_call(struct kx_actors *a, int slot, struct kx_cmd *cmd,
		  char *err, size_t len)
{
	struct kx_slot *sl = &a->area->slot[slot];

	if (!a->pid[slot]) {
		snprintf(err, len, "no process serves slot %d", slot);
		return -1;
	}
	sl->cmd = *cmd;
	sem_post(&sl->req);
	if (wait_done(a, slot, err, len))
		return -1;
	*cmd = sl->cmd;
	return 0;
}

uint64_t *kx_actor_data(struct kx_actors *a, int slot)
{
	return a->area->slot[slot].data;
}

int kx_actor_fork(struct kx_actors *a, int slot, int child, char *err,
		  size_t len)
{
	struct kx_cmd c = { .op = KX_CMD_FORK, .slot = child };

	if (kx_actor_call(a, slot, &c, err, len))
		return -1;
	if (c.err) {
		snprintf(err, len, "fork: %s", strerror(c.err));
		return -1;
	}
	return track(a, child, (pid_t)c.ret, err, len);
}

int kx_actor_exit(struct kx_actors *a, int slot, char *err, size_t len)
{
	uint64_t deadline = kx_now_ms() + EXIT_TIMEOUT_MS;
	pid_t pid = a->pid[slot];

	if (!pid) {
		snprintf(err, len, "no process serves slot %d", slot);
		return -1;
	}
	a->area->slot[slot].cmd.op = KX_CMD_EXIT;
	sem_post(&a->area->slot[slot].req);
	while (!gone(pid)) {
		if (kx_now_ms() > deadline) {
			snprintf(err, len, "the actor process (pid %d) did not "
				 "exit in %d s", (int)pid,
				 EXIT_TIMEOUT_MS / 1000);
			return -1;
		}
		kx_sleep_us(200);
	}
	a->pid[slot] = 0;
	if (kx_proc_state(pid) == 0)
		kx_child_del(a->g, pid);
	return 0;
}

pid_t kx_actor_pid(const struct kx_actors *a, int slot)
{
	return a->pid[slot];
}

const pid_t *kx_actor_pids(const struct kx_actors *a)
{
	return a->pid;
}
