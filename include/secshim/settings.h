/* Typed, consuming readers for a rule's settings object.
 *
 * Each take_* removes the key from obj after reading it, so that after a
 * rule's load() the generic loader can refuse whatever is left as unknown.
 * Messages name the key by its full policy path, which the caller passes as
 * `where` ("rules.user"): "rules.user.uid: expected an integer".
 * A missing optional key leaves *out untouched and returns 0; required keys
 * use the _req variants. */
#ifndef SECSHIM_SETTINGS_H
#define SECSHIM_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secshim/error.h"
#include "secshim/json.h"

struct strv
{
  char **v;
  size_t n;
  /* v and its strings are memory someone else owns (a restored compiled
   * policy's entry and arena, see pack_strv): strv_free frees neither. */
  bool borrowed;
};
void strv_free (struct strv *s);
bool strv_contains (const struct strv *s, const char *needle);

int take_bool (struct json_value *obj, const char *where, const char *key, bool *out, secshim_error_t *err);
int take_u32 (struct json_value *obj, const char *where, const char *key, uint32_t *out, secshim_error_t *err);
int take_i64 (struct json_value *obj, const char *where, const char *key, int64_t *out, secshim_error_t *err);
int take_u64 (struct json_value *obj, const char *where, const char *key, uint64_t *out, secshim_error_t *err);
/* *out is malloc'd (freed first if non-NULL). */
int take_string (struct json_value *obj, const char *where, const char *key, char **out, secshim_error_t *err);
/* Like take_string, and the value must be an absolute path. */
int take_abs_path (struct json_value *obj, const char *where, const char *key, char **out, secshim_error_t *err);
int take_strv (struct json_value *obj, const char *where, const char *key, struct strv *out, secshim_error_t *err);
/* One of the strings in choices (NULL-terminated); *out = index. */
int take_enum (struct json_value *obj, const char *where, const char *key, const char *const *choices, int *out,
               secshim_error_t *err);
/* Detach and return the raw member (caller frees), or NULL when absent. */
struct json_value *take_raw (struct json_value *obj, const char *key);
/* Error if obj still has members: "rules.user: unknown key `uidd`". */
int settings_no_leftovers (const struct json_value *obj, const char *where, secshim_error_t *err);

#endif
