/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Actors: one real process per scenario process (and one for the keeper
 * mm), driven by the controller through a MAP_SHARED command area that
 * every descendant inherits.  Each actor serves one slot: the controller
 * fills the slot's command, posts 'req' and waits on 'done'; the actor
 * does the system call or the memory access in its own address space and
 * answers in the same slot.
 *
 * An actor never allocates after it starts serving and has
 * MADV_NOHUGEPAGE on every mapping it inherited, so only the scenario's
 * regions can hold THPs or be collapsed.  All actors run on one CPU, so
 * that the per-CPU LRU batches holding pages they just faulted are the
 * ones a madvise drains (MADV_PAGEOUT, MADV_COLD call lru_add_drain()).
 * A spawned actor dies with the
 * controller (PR_SET_PDEATHSIG); a forked one (whose parent is another
 * actor) polls a pidfd of the controller while it waits.
 */
#ifndef FSIM_KERNEL_ACTOR_H
#define FSIM_KERNEL_ACTOR_H

#include <semaphore.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct kx_guard;

#define KX_CHUNK_PAGES	4096	/* pages of one read/write command */

enum kx_cmd_op {
	KX_CMD_MMAP,		/* addr, len */
	KX_CMD_MUNMAP,		/* addr, len */
	KX_CMD_MREMAP,		/* addr, len -> addr2, len2 */
	KX_CMD_MPROTECT,	/* addr, len, arg = writable (0 or 1) */
	KX_CMD_MADVISE,		/* addr, len, arg = enum scn_advice */
	KX_CMD_READ,		/* addr, npages; data = expected patterns */
	KX_CMD_WRITE,		/* addr, npages; data = patterns */
	KX_CMD_FORK,		/* the child serves 'slot'; ret = its pid */
	KX_CMD_EXIT,		/* _exit(0); no answer */
};

struct kx_cmd {
	int op;			/* enum kx_cmd_op */
	int slot;		/* fork: the child's slot */
	int arg;		/* mprotect writable, madvise advice */
	uint64_t addr, len;	/* the range acted on */
	uint64_t addr2, len2;	/* mremap: destination and its size */
	uint64_t npages;	/* read/write: pages described in data[] */
	/* answer */
	int64_t ret;		/* fork: the child's pid */
	int err;		/* errno of a failed call, 0 on success */
	uint64_t bad;		/* read: pages whose contents differ */
	uint64_t first;		/* read: index of the first of them */
	uint64_t got, want;	/* read: its first differing word */
};

struct kx_slot {
	sem_t req, done;
	struct kx_cmd cmd;
	uint64_t data[KX_CHUNK_PAGES];	/* one 64-bit pattern per page */
};

struct kx_area {
	pid_t ctrl;		/* the controller */
	int ctrl_pidfd;		/* readable once the controller died */
	int cpu;		/* every actor runs on this CPU only */
	int nr_slots;
	struct kx_slot slot[];
};

struct kx_actors;

/* Create the command area with @nr_slots slots.  NULL with @err. */
struct kx_actors *kx_actors_new(struct kx_guard *g, int nr_slots, char *err,
				size_t len);
/*
 * Kill every actor still running, reap them all (the controller is their
 * subreaper), forget them in the guard and unmap the area.
 */
void kx_actors_free(struct kx_actors *a);

/* fork() an actor that serves @slot.  0, or -1 with @err. */
int kx_actor_spawn(struct kx_actors *a, int slot, char *err, size_t len);
/*
 * Have the actor of @slot run @cmd (copied into the slot) and copy the
 * answer back.  Return: 0 (the call itself may have failed: see cmd->err),
 * or -1 with @err if the actor died or did not answer in time.
 */
int kx_actor_call(struct kx_actors *a, int slot, struct kx_cmd *cmd,
		  char *err, size_t len);
/* The data buffer of @slot (KX_CHUNK_PAGES patterns). */
uint64_t *kx_actor_data(struct kx_actors *a, int slot);
/* The actor of @slot forks; its child serves @child.  0, or -1. */
int kx_actor_fork(struct kx_actors *a, int slot, int child, char *err,
		  size_t len);
/*
 * The actor of @slot exits; returns once it is gone or a zombie (its mm
 * has been torn down by then).  0, or -1 with @err.
 */
int kx_actor_exit(struct kx_actors *a, int slot, char *err, size_t len);
/* The pid serving @slot, 0 if none. */
pid_t kx_actor_pid(const struct kx_actors *a, int slot);
/* The pids of every slot, indexed by slot (0: none); live while @a is. */
const pid_t *kx_actor_pids(const struct kx_actors *a);

/* actor_serve.c: the actor side; never returns. */
void kx_actor_serve(struct kx_area *area, int slot)
	__attribute__((noreturn));

/* proc.c: /proc helpers shared by the kernel executor */
/* The state letter of @pid ('R', 'S', 'Z', ...), or 0 if it is gone. */
char kx_proc_state(pid_t pid);
/* Sleep @us microseconds. */
void kx_sleep_us(long us);
/* Monotonic time in milliseconds. */
uint64_t kx_now_ms(void);
/* /proc/@pid/smaps opened for reading, or NULL. */
FILE *kx_smaps_open(pid_t pid);
/* Is @line a VMA's header in smaps?  Its range into @start, @end. */
bool kx_smaps_vma(const char *line, uint64_t *start, uint64_t *end);

#endif
