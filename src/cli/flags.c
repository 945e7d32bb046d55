/* runc's flag tables, from runc 1.1.15 and 1.2.9 main.go, create.go, run.go,
 * restore.go, exec.go and update.go (runtime-interface.md section 1.2), plus
 * the help flag urfave/cli v1 appends to every command.  Flags only 1.2 knows
 * (--pidfd-socket, update --cpu-burst/--cpu-idle) and hidden ones (--criu,
 * update --kernel-memory*) are listed: runc 1.1 itself rejects the 1.2 ones,
 * so accepting them here never widens what runc does.
 *
 * The order of each table is the order cli_canonical_argv() emits flags in. */
#include <string.h>

#include "cli-internal.h"

#define N_ELEMENTS(a) (sizeof (a) / sizeof ((a)[0]))

const struct cli_flag_def cli_global_flags[] = {
  { "root", NULL, CLI_STRING, false, false },
  { "log", NULL, CLI_STRING, false, false },
  { "log-format", NULL, CLI_STRING, false, false },
  { "criu", NULL, CLI_STRING, false, false },
  { "debug", NULL, CLI_BOOL, false, false },
  { "systemd-cgroup", NULL, CLI_BOOL, false, false },
  { "rootless", NULL, CLI_STRING, false, false },
  { "help", "h", CLI_BOOL, false, false },
  { "version", "v", CLI_BOOL, false, false },
  { "secshim-policy", NULL, CLI_STRING, false, true },
  { "secshim-runtime", NULL, CLI_STRING, false, true },
};
const size_t cli_n_global_flags = N_ELEMENTS (cli_global_flags);

#define HELP_FLAG                                                                                                      \
  {                                                                                                                    \
    "help", "h", CLI_BOOL, false, false                                                                                \
  }

static const struct cli_flag_def create_flags[] = {
  { "bundle", "b", CLI_STRING, false, false },        { "console-socket", NULL, CLI_STRING, false, false },
  { "pidfd-socket", NULL, CLI_STRING, false, false }, { "pid-file", NULL, CLI_STRING, false, false },
  { "no-pivot", NULL, CLI_BOOL, false, false },       { "no-new-keyring", NULL, CLI_BOOL, false, false },
  { "preserve-fds", NULL, CLI_INT, false, false },    HELP_FLAG,
};

static const struct cli_flag_def run_flags[] = {
  { "bundle", "b", CLI_STRING, false, false },
  { "console-socket", NULL, CLI_STRING, false, false },
  { "pidfd-socket", NULL, CLI_STRING, false, false },
  { "detach", "d", CLI_BOOL, false, false },
  { "keep", NULL, CLI_BOOL, false, false },
  { "pid-file", NULL, CLI_STRING, false, false },
  { "no-subreaper", NULL, CLI_BOOL, false, false },
  { "no-pivot", NULL, CLI_BOOL, false, false },
  { "no-new-keyring", NULL, CLI_BOOL, false, false },
  { "preserve-fds", NULL, CLI_INT, false, false },
  HELP_FLAG,
};

static const struct cli_flag_def restore_flags[] = {
  { "console-socket", NULL, CLI_STRING, false, false },
  { "image-path", NULL, CLI_STRING, false, false },
  { "work-path", NULL, CLI_STRING, false, false },
  { "tcp-established", NULL, CLI_BOOL, false, false },
  { "ext-unix-sk", NULL, CLI_BOOL, false, false },
  { "shell-job", NULL, CLI_BOOL, false, false },
  { "file-locks", NULL, CLI_BOOL, false, false },
  { "manage-cgroups-mode", NULL, CLI_STRING, false, false },
  { "bundle", "b", CLI_STRING, false, false },
  { "detach", "d", CLI_BOOL, false, false },
  { "pid-file", NULL, CLI_STRING, false, false },
  { "no-subreaper", NULL, CLI_BOOL, false, false },
  { "no-pivot", NULL, CLI_BOOL, false, false },
  { "empty-ns", NULL, CLI_SLICE, false, false },
  { "auto-dedup", NULL, CLI_BOOL, false, false },
  { "lazy-pages", NULL, CLI_BOOL, false, false },
  { "lsm-profile", NULL, CLI_STRING, false, false },
  { "lsm-mount-context", NULL, CLI_STRING, false, false },
  HELP_FLAG,
};

