/* The compiled policy (src/policy/compiled.c): internal to the policy
 * loader, plus a counter for tests. */
#ifndef SECSHIM_POLICY_COMPILED_H
#define SECSHIM_POLICY_COMPILED_H

#include <stdbool.h>
#include <stddef.h>

#include "secshim/error.h"
#include "secshim/policy.h"

/* Run the rules' validate steps of a fully loaded p. */
int policy_validate (const struct policy *p, secshim_error_t *err);

/* How many times the validate steps ran in this process (tests). */
unsigned policy_validate_runs (void);

/* Whether policy_load_file may read and record entries (not in full mode). */
bool compiled_enabled (void);

/* The policy at path (absolute) whose bytes are buf, restored from its
 * entry; -1 when there is no usable one (absent, foreign, corrupt, stale):
 * never an error, the caller loads in full. */
int compiled_load (const char *path, const char *buf, size_t len, struct policy **out);

/* What an entry holds after its key: p's fields, exemptions and rules'
 * states (pack.h; tests compare a restored policy with a full load by
 * packing both). */
struct pack;
void compiled_pack (struct pack *k, struct policy *p);

/* Record the entry of p, loaded in full and validated from buf.  Failing
 * to is never an error. */
void compiled_store (struct policy *p, const char *buf, size_t len);

#endif
