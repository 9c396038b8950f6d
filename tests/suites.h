/* suites.h - every Check suite of the test runner. */
#ifndef SUITES_H
#define SUITES_H

#include <check.h>

Suite *util_suite(void);
Suite *strbuf_suite(void);
Suite *job_suite(void);
Suite *executor_suite(void);
Suite *sched_suite(void);
Suite *files_suite(void);
Suite *space_suite(void);
Suite *ops_suite(void);
Suite *settings_suite(void);
Suite *engine_suite(void);
Suite *steady_suite(void);
Suite *csv_suite(void);
Suite *problems_suite(void);
Suite *surrogate_suite(void);
Suite *bbob_suite(void);
Suite *cli_suite(void);
Suite *budget_suite(void);
Suite *local_suite(void);
Suite *resume_suite(void);
Suite *rundir_suite(void);
Suite *sweep_suite(void);
Suite *configure_suite(void);
Suite *tune_suite(void);
Suite *compare_suite(void);
Suite *slurm_suite(void);
Suite *pbs_suite(void);
Suite *chunks_suite(void);
Suite *templates_suite(void);
Suite *convergence_suite(void);
Suite *deap_suite(void);
Suite *fuzz_suite(void);
Suite *fault_suite(void);

#endif