static const struct cli_flag_def exec_flags[] = {
  { "console-socket", NULL, CLI_STRING, false, false },
  { "pidfd-socket", NULL, CLI_STRING, false, false },
  { "cwd", NULL, CLI_STRING, true, false },
  { "env", "e", CLI_SLICE, true, false },
  { "tty", "t", CLI_BOOL, true, false },
  { "user", "u", CLI_STRING, true, false },
  { "additional-gids", "g", CLI_INT_SLICE, true, false },
  { "process", "p", CLI_STRING, false, false },
  { "detach", "d", CLI_BOOL, false, false },
  { "pid-file", NULL, CLI_STRING, false, false },
  { "process-label", NULL, CLI_STRING, true, false },
  { "apparmor", NULL, CLI_STRING, true, false },
  { "no-new-privs", NULL, CLI_BOOL, true, false },
  { "cap", "c", CLI_SLICE, true, false },
  { "preserve-fds", NULL, CLI_INT, false, false },
  { "cgroup", NULL, CLI_SLICE, false, false },
  { "ignore-paused", NULL, CLI_BOOL, false, false },
  HELP_FLAG,
};

/* inline_only here means "ignored by runc when --resources is given". */
static const struct cli_flag_def update_flags[] = {
  { "resources", "r", CLI_STRING, false, false },
  { "blkio-weight", NULL, CLI_INT, true, false },
  { "cpu-period", NULL, CLI_STRING, true, false },
  { "cpu-quota", NULL, CLI_STRING, true, false },
  { "cpu-burst", NULL, CLI_STRING, true, false },
  { "cpu-share", NULL, CLI_STRING, true, false },
  { "cpu-rt-period", NULL, CLI_STRING, true, false },
  { "cpu-rt-runtime", NULL, CLI_STRING, true, false },
  { "cpuset-cpus", NULL, CLI_STRING, true, false },
  { "cpuset-mems", NULL, CLI_STRING, true, false },
  { "kernel-memory", NULL, CLI_STRING, true, false },
  { "kernel-memory-tcp", NULL, CLI_STRING, true, false },
  { "memory", NULL, CLI_STRING, true, false },
  { "cpu-idle", NULL, CLI_STRING, true, false },
  { "memory-reservation", NULL, CLI_STRING, true, false },
  { "memory-swap", NULL, CLI_STRING, true, false },
  { "pids-limit", NULL, CLI_INT, true, false },
  { "l3-cache-schema", NULL, CLI_STRING, false, false },
  { "mem-bw-schema", NULL, CLI_STRING, false, false },
  HELP_FLAG,
};

static const struct cli_verb_def policed_verbs[] = {
  { "create", VERB_CREATE, create_flags, N_ELEMENTS (create_flags), true },
  { "run", VERB_RUN, run_flags, N_ELEMENTS (run_flags), true },
  { "restore", VERB_RESTORE, restore_flags, N_ELEMENTS (restore_flags), true },
  { "exec", VERB_EXEC, exec_flags, N_ELEMENTS (exec_flags), false },
  { "update", VERB_UPDATE, update_flags, N_ELEMENTS (update_flags), true },
};

const struct cli_verb_def *
cli_policed_verb (const char *name)
{
  size_t i;
  for (i = 0; i < N_ELEMENTS (policed_verbs); i++)
    if (strcmp (policed_verbs[i].name, name) == 0)
      return &policed_verbs[i];
  return NULL;
}

const struct cli_verb_def *
cli_policed_verb_by_id (enum cli_verb verb)
{
  size_t i;
  for (i = 0; i < N_ELEMENTS (policed_verbs); i++)
    if (policed_verbs[i].verb == verb)
      return &policed_verbs[i];
  return NULL;
}
