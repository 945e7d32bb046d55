/* Seccomp profiles: secshim's own default, and the strength check of the
 * profiles a container arrives with.  See docs/seccomp.md.
 *
 * A *source* profile (policy/seccomp/default.json, or the file a policy
 * names) is OCI linux.seccomp plus Docker's conditional fields: archMap,
 * includes/excludes {caps, arches} per rule, comment.  runc ignores those
 * fields, so they never reach config.json: seccomp_source_resolve() turns a
 * source into pure OCI for the native architecture (with its compat
 * sub-architectures) and the container's *final* bounding set.
 *
 * Every syscall name of a source is resolved with libseccomp for every
 * architecture it can apply to when the source is loaded (policy load), so a
 * typo is a policy error, not a silently ignored rule at container start.
 * The policy loader does it on a full load and skips it when it restores
 * the compiled policy made from exactly those bytes
 * (seccomp_source_load_file_unchecked + seccomp_source_check_names). */
#ifndef SECSHIM_SECCOMP_H
#define SECSHIM_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secshim/error.h"
#include "secshim/json.h"
#include "secshim/settings.h"

/* clone(2) flags that create namespaces: NEWNS|NEWCGROUP|NEWUTS|NEWIPC|
 * NEWUSER|NEWPID|NEWNET. */
#define SECCOMP_CLONE_NS_MASK UINT64_C (0x7E020000)

/* ---- source profiles ---- */

struct seccomp_source;

/* Read, validate and name-check a source profile (O_NOFOLLOW|O_CLOEXEC). */
int seccomp_source_load_file (const char *path, struct seccomp_source **out, secshim_error_t *err);
/* seccomp_source_load_file without the name check, which is most of its
 * cost; sha256 (may be NULL) gets the digest of the bytes read. */
int seccomp_source_load_file_unchecked (const char *path, char sha256[65], struct seccomp_source **out,
                                        secshim_error_t *err);
/* seccomp_source_load_file_unchecked from bytes the caller read; origin
 * (the file's path) names them in messages. */
int seccomp_source_load_bytes_unchecked (const char *buf, size_t len, const char *origin, struct seccomp_source **out,
                                         secshim_error_t *err);
/* The name check of seccomp_source_load_file/_json: every name of every rule
 * exists on some architecture of each group the rule applies to. */
int seccomp_source_check_names (const struct seccomp_source *src, secshim_error_t *err);
/* Same from a parsed document (cloned); origin names it in messages. */
int seccomp_source_load_json (const struct json_value *doc, const char *origin, struct seccomp_source **out,
                              secshim_error_t *err);
void seccomp_source_free (struct seccomp_source *src);

/* Pure OCI linux.seccomp for native_arch ("SCMP_ARCH_X86_64"; NULL = the
 * build's native architecture) and bounding (a JSON array of capability
 * names, or NULL for none).  Fields: defaultAction, defaultErrnoRet,
 * architectures, flags, syscalls[names, action, errnoRet, args]. */
int seccomp_source_resolve (const struct seccomp_source *src, const char *native_arch,
                            const struct json_value *bounding, struct json_value **out, secshim_error_t *err);

/* Resolve src for every architecture it maps, with no capability at all,
 * and run the strength check on each result: a source that would let a
 * dangerous call through by itself is a policy error. */
struct seccomp_dangerous_list;
int seccomp_source_self_check (const struct seccomp_source *src, const struct seccomp_dangerous_list *dangerous,
                               secshim_error_t *err);

/* "SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64", ... for seccomp_arch_native(). */
const char *seccomp_native_arch_name (void);

/* ---- dangerous syscalls and the strength check ---- */

struct seccomp_dangerous
{
  char *name;       /* syscall name */
  struct strv caps; /* any one of these in the bounding set permits it; none: never */
};

