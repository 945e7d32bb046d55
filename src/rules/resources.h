/* The resources rule's view of `runc update`, for src/runtime/update.c. */
#ifndef SECSHIM_RULES_RESOURCES_H
#define SECSHIM_RULES_RESOURCES_H

#include "secshim/policy.h"

/* What the rule requires (its state, from the policy). */
struct resources_requirements
{
  bool memory;   /* linux.resources.memory.limit > 0 */
  bool cpu;      /* cpu.shares > 0 or cpu.quota > 0 */
  bool pids;     /* linux.resources.pids.limit > 0 */
  bool readonly; /* root.readonly true */
};

/* A LinuxResources document as `runc update --resources` reads it (already
 * through spec_normalize(SPEC_RESOURCES)): would applying it lift a limit the
 * requirements demand?  Returns a malloc'd reason, or NULL when acceptable.
 * Absent fields are left unchanged by runc and so are acceptable. */
char *resources_update_refusal (const struct resources_requirements *req, const struct json_value *resources);

#endif
