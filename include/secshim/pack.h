/* One function per rule both saves its loaded state into a compiled policy
 * (src/policy/compiled.c) and restores it from there: every pack_* call
 * writes the field when k->reading is false and fills it in when true, so
 * a rule lists its fields once and the two directions cannot disagree.
 *
 * Restoring never trusts the bytes blindly: every read is bounded by what
 * is left, a bool is 0 or 1, an enum is in range, and any problem sets
 * k->bad, after which every call does nothing (restored fields stay zero
 * or NULL, so the rule's free_state can free a half-restored state).  A
 * bad pack is never an error anyone sees: the loader falls back to a full
 * load.  Encoding is the host's: an entry is only read by the build that
 * wrote it (its build id is part of the key). */
#ifndef SECSHIM_PACK_H
#define SECSHIM_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secshim/settings.h"

/* Memory of a restore that lives as long as what was restored (a list of
 * chunks): whoever restores frees it with pack_arena_free, after freeing
 * what it holds. */
struct pack_arena;

struct pack
{
  bool reading;
  bool bad;                 /* reading: short, malformed or stale; writing: not cacheable */
  char *buf;                /* writing: malloc'd */
  size_t len, cap;          /* writing */
  const char *at, *end;     /* reading */
  struct pack_arena *arena; /* reading: where pack_strv puts its arrays */
};

/* Zeroed memory from k->arena, freed with it. */
void *pack_arena_alloc (struct pack *k, size_t size);
void pack_arena_free (struct pack_arena *a);

/* n bytes as they are. */
void pack_fixed (struct pack *k, void *p, size_t n);
void pack_u64 (struct pack *k, uint64_t *v);
void pack_u32 (struct pack *k, uint32_t *v);
void pack_i64 (struct pack *k, int64_t *v);
void pack_size (struct pack *k, size_t *v);
void pack_long (struct pack *k, long *v);
void pack_char (struct pack *k, char *v);
void pack_bool (struct pack *k, bool *v);
/* An enum stored as int: restoring checks 0 <= *v < n. */
void pack_enum (struct pack *k, int *v, int n);
/* A malloc'd string without NUL bytes, or NULL. */
void pack_str (struct pack *k, char **s);
/* The same, restored as a pointer into k's buffer (like pack_strv's): for
 * fields whose owner knows they are borrowed. */
void pack_str_borrowed (struct pack *k, char **s);
/* *len bytes, restored malloc'd with a NUL after them (*p NULL: none). */
void pack_bytes (struct pack *k, char **p, size_t *len);
/* Restoring allocates nothing of its own (v->borrowed): the strings point
 * into k's buffer (pack_len puts a NUL after each), the array is in
 * k->arena, and whoever restores keeps both alive as long as v (a policy
 * owns its entry and arena, struct policy). */
void pack_strv (struct pack *k, struct strv *v);
/* An array of *n elements of size bytes: restoring allocates it zeroed (at
 * most one element per remaining byte, so a bad count cannot allocate
 * much); the caller then packs each element's fields. */
void pack_array (struct pack *k, void **v, size_t *n, size_t size);
/* The rule's state: restoring allocates it zeroed into *state. */
void *pack_state (struct pack *k, void **state, size_t size);
/* Writing stores s; reading requires the same string, else bad (a
 * version, a build id, a path the entry must match). */
void pack_expect_str (struct pack *k, const char *s);
/* The content hash of the compiled policy's key: XXH3-128 (xxhash.h),
 * 16 bytes, built for AVX2 when the CPU has it (src/policy/digest_avx2.c).
 * compiled.c says why a non-cryptographic hash is enough. */
void pack_digest (const void *data, size_t len, uint8_t out[16]);
/* Mark the pack unusable (a restore found a stale input). */
void pack_fail (struct pack *k);

#endif
