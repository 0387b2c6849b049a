/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal to the host safety layer (src/host/), and used by the
 * live-kernel executor above it (src/kernel/: file helpers, sysfs
 * paths): the record of everything a run may have to undo (struct
 * kx_state), the guard that owns it, and the helpers that undo it.
 * Functions marked "async-signal-safe" use only open/read/write/close,
 * unlink, rmdir, kill, waitpid, swapoff, statx and umount2, so the signal
 * handler can call them; they never allocate, lock or touch stdio.
 */
#ifndef FSIM_HOST_INTERNAL_H
#define FSIM_HOST_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "guard.h"

#define KX_THP_DIR	"/sys/kernel/mm/transparent_hugepage"
#define KX_KSM_DIR	"/sys/kernel/mm/ksm"
#define KX_SAVED_TMP	KX_SAVED_PATH ".tmp"
#define KX_TRACEFS_MNT	"/sys/kernel/tracing"	/* where we mount tracefs */

#define KX_MAX_SAVED	40	/* settings table plus every mTHP size */
#define KX_PATH_LEN	192
#define KX_VALUE_LEN	32
#define KX_NAME_LEN	16
#define KX_MAX_CHILDREN	128
#define KX_ERRBUF	24	/* kx_errname() and kx_itoa() buffers */

/*
 * Restore order, lowest rank first.  KSM goes first, with ksmd stopped
 * while its other knobs are written and ksm/run written last.  Then the
 * khugepaged tunables, before the THP modes: writing a mode may start or
 * wake khugepaged, and its first pass must see the restored tunables.
 * Then min_free_kbytes, which a mode change recomputes (see KX_VM_MIN_FREE).
 * Last the khugepaged sleeps, which wake it when written, and
 * scan_sleep_millisecs after everything else.
 */
enum kx_rank {
	KX_RANK_KSM,
	KX_RANK_KSM_RUN,
	KX_RANK_KHUGEPAGED,
	KX_RANK_THP,
	KX_RANK_VM,
	KX_RANK_ALLOC_SLEEP,
	KX_RANK_SCAN_SLEEP,
};

/*
 * Not a THP file, but writing transparent_hugepage/enabled (or a size's
 * enabled) recomputes it: "never" drops khugepaged's recommended value.
 * Saved so that a value set by hand survives a run; written back only if
 * it differs, because writing it marks it as user-set in the kernel.
 */
#define KX_VM_MIN_FREE	"/proc/sys/vm/min_free_kbytes"

struct kx_saved {
	char path[KX_PATH_LEN];		/* absolute sysfs path */
	char value[KX_VALUE_LEN];	/* the word to write back */
	int rank;			/* enum kx_rank */
};

/*
 * Everything one run must undo, in memory and (same content) in the
 * saved copy on disk.  The settings are captured before the first change
 * and never modified afterwards.  zram, trace and the tracefs mount are
 * recorded just before the change they undo: the name is filled in first,
 * then the has_ flag is set behind a signal fence, so the handler never
 * sees half a name.  Our tracefs mount is known by its mount id, taken
 * before it is attached, so that a tracefs someone else mounted (before
 * or over ours) is never unmounted.
 */
struct kx_state {
	pid_t pid;			/* the run that saved it */
	int nr;
	struct kx_saved set[KX_MAX_SAVED];	/* sorted by rank */
	volatile sig_atomic_t has_zram;
	volatile sig_atomic_t has_trace;
	volatile sig_atomic_t has_mount;	/* we mounted tracefs */
	char zram[KX_NAME_LEN];		/* "zram0": we made it swap */
	char trace[KX_PATH_LEN];	/* tracefs instance we created */
	uint64_t mnt_id;		/* our tracefs mount at KX_TRACEFS_MNT */
};

#define KX_NR_SIGNALS 16

/*
 * The open guard.  There is at most one per process (the lock allows one
 * per machine), and the signal handler and the atexit hook reach it
 * through a static pointer in guard.c.
 */
struct kx_guard {
	struct kx_state st;
	pid_t owner;			/* only this pid undoes anything */
	int lock_fd;
	volatile sig_atomic_t active;
	volatile pid_t child[KX_MAX_CHILDREN];	/* 0: free slot */
	volatile int trace_fd;		/* open while the trace is read */
	char tracefs[KX_PATH_LEN];	/* tracefs mount point; "": not yet */
	char no_tracefs[160];		/* why tracefs cannot be had, if so */
	bool zero_probed;		/* zero holds kx_zero_probe()'s answer */
	struct kx_zero_page zero;
	bool installed[KX_NR_SIGNALS];
	struct sigaction old[KX_NR_SIGNALS];
};

/* safe.c: async-signal-safe strings, files and messages */
size_t kx_slen(const char *s);
bool kx_seq(const char *a, const char *b);
bool kx_sprefix(const char *s, const char *prefix);
bool kx_scat(char *buf, size_t len, const char *s);
bool kx_scpy(char *buf, size_t len, const char *s);
const char *kx_itoa(long v, char *buf);
const char *kx_errname(int err, char *buf);
ssize_t kx_read_file(const char *path, char *buf, size_t len);
int kx_write_file(const char *path, const char *s);
void kx_say(int fd, ...);

/* sysfs.c */
int kx_sysfs_path(const char *rel, char *buf, size_t len);
void kx_choice_word(char *s);
int kx_read_setting(const char *path, char *buf, size_t len);
int kx_rank_of(const char *path);
bool kx_path_allowed(const char *path);
void kx_state_sort(struct kx_state *st);
int kx_state_capture(struct kx_state *st, char *err, size_t len);

/* sane.c */
int kx_state_sane(struct kx_state *st, const char *whose);

/* restore.c: async-signal-safe */
int kx_restore_settings(const struct kx_state *st, int report_fd);
int kx_state_undo(struct kx_state *st, int report_fd);
void kx_children_kill(struct kx_guard *g);
int kx_teardown(struct kx_guard *g, int report_fd);

/* saved.c */
int kx_saved_write(const struct kx_state *st, char *err, size_t len);
int kx_saved_load(struct kx_state *st, char *err, size_t len);
int kx_saved_remove(void);

/* lock.c */
int kx_lock_take(int *fdp, char *err, size_t len);
void kx_lock_drop(int fd);

/* zram.c, tracefs.c: the async-signal-safe halves */
int kx_zram_remove(struct kx_state *st, int report_fd);
int kx_trace_remove(struct kx_state *st, int report_fd);
int kx_tracefs_umount(struct kx_state *st, int report_fd);

#endif
