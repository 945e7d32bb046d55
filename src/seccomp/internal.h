/* Shared tables and helpers of the seccomp modules (not a public interface). */
#ifndef SECSHIM_SECCOMP_INTERNAL_H
#define SECSHIM_SECCOMP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secshim/json.h"

/* OCI action and operator names, as runc's seccomp.go accepts them. */
bool sc_action_known (const char *action);
/* An action that lets the call run, or may (a tracer or a notify agent
 * decides).  Unknown actions count as permitting: fail closed. */
bool sc_action_permits (const char *action);
bool sc_op_known (const char *op);

/* "SCMP_ARCH_X86_64" <-> libseccomp token; 0 / NULL when unknown. */
uint32_t sc_arch_token (const char *name);
const char *sc_arch_name (uint32_t token);

/* libseccomp knows name as a syscall of arch: a real number, or one of the
 * socketcall/ipc pseudo numbers it multiplexes itself.  The __PNR_* numbers
 * below -10000 mean "a syscall of some other architecture": not on arch. */
bool sc_name_on_arch (uint32_t arch, const char *name);
/* Known on any architecture libseccomp supports. */
bool sc_name_known (const char *name);

/* "CAP_SYS_ADMIN" is a capability libcap-ng knows. */
bool sc_cap_known (const char *cap);
/* bounding is a JSON array of strings containing cap. */
bool sc_caps_have (const struct json_value *bounding, const char *cap);

/* One argument condition of a rule is a namespace-flag mask on clone's
 * flags: MASKED_EQ with every namespace bit in the mask and none in the
 * datum, or EQ with a value carrying no namespace bit. */
bool sc_arg_blocks_clone_ns (const struct json_value *arg);
/* The rule's args keep clone free of namespace flags as runc will load them
 * (a repeated index makes runc add one rule per condition: OR, not AND). */
bool sc_args_block_clone_ns (const struct json_value *args);

/* Append to a JSON array of strings unless already there. */
void sc_strarray_add_unique (struct json_value *arr, const char *s);

#endif
