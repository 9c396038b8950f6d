/* rundir.h - what makes a run directory one run's own: a lock held by the
 * one driver working in it, and the run's identity (its id, space and
 * settings) recorded in each checkpoint and compared on resume. */
#ifndef GA_RUNDIR_H
#define GA_RUNDIR_H

#include <cJSON.h>

#include "error.h"
#include "settings.h"
#include "space.h"

/* The lock file's name inside a run (or sweep output) directory. */
#define GA_RUNDIR_LOCK_NAME ".gahpo.lock"

/* Take the exclusive lock of dir (which must exist) for this process's
 * life, or until ga_rundir_unlock: an fcntl write lock on dir/.gahpo.lock,
 * which holds "pid host" of the holder. The lock is released by the kernel
 * when the process ends, however it ends; a forked model does not inherit
 * it. On a network file system it relies on the server's POSIX locks (NFS
 * v3 with lockd, v4, Lustre and GPFS with locking on). Returns the open
 * descriptor (>= 0), or -1 with GA_EINPUT naming the pid and host that hold
 * it (GA_EFAIL when the lock file cannot be made). */
int ga_rundir_lock(const char *dir, ga_error *err);
/* Release a lock taken by ga_rundir_lock (fd < 0: nothing). */
void ga_rundir_unlock(int fd);

/* With dir's lock held: remove the NAME.tmp.PID files that an atomic write
 * (ga_write_file_atomic) left in dir when its writer was killed mid-write
 * (the files they were to replace are whole). Returns how many. */
int ga_rundir_remove_stale_temp(const char *dir);

/* A new run's id: 32 hex digits from the kernel's random source, the time
 * and the pid, into out (at least 33 bytes). */
void ga_rundir_new_uid(char *out, size_t size);

/* The run's identity for the checkpoint: {"run_uid", "space": [one object
 * per parameter as the space file gives it], "settings"} (caller owns;
 * NULL when out of memory). uid may be NULL (a run made before run ids). */
cJSON *ga_rundir_identity(const char *uid, const ga_space *space,
                          const ga_settings *settings);

/* Compare the identity saved in a checkpoint with the run being resumed:
 * GA_OK, or GA_EINPUT saying what changed (another run's id, a parameter
 * that differs, a setting that differs). num_iter may grow (extending a
 * run), never shrink. */
int ga_rundir_check_identity(const cJSON *saved, const char *uid,
                             const ga_space *space, const ga_settings *settings,
                             ga_error *err);

#endif

/* ---- checkpoint files ---------------------------------------------------- */

/* The checkpoint's format: 2 records the run's identity ("run") beside the
 * state; 1 (no "format" key) came before it and is resumed with a warning. */
#define GA_CHECKPOINT_FORMAT 2

/* Write dir/checkpoint.json atomically: o (the state; "format" and "run" =
 * identity are added here, identity stays the caller's). */
int ga_rundir_save_checkpoint(const char *dir, cJSON *o, const cJSON *identity,
                              ga_error *err);

/* Read dir/checkpoint.json and check it belongs to this run (format,
 * identity): the parsed root (caller frees), or NULL with GA_EINPUT saying
 * what is wrong. *format is the checkpoint's format (1 for one written
 * before formats were recorded: its identity cannot be checked). */
cJSON *ga_rundir_load_checkpoint(const char *dir, const char *uid,
                                 const ga_space *space,
                                 const ga_settings *settings, int *format,
                                 ga_error *err);

/* Before a run starts afresh in dir (no checkpoint): GA_OK when dir holds
 * no evaluations, else GA_EINPUT, so a lost checkpoint never leads to
 * evals.jsonl being truncated. */
int ga_rundir_check_fresh(const char *dir, ga_error *err);