struct seccomp_dangerous_list
{
  struct seccomp_dangerous *v;
  size_t n;
  /* A hash index of v by name for the strength check (open addressing,
   * nslots a power of two; index is 1 + the position in v, 0 an empty
   * slot); set by seccomp_dangerous_default/_parse.  NULL: searched
   * linearly. */
  struct seccomp_dangerous_slot
  {
    size_t hash;
    size_t index;
  } * slots;
  size_t nslots;
  /* With slots: a bit per (first, middle, last byte, length) class of the
   * names in v and of "clone", so that the strength check passes most of
   * a profile's names without hashing them.  A clear bit proves a name is
   * neither; a set bit proves nothing. */
  uint64_t sieve[16];
  /* The names point into a restored compiled policy's entry (pack_dangerous
   * in src/rules/seccomp.c): seccomp_dangerous_free does not free them. */
  bool borrowed;
};

/* The built-in list (docs/seccomp.md, "Strength check"). */
void seccomp_dangerous_default (struct seccomp_dangerous_list *out);
/* {"unshare": ["CAP_SYS_ADMIN"], "keyctl": [], ...}; where names the key in
 * messages.  Capability names must be known to libcap-ng, syscall names to
 * libseccomp. */
int seccomp_dangerous_parse (const struct json_value *obj, const char *where, struct seccomp_dangerous_list *out,
                             secshim_error_t *err);
void seccomp_dangerous_free (struct seccomp_dangerous_list *l);
/* Build l->slots from l->v and l->n, overwriting l->slots without
 * freeing it: _default and _parse call it, and a list restored from
 * elsewhere (v and n only) should too, rather than trust an index it did
 * not build. */
void seccomp_dangerous_index (struct seccomp_dangerous_list *l);
/* For the unit tests: true when the sieve alone lets item pass (a string
 * that is neither a name in l nor "clone"); false proves nothing. */
bool seccomp_dangerous_sieve_passes (const struct seccomp_dangerous_list *l, const struct json_value *item);

/* The four flags runc knows; true for a name among them. */
bool seccomp_flag_known (const char *flag);

struct seccomp_check_opts
{
  const struct seccomp_dangerous_list *dangerous;
  const struct strv *listeners;      /* allowed listenerPath values */
  const struct strv *flags;          /* allowed flags */
  const struct json_value *bounding; /* final process.capabilities.bounding, or NULL */
};

/* A profile that filters nothing useful: absent, not an object, or whose
 * defaultAction is missing, unknown, SCMP_ACT_ALLOW, SCMP_ACT_LOG or
 * SCMP_ACT_TRACE (a tracer decides).  *why is a static reason. */
bool seccomp_profile_is_weak (const struct json_value *seccomp, const char **why);

struct seccomp_problem
{
  char *path;    /* "linux.seccomp.syscalls[3]" */
  char *message; /* "`unshare` is allowed (SCMP_ACT_ALLOW) without CAP_SYS_ADMIN" */
};

struct seccomp_problems
{
  struct seccomp_problem *v;
  size_t n;
  size_t cap; /* allocated: grows by doubling */
};
void seccomp_problems_free (struct seccomp_problems *p);

/* Strength check of a non-weak OCI profile (see docs/seccomp.md).  With fix,
 * offenders are removed in place: dangerous names leave their rule (an empty
 * rule goes), clone gets the namespace-mask rule back and clone3 the ENOSYS
 * rule, disallowed flags and listenerPath/listenerMetadata go, notify rules
 * without an allowed listener go.  Every problem is appended to *out. */
void seccomp_check_profile (struct json_value *profile, const struct seccomp_check_opts *o, bool fix,
                            struct seccomp_problems *out);

/* ---- inspection ---- */

/* Text for `secshim check`: default action, number of allowed syscall names
 * per architecture, and which dangerous families are blocked or allowed.
 * profile is OCI linux.seccomp.  *text is malloc'd, ends with a newline. */
int seccomp_describe (const struct json_value *profile, char **text, secshim_error_t *err);

/* Compile profile as runc would (same action mapping, unknown names skipped,
 * rules equal to the default skipped, repeated argument index = one rule per
 * condition) and write the BPF program to fd (seccomp_export_bpf; readable
 * with scmp_bpf_disasm). */
int seccomp_export_bpf_fd (const struct json_value *profile, int fd, secshim_error_t *err);

#endif
