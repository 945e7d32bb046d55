/* Runtime mode: secshim called as runc.  See DESIGN.md "Data flow". */
#ifndef SECSHIM_RUNTIME_H
#define SECSHIM_RUNTIME_H

#include "secshim/cli.h"
#include "secshim/policy.h"

/* Never returns on success (runc is exec'd); returns the exit status. */
int runtime_main (int argc, char **argv);

/* `runc update`: refuses an update that would lift a limit the resources
 * rule requires (src/runtime/update.c).  Never returns on success. */
int update_main (struct cli_model *m);

/* `secshim check`: exit 0 allowed, 1 refused, 2 unusable input or policy. */
int check_main (int argc, char **argv);

/* `secshim explain [--log FILE] [--all] CONTAINER` (src/runtime/explain.c). */
int explain_main (int argc, char **argv);

#endif
