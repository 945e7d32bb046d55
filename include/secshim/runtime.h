/* Runtime mode: secshim called as runc.  See DESIGN.md "Data flow". */
#ifndef SECSHIM_RUNTIME_H
#define SECSHIM_RUNTIME_H

#include "secshim/cli.h"
#include "secshim/policy.h"

/* Never returns on success (runc is exec'd); returns the exit status. */
int runtime_main (int argc, char **argv);

/* Inline `runc exec` flags that would give the exec'd process more than the
 * container's init has: --cap, --apparmor, --process-label, --cwd,
 * --no-new-privs=false, --user/-g with uid or gid 0, --env with a newline.
 * Returns a malloc'd refusal message, or NULL when the argv is acceptable. */
char *exec_inline_refusal (const struct cli_model *m);

/* `runc update`: refuses an update that would lift a limit the resources
 * rule requires (src/runtime/update.c).  Never returns on success. */
int update_main (struct cli_model *m);

/* `secshim check`: exit 0 allowed, 1 refused, 2 unusable input or policy. */
int check_main (int argc, char **argv);

/* `secshim explain [--log FILE] [--all] CONTAINER` (src/runtime/explain.c). */
int explain_main (int argc, char **argv);

#endif
