/* cmd_chunks.h - `gahpo sweep SPEC --executor slurm|pbs --chunks K`: a
 * sweep too large for one machine, as one job-array task per chunk. */
#ifndef GA_CMD_CHUNKS_H
#define GA_CMD_CHUNKS_H

#include <signal.h>

#include "../sweeps/sweep.h"
#include "../exec/exec.h"

typedef struct gahpo_chunks_opts {
    const sweep_spec *spec;
    const sweep_point *points;
    size_t npoints;
    const char *dir;              /* the sweep's output directory, absolute */
    long chunks;                  /* K >= 1, at most the number of runs */
    long threads;                 /* per chunk; 0: the node's OpenMP default */
    double timeout;               /* seconds per chunk attempt; 0 none */
    int resume, quiet;
    const ga_sched_settings *sched;   /* resolved Slurm or PBS settings */
    volatile sig_atomic_t *cancel;    /* set by SIGINT/SIGTERM: scancel/qdel */
} gahpo_chunks_opts;

/* Run every unfinished chunk k as exit-status job k of a job array
 * (`gahpo sweep DIR/spec.json --out . --resume --chunk-of K` in
 * DIR/chunks/gen_0/ind_k with GAHPO_JOB_INDEX=k, through the array
 * executor: retries, cancel, reattach), then merge the chunks' rows into
 * DIR/runs.csv. A chunk is done when it exits 0 and its chunk.json names
 * it. GA_EINPUT for a directory that holds another sweep or another
 * chunking; GA_EFAIL naming each failed chunk and its reason (everything
 * stays resumable). */
int gahpo_sweep_in_chunks(const gahpo_chunks_opts *o, ga_error *err);

/* What a chunk task runs: `--chunk-of K`, the chunk k read from
 * GAHPO_JOB_INDEX (exec/exec.h). 0 with *k and *K; -1 with the reason in
 * why (K not an integer >= 1, GAHPO_JOB_INDEX unset, or not in 0..K-1). */
int gahpo_chunk_from_env(const char *K_text, long *k, long *K, char *why,
                         size_t size);

/* Chunk k of K's completion record, dir/chunk.json: {"chunk": k, "chunks":
 * K, "runs": runs}, written atomically once its runs.csv is complete (what
 * gahpo_sweep_in_chunks and a resume read). GA_OK, or the disk's error. */
int gahpo_chunk_write_record(const char *dir, long k, long K, long runs,
                             ga_error *err);

#endif
